"""Checks on a live Odoo that `sync` and `doctor` share: base URL vs redirect URIs, and which
Outlook servers still need a person to click "Connect your Outlook account"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from odoo_outlook.desired import OdooTargetSpec, confirm_uri
from odoo_outlook.odoo.state import (
    BASE_URL_FREEZE_PARAM,
    BASE_URL_PARAM,
    INCOMING,
    OdooState,
    Param,
    Server,
)

# Window actions of the server lists (base, and mail from 16.0 / fetchmail on 15.0).
SERVER_ACTIONS = {
    "ir.mail_server": "base.action_ir_mail_server_list",
    "fetchmail.server": "mail.action_email_server_tree",
}


@dataclass(frozen=True)
class BaseUrlCheck:
    """The `web.base.url` verdict: `ok`, the `current` value (None when unset), the `expected`
    one, whether `web.base.url.freeze` is set, and a one-line `message`.
    """

    ok: bool
    current: str | None
    expected: str
    frozen: bool
    message: str


def is_frozen(freeze: str | None) -> bool:
    """Odoo tests `if not ICP.get_param('web.base.url.freeze')` (res_users.py `authenticate`):
    any stored value freezes `web.base.url`, even 'False' or '0'."""
    return bool(freeze)


def _clean(url: str | None) -> str:
    return (url or "").strip().rstrip("/").lower()


def check_base_url(params: Mapping[str, Param], spec: OdooTargetSpec) -> BaseUrlCheck:
    """`web.base.url` must be one of the target's base URLs (its redirect URI is then one of
    the app's); otherwise Microsoft answers AADSTS50011."""
    current = params[BASE_URL_PARAM].value if BASE_URL_PARAM in params else None
    freeze = params[BASE_URL_FREEZE_PARAM].value if BASE_URL_FREEZE_PARAM in params else ""
    frozen = is_frozen(freeze)
    allowed = {_clean(u) for u in spec.base_urls}
    expected = spec.expected_base_url
    if _clean(current) in allowed:
        message = f"web.base.url is {current}"
        if not frozen:
            message += (
                " but web.base.url.freeze is not set: Odoo rewrites web.base.url when an"
                " administrator logs in from another address (fix: set"
                " connection.manageBaseUrl: true, or set web.base.url.freeze = True)"
            )
        return BaseUrlCheck(True, current, expected, frozen, message)
    return BaseUrlCheck(
        False,
        current,
        expected,
        frozen,
        f"web.base.url is {current or '(not set)'}, so Odoo sends the redirect URI"
        f" {confirm_uri(current) if current else '(none)'}, which the app does not accept"
        f" (Microsoft error AADSTS50011; the app accepts {', '.join(spec.redirect_uris)})"
        f" (fix: set web.base.url to {expected} and web.base.url.freeze to True in Settings >"
        " Technical > System Parameters, or set connection.manageBaseUrl: true)",
    )


# The `/odoo/...` web client routes came with saas~17.2 (addons/web/controllers/home.py
# `web_client` on ['/web', '/odoo', '/odoo/<path:subpath>']; `/odoo/action-<xmlid>/<id>` is
# resolved by utils.py `get_action` / `get_action_triples`).
ODOO_ROUTES_SINCE = (17, 2)


def server_form_url(
    base_url: str,
    model: str,
    res_id: int,
    major: int,
    *,
    minor: int = 0,
    database: str | None = None,
) -> str:
    """The server's form in Odoo's web client, where "Connect your Outlook account" is.

    17.2 and later route `/odoo/action-<xmlid>/<id>`; before, `/web#id=..&model=..&
    view_type=form` (later versions still accept that form and redirect it). `database` is
    passed as `?db=` (before any `#` fragment): both routes call addons/web/controllers/
    utils.py `ensure_db`, which takes `request.params['db']`, checks it against the server's
    dbfilter and switches the session to it; without it a server with several databases
    shows the database selector.
    """
    base = base_url.rstrip("/")
    query = f"?{urlencode({'db': database})}" if database else ""
    if (major, minor) >= ODOO_ROUTES_SINCE:
        return f"{base}/odoo/action-{SERVER_ACTIONS[model]}/{res_id}{query}"
    return f"{base}/web{query}#id={res_id}&model={model}&view_type=form"


@dataclass(frozen=True)
class ServerStatus:
    """One managed server's connection state: whether a refresh token is stored (`connected`),
    whether an incoming server is confirmed (`state = 'done'`), and its form URL.
    """

    model: str
    id: int
    name: str
    mailbox: str
    connected: bool
    confirmed: bool
    form_url: str
    # The account to sign in with (Odoo's Username); differs from `mailbox` for a delegate.
    sign_in_as: str = ""

    @property
    def needs(self) -> str:
        """The button(s) still to click in Odoo's form ('' when nothing): "Connect your Outlook
        account" (microsoft_outlook's mixin), then "Test & Confirm" for an incoming server.
        """
        if not self.connected:
            action = 'click "Connect your Outlook account"'
            if self.sign_in_as:
                action += f" and sign in as {self.sign_in_as}"
            if self.model == INCOMING:
                action += ', then "Test & Confirm"'
            return action
        if not self.confirmed:
            return 'click "Test & Confirm"'
        return ""

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of `sync --json` (`formUrl`, `needs` included)."""
        return {
            "model": self.model,
            "id": self.id,
            "name": self.name,
            "mailbox": self.mailbox,
            "connected": self.connected,
            "confirmed": self.confirmed,
            "formUrl": self.form_url,
            "needs": self.needs,
            "signInAs": self.sign_in_as,
        }


def server_status(
    server: Server, base_url: str, major: int, *, minor: int = 0, database: str | None = None
) -> ServerStatus:
    """`server`'s status, with its form URL built for Odoo `major`.`minor` under `base_url`
    (`database` adds `?db=` for multi-database servers).
    """
    confirmed = server.model != INCOMING or server.values.get("state") == "done"
    # A delegated sender: From filter = the shared mailbox, Username = who signs in.
    mailbox = str(server.values.get("from_filter") or "") or server.login
    return ServerStatus(
        model=server.model,
        id=server.id,
        name=server.name,
        mailbox=mailbox,
        connected=server.connected,
        confirmed=confirmed,
        form_url=server_form_url(
            base_url, server.model, server.id, major, minor=minor, database=database
        ),
        sign_in_as=server.login,
    )


def managed_server_status(
    state: OdooState, base_url: str, major: int, *, minor: int = 0, database: str | None = None
) -> list[ServerStatus]:
    """Token state of every active server the tool manages."""
    out = []
    for ref in state.xmlids.values():
        record = state.record_for(ref.name)
        if record is not None and record.active:
            out.append(server_status(record, base_url, major, minor=minor, database=database))
    return sorted(out, key=lambda s: (s.model, s.mailbox))
