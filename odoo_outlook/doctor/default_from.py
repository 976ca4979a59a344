"""The catch-all domain and default From as Odoo has them, and the default From check.

15.0/16.0 keep them in the system parameters `mail.catchall.domain`, `mail.default.from`,
`mail.catchall.alias`, `mail.bounce.alias`; 17.0+ in the `mail.alias.domain` record that the
company's `alias_domain_id` points to. Whether they are as declared is the sync's plan
(`plan_checks`); this module describes the live values and checks what follows from them.

Odoo's "generic configuration" (one outgoing server for the whole domain) only works when the
default From address is one an outgoing Outlook server's From filter accepts: Odoo picks the
server by From filter (`ir.mail_server._match_from_filter`: the exact address, or its domain;
17.0+ accepts a comma-separated list) and otherwise rewrites the From or sends through
another server, which Outlook refuses (it only sends as the mailbox it signed in as).
"""

from __future__ import annotations

from dataclasses import dataclass

from odoo_outlook.desired import OdooTargetSpec
from odoo_outlook.doctor.model import SYNC, Check, fail, ok
from odoo_outlook.odoo.capabilities import Capabilities
from odoo_outlook.odoo.neighbours import from_filter_matches, personal_owner
from odoo_outlook.odoo.state import (
    ALIAS_DOMAIN,
    BOUNCE_ALIAS_PARAM,
    CATCHALL_ALIAS_PARAM,
    CATCHALL_DOMAIN_PARAM,
    DEFAULT_FROM_PARAM,
    OUTGOING,
    OdooState,
    Server,
    normalise,
)

CATCHALL = "catch-all domain"
DEFAULT_FROM = "default From"


@dataclass(frozen=True)
class LiveAlias:
    """The four values as Odoo has them (None: not set), and where they live."""

    domain: str | None
    default_from: str | None
    catchall_alias: str | None
    bounce_alias: str | None
    where: str

    @property
    def default_from_address(self) -> str | None:
        """The address Odoo sends notifications From (`_get_default_from_address` on 15.0/16.0,
        `mail.alias.domain.default_from_email` on 17.0+): a full address as is, else
        `<default_from>@<domain>`; None when it has none."""
        if self.default_from and "@" in self.default_from:
            return self.default_from.lower()
        if self.default_from and self.domain:
            return f"{self.default_from}@{self.domain}".lower()
        return None


def _text(value: object) -> str | None:
    value = normalise(value)
    if value is False:
        return None
    return str(value).strip() or None


def show(value: object) -> str:
    """A live value as the checks print it: quoted, or "not set"."""
    text = _text(value)
    return repr(text) if text else "not set"


def from_params(state: OdooState) -> LiveAlias:
    """The catch-all domain and default From as system parameters (`mail.catchall.domain`,
    `mail.default.from`; Odoo up to 16.0).
    """
    return LiveAlias(
        _text(state.param(CATCHALL_DOMAIN_PARAM)),
        _text(state.param(DEFAULT_FROM_PARAM)),
        _text(state.param(CATCHALL_ALIAS_PARAM)),
        _text(state.param(BOUNCE_ALIAS_PARAM)),
        "system parameters",
    )


def from_alias_domain(state: OdooState) -> LiveAlias | None:
    """The record the company links, or None when it links none (or one that was not read)."""
    company = state.company
    if company is None or not company.alias_domain_id:
        return None
    record = next((d for d in state.alias_domains if d.id == company.alias_domain_id), None)
    if record is None:
        return None
    values = record.values
    return LiveAlias(
        _text(values.get("name")),
        _text(values.get("default_from")),
        _text(values.get("catchall_alias")),
        _text(values.get("bounce_alias")),
        f"{ALIAS_DOMAIN} #{record.id}",
    )


def live_alias(state: OdooState, caps: Capabilities) -> LiveAlias | None:
    """The catch-all / default From Odoo has: its alias domain (17.0+) or its parameters."""
    return from_alias_domain(state) if caps.has_alias_domain else from_params(state)


def outlook_servers(state: OdooState, caps: Capabilities) -> list[Server]:
    """Active outgoing servers that send through Outlook (the version's marker is set), except
    19.0 personal servers: Odoo's `_find_mail_server` skips them for everyone else's mail, so
    they never carry the default From (neighbours.py)."""
    marker = caps.outgoing_marker()
    return [
        s
        for s in state.servers
        if s.model == OUTGOING
        and s.active
        and all(normalise(s.values.get(k)) == v for k, v in marker.items())
        and not personal_owner(s)
    ]


def declared_filters(state: OdooState, caps: Capabilities, spec: OdooTargetSpec) -> list[str]:
    """The From filters the stack's Outlook servers have (or will have, once synced)."""
    live = [str(s.values.get("from_filter") or "") for s in outlook_servers(state, caps)]
    found: dict[str, str] = {}
    for value in [*live, *(s.from_filter for s in spec.all_outgoing)]:
        if value:
            found.setdefault(value.lower(), value)
    return list(found.values())


def unmatched_default_from(address: str | None, filters: list[str]) -> str:
    """Why the default From `address` will not go out through Outlook ('' when a From filter
    in `filters` takes it): the explanation appended to a catch-all check."""
    shown = ", ".join(filters) or "none"
    if address is None:
        return (
            " Odoo then has no default From address and sends notifications From each"
            f" author, which the Outlook servers' From filters ({shown}) do not match"
        )
    if any(from_filter_matches(address, f) for f in filters):
        return ""
    return (
        f" Odoo would send mail From {address}, which the Outlook servers' From filters"
        f" ({shown}) do not match"
    )


def check_default_from(state: OdooState, caps: Capabilities, scope: str) -> Check:
    """The default From address Odoo has is one an active outgoing Outlook server's From filter
    accepts (Odoo's "generic configuration")."""
    live = live_alias(state, caps)
    address = live.default_from_address if live else None
    if address is None:
        return fail(
            DEFAULT_FROM,
            f"Odoo has no default From address (see {CATCHALL}), so"
            " notifications go out From each author, which Outlook refuses to send"
            " for another mailbox",
            SYNC,
            scope,
        )
    servers = outlook_servers(state, caps)
    match = next(
        (s for s in servers if from_filter_matches(address, s.values.get("from_filter"))), None
    )
    if match is None:
        shown = ", ".join(str(s.values.get("from_filter") or "(empty)") for s in servers)
        return fail(
            DEFAULT_FROM,
            f"{address} is not matched by the From filter of any active"
            f" outgoing Outlook server ({shown or 'there is none'}): Odoo would send"
            " notifications through another server or rewrite their From (Odoo's"
            " generic configuration needs the default From in an Outlook server's From"
            " filter)",
            SYNC,
            scope,
        )
    return ok(
        DEFAULT_FROM,
        f"{address} goes out through {OUTGOING} #{match.id} {match.name!r}"
        f" (From filter {match.values.get('from_filter')})",
        scope,
    )
