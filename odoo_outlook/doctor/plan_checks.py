"""The doctor's checks of Odoo's settings and records: the sync's change set, read as checks.

The doctor decides nothing about how Odoo should look. It plans the sync's changes
(`odoo.changes.plan_changes`, the one place that turns the declared state into Odoo values,
external ids, ownership and conflicts) over what it read, and reads each planned item:
- a create, update, adoption, archive, parameter set or clear the sync would make: a failed
  check whose fix is to run the sync;
- a conflict (someone else's record in the way): a failed check with the conflict's own fix,
  never a destructive one;
- declared values a server environment holds (`EnvDrift`): a failed check whose fix is that
  configuration;
- nothing planned for an item: ok.
One planned change is only a warning: removing an authority parameter the tool once set whose
value the app accepts anyway (`common`): mail works before and after.
What the texts say about the live state (which alias domain a company links, which From filters
exist) only describes it; the verdict is the plan's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from odoo_outlook.desired import AliasDomain, OdooTargetSpec, authority_tenant, oauth_endpoint
from odoo_outlook.doctor.default_from import (
    CATCHALL,
    check_default_from,
    declared_filters,
    from_alias_domain,
    from_params,
    show,
    unmatched_default_from,
)
from odoo_outlook.doctor.model import SYNC, Check, fail, ok, warn
from odoo_outlook.external_ids import alias_domain_xmlid
from odoo_outlook.odoo.capabilities import Capabilities
from odoo_outlook.odoo.changes import (
    AppCredentials,
    ChangeSet,
    CompanyLink,
    Conflict,
    ParamSet,
    ParamUnset,
    password_field,
    plan_changes,
)
from odoo_outlook.odoo.checks import BaseUrlCheck, check_base_url
from odoo_outlook.odoo.companies import company_key, domain_alias, resolve
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
    Company,
    OdooState,
    Server,
    normalise,
    server_kind,
)

# The tenant segments of Microsoft's shared authorities (not one tenant's own).
_SHARED_AUTHORITIES = frozenset({"common", "organizations", "consumers"})
_PLACEHOLDER_TENANT = "<tenant-id>"
_MAIL_PARAMS = (CATCHALL_DOMAIN_PARAM, DEFAULT_FROM_PARAM, CATCHALL_ALIAS_PARAM, BOUNCE_ALIAS_PARAM)


def split_fix(message: str, default: str) -> tuple[str, str]:
    """Odoo-layer messages end with "(fix: ...)": separate it for the table's fix column."""
    head, sep, tail = message.rpartition(" (fix: ")
    if sep and tail.endswith(")"):
        return head, tail[:-1]
    return message, default


@dataclass(frozen=True)
class DoctorPlan:
    """The sync's change set for one target as the doctor read it, and the declared state it was
    planned from (`spec`: the target, with the tenant's authority filled in when the doctor
    knows the tenant and the stack does not)."""

    changes: ChangeSet
    spec: OdooTargetSpec
    client_id: str
    base_url: BaseUrlCheck  # the `web.base.url` verdict the plan was made with
    # The stack names no tenant and the doctor knows none: Odoo's tenant was taken as declared.
    tenant_unverified: bool = False

    def param_set(self, key: str) -> ParamSet | None:
        """The planned write of system parameter `key` (a mark-only change is not one)."""
        return next((p for p in self.changes.params if p.key == key and p.write_value), None)

    def param_unset(self, key: str) -> ParamUnset | None:
        """The planned removal of the tool's system parameter `key`."""
        return next((u for u in self.changes.unsets if u.key == key), None)

    def blocking(self, subject: str) -> list[Conflict]:
        """The conflicts in the way of `subject` (`Conflict.blocks`)."""
        return [c for c in self.changes.conflicts if c.blocks == subject]


def _known_spec(
    spec: OdooTargetSpec, state: OdooState, caps: Capabilities, tenant_id: str | None
) -> tuple[OdooTargetSpec, bool]:
    """A single-tenant stack without `app.tenantId`: the authority of the tenant the doctor
    knows (outputs, --tenant); unknown, the tenant Odoo names is taken as declared (and the
    second value, "not verified", is True)."""
    if spec.endpoint is None or authority_tenant(spec.endpoint) != _PLACEHOLDER_TENANT.lower():
        return spec, False
    if tenant_id:
        return replace(spec, endpoint=oauth_endpoint(spec.sign_in_audience, tenant_id)), False
    current = state.param(caps.endpoint_param)
    if current and authority_tenant(current) not in _SHARED_AUTHORITIES:
        return replace(spec, endpoint=current), True
    return spec, False


def doctor_plan(
    state: OdooState,
    caps: Capabilities,
    spec: OdooTargetSpec,
    *,
    client_id: str,
    stack_secret: str | None,
    tenant_id: str | None,
    tool_uid: int | None = None,
) -> DoctorPlan:
    """Plan the sync's changes over `state` with the inputs the sync would have.

    `client_id` is compared case-insensitively (a GUID); `stack_secret` None (no stack outputs)
    plans with the secret Odoo holds, whose validity the Graph check judges instead.
    """
    held_id = state.param(CLIENT_ID_PARAM) or ""
    client_id = held_id if held_id.strip().lower() == client_id.lower() else client_id
    secret = stack_secret or state.param(CLIENT_SECRET_PARAM) or ""
    known, unverified = _known_spec(spec, state, caps, tenant_id)
    conn = spec.connection
    base_url = check_base_url(state.params, spec)
    changes = plan_changes(
        state,
        known,
        AppCredentials(client_id, secret),
        caps,
        manage_base_url=bool(conn and conn.manage_base_url),
        base_url_ok=base_url.ok,
        adopt=bool(conn and conn.adopt),
        tool_uid=tool_uid,
    )
    return DoctorPlan(changes, known, client_id, base_url, unverified)


def _conflict_check(name: str, conflicts: list[Conflict], scope: str) -> Check:
    if not conflicts:  # every caller passes the plan's conflicts for a blocked item
        raise ValueError(f"{name}: no conflict to report")
    detail, fix = split_fix(conflicts[0].message, SYNC)
    if len(conflicts) > 1:
        detail += f" (and {len(conflicts) - 1} more)"
    return fail(name, detail, fix, scope)


# -- system parameters ---------------------------------------------------------------------
def client_id_check(plan: DoctorPlan, scope: str) -> Check:
    """`microsoft_outlook_client_id` (the settings field's `config_parameter`,
    microsoft_outlook/models/res_config_settings.py) holds the app's client id."""
    change = plan.param_set(CLIENT_ID_PARAM)
    if change is None:
        return ok("client id", f"{CLIENT_ID_PARAM} is the app's client id", scope)
    if not (change.old or "").strip():
        return fail("client id", f"system parameter {CLIENT_ID_PARAM} is not set", SYNC, scope)
    return fail(
        "client id",
        f"{CLIENT_ID_PARAM} is {change.old}, the app's client id is {plan.client_id}"
        " (Microsoft answers AADSTS700016)",
        SYNC,
        scope,
    )


def newer_secret_planned(plan: DoctorPlan) -> bool:
    """Whether the sync would write the stack's newest secret over the one Odoo holds."""
    return plan.param_set(CLIENT_SECRET_PARAM) is not None


def authority_check(plan: DoctorPlan, state: OdooState, caps: Capabilities, scope: str) -> Check:
    """The authority parameter Odoo's `_get_microsoft_endpoint` reads is the one the sync
    plans: unset or a shared authority the app accepts for a multitenant app, the tenant's own
    for a single-tenant app."""
    name = "authority"
    spec = plan.spec
    param = caps.endpoint_param
    for key in ENDPOINT_PARAMS:
        conflicts = plan.blocking(key)
        if conflicts:
            return _conflict_check(name, conflicts, scope)
    sets = [p for key in ENDPOINT_PARAMS if (p := plan.param_set(key)) is not None]
    if sets:
        change = next((p for p in sets if p.key == param), sets[0])
        if change.old is None:
            return fail(
                name,
                f"{change.key} is not set, so Odoo uses 'common', which a single-tenant"
                " app refuses (AADSTS50194)",
                f"{SYNC} (sets it to {change.value})",
                scope,
            )
        return fail(
            name,
            f"{change.key} is {change.old}; a single-tenant app needs {change.value}",
            SYNC,
            scope,
        )
    unsets = [u for key in ENDPOINT_PARAMS if (u := plan.param_unset(key)) is not None]
    if unsets:
        value = state.param(unsets[0].key) or ""
        detail = f"{unsets[0].key} is {value}, set by odoo-outlook"
        fix = f"{SYNC} (it removes {unsets[0].key}, which odoo-outlook set)"
        if authority_tenant(value) in spec.accepted_authorities:
            return warn(name, detail + "; a multitenant app needs none", fix, scope)
        return fail(
            name,
            detail + f": accounts of other tenants cannot connect to a {spec.sign_in_audience}"
            " app through it",
            fix,
            scope,
        )
    value = (state.param(param) or "").strip()
    if not value:
        return ok(name, "Odoo's default authority 'common' (right for a multitenant app)", scope)
    unverified = " (tenant id not known: not compared)" if plan.tenant_unverified else ""
    return ok(name, f"{param} is {value}{unverified}", scope)


def web_base_url_fix(plan: DoctorPlan, default: str) -> str:
    """The fix for `web.base.url`: the sync's, when it plans to set it (manageBaseUrl)."""
    change = plan.param_set(BASE_URL_PARAM) or plan.param_set(BASE_URL_FREEZE_PARAM)
    return f"{SYNC} (connection.manageBaseUrl: it sets {change.key})" if change else default


# -- servers -------------------------------------------------------------------------------
def _differences(values: dict[str, Any], before: dict[str, Any], model: str) -> list[str]:
    out = [
        f"{k} is {normalise(before.get(k))!r}, wanted {v!r}"
        for k, v in values.items()
        if k != password_field(model)
    ]
    if password_field(model) in values:
        out.append("a password is set (Odoo refuses one on an Outlook server)")
    return out


def server_checks(
    plan: DoctorPlan, state: OdooState, model: str, xmlid: str, mailbox: str, scope: str
) -> tuple[list[Check], Server | None]:
    """The declared server with external id `xmlid` (sending or fetching `mailbox`): its check,
    and the record whose token the doctor goes on to check (None when there is none to check).
    """
    name = f"{server_kind(model)} server {mailbox}"
    changes = plan.changes
    conflicts = plan.blocking(xmlid)
    if conflicts:
        return [_conflict_check(name, conflicts, scope)], None
    adopt = next((a for a in changes.adopts if a.xmlid == xmlid), None)
    if adopt is not None:
        return [
            fail(
                name,
                f"{model} #{adopt.res_id} {adopt.before.get('name')!r} uses {mailbox} with"
                " Outlook authentication and is not odoo-outlook's yet (connection.adopt is on)",
                f"{SYNC} (it takes #{adopt.res_id} over and keeps its Outlook connection)",
                scope,
            )
        ], None
    if any(c.xmlid == xmlid for c in changes.creates):
        return [fail(name, f"no {model} for {mailbox}", SYNC, scope)], None
    record = state.record_for(xmlid)
    if record is None:  # not reached: without a record the plan creates, adopts or conflicts
        return [fail(name, f"no {model} for {mailbox}", SYNC, scope)], None
    update = next((u for u in changes.updates if u.xmlid == xmlid), None)
    if update is not None and update.before.get("active") is False:
        return [fail(name, f"#{record.id} is archived", SYNC, scope)], None
    if update is not None:
        problems = _differences(dict(update.values), dict(update.before), model)
        return [fail(name, f"#{record.id}: " + "; ".join(problems), SYNC, scope)], record
    drift = next((d for d in changes.env_drifts if d.xmlid == xmlid), None)
    if drift is not None:
        shown = "; ".join(
            f"{k} is {normalise(have)!r}, wanted {want!r}"
            for k, (have, want) in drift.differences.items()
        )
        return [
            fail(
                name,
                f"#{record.id}: {shown}",
                "put the section printed by `odoo-outlook sync --dry-run` for"
                f" {record.name!r} in the server environment configuration"
                " (OCA mail_environment), then restart Odoo",
                scope,
            )
        ], record
    return [ok(name, f"#{record.id} {record.name!r} matches the stack", scope)], record


def archive_checks(plan: DoctorPlan, scope: str) -> list[Check]:
    """Servers the tool created that the stack no longer declares: the sync archives them."""
    return [
        fail(
            f"{server_kind(a.model)} server {a.label}",
            f"{a.model} #{a.res_id} {a.label!r} was created by odoo-outlook and is no longer"
            " declared",
            f"{SYNC} (it archives it), or declare it again",
            scope,
        )
        for a in plan.changes.archives
    ]


# -- catch-all domain and default From ------------------------------------------------------
def _linked(state: OdooState, company: Company) -> str:
    """What `company` links as its alias domain, in words."""
    if not company.alias_domain_id:
        return f"company {company.name!r} has no alias domain ({ALIAS_DOMAIN})"
    live = from_alias_domain(state)
    if live is None:
        return (
            f"company {company.name!r} links {ALIAS_DOMAIN} #{company.alias_domain_id},"
            " which does not exist"
        )
    return f"company {company.name!r} uses {live.where} {live.domain!r}"


def _alias_domain_check(
    plan: DoctorPlan,
    state: OdooState,
    caps: Capabilities,
    alias: AliasDomain,
    link: CompanyLink | None,
    scope: str,
) -> Check:
    """17.0+: the `mail.alias.domain` for `alias` and the company's `alias_domain_id`."""
    xmlid = alias_domain_xmlid(alias.domain)
    conflicts = plan.blocking(xmlid)
    if conflicts:
        return _conflict_check(CATCHALL, conflicts, scope)
    company = state.company
    filters = declared_filters(state, caps, plan.spec)
    if company is None and state.alias_domains:
        return fail(
            CATCHALL,
            "the Odoo user's company could not be read, so its alias domain is unknown",
            "check the Odoo user's company and access rights",
            scope,
        )
    live = from_alias_domain(state)
    address = live.default_from_address if live else None
    changes = plan.changes
    created = any(c.model == ALIAS_DOMAIN and c.xmlid == xmlid for c in changes.creates)
    update = next(
        (u for u in changes.updates if u.model == ALIAS_DOMAIN and u.xmlid == xmlid), None
    )
    if company is None:
        return fail(
            CATCHALL,
            f"the database has no alias domain ({ALIAS_DOMAIN}), so no company links"
            f" one.{unmatched_default_from(None, filters)}",
            SYNC,
            scope,
        )
    if update is not None:
        differ = [
            f"{k} is {show(update.before.get(k))}, wanted {v!r}" for k, v in update.values.items()
        ]
        head = (
            _linked(state, company)
            if company.alias_domain_id == update.res_id
            else f"{ALIAS_DOMAIN} #{update.res_id} {alias.domain!r}"
        )
        return fail(
            CATCHALL,
            f"{head}: " + "; ".join(differ) + "." + unmatched_default_from(address, filters),
            SYNC,
            scope,
        )
    if created or (link is not None and not link.by_odoo):
        wanted = f"; the sync {'creates' if created else 'links'} {alias.domain}"
        return fail(
            CATCHALL,
            _linked(state, company) + wanted + "." + unmatched_default_from(address, filters),
            SYNC,
            scope,
        )
    assert live is not None  # the company links the declared domain: nothing planned
    return ok(
        CATCHALL,
        f"{_linked(state, company)}: default From {live.default_from_address}, aliases"
        f" {live.catchall_alias} / {live.bounce_alias}",
        scope,
    )


def _mail_params_check(plan: DoctorPlan, state: OdooState, caps: Capabilities, scope: str) -> Check:
    """15.0/16.0: the four system parameters of the catch-all domain and default From."""
    live = from_params(state)
    sets = [p for key in _MAIL_PARAMS if (p := plan.param_set(key)) is not None]
    if sets:
        differ = [f"{p.key} is {show(p.old)}, wanted {p.value!r}" for p in sets]
        filters = declared_filters(state, caps, plan.spec)
        return fail(
            CATCHALL,
            "; ".join(differ) + "." + unmatched_default_from(live.default_from_address, filters),
            SYNC,
            scope,
        )
    return ok(
        CATCHALL,
        f"{CATCHALL_DOMAIN_PARAM} {live.domain}, {DEFAULT_FROM_PARAM}"
        f" {live.default_from}, aliases {live.catchall_alias} / {live.bounce_alias}",
        scope,
    )


def catchall_check(plan: DoctorPlan, state: OdooState, caps: Capabilities, scope: str) -> Check:
    """The connection user's company: its alias domain (17.0+) or the parameters (15.0/16.0)."""
    if not caps.has_alias_domain:
        return _mail_params_check(plan, state, caps, scope)
    return _alias_domain_check(plan, state, caps, plan.spec.alias, plan.changes.company_link, scope)


def company_catchall_checks(
    plan: DoctorPlan, state: OdooState, caps: Capabilities, scope: str
) -> list[Check]:
    """Each other company (`targets[].companies`): the conflict that blocks it, or (17.0+) its
    catch-all and default From checks, named after the company."""
    out: list[Check] = []
    spec = plan.spec
    for wanted in spec.companies:
        name = f"company {wanted.company}"
        conflicts = plan.blocking(company_key(wanted))
        company = resolve(state.companies, wanted.company)
        if company is None or conflicts:  # the plan has a conflict for an unknown company
            out.append(_conflict_check(name, conflicts, scope))
            continue
        if not caps.has_alias_domain:
            shares = f"{company.name!r} shares the database's catch-all domain {spec.alias.domain}"
            out.append(ok(name, shares, scope))
            continue
        own_state = replace(state, company=company)
        link = next((x for x in plan.changes.company_links if x.company_id == company.id), None)
        alias = domain_alias(spec, wanted)
        out += [
            replace(check, name=f"{check.name} ({company.name})")
            for check in (
                _alias_domain_check(plan, own_state, caps, alias, link, scope),
                check_default_from(own_state, caps, scope),
            )
        ]
    return out
