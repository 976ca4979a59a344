"""Shared pytest fixtures. Each fake owns one clearly marked section."""

from __future__ import annotations

# --- fake Graph fixtures ---
import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Iterator
from types import SimpleNamespace
from typing import Any, TypeVar

import pytest

from tests.fakes.graph_server import FakeGraph, StaticTokenCredential

_T = TypeVar("_T")


# --- the trust store ---
@pytest.fixture(scope="session", autouse=True)
def _one_certificate_trust_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """`SSL_CERT_FILE` names a one-certificate CA bundle (a self-signed certificate for
    `trust-nothing.invalid`) for the whole session, instead of the system's ~150 CAs.

    Every Microsoft Graph client the product builds (httpx via kiota, once per `doctor` run or
    Graph read) parses the bundle `SSL_CERT_FILE` names: about 20 ms of CPU each time, 300
    times a suite. The tests talk only to 127.0.0.1 fakes, whose self-signed certificates no
    public CA signed, so what is trusted is unchanged: nothing the tests reach. Tests of TLS
    trust set or remove `SSL_CERT_FILE` themselves (tests/odoo/test_keepalive.py)."""
    from tests.fakes.tls import self_signed

    cert = self_signed(tmp_path_factory.mktemp("trust"), names=("trust-nothing.invalid",))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SSL_CERT_FILE", cert.certfile)
        yield


# --- process-wide state a CLI run leaves behind ---
@pytest.fixture(autouse=True)
def _no_debug_log_leak() -> Iterator[None]:
    """`--debug` enables the `odoo_outlook` stderr log once per process (debug_log.py); a test
    that runs it must not make later tests' stderr carry debug lines."""
    logger = logging.getLogger("odoo_outlook")
    handlers, level = list(logger.handlers), logger.level
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)


@pytest.fixture
def fake_graph() -> Iterator[FakeGraph]:
    """A started FakeGraph (empty tenant plus the Microsoft Graph service principal)."""
    with FakeGraph(page_size=2) as graph:
        yield graph


@pytest.fixture
def graph_credential() -> StaticTokenCredential:
    """A TokenCredential returning a fixed token (assert with fake_graph.saw_token)."""
    return StaticTokenCredential("test-token-0123456789")


@pytest.fixture
def graph_run(fake_graph: FakeGraph, graph_credential: StaticTokenCredential) -> Callable[..., Any]:
    """Run a product Graph read against the fake over real HTTP:

    ``graph_run(reads.get_application, client_id)`` opens a GraphServiceClient on
    ``fake_graph.url`` with ``graph_credential``, awaits the read, closes the client.
    Pass ``settings=GraphSettings(...)`` to change retries etc. (base_url defaults to
    the fake's)."""
    from odoo_outlook.graph import GraphSettings, open_graph

    def run(read: Callable[..., Awaitable[_T]], *args: Any, settings: Any = None) -> _T:
        chosen = settings or GraphSettings(base_url=fake_graph.url)
        if chosen.base_url is None:
            chosen = dataclasses.replace(chosen, base_url=fake_graph.url)

        async def go() -> _T:
            async with open_graph(chosen, graph_credential) as client:
                return await read(client, *args)

        return asyncio.run(go())

    return run


@pytest.fixture
def sdk_retry_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The pauses msgraph-sdk's RetryHandler (kiota_http.middleware.retry_handler) makes
    before each retry, in seconds, recorded instead of slept: the same retries are sent with
    the same headers, only without waiting (`Retry-After: 1` costs a second per retry, a 503
    without it 3.25-4.25 s). Tests assert the recorded list where the pause matters."""
    from kiota_http.middleware import retry_handler

    waits: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(delay: float) -> None:
        waits.append(delay)
        await real_sleep(0)

    # The handler calls `asyncio.sleep(delay)` through its module's `asyncio` name; only that
    # name is replaced (raising if the SDK stops using it), not asyncio itself.
    monkeypatch.setattr(retry_handler, "asyncio", SimpleNamespace(sleep=sleep))
    return waits


# --- end fake Graph fixtures ---


# --- fake Odoo fixtures ---
@pytest.fixture
def fake_odoo() -> Iterator[Callable[..., Any]]:
    """Factory for started FakeOdoo servers, stopped at teardown:

    ``odoo = fake_odoo("16.0", modules={"microsoft_outlook": "installed"})``; any
    FakeOdoo keyword works (db=, admin_password=, admin_api_key=, latency=...)."""
    from tests.fakes.odoo_server import FakeOdoo

    started: list[FakeOdoo] = []

    def make(version: str = "17.0", **kwargs: Any) -> FakeOdoo:
        server = FakeOdoo(version, **kwargs).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture(params=["15.0", "16.0", "17.0", "18.0", "19.0"])
def fake_odoo_any(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A started FakeOdoo per supported version (parametrized test)."""
    from tests.fakes.odoo_server import FakeOdoo

    with FakeOdoo(request.param) as server:
        yield server


# --- end fake Odoo fixtures ---
