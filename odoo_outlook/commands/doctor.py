"""`odoo-outlook doctor`: check the live Azure app and every Odoo target against the stack.

Credentials come from azure-identity's `DefaultAzureCredential` (environment service principal,
workload identity / OIDC in CI, managed identity, Azure CLI, ...); its own environment
variables select and configure them (e.g. `AZURE_TOKEN_CREDENTIALS=AzureCliCredential`).
Exit code: 0 all ok, 1 warnings only, 2 any failure. Odoo targets are read concurrently
through `odoo_outlook.fleet` (`--jobs N`, default min(16, targets)); with several targets,
progress goes to stderr and a per-target summary table follows the checks.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from odoo_outlook.cli_common import (
    AllowInsecureHttpOption,
    JobsOption,
    JsonOption,
    ProjectDirOption,
    StackOption,
    TargetsOption,
    TimeoutOption,
    TransportOption,
    default_project_dir,
    load_stack,
    stderr,
    stdout,
    unique_targets,
)
from odoo_outlook.fleet import (
    NoProgress,
    TargetResult,
    progress_for,
    summary_table,
)
from odoo_outlook.status import Status
from odoo_outlook.status import worst as worst_of

if TYPE_CHECKING:
    from odoo_outlook.doctor import Report

# The option defaults, kept here so `odoo-outlook --help` does not import Microsoft Graph and
# azure-identity (half a second); tests/test_cli_usage.py checks they equal the library's
# (odoo_outlook.doctor.run.DEFAULT_WARN_DAYS, odoo_outlook.graph.client's constants).
DEFAULT_WARN_DAYS = 30
GRAPH_URL_ENV = "ODOO_OUTLOOK_GRAPH_URL"
DEFAULT_GRAPH_RETRIES = 3
GRAPH_RETRIES_LIMIT = 10  # msgraph-core's RetryHandlerOption.MAX_MAX_RETRIES


def scope_rows(report: Report, scopes: Sequence[str]) -> list[TargetResult[None]]:
    """One summary row per scope (Azure, then each target): worst status, counts, first
    failure (or warning) as the reason."""
    rows: list[TargetResult[None]] = []
    for scope in scopes:
        checks = [c for c in report.checks if c.scope == scope]
        statuses = [c.status for c in checks]
        worst = worst_of(statuses)
        counts = ", ".join(f"{statuses.count(s)} {s}" for s in Status)
        first = next((c for c in checks if c.status is worst), None)
        reason = f"{first.name}: {first.detail}" if first and worst is not Status.OK else None
        rows.append(TargetResult(scope, worst, counts, reason))
    return rows


def quiet_azure_identity_logs() -> None:
    """azure-identity logs each failed credential chain as a WARNING, which Python prints to
    stderr when logging is not configured: once per Graph call. The doctor reports a sign-in
    failure itself, in one line; `--debug` keeps the library's messages."""
    logging.getLogger("azure.identity").addHandler(logging.NullHandler())


def doctor_command(
    ctx: typer.Context,
    stack: StackOption = "dev",
    project_dir: ProjectDirOption = None,  # type: ignore[assignment]
    client_id: Annotated[
        str | None,
        typer.Option("--client-id", help="The app's client id (default: the stack outputs')."),
    ] = None,
    outputs: Annotated[
        str | None,
        typer.Option(
            "--outputs",
            help="`pulumi stack output --json --show-secrets` as a file,"
            " or - for stdin (clientId; clientSecret and tenantId when present).",
        ),
    ] = None,
    tenant: Annotated[
        str | None,
        typer.Option(
            "--tenant", help="Tenant to sign in to (id or domain).", envvar="AZURE_TENANT_ID"
        ),
    ] = None,
    targets: TargetsOption = None,
    as_json: JsonOption = False,
    warn_days: Annotated[
        int, typer.Option("--warn-days", min=0, help="Warn when a secret expires within N days.")
    ] = DEFAULT_WARN_DAYS,
    mail_days: Annotated[
        int, typer.Option("--mail-days", min=1, help="Read failed mail of the last N days.")
    ] = 7,
    graph_url: Annotated[
        str | None,
        typer.Option(
            "--graph-url", envvar=GRAPH_URL_ENV, help="Microsoft Graph base URL (national clouds)."
        ),
    ] = None,
    graph_retries: Annotated[
        int,
        typer.Option(
            "--graph-retries",
            min=0,
            max=GRAPH_RETRIES_LIMIT,
            help="Retries on Graph 429/503/504 (Retry-After honoured).",
        ),
    ] = DEFAULT_GRAPH_RETRIES,
    allow_insecure_http: AllowInsecureHttpOption = False,
    jobs: JobsOption = None,
    transport: TransportOption = None,
    timeout: TimeoutOption = None,
    test_connections: Annotated[
        bool,
        typer.Option(
            "--test-connections",
            help="Have Odoo test every connected managed server with its own"
            " buttons (Test Connection; Test & Confirm, which also confirms"
            " an incoming server): this signs in to Microsoft. Without it"
            " nothing is sent to Microsoft.",
        ),
    ] = False,
    explain: Annotated[
        str | None,
        typer.Option(
            "--explain",
            help="Diagnose a pasted failure text (browser or Odoo) against"
            " the stack only: no Odoo or Graph call.",
        ),
    ] = None,
) -> None:
    """Check the live Entra app and Odoo against the stack: 0 ok, 1 warnings, 2 failures."""
    from odoo_outlook.commands.sync import still_waiting
    from odoo_outlook.config import is_object_id
    from odoo_outlook.desired import target_specs
    from odoo_outlook.doctor import DoctorOptions, OdooReadOptions, read_stack_outputs, run_doctor
    from odoo_outlook.doctor.explain import config_facts, explain_text
    from odoo_outlook.doctor.model import AZURE
    from odoo_outlook.doctor.render import render_json, render_table
    from odoo_outlook.errors import ConfigError
    from odoo_outlook.graph import GraphSettings

    if client_id is not None and not is_object_id(client_id.strip()):
        raise ConfigError(
            "--client-id",
            f"{client_id[:40]!r} is not a GUID",
            "pass the app's Application (client) ID, or --outputs",
        )
    if not ctx.find_root().params.get("debug"):
        quiet_azure_identity_logs()
    config = load_stack(stack, project_dir or default_project_dir()).with_transport(transport)
    if explain is not None:
        stack_outputs = read_stack_outputs(outputs) if outputs else None
        facts = config_facts(
            config,
            client_id or (stack_outputs.client_id if stack_outputs else None),
            tenant or (stack_outputs.tenant_id if stack_outputs else None),
        )
        explained = explain_text(explain, facts)
        (render_json if as_json else render_table)(explained, stdout)
        raise typer.Exit(explained.exit_code)
    targets = unique_targets(targets)
    options = DoctorOptions(
        client_id=client_id,
        tenant_id=tenant,
        outputs=read_stack_outputs(outputs) if outputs else None,
        targets=tuple(targets or ()),
        warn_days=warn_days,
        graph=GraphSettings(base_url=graph_url, max_retries=graph_retries),
        odoo=OdooReadOptions(
            mail_days=mail_days,
            timeout=timeout,
            allow_insecure_http=True if allow_insecure_http else None,
            test_connections=test_connections,
        ),
        jobs=jobs,
    )
    specs = target_specs(config, targets)
    names = [spec.name for spec in specs]
    fleet_run = len(names) > 1
    with still_waiting(specs, timeout, "Microsoft Graph and Odoo"):
        report = run_doctor(
            config,
            options,
            progress=progress_for(stderr, "checking") if fleet_run else NoProgress(),
        )
    if as_json:
        render_json(report, stdout)
    else:
        render_table(report, stdout)
        if fleet_run:
            stdout.print(
                summary_table(
                    scope_rows(report, [AZURE, *names]),
                    detail="checks",
                    title=f"odoo-outlook doctor: {len(names)} targets",
                )
            )
    raise typer.Exit(report.exit_code)


def register(app: typer.Typer) -> None:
    """Add the `doctor` command to `app`."""
    app.command("doctor")(doctor_command)
