"""Kept-alive connections, one TLS context per process, and the retry rule (issue 16).

Against the fake Odoo over real HTTP(S): a whole sync uses one connection per target over
XML-RPC and JSON-2; certificates are checked as strictly as before; after a dropped
connection only idempotent calls are sent again, and `--debug` names the retried call."""

from __future__ import annotations

import ssl
import xmlrpc.client
from pathlib import Path
from typing import Any

import pytest

from odoo_outlook.cli import main
from odoo_outlook.odoo.client import OdooClient, connect
from odoo_outlook.odoo.errors import OdooUnreachable
from odoo_outlook.odoo.keepalive import IDEMPOTENT_METHODS, is_idempotent, tls_context
from odoo_outlook.odoo.sync import sync_target
from tests.fakes.odoo.server import DEFAULT_ADMIN_API_KEY
from tests.fakes.odoo_server import FakeOdoo
from tests.fakes.tls import self_signed
from tests.odoo_sync_helpers import APP, PASSWORD, cli_args, spec, stack, write_project


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return self_signed(tmp_path_factory.mktemp("tls"))


def _client(odoo: FakeOdoo, credential: str = PASSWORD, **connection: Any) -> OdooClient:
    target = spec(stack(odoo.url, **connection))
    assert target.connection is not None
    return connect(target.connection, credential)


@pytest.mark.parametrize(
    ("version", "transport", "credential"),
    [
        ("17.0", "xmlrpc", PASSWORD),
        ("19.0", "json2", DEFAULT_ADMIN_API_KEY),
        ("19.0", "auto", DEFAULT_ADMIN_API_KEY),
    ],
)
def test_one_connection_per_sync(
    fake_odoo: Any, version: str, transport: str, credential: str
) -> None:
    odoo = fake_odoo(version)
    report = sync_target(spec(stack(odoo.url, transport=transport)), APP, credential)
    assert report.ok and report.writes > 0
    assert report.calls == len(odoo.calls) > 10
    assert odoo.connections == 1


def test_one_connection_per_sync_over_https(
    fake_odoo: Any, cert: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", cert.certfile)
    odoo = fake_odoo("17.0", tls=(cert.certfile, cert.keyfile))
    assert odoo.url.startswith("https://")
    first = sync_target(spec(stack(odoo.url)), APP, PASSWORD)
    again = sync_target(spec(stack(odoo.url)), APP, PASSWORD)
    assert first.ok and again.ok and again.writes == 0
    assert odoo.connections == 2  # one per sync, whatever the number of calls


def test_tls_context_is_built_once_per_setting(cert: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", cert.certfile)
    strict = tls_context(True)
    assert tls_context(True) is strict
    assert strict.verify_mode is ssl.CERT_REQUIRED and strict.check_hostname
    lax = tls_context(False)
    assert lax is not strict and lax.verify_mode is ssl.CERT_NONE and not lax.check_hostname
    monkeypatch.setenv("SSL_CERT_FILE", cert.keyfile)  # another trust setting, another context
    assert tls_context(True) is not strict


def test_untrusted_certificate_is_refused(
    fake_odoo: Any, cert: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    odoo = fake_odoo("17.0", tls=(cert.certfile, cert.keyfile))
    with pytest.raises(OdooUnreachable, match="TLS certificate not trusted"):
        _client(odoo)
    assert odoo.calls == []


def test_host_name_is_checked(
    fake_odoo: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = self_signed(tmp_path, names=("odoo.example.com",))
    monkeypatch.setenv("SSL_CERT_FILE", other.certfile)  # trusted, but not for 127.0.0.1
    odoo = fake_odoo("17.0", tls=(other.certfile, other.keyfile))
    with pytest.raises(OdooUnreachable, match="TLS certificate not trusted"):
        _client(odoo)
    assert odoo.calls == []


def test_verify_tls_false_skips_the_checks(
    fake_odoo: Any, cert: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    odoo = fake_odoo("17.0", tls=(cert.certfile, cert.keyfile))
    client = _client(odoo, verifyTls=False)
    assert client.uid and odoo.connections == 1


def test_classification_lives_in_one_place() -> None:
    for method in (
        "version",
        "authenticate",
        "search_read",
        "read",
        "fields_get",
        "search_count",
        "get_param",
        "load",
        "write",
        "set_param",
    ):
        assert is_idempotent(method), method
    for method in (
        "create",
        "unlink",
        "button_immediate_install",
        "test_smtp_connection",
        "execute_kw",
    ):
        assert not is_idempotent(method), method
    assert "create" not in IDEMPOTENT_METHODS


def _creates(odoo: FakeOdoo) -> int:
    return odoo.count("create", "ir.config_parameter")


@pytest.mark.parametrize(
    ("version", "transport", "credential"),
    [("17.0", "xmlrpc", PASSWORD), ("19.0", "json2", DEFAULT_ADMIN_API_KEY)],
)
def test_create_is_not_sent_again_after_a_dropped_connection(
    fake_odoo: Any, version: str, transport: str, credential: str
) -> None:
    odoo = fake_odoo(version)
    client = _client(odoo, credential, transport=transport)
    odoo.inject_drop(method="create")  # Odoo runs it, then the connection drops unanswered
    with pytest.raises(OdooUnreachable, match="not repeated as it may have run"):
        client.create("ir.config_parameter", [{"key": "issue16.k", "value": "v"}])
    assert _creates(odoo) == 1
    assert len(odoo.db().records("ir.config_parameter", [("key", "=", "issue16.k")])) == 1
    # The connection is opened again for the next call.
    assert client.search_read("ir.config_parameter", [("key", "=", "issue16.k")], ["value"])


def test_stdlib_xmlrpc_client_would_create_twice(fake_odoo: Any) -> None:
    """The hazard the transport avoids, shown on the same fake: `xmlrpc.client` re-sends."""
    odoo = fake_odoo("17.0")
    proxy = xmlrpc.client.ServerProxy(f"{odoo.url}/xmlrpc/2/object", allow_none=True)
    proxy.execute_kw("odoo", 2, "admin", "res.users", "search", [[]])  # a kept-alive connection
    odoo.inject_drop(method="create")
    # The first create ran; the silent re-send runs it again and hits the unique key.
    with pytest.raises(xmlrpc.client.Fault, match="Key must be unique"):
        proxy.execute_kw(
            "odoo",
            2,
            "admin",
            "ir.config_parameter",
            "create",
            [{"key": "issue16.twice", "value": "v"}],
        )
    assert _creates(odoo) == 2


def test_idempotent_call_is_retried_and_named_in_debug_output(
    fake_odoo: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    odoo = fake_odoo("17.0")
    odoo.inject_drop(method="search_read", model="ir.module.module", times=1)
    monkeypatch.setenv("ODOO_ERP_PASSWORD", PASSWORD)
    write_project(tmp_path, stack(odoo.url))
    code = main(["--debug", *cli_args(tmp_path)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "retrying idempotent call 'search_read' (retry 1 of 2" in err
    plain = fake_odoo("17.0")  # the same sync without a drop
    assert sync_target(spec(stack(plain.url)), APP, PASSWORD).ok
    assert (
        odoo.count("search_read", "ir.module.module")
        == plain.count("search_read", "ir.module.module") + 1
    )
    assert len(odoo.calls) == len(plain.calls) + 1
    assert odoo.connections == 2
    # The next run in the same process without --debug prints no debug line.
    again = fake_odoo("17.0")
    again.inject_drop(method="search_read", model="ir.module.module", times=1)
    write_project(tmp_path, stack(again.url))
    assert main(cli_args(tmp_path)) == 0
    assert "debug:" not in capsys.readouterr().err
    assert again.count("search_read", "ir.module.module") == 2  # it did retry, silently


def test_retries_are_bounded(fake_odoo: Any) -> None:
    odoo = fake_odoo("17.0")
    client = _client(odoo)
    odoo.inject_drop(method="search_read", times=None)
    with pytest.raises(OdooUnreachable, match="RemoteDisconnected"):
        client.search_read("res.users", [], ["login"])
    assert odoo.count("search_read") == 3  # the call and two retries


def test_fake_serves_a_burst_of_connections_concurrently(fake_odoo: Any) -> None:
    """The fake's backlog and threads: 200 clients connecting at once are all served, at the
    same time (each call waits 0.3 s), so a benchmark measures the client, not the fake."""
    import threading
    import time

    from tests.fakes.odoo.server import REQUEST_QUEUE_SIZE

    odoo = fake_odoo("17.0", latency=0.3)
    assert odoo._httpd is not None and odoo._httpd.request_queue_size == REQUEST_QUEUE_SIZE
    results: list[Any] = []
    barrier = threading.Barrier(200, timeout=30)

    def one() -> None:
        proxy = xmlrpc.client.ServerProxy(f"{odoo.url}/xmlrpc/2/common")
        barrier.wait()
        try:
            results.append(proxy.version()["server_version"])
        except Exception as exc:
            results.append(exc)

    threads = [threading.Thread(target=one) for _ in range(200)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["17.0"] * 200
    assert time.perf_counter() - started < 0.3 * 20  # served together, not one by one (60 s)
    assert odoo.connections == 200
