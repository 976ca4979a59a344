"""The change set: a pure function from (what Odoo has, what the stack wants) to the changes.

Ownership rules (also in README.md, section `sync`, "Safety rules"):
- A record the tool creates gets an external id `odoo_outlook.<name>` in `ir.model.data`;
  servers use the `xmlid` of desired.py, the alias domain `alias_domain_<domain>`, parameters
  `config_parameter_<key>`. Only records carrying such an id are ever updated or archived.
- An unmanaged server that already sends as (login or From filter) or fetches a wanted mailbox
  is a conflict: reported, never touched, and ours is not created next to it. With the
  opt-in `adopt` (`connection.adopt` / `sync --adopt`), an unmanaged Outlook server whose login
  is the mailbox is taken over instead: marked, brought to the declared values, token kept.
- Records are created and updated with `load` and their external id (see loader.py), so a
  record and its mark exist together or not at all.
- The Outlook credential parameters (client id, secret, endpoint) belong to the app the stack
  declares: they are always written, and marked as owned. The mail parameters of 15.0/16.0
  and `web.base.url` are settings: written when they differ, marked only when the tool
  created them. Delete clears only marked parameters.
- `microsoft_outlook.endpoint` is removed for a multitenant app only when marked as ours.
- Others in the same database (neighbours.py): a 19.0 personal server (`owner_user_id`) is
  never a rival, never updated or archived; fields OCA `server.env.mixin` manages are not
  written; no conflict's fix archives or deletes what the tool does not own. The other companies
  of the database (`targets[].companies`) are planned by companies.py.
- 17.0+: an existing `mail.alias.domain` for the domain that the tool did not create is adopted
  (used and linked, left unmarked) only when it already has the wanted default From and aliases;
  otherwise it is a conflict. The company's `alias_domain_id` is a setting, like parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from odoo_outlook.desired import (
    AliasDomain,
    IncomingServer,
    OdooTargetSpec,
    OutgoingServer,
    authority_tenant,
    oauth_endpoint,
)
from odoo_outlook.external_ids import alias_domain_xmlid, param_xmlid
from odoo_outlook.masking import MASK
from odoo_outlook.odoo.capabilities import OUTLOOK_BOOLEAN, Capabilities
from odoo_outlook.odoo.checks import is_frozen
from odoo_outlook.odoo.neighbours import (
    alias_domain_fix,
    env_managed_fields,
    env_values,
    personal_default_from,
    personal_default_from_conflict,
    personal_note,
    personal_owner,
    rival_conflict,
    rival_fix,
)
from odoo_outlook.odoo.state import (
    ALIAS_DOMAIN,
    BASE_URL_FREEZE_PARAM,
    BASE_URL_PARAM,
    BOUNCE_ALIAS_PARAM,
    CATCHALL_ALIAS_PARAM,
    CATCHALL_DOMAIN_PARAM,
    CLIENT_ID_PARAM,
    CLIENT_SECRET_PARAM,
    DEFAULT_FROM_PARAM,
    ENDPOINT_PARAMS,
    INCOMING,
    OUTGOING,
    PARAM_MODEL,
    SECRET_PARAMS,
    Company,
    OdooState,
    Server,
    normalise,
)

SERVER_MODELS = (OUTGOING, INCOMING)


@dataclass(frozen=True)
class AppCredentials:
    """The app's client id and secret, as the stack outputs them (`clientId`, `clientSecret`)."""

    client_id: str
    client_secret: str = field(repr=False)


@dataclass(frozen=True)
class ParamSet:
    """Set system parameter `key` to `value` (`old`: the current value, None when unset; both
    hidden from repr). `record_id` None creates the parameter; `add_xmlid` marks it as the tool's.
    """

    key: str
    value: str = field(repr=False)
    old: str | None = field(repr=False)
    record_id: int | None
    write_value: bool
    add_xmlid: bool

    @property
    def secret(self) -> bool:
        """Whether the value is a secret (the client secret): shown masked in plans."""
        return self.key in SECRET_PARAMS


@dataclass(frozen=True)
class ParamUnset:
    """Clear a parameter the tool marked: its record (Odoo's `unlink` removes its external id
    with it, odoo/models.py `unlink`)."""

    key: str
    record_id: int


@dataclass(frozen=True)
class Create:
    """Create a `model` record with `values` under external id `xmlid`; `label` names it in
    plans."""

    model: str
    xmlid: str
    values: Mapping[str, Any]
    label: str


@dataclass(frozen=True)
class Update:
    """Write the changed `values` (`before`: the current ones) on record `res_id` of `model`."""

    model: str
    res_id: int
    values: Mapping[str, Any]
    before: Mapping[str, Any]
    label: str
    # The record's external id name and every declared value (what `load` sends): empty for
    # records written with `write` (none today).
    xmlid: str = ""
    row: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Adopt:
    """Take ownership of an unmanaged Outlook server for a declared mailbox (opt-in): mark it
    with the declared external id, then bring it to the declared values (`row`); its
    Outlook refresh token is never sent, so it stays connected."""

    model: str
    res_id: int
    xmlid: str
    values: Mapping[str, Any]
    before: Mapping[str, Any]
    row: Mapping[str, Any]
    label: str


@dataclass(frozen=True)
class Archive:
    """Archive (`active = False`) record `res_id` of `model`, a server the tool created."""

    model: str
    res_id: int
    label: str


@dataclass(frozen=True)
class Conflict:
    """A record the tool did not create that stands in the way of a declared one: nothing is
    written for it, `message` says what to do. `blocks` names what it blocks: a declared record's
    external id name, a system parameter key, or `company:<companies[].company>`.
    """

    model: str
    res_id: int
    message: str
    blocks: str = ""


@dataclass(frozen=True)
class EnvDrift:
    """Declared server values that OCA `server_environment` manages and that differ in Odoo:
    the tool does not write them (the environment configuration would win); `differences` maps
    each field to its (current, declared) value. The section to put in the configuration is
    among the plan's notes (`neighbours.env_values`).
    """

    model: str
    res_id: int
    xmlid: str
    differences: Mapping[str, tuple[Any, Any]]


@dataclass(frozen=True)
class CompanyLink:
    """Point `res.company.alias_domain_id` (17.0+) at the declared alias domain (an existing id,
    or the external id of the record this plan creates).
    """

    company_id: int | None  # None: not read, Odoo links it (by_odoo)
    company_name: str
    # An existing record id, or the xmlid of the record this plan creates.
    alias_domain: int | str
    domain: str
    # Odoo links it itself: creating the first alias domain of a database sets it on every
    # company that has none (addons/mail/models/mail_alias_domain.py `create`, 17.0+), so no
    # write is sent for it.
    by_odoo: bool = False


@dataclass(frozen=True)
class ChangeLine:
    """One line of the change set as shown: `action` (create/update/...), model, what, detail."""

    action: str
    model: str
    what: str
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        """The JSON shape of `sync --json` `changes` entries."""
        return {
            "action": self.action,
            "model": self.model,
            "what": self.what,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class ChangeSet:
    """The Odoo change set of one target: modules to install, parameters to set or clear, records
    to create, update, adopt or archive, the company link, and the conflicts that stop the sync.
    """

    install: tuple[str, ...] = ()
    params: tuple[ParamSet, ...] = ()
    unsets: tuple[ParamUnset, ...] = ()
    creates: tuple[Create, ...] = ()
    updates: tuple[Update, ...] = ()
    archives: tuple[Archive, ...] = ()
    company_link: CompanyLink | None = None
    adopts: tuple[Adopt, ...] = ()
    stale_xmlids: tuple[int, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    notes: tuple[str, ...] = ()
    # The other companies' links (targets[].companies), applied like `company_link`.
    company_links: tuple[CompanyLink, ...] = ()
    # Not written (the server environment holds them); shown by the doctor, noted by the sync.
    env_drifts: tuple[EnvDrift, ...] = ()

    def lines(self) -> list[ChangeLine]:
        """Human-readable changes; secret values are masked."""
        out = [ChangeLine("install", "ir.module.module", name) for name in self.install]
        for p in self.params:
            if p.write_value:
                old = MASK if p.secret and p.old else (p.old if p.old is not None else "(not set)")
                new = MASK if p.secret else p.value
                out.append(ChangeLine("set", PARAM_MODEL, p.key, f"{old} -> {new}"))
            else:
                out.append(ChangeLine("mark", PARAM_MODEL, p.key, "now managed by odoo-outlook"))
        out += [ChangeLine("unset", PARAM_MODEL, u.key) for u in self.unsets]
        out += [ChangeLine("create", c.model, c.label, _fmt(c.values)) for c in self.creates]
        out += [
            ChangeLine(
                "adopt",
                a.model,
                f"{a.label} (#{a.res_id})",
                "; ".join(
                    filter(
                        None,
                        (
                            "now managed by odoo-outlook, Outlook connection kept",
                            ", ".join(
                                f"{k}: {_show(a.before.get(k))} -> {_show(v)}"
                                for k, v in a.values.items()
                            ),
                        ),
                    )
                ),
            )
            for a in self.adopts
        ]
        out += [
            ChangeLine(
                "update",
                u.model,
                f"{u.label} (#{u.res_id})",
                ", ".join(
                    f"{k}: {_show(u.before.get(k))} -> {_show(v)}" for k, v in u.values.items()
                ),
            )
            for u in self.updates
        ]
        out += [ChangeLine("archive", a.model, f"{a.label} (#{a.res_id})") for a in self.archives]
        for link in (*([self.company_link] if self.company_link else []), *self.company_links):
            how = " (by Odoo, with the first alias domain)" if link.by_odoo else ""
            out.append(
                ChangeLine(
                    "link", "res.company", link.company_name, f"alias domain -> {link.domain}{how}"
                )
            )
        return out


def _show(value: Any) -> str:
    return "(empty)" if value is False or value is None else str(value)


def _fmt(values: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={_show(v)}" for k, v in values.items() if k != "name")


def outgoing_values(server: OutgoingServer, caps: Capabilities) -> dict[str, Any]:
    """The `ir.mail_server` values of `server` for this database's shape (its Outlook marker,
    `caps.outgoing_marker()`).
    """
    return {
        "name": server.name,
        **caps.outgoing_marker(),
        "smtp_host": server.host,
        "smtp_port": server.port,
        # 19.0 adds 'starttls_strict'; Odoo rejects anything but plain 'starttls' for Outlook.
        "smtp_encryption": server.encryption,
        "smtp_user": server.username,
        "from_filter": server.from_filter,
        "sequence": server.sequence,
        "active": True,
    }


def incoming_values(server: IncomingServer, caps: Capabilities) -> dict[str, Any]:
    """The `fetchmail.server` values of `server` for this database's shape (its Outlook marker,
    `caps.incoming_marker()`).
    """
    return {
        "name": server.name,
        **caps.incoming_marker(),
        "server": server.host,
        "port": server.port,
        "is_ssl": server.is_ssl,
        "user": server.mailbox,
        "active": True,
    }


def _changed(current: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in wanted.items() if normalise(current.get(k)) != normalise(v)}


def is_outlook_server(server: Server) -> bool:
    """Outlook authentication: 15.0's boolean, or 16.0+'s selection value `outlook`."""
    marker = "smtp_authentication" if server.model == OUTGOING else "server_type"
    return server.values.get(OUTLOOK_BOOLEAN) is True or server.values.get(marker) == "outlook"


@dataclass
class _Builder:
    state: OdooState
    caps: Capabilities
    adopt: bool = False
    tool_uid: int | None = None
    adopts: list[Adopt] = field(default_factory=list)
    params: list[ParamSet] = field(default_factory=list)
    unsets: list[ParamUnset] = field(default_factory=list)
    creates: list[Create] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    archives: list[Archive] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    env_drifts: list[EnvDrift] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    company_link: CompanyLink | None = None
    company_links: list[CompanyLink] = field(default_factory=list)

    # -- parameters -----------------------------------------------------------------------
    def set_param(self, key: str, value: str, *, own: bool) -> None:
        current = self.state.params.get(key)
        xmlid = self.state.xmlids.get(param_xmlid(key))
        marked = xmlid is not None and current is not None and xmlid.res_id == current.id
        write_value = current is None or current.value != value
        add_xmlid = (own or current is None) and not marked
        if xmlid is not None and not marked:
            self.stale.append(xmlid.id)
        if write_value or add_xmlid:
            self.params.append(
                ParamSet(
                    key,
                    value,
                    current.value if current else None,
                    current.id if current else None,
                    write_value,
                    add_xmlid,
                )
            )

    def unset_owned_param(self, key: str, why: str, spec: OdooTargetSpec | None = None) -> None:
        """Clear `key` when the tool marked it; otherwise leave it, with a note, or (`spec`
        given: Odoo's authority for a multitenant app) a conflict when it names an authority
        that refuses accounts the app admits."""
        current = self.state.params.get(key)
        if current is None:
            return
        xmlid = self.state.xmlids.get(param_xmlid(key))
        if xmlid is not None and xmlid.res_id == current.id:
            self.unsets.append(ParamUnset(key, current.id))
        elif spec is not None and authority_tenant(current.value) not in spec.accepted_authorities:
            self.conflicts.append(
                Conflict(PARAM_MODEL, current.id, foreign_authority(key, current.value, spec), key)
            )
        else:
            self.notes.append(
                f"system parameter {key} is set but was not set by odoo-outlook; left as is ({why})"
            )

    # -- servers --------------------------------------------------------------------------
    def server(
        self,
        model: str,
        xmlid: str,
        wanted: dict[str, Any],
        mailbox: str,
        label: str,
        declared: Mapping[str, Any] | None = None,
    ) -> None:
        """Plan one declared server: `wanted` is what the sync writes, `declared` every declared
        value (more than `wanted` when a server environment manages some fields)."""
        ref = self.state.xmlids.get(xmlid)
        record = self.state.record_for(xmlid)
        if ref is not None and record is None:
            self.stale.append(ref.id)
        row = {**wanted, password_field(model): False}
        if record is not None:
            held = {k: v for k, v in (declared or {}).items() if k not in wanted}
            drift = _changed(record.values, held)
            if drift:
                self.env_drifts.append(
                    EnvDrift(
                        model,
                        record.id,
                        xmlid,
                        {k: (record.values.get(k), v) for k, v in drift.items()},
                    )
                )
            changes = _changed(record.values, wanted)
            if record.has_password and password_field(model) not in env_managed_fields(
                self.caps.fields_of(model)
            ):
                changes[password_field(model)] = False
            if changes:
                self.updates.append(
                    Update(model, record.id, changes, dict(record.values), label, xmlid, row)
                )
            return
        rivals = [
            s
            for s in self.state.servers
            if s.model == model
            and s.active
            and s.sends_as(mailbox)
            and self.state.owned(model, s.id) is None
        ]
        # Hook (neighbours.py): a 19.0 personal server is its user's; noted, never a rival.
        self.notes += [personal_note(s, mailbox) for s in rivals if personal_owner(s)]
        rivals = [s for s in rivals if not personal_owner(s)]
        adoptable = [
            s for s in rivals if s.login.lower() == mailbox.lower() and is_outlook_server(s)
        ]
        if self.adopt and adoptable:
            # The connected one first (nobody has to connect again), then the oldest.
            chosen = min(adoptable, key=lambda s: (not s.connected, s.id))
            changes = _changed(chosen.values, wanted)
            if chosen.has_password:
                changes[password_field(model)] = False
            self.adopts.append(
                Adopt(model, chosen.id, xmlid, changes, dict(chosen.values), row, label)
            )
            rivals = [s for s in rivals if s.id != chosen.id]
        for rival in rivals:
            self.conflicts.append(
                Conflict(
                    model,
                    rival.id,
                    self._rival_message(
                        rival, mailbox, rival in adoptable and not self.adopts_for(xmlid)
                    ),
                    xmlid,
                )
            )
        if not rivals and not self.adopts_for(xmlid):
            self.creates.append(Create(model, xmlid, wanted, label))

    def adopts_for(self, xmlid: str) -> bool:
        return any(a.xmlid == xmlid for a in self.adopts)

    def _rival_message(self, rival: Server, mailbox: str, adoptable: bool) -> str:
        if not adoptable:
            return rival_conflict(rival.model, rival, mailbox)
        head = (
            f"{rival.model} #{rival.id} {rival.name!r} already uses {mailbox} and was not"
            " created by odoo-outlook"
        )
        if self.tool_uid is not None and rival.values.get("create_uid") == self.tool_uid:
            head = (
                f"{rival.model} #{rival.id} {rival.name!r} uses {mailbox} with Outlook"
                " authentication and was created by this sync's Odoo user, but carries no"
                " odoo-outlook mark (an earlier version could leave it so)"
            )
        return (
            f"{head}: left untouched and no Outlook server created for {mailbox} (fix: run"
            " `odoo-outlook sync --adopt` or set connection.adopt: true to take it over and"
            f" keep its Outlook connection, or {rival_fix(rival.model, rival.id, mailbox)})"
        )

    def archive_removed(self, wanted: set[str]) -> None:
        for name, ref in self.state.xmlids.items():
            if ref.model not in SERVER_MODELS or name in wanted:
                continue
            record = self.state.record_for(name)
            if record is not None and record.active and not personal_owner(record):
                self.archives.append(Archive(ref.model, record.id, record.name))

    def plan(self, install: tuple[str, ...]) -> ChangeSet:
        return ChangeSet(
            install=install,
            params=tuple(self.params),
            unsets=tuple(self.unsets),
            creates=tuple(self.creates),
            updates=tuple(self.updates),
            archives=tuple(self.archives),
            company_link=self.company_link,
            adopts=tuple(self.adopts),
            stale_xmlids=tuple(dict.fromkeys(self.stale)),
            conflicts=tuple(self.conflicts),
            notes=tuple(self.notes),
            company_links=tuple(self.company_links),
            env_drifts=tuple(self.env_drifts),
        )


def password_field(model: str) -> str:
    """The password field of a server model (Odoo refuses a password on an Outlook server)."""
    return "smtp_pass" if model == OUTGOING else "password"


def _alias_domain(
    b: _Builder, alias: AliasDomain, company: Company | None, first_links_all: bool = False
) -> CompanyLink | None:
    """ChangeSet the alias domain for `alias`; the link `company` needs to it, if any.
    `first_links_all`: a single-company target, whose company Odoo links itself when this
    creates the database's first alias domain."""
    # Hook (neighbours.py): 19.0 refuses a default From a user's own server takes.
    personal = personal_default_from(b.state, alias.default_from_address)
    if personal is not None:
        b.conflicts.append(
            Conflict(
                OUTGOING,
                personal.id,
                personal_default_from_conflict(personal, alias.default_from_address, alias.domain),
                alias_domain_xmlid(alias.domain),
            )
        )
        return None
    wanted = {
        "name": alias.domain,
        "default_from": alias.default_from.lower(),
        "catchall_alias": alias.catchall_alias.lower(),
        "bounce_alias": alias.bounce_alias.lower(),
    }
    xmlid = alias_domain_xmlid(alias.domain)
    ref = b.state.xmlids.get(xmlid)
    managed = next((d for d in b.state.alias_domains if ref and d.id == ref.res_id), None)
    if ref is not None and managed is None:
        b.stale.append(ref.id)
    target: int | str
    if managed is not None:
        changes = _changed(managed.values, wanted)
        if changes:
            b.updates.append(
                Update(
                    ALIAS_DOMAIN,
                    managed.id,
                    changes,
                    dict(managed.values),
                    alias.domain,
                    xmlid,
                    wanted,
                )
            )
        target = managed.id
    else:
        same = [d for d in b.state.alias_domains if d.name.lower() == alias.domain]
        if same:
            existing = same[0]
            differing = _changed(existing.values, wanted)
            if differing:
                shown = ", ".join(
                    f"{k}={_show(existing.values.get(k))} (wanted {v})"
                    for k, v in differing.items()
                )
                b.conflicts.append(
                    Conflict(
                        ALIAS_DOMAIN,
                        existing.id,
                        f"mail.alias.domain #{existing.id} {alias.domain!r} was not created by"
                        f" odoo-outlook and differs: {shown}; left untouched"
                        f" (fix: {alias_domain_fix()})",
                        xmlid,
                    )
                )
                return None
            b.notes.append(
                f"using the existing alias domain {alias.domain!r}"
                f" (#{existing.id}); odoo-outlook did not create it and never edits it"
            )
            target = existing.id
        else:
            if not any(c.xmlid == xmlid for c in b.creates):  # companies may share a domain
                b.creates.append(Create(ALIAS_DOMAIN, xmlid, wanted, alias.domain))
            target = xmlid
    if (
        company is None
        and first_links_all
        and isinstance(target, str)
        and (not b.state.alias_domains)
    ):
        # The database's first alias domain: Odoo links it to every company without one
        # (mail_alias_domain.py `create`), the user's among them (not read: see state.py).
        return CompanyLink(
            None, "every company without an alias domain", target, alias.domain, by_odoo=True
        )
    if company is not None and company.alias_domain_id != target:
        return CompanyLink(company.id, company.name, target, alias.domain)
    return None


def plan_servers(
    b: _Builder,
    outgoing: Iterable[OutgoingServer],
    incoming: Iterable[IncomingServer],
    caps: Capabilities,
) -> None:
    """ChangeSet each declared server (its values less what a server environment manages)."""
    for out in outgoing:
        declared = outgoing_values(out, caps)
        values = env_values(OUTGOING, declared, caps, b.notes)
        b.server(OUTGOING, out.xmlid, values, out.mailbox, out.name, declared)
    for inc in incoming:
        declared = incoming_values(inc, caps)
        values = env_values(INCOMING, declared, caps, b.notes)
        b.server(INCOMING, inc.xmlid, values, inc.mailbox, inc.name, declared)


def plan_changes(
    state: OdooState,
    spec: OdooTargetSpec,
    app: AppCredentials,
    caps: Capabilities,
    *,
    install: tuple[str, ...] = (),
    manage_base_url: bool = False,
    base_url_ok: bool = True,
    adopt: bool = False,
    tool_uid: int | None = None,
) -> ChangeSet:
    """The changes that make `state` match `spec`. With `adopt`, an unmanaged Outlook server
    with a declared mailbox as its login is taken over instead of reported as a conflict;
    `tool_uid` (the sync's Odoo user) tells servers an earlier version left unmarked."""
    b = _Builder(state, caps, adopt=adopt, tool_uid=tool_uid)
    b.set_param(CLIENT_ID_PARAM, app.client_id, own=True)
    b.set_param(CLIENT_SECRET_PARAM, app.client_secret, own=True)
    wanted_endpoint_keys = {caps.endpoint_param, *caps.legacy_endpoint_params}
    for key in ENDPOINT_PARAMS:
        if spec.endpoint is not None and key in wanted_endpoint_keys:
            b.set_param(key, spec.endpoint, own=True)
        else:
            b.unset_owned_param(
                key,
                "a multitenant app uses Odoo's default `common` authority"
                if spec.endpoint is None
                else "not read by this Odoo version",
                spec if spec.endpoint is None and key in wanted_endpoint_keys else None,
            )
    if manage_base_url:
        if not base_url_ok:
            b.set_param(BASE_URL_PARAM, spec.expected_base_url, own=False)
        if not is_frozen(state.param(BASE_URL_FREEZE_PARAM)):
            b.set_param(BASE_URL_FREEZE_PARAM, "True", own=False)
    if caps.has_alias_domain:
        b.company_link = _alias_domain(
            b, spec.alias, b.state.company, first_links_all=not spec.companies
        )
    else:
        alias = spec.alias
        b.set_param(CATCHALL_DOMAIN_PARAM, alias.domain, own=False)
        b.set_param(DEFAULT_FROM_PARAM, alias.default_from.lower(), own=False)
        b.set_param(CATCHALL_ALIAS_PARAM, alias.catchall_alias.lower(), own=False)
        b.set_param(BOUNCE_ALIAS_PARAM, alias.bounce_alias.lower(), own=False)
    plan_servers(b, spec.outgoing, spec.incoming, caps)
    # Hook (companies.py): the other companies' servers and alias domains.
    from odoo_outlook.odoo.companies import plan_companies

    plan_companies(b, spec, caps)
    b.archive_removed({s.xmlid for s in spec.all_outgoing} | {s.xmlid for s in spec.all_incoming})
    return b.plan(install)


def foreign_authority(key: str, value: str, spec: OdooTargetSpec) -> str:
    """The conflict text for an authority parameter someone else set that refuses accounts the
    (multitenant) app admits."""
    audience = spec.sign_in_audience
    personal = " and personal accounts" if audience.allows_personal_accounts else ""
    return (
        f"system parameter {key} is {value}, which odoo-outlook did not set: accounts of other"
        f" tenants{personal} cannot connect to a {audience} app through it; left as is (fix:"
        f" set it to {oauth_endpoint(audience, None)} in Settings > Technical > System"
        " Parameters)"
    )


def teardown_changes(state: OdooState) -> ChangeSet:
    """What delete does: archive every managed server, clear every parameter the tool marked."""
    b = _Builder(state, caps=None)  # type: ignore[arg-type]
    b.archive_removed(set())
    for key, param in state.params.items():
        xmlid = state.xmlids.get(param_xmlid(key))
        if xmlid is not None and xmlid.res_id == param.id:
            b.unsets.append(ParamUnset(key, param.id))
    return b.plan(())
