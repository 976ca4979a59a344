"""Connecting the tool's Outlook servers: which still lack a refresh token, the authorize URL
Odoo computed for each, whether the token has arrived, and Odoo's own connection tests.

What Odoo does (odoo/odoo, addons/microsoft_outlook, 15.0-19.0):
- `microsoft_outlook_uri` (microsoft_outlook_mixin.py `_compute_outlook_uri`) is the URL the
  "Connect your Outlook account" button opens: Microsoft's authorize endpoint with the client
  id, the redirect URI `<base url>/microsoft_outlook/confirm`, the scopes and a `state` JSON
  holding the record's model, id and Odoo's CSRF token. It is False while the client id or
  secret parameter is missing. 16.0 and later compute it with `self.get_base_url()`, which
  needs one record: a `read` over several ids fails with "Expected singleton", so it is read
  one record at a time here.
- The refresh token lands in `microsoft_outlook_refresh_token` when Microsoft redirects the
  browser back to `/microsoft_outlook/confirm`. It is never read here: only whether it is set
  (`search` / `search_count` with `('microsoft_outlook_refresh_token', '!=', False)`).
- Tests, the buttons of the server forms: `ir.mail_server.test_smtp_connection` (base
  ir_mail_server.py: connects, authenticates with the Outlook token, tries MAIL FROM / RCPT
  TO / DATA without sending; success returns a `display_notification` action whose message
  is "Connection Test Successful!", older builds raised it as a UserError; failures raise
  UserError) and `fetchmail.server.button_confirm_login` ("Test & Confirm",
  mail/models/fetchmail.py: connects and logs in over IMAP, then writes `state = 'done'`;
  failures raise UserError "Connection test failed: ...", "Server replied with following
  exception: ...", ...). Both ask Microsoft for an access token with the refresh token first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from odoo_outlook.desired import ODOO_XMLID_MODULE
from odoo_outlook.odoo.capabilities import TOKEN_FIELD
from odoo_outlook.odoo.client import OdooClient
from odoo_outlook.odoo.errors import OdooSetupError, OdooUserError
from odoo_outlook.odoo.state import INCOMING, LOGIN_FIELD, OUTGOING, OdooState, server_kind

URI_FIELD = "microsoft_outlook_uri"
TEST_METHODS = {OUTGOING: "test_smtp_connection", INCOMING: "button_confirm_login"}
TEST_BUTTONS = {OUTGOING: "Test Connection", INCOMING: "Test & Confirm"}
# Builds that raise the success message as a UserError (before the notification action).
_SUCCESS = re.compile(r"Connection Test (Successful|Succeeded)!", re.IGNORECASE)


@dataclass(frozen=True)
class ManagedServer:
    """One active Outlook server the tool created (external id in module `odoo_outlook`)."""

    model: str
    id: int
    name: str
    mailbox: str
    connected: bool  # a refresh token is stored (its value is never read)

    @property
    def kind(self) -> str:
        """'outgoing' (`ir.mail_server`) or 'incoming' (`fetchmail.server`)."""
        return server_kind(self.model)

    @property
    def key(self) -> tuple[str, int]:
        """`(model, id)`: the record's identity across reads."""
        return (self.model, self.id)


@dataclass(frozen=True)
class ConnectionTest:
    """Odoo's own test of one server: `ok`, and Odoo's message (success or error text)."""

    model: str
    id: int
    mailbox: str
    ok: bool
    message: str
    at: datetime

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `connect --json` (`at` as ISO 8601 seconds)."""
        return {
            "model": self.model,
            "id": self.id,
            "mailbox": self.mailbox,
            "ok": self.ok,
            "message": self.message,
            "at": self.at.isoformat(timespec="seconds"),
        }


def managed_servers(client: OdooClient) -> list[ManagedServer]:
    """Every active server the tool manages, outgoing first, with whether it is connected.

    Calls: one `ir.model.data` read, then per model with managed servers one `search_read`
    (name, login) and one `search` for the ids holding a refresh token."""
    refs = client.search_read(
        "ir.model.data",
        [("module", "=", ODOO_XMLID_MODULE), ("model", "in", [OUTGOING, INCOMING])],
        ["model", "res_id"],
    )
    out: list[ManagedServer] = []
    for model in (OUTGOING, INCOMING):
        ids = sorted({int(r["res_id"]) for r in refs if r["model"] == model})
        if not ids:
            continue
        login = LOGIN_FIELD[model]
        rows = client.search_read(model, [("id", "in", ids)], ["name", login])
        connected = {
            int(i)
            for i in client.call(model, "search", [("id", "in", ids), (TOKEN_FIELD, "!=", False)])
        }
        out += [
            ManagedServer(
                model,
                int(r["id"]),
                str(r.get("name") or ""),
                str(r.get(login) or ""),
                int(r["id"]) in connected,
            )
            for r in sorted(rows, key=lambda r: (str(r.get(login) or ""), r["id"]))
        ]
    return out


def managed_in(state: OdooState) -> list[ManagedServer]:
    """`managed_servers` from a state already read (`read_state`), without another call."""
    records = (state.record_for(name) for name in state.xmlids)
    found = [r for r in records if r is not None and r.active]
    return [
        ManagedServer(r.model, r.id, r.name, r.login, r.connected)
        for model in (OUTGOING, INCOMING)
        for r in sorted(found, key=lambda r: (r.login, r.id))
        if r.model == model
    ]


def authorize_url(client: OdooClient, server: ManagedServer) -> str:
    """The URL Odoo's "Connect your Outlook account" button opens for this server (one record
    per `read`: 16.0+ fail with "Expected singleton" otherwise). Raises `OdooSetupError` when
    Odoo computes none (client id or secret parameter missing)."""
    rows = client.call(server.model, "read", [server.id], fields=[URI_FIELD])
    uri = rows[0].get(URI_FIELD) if rows else False
    if not uri:
        raise OdooSetupError(
            f"{client.errors.where()}: Odoo has no authorize URL for {server.model}"
            f" #{server.id} ({server.mailbox}): the system parameters microsoft_outlook_client_id"
            " and microsoft_outlook_client_secret are not both set (fix: run `pulumi up` or"
            " `odoo-outlook sync --outputs FILE` first)"
        )
    return str(uri)


def is_connected(client: OdooClient, server: ManagedServer) -> bool:
    """Whether Odoo holds a refresh token for the server; the token itself is never read."""
    found = client.call(
        server.model, "search_count", [("id", "=", server.id), (TOKEN_FIELD, "!=", False)]
    )
    return int(found) > 0


def _odoo_text(client: OdooClient, exc: OdooUserError, operation: str) -> str:
    prefix = f"{client.errors.where()} refused to {operation}: "
    return exc.message.removeprefix(prefix)


def _success_text(result: Any, model: str) -> str:
    if isinstance(result, dict):
        params = result.get("params") or {}
        text = str(params.get("message") or params.get("title") or "")
        if text:
            return text
    return "Connection Test Successful!" if model == OUTGOING else "confirmed (state done)"


def run_connection_test(
    client: OdooClient, server: ManagedServer, now: datetime | None = None
) -> ConnectionTest:
    """Press the server's test button over the API (`test_smtp_connection` or
    `button_confirm_login`, which also confirms an incoming server). Odoo's refusals come
    back as a failed `ConnectionTest` with Odoo's text (secrets redacted); other failures
    (unreachable, access rights) raise `OdooError`."""
    method = TEST_METHODS[server.model]
    operation = f"{method} on {server.model}"
    at = now or datetime.now(UTC)
    try:
        result = client.write_call(server.model, method, [server.id])
    except OdooUserError as exc:
        text = _odoo_text(client, exc, operation)
        ok = bool(_SUCCESS.search(text))
        return ConnectionTest(server.model, server.id, server.mailbox, ok, text, at)
    return ConnectionTest(
        server.model, server.id, server.mailbox, True, _success_text(result, server.model), at
    )


def run_connection_tests(
    client: OdooClient, servers: Sequence[ManagedServer], now: datetime | None = None
) -> list[ConnectionTest]:
    """`run_connection_test` on every connected server of `servers`."""
    return [run_connection_test(client, s, now) for s in servers if s.connected]
