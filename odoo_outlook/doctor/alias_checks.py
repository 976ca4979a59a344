"""Pure checks of one target's catch-all domain and default From, over the state the sync reads.

15.0/16.0 keep them in the system parameters `mail.catchall.domain`, `mail.default.from`,
`mail.catchall.alias`, `mail.bounce.alias`; 17.0+ in the `mail.alias.domain` record that the
company's `alias_domain_id` points to. The wanted values are the ones the sync writes
(`odoo.changes`: the desired `AliasDomain`, lower-cased).

Odoo's "generic configuration" (one outgoing server for the whole domain) only works when the
default From address is one an outgoing Outlook server's From filter accepts: Odoo picks the
server by From filter (`ir.mail_server._match_from_filter`: the exact address, or its domain;
17.0+ accepts a comma-separated list) and otherwise rewrites the From or sends through
another server, which Outlook refuses (it only sends as the mailbox it signed in as).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from odoo_outlook.desired import AliasDomain, OdooTargetSpec
from odoo_outlook.doctor.model import SYNC, Check, fail, ok, warn
from odoo_outlook.odoo.capabilities import Capabilities
from odoo_outlook.odoo.changes import alias_domain_xmlid
from odoo_outlook.odoo.neighbours import (
    personal_default_from,
    personal_default_from_conflict,
    personal_owner,
)
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


def _same(have: str | None, wanted: str) -> bool:
    return (have or "").lower() == wanted.lower()


def _show(value: str | None) -> str:
    return repr(value) if value else "not set"


def wanted_values(alias: AliasDomain) -> dict[str, str]:
    """What the sync writes (odoo.changes `_alias_domain` / the four parameters)."""
    return {
        "domain": alias.domain.lower(),
        "default_from": alias.default_from.lower(),
        "catchall_alias": alias.catchall_alias.lower(),
        "bounce_alias": alias.bounce_alias.lower(),
    }


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


def matches_from_filter(address: str, from_filter: str | None) -> bool:
    """Odoo's `_match_from_filter`, minus its "no filter matches all" fallback: the exact
    address, or the address's domain, in the (comma-separated) filter."""
    address = address.strip().lower()
    domain = address.rpartition("@")[2]
    for part in (p.strip().lower() for p in (from_filter or "").split(",")):
        if part and (part == address if "@" in part else part == domain):
            return True
    return False


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


def _filters(state: OdooState, caps: Capabilities, spec: OdooTargetSpec) -> list[str]:
    """The From filters the stack's Outlook servers have (or will have, once synced)."""
    live = [str(s.values.get("from_filter") or "") for s in outlook_servers(state, caps)]
    found: dict[str, str] = {}
    for value in [*live, *(s.from_filter for s in spec.all_outgoing)]:
        if value:
            found.setdefault(value.lower(), value)
    return list(found.values())


def _unmatched(address: str | None, filters: list[str]) -> str:
    shown = ", ".join(filters) or "none"
    if address is None:
        return (
            " Odoo then has no default From address and sends notifications From each"
            f" author, which the Outlook servers' From filters ({shown}) do not match"
        )
    if any(matches_from_filter(address, f) for f in filters):
        return ""
    return (
        f" Odoo would send mail From {address}, which the Outlook servers' From filters"
        f" ({shown}) do not match"
    )


def check_catchall_params(
    state: OdooState, caps: Capabilities, spec: OdooTargetSpec, scope: str
) -> Check:
    """15.0/16.0: the four system parameters."""
    live = from_params(state)
    wanted = wanted_values(spec.alias)
    address = live.default_from_address
    keys = {
        "domain": CATCHALL_DOMAIN_PARAM,
        "default_from": DEFAULT_FROM_PARAM,
        "catchall_alias": CATCHALL_ALIAS_PARAM,
        "bounce_alias": BOUNCE_ALIAS_PARAM,
    }
    differ = [
        f"{keys[k]} is {_show(getattr(live, k))}, wanted {v!r}"
        for k, v in wanted.items()
        if not _same(getattr(live, k), v)
    ]
    if not _same(live.domain, wanted["domain"]) or not _same(
        address, spec.alias.default_from_address
    ):
        return fail(
            CATCHALL,
            "; ".join(differ) + "." + _unmatched(address, _filters(state, caps, spec)),
            SYNC,
            scope,
        )
    if differ:
        return warn(
            CATCHALL,
            "; ".join(differ) + f" (the default From {address} is right;"
            " replies and bounces go to other aliases than the stack's)",
            SYNC,
            scope,
        )
    return ok(
        CATCHALL,
        f"{CATCHALL_DOMAIN_PARAM} {live.domain}, {DEFAULT_FROM_PARAM}"
        f" {live.default_from}, aliases {live.catchall_alias} / {live.bounce_alias}",
        scope,
    )


def check_alias_domain(
    state: OdooState, caps: Capabilities, spec: OdooTargetSpec, scope: str
) -> Check:
    """17.0+: the company's `alias_domain_id` and the `mail.alias.domain` it points to."""
    company = state.company
    filters = _filters(state, caps, spec)
    if company is None and not state.alias_domains:
        return fail(
            CATCHALL,
            f"the database has no alias domain ({ALIAS_DOMAIN}), so no"
            f" company links one.{_unmatched(None, filters)}",
            SYNC,
            scope,
        )
    if company is None:
        return fail(
            CATCHALL,
            "the Odoo user's company could not be read, so its alias domain is unknown",
            "check the Odoo user's company and access rights",
            scope,
        )
    if not company.alias_domain_id:
        return fail(
            CATCHALL,
            f"company {company.name!r} has no alias domain"
            f" ({ALIAS_DOMAIN}).{_unmatched(None, filters)}",
            SYNC,
            scope,
        )
    live = from_alias_domain(state)
    if live is None:
        return fail(
            CATCHALL,
            f"company {company.name!r} links {ALIAS_DOMAIN}"
            f" #{company.alias_domain_id}, which does not exist",
            SYNC,
            scope,
        )
    wanted = wanted_values(spec.alias)
    fields = {"domain": "name"}
    differ = [
        f"{fields.get(k, k)} is {_show(getattr(live, k))}, wanted {v!r}"
        for k, v in wanted.items()
        if not _same(getattr(live, k), v)
    ]
    if differ:
        fix = SYNC
        own = state.xmlids.get(alias_domain_xmlid(spec.alias.domain))
        if _same(live.domain, wanted["domain"]) and (
            own is None or own.res_id != company.alias_domain_id
        ):
            # The sync adopts an alias domain it did not create only when it already matches.
            fix = (
                f"edit {live.where} in Settings > Emails > Alias Domain (odoo-outlook did"
                " not create it and never edits it), or change the stack's mail settings to"
                " match"
            )
        return fail(
            CATCHALL,
            f"company {company.name!r} uses {live.where} {live.domain!r}: "
            + "; ".join(differ)
            + "."
            + _unmatched(live.default_from_address, filters),
            fix,
            scope,
        )
    return ok(
        CATCHALL,
        f"company {company.name!r} uses {live.where} {live.domain!r}: default"
        f" From {live.default_from_address}, aliases {live.catchall_alias} /"
        f" {live.bounce_alias}",
        scope,
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
        (s for s in servers if matches_from_filter(address, s.values.get("from_filter"))), None
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


def alias_checks(
    state: OdooState, caps: Capabilities, spec: OdooTargetSpec, scope: str
) -> list[Check]:
    """The catch-all check and the default From check of one target."""
    catchall = check_alias_domain if caps.has_alias_domain else check_catchall_params
    first = catchall(state, caps, spec, scope)
    personal = (
        personal_default_from(state, spec.alias.default_from_address)
        if (caps.has_alias_domain)
        else None
    )
    if personal is not None and first.fix == SYNC:  # the sync could not fix it: say why
        text = personal_default_from_conflict(
            personal, spec.alias.default_from_address, spec.alias.domain
        )
        head, _, fix = text.partition(" (fix: ")
        first = replace(first, detail=f"{first.detail} {head}", fix=fix.removesuffix(")"))
    return [first, check_default_from(state, caps, scope)]
