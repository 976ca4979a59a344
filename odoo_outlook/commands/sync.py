"""`odoo-outlook sync`: make each target's Odoo match the stack, from the stack's outputs."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from odoo_outlook.cli_common import (
    JsonOption,
    ProjectDirOption,
    StackOption,
    default_project_dir,
    load_stack,
    stderr,
    stdout,
)
from odoo_outlook.config import StackConfig
from odoo_outlook.desired import OdooTargetSpec, target_spec
from odoo_outlook.errors import EXIT_FAIL, EXIT_OK, ConfigError, OdooOutlookError
from odoo_outlook.odoo.diff import AppCredentials
from odoo_outlook.odoo.outputs import HOW, parse_outputs
from odoo_outlook.odoo.sync import SyncOptions, SyncReport, sync_target


def read_outputs(source: str | None) -> AppCredentials:
    if source is None:
        raise ConfigError("--outputs", "is required",
                          f"`{HOW}` then pass --outputs outputs.json (or - for stdin)")
    if source == "-":
        return parse_outputs(sys.stdin.read(), "stdin")
    path = Path(source)
    if not path.is_file():
        raise ConfigError(f"--outputs ({source})", "does not exist", f"create it with `{HOW}`")
    return parse_outputs(path.read_text(encoding="utf-8"), source)


def _specs(config: StackConfig, names: list[str]) -> list[OdooTargetSpec]:
    targets = [config.target(n) for n in names] if names else list(config.targets)
    return [target_spec(config, t) for t in targets]


def _render(report: SyncReport) -> None:
    head = "dry run, nothing written" if report.dry_run else f"{report.writes} write call(s)"
    stdout.print(f"[bold]{report.target}[/bold]: Odoo {report.version} at {report.url}"
                 f" (database {report.database}): {head}, {report.calls} call(s)")
    if report.changes:
        table = Table(title_justify="left", show_lines=False)
        for column in ("action", "model", "what", "detail"):
            table.add_column(column, overflow="fold")
        for change in report.changes:
            table.add_row(change.action, change.model, change.what, change.detail)
        stdout.print(table)
    else:
        stdout.print("  no change: Odoo already matches the stack")
    waiting = report.to_connect
    if waiting:
        table = Table(title="Servers waiting for a person in Odoo", title_justify="left")
        for column in ("server", "mailbox", "to do", "open"):
            table.add_column(column, overflow="fold")
        for server in waiting:
            table.add_row(server.name, server.mailbox, server.needs, server.form_url)
        stdout.print(table)
    for note in report.notes:
        stdout.print(Text.assemble(("note: ", "yellow"), note))
    for conflict in report.conflicts:
        stderr.print(Text.assemble(("conflict: ", "red"), f"{report.target}: {conflict}"))


def sync_command(
    stack: StackOption = "dev",
    project_dir: ProjectDirOption = None,  # type: ignore[assignment]
    targets: Annotated[
        list[str] | None,
        typer.Option("--target", "-t", help="Only this target (repeatable); default all."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the changes, secrets masked; write nothing.")
    ] = False,
    outputs: Annotated[
        str | None,
        typer.Option("--outputs", help="Stack outputs JSON file, or - for stdin."),
    ] = None,
    no_install: Annotated[
        bool, typer.Option("--no-install", help="Never install Odoo modules; fail instead.")
    ] = False,
    allow_insecure_http: Annotated[
        bool,
        typer.Option("--allow-insecure-http", help="Allow http:// to a non-loopback Odoo."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Make each target's Odoo match the stack: Outlook module, credentials, mail servers."""
    config = load_stack(stack, project_dir or default_project_dir())
    specs = _specs(config, targets or [])
    app = read_outputs(outputs)
    options = SyncOptions(
        dry_run=dry_run,
        install_modules=False if no_install else None,
        allow_insecure_http=True if allow_insecure_http else None,
    )
    reports: list[dict[str, object]] = []
    failed = False
    for spec in specs:
        if spec.connection is None:
            note = f"{spec.name}: skipped, no connection settings (add targets[].connection)"
            reports.append({"target": spec.name, "skipped": True, "note": note})
            if not as_json:
                stdout.print(Text.assemble(("note: ", "yellow"), note))
            continue
        password = os.environ.get(spec.connection.password_env, "")
        try:
            report = sync_target(spec, app, password, options)
        except OdooOutlookError as exc:
            failed = True
            reports.append({"target": spec.name, "ok": False, "error": exc.message})
            stderr.print(Text.assemble(("error: ", "red"), f"{spec.name}: {exc.message}"))
            continue
        failed = failed or not report.ok
        reports.append(report.as_dict())
        if not as_json:
            _render(report)
    if as_json:
        stdout.print_json(json.dumps(reports))
    raise typer.Exit(EXIT_FAIL if failed else EXIT_OK)


def register(app: typer.Typer) -> None:
    app.command("sync")(sync_command)
