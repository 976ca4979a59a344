"""One access token per run: the credential is asked once, not before every Graph request; and
reads in flight at the same time each keep their own URL."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from azure.core.credentials import AccessToken

from odoo_outlook.graph import GRAPH_APP_ID, GraphSettings, get_application, open_graph
from odoo_outlook.graph.reads import get_service_principal
from odoo_outlook.graph.token_reuse import REFRESH_MARGIN_SECONDS, RunTokenReuse
from tests.fakes.graph_server import FakeGraph, StaticTokenCredential

SCOPE = "https://graph.microsoft.com/.default"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class AsyncCredential:
    """An azure-identity `aio` credential's shape: `get_token` is a coroutine function; its
    tokens expire an hour after `now` (seconds since the epoch)."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.calls: list[dict[str, Any]] = []
        self.now = now

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        await asyncio.sleep(0.01)  # a real credential awaits the network
        self.calls.append({"scopes": scopes, **kwargs})
        return AccessToken(f"token-{len(self.calls)}", int(self.now) + 3600)


def test_the_credential_is_asked_once_until_shortly_before_expiry() -> None:
    inner = StaticTokenCredential("t", expires_in=3600)  # expires_on: now + 3600 (wall clock)
    clock = Clock()
    clock.now = time.time()
    reuse = RunTokenReuse(inner, clock=clock)

    async def go() -> list[str]:
        return [(await reuse.get_token(SCOPE)).token for _ in range(5)]

    assert asyncio.run(go()) == ["t"] * 5
    assert len(inner.requests) == 1
    clock.now += 3600 - REFRESH_MARGIN_SECONDS  # inside the margin: ask again
    asyncio.run(reuse.get_token(SCOPE))
    assert len(inner.requests) == 2


def test_each_scope_and_tenant_has_its_own_token_and_a_claims_challenge_always_asks() -> None:
    inner = AsyncCredential()
    reuse = RunTokenReuse(inner, clock=Clock())

    async def go() -> None:
        await reuse.get_token(SCOPE)
        await reuse.get_token(SCOPE, tenant_id="other")
        await reuse.get_token(SCOPE)
        await reuse.get_token(SCOPE, claims='{"access_token":{}}')
        await reuse.get_token(SCOPE, claims='{"access_token":{}}')

    asyncio.run(go())
    assert [(c["tenant_id"], c.get("claims")) for c in inner.calls] == [
        (None, None),
        ("other", None),
        (None, '{"access_token":{}}'),
        (None, '{"access_token":{}}'),
    ]


def test_concurrent_first_requests_share_one_call() -> None:
    inner = AsyncCredential()
    reuse = RunTokenReuse(inner, clock=Clock())

    async def go() -> set[str]:
        tokens = await asyncio.gather(*(reuse.get_token(SCOPE) for _ in range(10)))
        return {t.token for t in tokens}

    assert asyncio.run(go()) == {"token-1"} and len(inner.calls) == 1


def test_reads_in_flight_together_keep_their_own_app_id(fake_graph: FakeGraph) -> None:
    """msgraph-sdk's `*_with_app_id` builders share the client's path parameters; while one
    read awaits its token another may run: each must still go out with its own id."""
    seeded = fake_graph.seed_healthy()
    credential = AsyncCredential(now=time.time())

    async def go() -> tuple[Any, Any, Any]:
        async with open_graph(GraphSettings(base_url=fake_graph.url), credential) as client:
            return await asyncio.gather(
                get_application(client, seeded.client_id),
                get_service_principal(client, GRAPH_APP_ID),
                get_service_principal(client, seeded.client_id),
            )

    app, graph_sp, sp = asyncio.run(go())
    assert app.client_id == seeded.client_id
    assert graph_sp.client_id == GRAPH_APP_ID
    assert sp.client_id == seeded.client_id
    assert len(credential.calls) == 1  # three requests, one token
