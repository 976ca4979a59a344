"""Pure checks of one Odoo target: what `odoo_reads` fetched + the desired state + the Graph
app in, `Check`s out. Base URL and token state reuse `odoo_outlook.odoo.checks`; server values
reuse the sync's own `outgoing_values` / `incoming_values`, so doctor and sync agree; the
catch-all domain and default From are `alias_checks`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from odoo_outlook.config import SignInAudience
from odoo_outlook.desired import (
    AppRegistrationSpec,
    IncomingServer,
    OdooTargetSpec,
    OutgoingServer,
    confirm_uri,
    oauth_endpoint,
)
from odoo_outlook.doctor.alias_checks import alias_checks
from odoo_outlook.doctor.company_checks import company_checks
from odoo_outlook.doctor.connection_checks import token_check
from odoo_outlook.doctor.evidence import (
    incoming_evidence,
    outgoing_evidence,
    token_from_evidence,
)
from odoo_outlook.doctor.knowledge import StackFacts
from odoo_outlook.doctor.mail_errors import failed_mail_checks, fetch_error_checks
from odoo_outlook.doctor.model import SYNC, Check, Status, fail, ok, warn
from odoo_outlook.doctor.odoo_reads import OdooFacts
from odoo_outlook.doctor.secrets import SYNC_FIX, holder_check
from odoo_outlook.graph import Application
from odoo_outlook.odoo.capabilities import FETCHMAIL_OUTLOOK_MODULE, OUTLOOK_MODULE, Capabilities
from odoo_outlook.odoo.changes import incoming_values, outgoing_values, param_xmlid
from odoo_outlook.odoo.checks import check_base_url, server_status
from odoo_outlook.odoo.neighbours import env_values, personal_owner, rival_fix
from odoo_outlook.odoo.state import (
    BASE_URL_PARAM,
    CLIENT_ID_PARAM,
    CLIENT_SECRET_PARAM,
    INCOMING,
    OUTGOING,
    OdooState,
    Server,
    normalise,
)

_SHARED_AUTHORITIES = ("common", "organizations", "consumers")


@dataclass(frozen=True)
class AppView:
    """What the Odoo checks need from the Azure side (the Graph app may be unreadable)."""

    client_id: str
    spec: AppRegistrationSpec
    tenant_id: str | None
    app: Application | None = None
    stack_secret: str | None = field(default=None, repr=False)


def split_fix(message: str, default: str) -> tuple[str, str]:
    """Odoo-layer messages end with "(fix: ...)": separate it for the table's fix column."""
    head, sep, tail = message.rpartition(" (fix: ")
    if sep and tail.endswith(")"):
        return head, tail[:-1]
    return message, default


def _authority_tenant(url: str) -> str:
    parts = url.strip().split("/")
    return parts[3].lower() if len(parts) > 3 else ""


def check_module(caps: Capabilities, spec: OdooTargetSpec, scope: str) -> Check:
    """The modules Outlook servers of the declared kinds need are installed."""
    missing = caps.modules.missing_for(incoming=bool(spec.all_incoming))
    if missing:
        return fail(
            "Outlook module",
            f"{', '.join(missing)} not installed",
            f"{SYNC} (it installs the module), or install it from Apps",
            scope,
        )
    names = [OUTLOOK_MODULE] + (
        [FETCHMAIL_OUTLOOK_MODULE] if caps.modules.installed(FETCHMAIL_OUTLOOK_MODULE) else []
    )
    return ok("Outlook module", f"{', '.join(names)} installed (Odoo {caps.version.text})", scope)


def check_client_id(state: OdooState, client_id: str, scope: str) -> Check:
    """Odoo's `microsoft_outlook_client_id` parameter holds the app's client id (the
    `config_parameter` of the settings field, microsoft_outlook/models/res_config_settings.py).
    """
    value = (state.param(CLIENT_ID_PARAM) or "").strip()
    if not value:
        return fail("client id", f"system parameter {CLIENT_ID_PARAM} is not set", SYNC, scope)
    if value.lower() != client_id.lower():
        return fail(
            "client id",
            f"{CLIENT_ID_PARAM} is {value}, the app's client id is"
            f" {client_id} (Microsoft answers AADSTS700016)",
            SYNC,
            scope,
        )
    return ok("client id", f"{CLIENT_ID_PARAM} is the app's client id", scope)


def check_client_secret(
    state: OdooState, view: AppView, now: datetime, warn_days: int, scope: str
) -> Check:
    """Odoo's `microsoft_outlook_client_secret` parameter is a valid secret of the app that
    does not expire within `warn_days` (days) of `now`.
    """
    secret = state.param(CLIENT_SECRET_PARAM)
    if not secret:
        return fail(
            "client secret", f"system parameter {CLIENT_SECRET_PARAM} is not set", SYNC_FIX, scope
        )
    if view.app is None:
        return warn(
            "client secret",
            f"{CLIENT_SECRET_PARAM} is set; not compared with the"
            " app's secrets (Microsoft Graph could not be read)",
            "fix the Microsoft Graph access above, then run doctor again",
            scope,
        )
    check = holder_check(
        "client secret", "Odoo", secret, view.app.password_credentials, now, warn_days, scope
    )
    if check.status is Status.OK and view.stack_secret and secret != view.stack_secret:
        return warn(
            "client secret",
            check.detail + ", but not the newest secret the stack outputs",
            SYNC_FIX,
            scope,
        )
    return check


def check_authority(state: OdooState, caps: Capabilities, view: AppView, scope: str) -> Check:
    """The authority parameter Odoo's `_get_microsoft_endpoint` reads matches the app's audience
    (`common` for multitenant apps, the tenant otherwise).
    """
    audience = view.spec.sign_in_audience
    param = caps.endpoint_param
    value = (state.param(param) or "").strip() if param else ""
    name = "authority"
    if not audience.is_multitenant:
        wanted = oauth_endpoint(audience, view.tenant_id)
        if param is None:
            return fail(
                name,
                f"Odoo {caps.version.text} always signs in through the 'common'"
                " authority, which a single-tenant app refuses (AADSTS50194)",
                "set app.signInAudience: AzureADMultipleOrgs, or upgrade Odoo to 16.0+",
                scope,
            )
        if not value:
            return fail(
                name,
                f"{param} is not set, so Odoo uses 'common', which a single-tenant"
                " app refuses (AADSTS50194)",
                f"{SYNC} (sets it to {wanted})",
                scope,
            )
        tenant = _authority_tenant(value)
        if tenant in _SHARED_AUTHORITIES or (
            view.tenant_id and value.rstrip("/") != wanted.rstrip("/")
        ):
            return fail(
                name, f"{param} is {value}; a single-tenant app needs {wanted}", f"{SYNC}", scope
            )
        return ok(
            name,
            f"{param} is {value}"
            + ("" if view.tenant_id else " (tenant id not known: not compared)"),
            scope,
        )
    if not value:
        return ok(name, "Odoo's default authority 'common' (right for a multitenant app)", scope)
    tenant = _authority_tenant(value)
    allowed = {"common"} | (
        {"organizations"} if audience is SignInAudience.MULTIPLE_ORGS else set()
    )
    if tenant in allowed:
        return ok(name, f"{param} is {value}", scope)
    # Only a parameter the tool marked is removed by the sync; someone else's is never deleted.
    fix = (
        SYNC + f" (it removes {param}, which odoo-outlook set)"
        if _owned_param(state, param)
        else (
            f"set the system parameter {param} to"
            f" {oauth_endpoint(audience, None)} in Settings > Technical > System"
            " Parameters (odoo-outlook did not set it and leaves it alone)"
        )
    )
    return fail(
        name,
        f"{param} is {value}: accounts of other tenants"
        f"{' and personal accounts' if audience.allows_personal_accounts else ''}"
        f" cannot connect to a {audience} app through it",
        fix,
        scope,
    )


def _owned_param(state: OdooState, key: str | None) -> bool:
    current = state.params.get(key or "")
    ref = state.xmlids.get(param_xmlid(key or ""))
    return current is not None and ref is not None and ref.res_id == current.id


def check_web_base_url(
    state: OdooState, spec: OdooTargetSpec, app: Application | None, scope: str
) -> Check:
    """`web.base.url` is one of the target's base URLs, so Odoo's redirect URI is one the app
    has (else Microsoft answers AADSTS50011).
    """
    result = check_base_url(state.params, spec)
    detail, fix = split_fix(result.message, SYNC)
    if not result.ok:
        return fail("web.base.url", detail, fix, scope)
    uri = confirm_uri(result.current or spec.expected_base_url)
    if app is not None and uri not in app.redirect_uris:
        return fail(
            "web.base.url",
            f"Odoo sends the redirect URI {uri}, which the app does not"
            " list (Microsoft answers AADSTS50011)",
            "run `pulumi up`",
            scope,
        )
    if not result.frozen:
        return warn("web.base.url", detail, fix, scope)
    return ok("web.base.url", f"{result.current} (frozen); redirect URI {uri}", scope)


def _differences(server: Server, wanted: Mapping[str, Any]) -> list[str]:
    out = [
        f"{k} is {normalise(server.values.get(k))!r}, wanted {v!r}"
        for k, v in wanted.items()
        if normalise(server.values.get(k)) != normalise(v)
    ]
    if server.has_password:
        out.append("a password is set (Odoo refuses one on an Outlook server)")
    return out


def check_server(
    state: OdooState,
    caps: Capabilities,
    model: str,
    server: OutgoingServer | IncomingServer,
    base_url: str,
    scope: str,
    *,
    stack: StackFacts,
    facts: OdooFacts,
    now: datetime,
) -> list[Check]:
    """One declared server exists as declared and is the tool's; then its token line: not
    connected / tested in this run / failing by what Odoo recorded (`evidence`) / stored, not
    tested. Incoming servers must also be confirmed.
    """
    kind = "outgoing" if model == OUTGOING else "incoming"
    name = f"{kind} server {server.mailbox}"
    record = state.record_for(server.xmlid)
    if record is None:
        rivals = [
            s
            for s in state.servers
            if s.model == model
            and s.active
            and s.sends_as(server.mailbox)
            and state.owned(model, s.id) is None
            and not personal_owner(s)
        ]
        if rivals:
            rival = rivals[0]
            return [
                fail(
                    name,
                    f"{model} #{rival.id} {rival.name!r} uses {server.mailbox} and was"
                    " not created by odoo-outlook",
                    rival_fix(model, rival.id, server.mailbox),
                    scope,
                )
            ]
        return [fail(name, f"no {model} for {server.mailbox}", SYNC, scope)]
    if not record.active:
        return [fail(name, f"#{record.id} is archived", SYNC, scope)]
    if isinstance(server, OutgoingServer):
        wanted = outgoing_values(server, caps)
    else:
        wanted = incoming_values(server, caps)
    sections: list[str] = []
    written = env_values(model, wanted, caps, sections)  # what the sync writes, no more
    problems = _differences(record, written)
    # Fields OCA server_environment manages: only the environment's configuration can fix them.
    from_env = (
        _differences(record, {k: v for k, v in wanted.items() if k not in written})
        if (sections)
        else []
    )
    if from_env and not problems:
        checks = [
            fail(
                name,
                f"#{record.id}: " + "; ".join(from_env),
                "put the section printed by `odoo-outlook sync --dry-run` for"
                f" {record.name!r} in the server environment configuration"
                " (OCA mail_environment), then restart Odoo",
                scope,
            )
        ]
    else:
        checks = [
            fail(name, f"#{record.id}: " + "; ".join(problems), SYNC, scope)
            if problems
            else ok(name, f"#{record.id} {record.name!r} matches the stack", scope)
        ]
    status = server_status(
        record, base_url, caps.version.major, minor=caps.version.minor, database=facts.database
    )
    token = f"token {kind} {server.mailbox}"
    test = next((t for t in facts.tests if (t.model, t.id) == (model, record.id)), None)
    evidence = (
        outgoing_evidence(record.id, server.mailbox, facts.failed_mail)
        if model == OUTGOING
        else incoming_evidence(record.id, facts.fetch_errors, facts.last_fetch)
    )
    since = facts.since
    if not status.connected:
        checks.append(
            warn(
                token,
                f"not connected yet ({model} #{record.id})",
                f"run `odoo-outlook connect`, or open {status.form_url} and {status.needs}",
                scope,
            )
        )
    elif test is not None:
        checks.append(token_check(token, test, stack, scope))
    # A failure Odoo recorded since the server last worked outranks "not confirmed".
    elif status.needs and not evidence.failing:
        checks.append(
            warn(
                token,
                f"connected, not confirmed ({model} #{record.id})",
                f"open {status.form_url} and {status.needs}, or run `odoo-outlook"
                " doctor --test-connections` (it presses it)",
                scope,
            )
        )
    else:
        checks.append(
            token_from_evidence(
                token,
                evidence,
                stack,
                scope,
                now=now,
                since=since,
                server=record.name,
                mailbox=server.mailbox,
            )
        )
    return checks


def odoo_checks(
    spec: OdooTargetSpec,
    facts: OdooFacts | None,
    view: AppView,
    *,
    now: datetime,
    warn_days: int,
    password_env: str | None = None,
) -> list[Check]:
    """Every check of one target; `facts` None: no connection or no password."""
    scope = spec.name
    if spec.connection is None:
        return [ok("odoo", "not checked: the target has no connection settings", scope)]
    if facts is None:
        return [
            fail(
                "odoo connection",
                f"no Odoo password for target {spec.name!r}",
                f"export {password_env or spec.connection.password_env}",
                scope,
            )
        ]
    if facts.error or facts.state is None or facts.caps is None:
        detail, fix = split_fix(facts.error or "not read", "check targets[].connection")
        return [fail("odoo connection", detail, fix, scope)]
    state, caps = facts.state, facts.caps
    checks = [
        ok(
            "odoo connection",
            f"Odoo {caps.version.text} at {facts.url}, database"
            f" {facts.database!r}, as {facts.login}",
            scope,
        ),
        check_module(caps, spec, scope),
        check_client_id(state, view.client_id, scope),
        check_client_secret(state, view, now, warn_days, scope),
        check_authority(state, caps, view, scope),
        check_web_base_url(state, spec, view.app, scope),
    ]
    base_url = state.param(BASE_URL_PARAM) or spec.expected_base_url
    stack = stack_facts(view, spec, state.param(BASE_URL_PARAM))
    for out in spec.all_outgoing:  # every company's servers (targets[].companies)
        checks += check_server(
            state, caps, OUTGOING, out, base_url, scope, stack=stack, facts=facts, now=now
        )
    for inc in spec.all_incoming:
        checks += check_server(
            state, caps, INCOMING, inc, base_url, scope, stack=stack, facts=facts, now=now
        )
    if facts.test_error:
        detail, fix = split_fix(facts.test_error, "check the Odoo user's access rights")
        checks.append(fail("connection tests", detail, fix, scope))
    checks += alias_checks(state, caps, spec, scope)
    checks += company_checks(state, caps, spec, scope)  # targets[].companies
    if facts.mail_error:
        detail, fix = split_fix(facts.mail_error, "check the Odoo user's access rights")
        checks.append(fail("failed mail", detail, fix, scope))
    else:
        checks += failed_mail_checks(facts.failed_mail, facts.since, stack, scope)
    if facts.fetch_error:
        detail, fix = split_fix(facts.fetch_error, "check the Odoo user's access rights")
        checks.append(fail("incoming fetch", detail, fix, scope))
    else:
        checks += fetch_error_checks(facts.fetch_errors, stack, scope)
    return checks


def stack_facts(
    view: AppView, spec: OdooTargetSpec | None = None, web_base_url: str | None = None
) -> StackFacts:
    """What the knowledge base's advice depends on, for one target (or none: the app only)."""
    mailboxes = (
        tuple(
            dict.fromkeys([s.mailbox for s in spec.outgoing] + [s.mailbox for s in spec.incoming])
        )
        if spec
        else ()
    )
    return StackFacts(
        audience=view.spec.sign_in_audience,
        admin_consent=view.spec.admin_consent,
        assignment_required=view.spec.assignment_required,
        tenant_id=view.tenant_id or view.spec.tenant_id,
        client_id=view.client_id,
        mailboxes=mailboxes,
        expected_base_url=spec.expected_base_url if spec else None,
        web_base_url=web_base_url,
    )
