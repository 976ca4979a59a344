"""`run_doctor`: the library entry point. Gathers Graph and every Odoo target concurrently
(the Odoo targets through `odoo_outlook.fleet`, at most `DoctorOptions.jobs` at a time), then
runs the pure checks.

    report = run_doctor(config, DoctorOptions(client_id="..."), credential=my_credential)
    report.exit_code   # 0 ok, 1 warnings only, 2 failures

`credential` is any azure-identity credential (sync or async); None means
`DefaultAzureCredential` (environment service principal, workload identity / OIDC, managed
identity, Azure CLI, ...), as the CLI uses.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial

from odoo_outlook.config import StackConfig, is_object_id
from odoo_outlook.desired import DesiredState, OdooTargetSpec, desired_state
from odoo_outlook.doctor.azure_checks import AzureFacts, Read, azure_checks
from odoo_outlook.doctor.gather import gather_azure
from odoo_outlook.doctor.model import AZURE, Check, Report
from odoo_outlook.doctor.odoo_checks import AppView, odoo_checks
from odoo_outlook.doctor.odoo_reads import OdooFacts, OdooReadOptions, read_target
from odoo_outlook.doctor.policy_checks import PolicyFacts, policy_checks
from odoo_outlook.doctor.secret_cap import display_name_check, secret_cap_check
from odoo_outlook.doctor.secrets import held_key_ids, holder_check
from odoo_outlook.errors import ConfigError
from odoo_outlook.fleet import FleetProgress, FleetTask, Outcome, run_fleet
from odoo_outlook.graph import GraphAccessError, GraphSettings, open_graph
from odoo_outlook.graph.client import Credential
from odoo_outlook.masking import mask
from odoo_outlook.odoo.errors import OdooSetupError
from odoo_outlook.odoo.password import missing_password, odoo_password
from odoo_outlook.odoo.state import CLIENT_SECRET_PARAM
from odoo_outlook.stack_outputs import HOW, StackOutputs
from odoo_outlook.status import Status

DEFAULT_WARN_DAYS = 30


@dataclass(frozen=True)
class DoctorOptions:
    """What `run_doctor` checks and how: the app's client id (or the stack outputs holding
    it), the tenant to sign in to, the targets (default all), `warn_days` before a secret's
    expiry (days), Graph and Odoo read settings, and `jobs` targets read at once.
    """

    client_id: str | None = None  # default: the stack outputs' clientId
    tenant_id: str | None = None  # the tenant to sign in to (and the app's, when not configured)
    outputs: StackOutputs | None = None
    targets: Sequence[str] = ()  # default: every target
    warn_days: int = DEFAULT_WARN_DAYS
    graph: GraphSettings = field(default_factory=GraphSettings)
    odoo: OdooReadOptions = field(default_factory=OdooReadOptions)
    jobs: int | None = None  # Odoo targets read at once; None: min(16, targets)


def resolve_client_id(options: DoctorOptions) -> str:
    """The client id to check, lower-cased: `--client-id`, else the stack outputs' `clientId`.

    Raises `ConfigError` naming both ways to give one when neither is there.
    """
    client_id = options.client_id or (options.outputs.client_id if options.outputs else None)
    if not client_id:
        raise ConfigError(
            "--client-id",
            "no client id to check",
            f"pass --client-id ID, or --outputs FILE (or - for stdin) with `{HOW}`",
        )
    return client_id.strip().lower()


def _tenant(config: StackConfig, options: DoctorOptions) -> str | None:
    """The app's tenant id for the authority check: the stack's, the outputs', or --tenant
    (a domain name cannot be compared with the id in Odoo's endpoint, so it is not used)."""
    outputs = options.outputs.tenant_id if options.outputs else None
    for value in (config.app.tenant_id, outputs, options.tenant_id):
        if value and is_object_id(value):
            return value.lower()
    return None


def _passwords(specs: Sequence[OdooTargetSpec], given: Mapping[str, str] | None) -> dict[str, str]:
    found = {}
    for spec in specs:
        if spec.connection is None:
            continue
        try:
            found[spec.name] = odoo_password(spec, (given or {}).get(spec.name))
        except OdooSetupError:
            continue  # reported per target by `_read_one` and `odoo_checks`
    return found


def _read_one(
    spec: OdooTargetSpec,
    passwords: Mapping[str, str],
    now: datetime,
    options: DoctorOptions,
    secrets: Sequence[str | None],
) -> Outcome[OdooFacts]:
    """One target's reads, in its own fleet thread with its own Odoo client."""
    if spec.connection is None:
        return Outcome(Status.OK, "not checked: no connection settings")
    if spec.name not in passwords:
        return Outcome(Status.FAIL, "not read", missing_password(spec).message)
    facts = read_target(spec, passwords[spec.name], now, options.odoo, secrets)
    if facts.error or facts.caps is None:
        return Outcome(Status.FAIL, "failed", facts.error or "not read", facts)
    return Outcome(Status.OK, f"read (Odoo {facts.caps.version.text})", None, facts)


async def _gather(
    client_id: str,
    desired: DesiredState,
    specs: Sequence[OdooTargetSpec],
    passwords: Mapping[str, str],
    options: DoctorOptions,
    credential: Credential | None,
    now: datetime,
    progress: FleetProgress | None = None,
) -> tuple[AzureFacts, list[OdooFacts | None]]:
    secrets = [options.outputs.client_secret if options.outputs else None]

    def odoo() -> list[OdooFacts | None]:
        tasks = [
            FleetTask(spec.name, partial(_read_one, spec, passwords, now, options, secrets))
            for spec in specs
        ]
        fleet = run_fleet(
            tasks, jobs=options.jobs, progress=progress, secrets=[*secrets, *passwords.values()]
        )
        since = now - timedelta(days=options.odoo.mail_days)
        facts: list[OdooFacts | None] = []
        for spec, result in zip(specs, fleet.results, strict=True):
            if result.value is None and spec.connection is not None and spec.name in passwords:
                # The read itself raised: keep its one-line reason as a failed connection.
                facts.append(OdooFacts(spec.name, since, error=result.error))
            else:
                facts.append(result.value)
        return facts

    async def azure() -> AzureFacts:
        settings = options.graph
        if options.tenant_id and not settings.tenant_id:
            settings = dataclasses.replace(settings, tenant_id=options.tenant_id)
        try:
            async with open_graph(settings, credential) as client:
                return await gather_azure(client, client_id, desired.app)
        except GraphAccessError as exc:
            return AzureFacts(client_id, Read(error=exc.message))

    azure_facts, odoo_facts = await asyncio.gather(azure(), asyncio.to_thread(odoo))
    return azure_facts, odoo_facts


def policy_facts(facts: AzureFacts) -> PolicyFacts:
    """The policy checks' view of the Graph reads."""
    return PolicyFacts(
        authorization=facts.authorization.value,
        authorization_error=facts.authorization.error,
        default_policy=facts.default_policy.value,
        default_policy_error=facts.default_policy.error,
        app_policies=facts.app_policies.value or (),
        app_policies_error=facts.app_policies.error,
        grants=facts.grants.value or (),
        grants_error=facts.grants.error,
        low_impact=tuple(
            c.permission_name or c.permission_id
            for c in facts.classifications.value or ()
            if c.classification == "low"
        )
        if facts.classifications.ok
        else None,
    )


def _redact(checks: list[Check], secrets: Sequence[str | None]) -> list[Check]:
    """Belt and braces: no secret value survives in any text, whatever a layer below said."""

    def clean(text: str | None) -> str | None:
        return mask(text, secrets) if text else text

    return [Check(c.name, c.status, clean(c.detail) or "", clean(c.fix), c.scope) for c in checks]


def run_doctor(
    config: StackConfig,
    options: DoctorOptions,
    *,
    credential: Credential | None = None,
    passwords: Mapping[str, str] | None = None,
    now: datetime | None = None,
    progress: FleetProgress | None = None,
) -> Report:
    """Check the live setup against the stack. Graph and Odoo failures become failed checks;
    only bad input (no client id, unknown target) raises `ConfigError`. `passwords` (target
    name -> password or API key) plays the part of `odooPasswords`; a target without one uses
    its `passwordEnv` variable (`odoo_outlook.odoo.password.odoo_password`). `progress`
    receives one event per Odoo target read."""
    now = now or datetime.now(UTC)
    client_id = resolve_client_id(options)
    desired = desired_state(config, now)
    names = list(options.targets)
    specs = [desired.target(n) for n in names] if names else list(desired.targets)
    found = _passwords(specs, passwords)
    azure_facts, odoo_facts = asyncio.run(
        _gather(client_id, desired, specs, found, options, credential, now, progress)
    )
    tenant = _tenant(config, options)
    app = azure_facts.app.value
    creds = app.password_credentials if app else ()
    stack_secret = options.outputs.client_secret if options.outputs else None
    odoo_secrets = [
        f.state.param(CLIENT_SECRET_PARAM)
        for f in odoo_facts
        if f is not None and f.state is not None
    ]
    held = frozenset().union(*(held_key_ids(s, creds) for s in [stack_secret, *odoo_secrets]))
    checks = azure_checks(
        azure_facts, desired.app, now=now, warn_days=options.warn_days, held=held, tenant_id=tenant
    )
    if app is not None:
        checks += policy_checks(
            policy_facts(azure_facts),
            desired.app,
            app,
            client_id,
            tenant,
            azure_facts.graph_sp.value,
            (
                config.secret.rotation_days,
                config.secret.grace_days,
                config.secret.max_lifetime_days,
            ),
        )
        # The live audience is the one Entra enforces now; the stack's when Graph omits it.
        audience = app.sign_in_audience or desired.app.sign_in_audience.value
        checks.append(secret_cap_check(creds, audience, desired.secret, held))
        renamed = display_name_check(creds, audience, desired.secret)
        if renamed is not None:
            checks.append(renamed)
    if app is not None and stack_secret:
        checks.append(
            holder_check(
                "stack secret",
                "the stack outputs' clientSecret",
                stack_secret,
                creds,
                now,
                options.warn_days,
                AZURE,
                fix="run `pulumi up --refresh` (it re-creates a deleted or expired secret)",
            )
        )
    view = AppView(client_id, desired.app, tenant, app, stack_secret)
    for spec, facts in zip(specs, odoo_facts, strict=True):
        checks += odoo_checks(spec, facts, view, now=now, warn_days=options.warn_days)
    return Report(client_id, _redact(checks, [stack_secret, *odoo_secrets, *found.values()]))
