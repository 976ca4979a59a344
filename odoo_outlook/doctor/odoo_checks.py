"""Pure checks of one Odoo target: what `odoo_reads` fetched + the desired state + the Graph
app in, `Check`s out. Whether Odoo's settings and records are as declared is the sync's own
change set read as checks (`plan_checks`); this module adds what only the doctor sees: the
secret against the app's, the redirect URI against the app's, each server's token evidence,
the default From's route, failed mail and fetch errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from odoo_outlook.desired import (
    AppRegistrationSpec,
    IncomingServer,
    OdooTargetSpec,
    OutgoingServer,
    confirm_uri,
)
from odoo_outlook.doctor.connection_checks import token_check
from odoo_outlook.doctor.default_from import check_default_from
from odoo_outlook.doctor.evidence import (
    incoming_evidence,
    outgoing_evidence,
    token_from_evidence,
)
from odoo_outlook.doctor.knowledge import StackFacts
from odoo_outlook.doctor.mail_errors import failed_mail_checks, fetch_error_checks
from odoo_outlook.doctor.model import SYNC, Check, Status, fail, ok, warn
from odoo_outlook.doctor.odoo_reads import OdooFacts
from odoo_outlook.doctor.plan_checks import (
    DoctorPlan,
    archive_checks,
    authority_check,
    catchall_check,
    client_id_check,
    company_catchall_checks,
    doctor_plan,
    newer_secret_planned,
    server_checks,
    split_fix,
    web_base_url_fix,
)
from odoo_outlook.doctor.secrets import SYNC_FIX, holder_check
from odoo_outlook.graph import Application
from odoo_outlook.odoo.capabilities import FETCHMAIL_OUTLOOK_MODULE, OUTLOOK_MODULE, Capabilities
from odoo_outlook.odoo.checks import server_status
from odoo_outlook.odoo.state import (
    BASE_URL_PARAM,
    CLIENT_SECRET_PARAM,
    INCOMING,
    OUTGOING,
    OdooState,
    server_kind,
)


@dataclass(frozen=True)
class AppView:
    """What the Odoo checks need from the Azure side (the Graph app may be unreadable)."""

    client_id: str
    spec: AppRegistrationSpec
    tenant_id: str | None
    app: Application | None = None
    stack_secret: str | None = field(default=None, repr=False)


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


def check_client_secret(
    state: OdooState, plan: DoctorPlan, view: AppView, now: datetime, warn_days: int, scope: str
) -> Check:
    """Odoo's `microsoft_outlook_client_secret` parameter is a valid secret of the app that
    does not expire within `warn_days` (days) of `now`; a warning when it is still valid but the
    sync would replace it with the newer one the stack outputs.
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
    if check.status is Status.OK and newer_secret_planned(plan):
        return warn(
            "client secret",
            check.detail + ", but not the newest secret the stack outputs",
            SYNC_FIX,
            scope,
        )
    return check


def check_web_base_url(plan: DoctorPlan, app: Application | None, scope: str) -> Check:
    """`web.base.url` is one of the target's base URLs, so Odoo's redirect URI is one the app
    has (else Microsoft answers AADSTS50011). With `connection.manageBaseUrl` the fix is the
    sync's planned write.
    """
    spec = plan.spec
    result = plan.base_url
    detail, fix = split_fix(result.message, SYNC)
    fix = web_base_url_fix(plan, fix)
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


def check_server(
    plan: DoctorPlan,
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
    """One declared server as the plan sees it (`server_checks`); then its token line: not
    connected / tested in this run / failing by what Odoo recorded (`evidence`) / stored, not
    tested. Incoming servers must also be confirmed.
    """
    kind = server_kind(model)
    checks, record = server_checks(plan, state, model, server.xmlid, server.mailbox, scope)
    if record is None:
        return checks
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
                f"export {spec.connection.password_env}",
                scope,
            )
        ]
    if facts.error or facts.state is None or facts.caps is None:
        detail, fix = split_fix(facts.error or "not read", "check targets[].connection")
        return [fail("odoo connection", detail, fix, scope)]
    state, caps = facts.state, facts.caps
    plan = doctor_plan(
        state,
        caps,
        spec,
        client_id=view.client_id,
        stack_secret=view.stack_secret,
        tenant_id=view.tenant_id,
        tool_uid=facts.uid,
    )
    checks = [
        ok(
            "odoo connection",
            f"Odoo {caps.version.text} at {facts.url}, database"
            f" {facts.database!r}, as {facts.login}",
            scope,
        ),
        check_module(caps, spec, scope),
        client_id_check(plan, scope),
        check_client_secret(state, plan, view, now, warn_days, scope),
        authority_check(plan, state, caps, scope),
        check_web_base_url(plan, view.app, scope),
    ]
    base_url = state.param(BASE_URL_PARAM) or spec.expected_base_url
    stack = stack_facts(view, spec, state.param(BASE_URL_PARAM))
    for out in spec.all_outgoing:  # every company's servers (targets[].companies)
        checks += check_server(
            plan, state, caps, OUTGOING, out, base_url, scope, stack=stack, facts=facts, now=now
        )
    for inc in spec.all_incoming:
        checks += check_server(
            plan, state, caps, INCOMING, inc, base_url, scope, stack=stack, facts=facts, now=now
        )
    checks += archive_checks(plan, scope)
    if facts.test_error:
        detail, fix = split_fix(facts.test_error, "check the Odoo user's access rights")
        checks.append(fail("connection tests", detail, fix, scope))
    checks += [catchall_check(plan, state, caps, scope), check_default_from(state, caps, scope)]
    checks += company_catchall_checks(plan, state, caps, scope)  # targets[].companies
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
    return StackFacts.of(
        view.spec,
        [spec] if spec else [],
        client_id=view.client_id,
        tenant_id=view.tenant_id,
        web_base_url=web_base_url,
    )
