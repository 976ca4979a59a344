"""`odoo-outlook doctor`: check the live Azure app and every Odoo target against the stack.

Credentials come from azure-identity's `DefaultAzureCredential` (environment service principal,
workload identity / OIDC in CI, managed identity, Azure CLI, ...); its own environment
variables select and configure them (e.g. `AZURE_TOKEN_CREDENTIALS=AzureCliCredential`).
Exit code: 0 all ok, 1 warnings only, 2 any failure.
"""

from __future__ import annotations

from typing import Annotated

import typer

from odoo_outlook.cli_common import (
    JsonOption,
    ProjectDirOption,
    StackOption,
    default_project_dir,
    load_stack,
    stdout,
)
from odoo_outlook.doctor import (
    DEFAULT_WARN_DAYS,
    DoctorOptions,
    OdooReadOptions,
    read_stack_outputs,
    run_doctor,
)
from odoo_outlook.doctor.render import render_json, render_table
from odoo_outlook.graph import GRAPH_URL_ENV, GraphSettings
from odoo_outlook.graph.client import DEFAULT_MAX_RETRIES, MAX_RETRIES_LIMIT


def doctor_command(
    stack: StackOption = "dev",
    project_dir: ProjectDirOption = None,  # type: ignore[assignment]
    client_id: Annotated[
        str | None,
        typer.Option("--client-id", help="The app's client id (default: the stack outputs')."),
    ] = None,
    outputs: Annotated[
        str | None,
        typer.Option("--outputs", help="`pulumi stack output --json --show-secrets` as a file,"
                     " or - for stdin (clientId; clientSecret and tenantId when present)."),
    ] = None,
    tenant: Annotated[
        str | None,
        typer.Option("--tenant", help="Tenant to sign in to (id or domain).",
                     envvar="AZURE_TENANT_ID"),
    ] = None,
    targets: Annotated[
        list[str] | None,
        typer.Option("--target", "-t", help="Only this Odoo target (repeatable); default all."),
    ] = None,
    as_json: JsonOption = False,
    warn_days: Annotated[
        int, typer.Option("--warn-days", min=0, help="Warn when a secret expires within N days.")
    ] = DEFAULT_WARN_DAYS,
    mail_days: Annotated[
        int, typer.Option("--mail-days", min=1, help="Read failed mail of the last N days.")
    ] = 7,
    graph_url: Annotated[
        str | None,
        typer.Option("--graph-url", envvar=GRAPH_URL_ENV,
                     help="Microsoft Graph base URL (national clouds)."),
    ] = None,
    graph_retries: Annotated[
        int, typer.Option("--graph-retries", min=0, max=MAX_RETRIES_LIMIT,
                          help="Retries on Graph 429/503/504 (Retry-After honoured).")
    ] = DEFAULT_MAX_RETRIES,
    allow_insecure_http: Annotated[
        bool, typer.Option("--allow-insecure-http", help="Allow http:// to a non-loopback Odoo.")
    ] = False,
) -> None:
    """Check the live Entra app and Odoo against the stack: 0 ok, 1 warnings, 2 failures."""
    config = load_stack(stack, project_dir or default_project_dir())
    options = DoctorOptions(
        client_id=client_id,
        tenant_id=tenant,
        outputs=read_stack_outputs(outputs) if outputs else None,
        targets=tuple(targets or ()),
        warn_days=warn_days,
        graph=GraphSettings(base_url=graph_url, max_retries=graph_retries),
        odoo=OdooReadOptions(mail_days=mail_days,
                             allow_insecure_http=True if allow_insecure_http else None),
    )
    report = run_doctor(config, options)
    if as_json:
        render_json(report, stdout)
    else:
        render_table(report, stdout)
    raise typer.Exit(report.exit_code)


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor_command)
