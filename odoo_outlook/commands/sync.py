"""`odoo-outlook sync`: make each target's Odoo match the stack, from the stack's outputs.

Targets run concurrently through `odoo_outlook.fleet` (`--jobs N`, default min(16, targets)):
progress on stderr (live on a terminal, one line per target otherwise). Reports are written as
targets finish, not after the last one: with several targets one line per target on stdout
(each target's full report with `--details`), then a footer; a single target's full report.
`--json` writes one JSON array with `json.dumps`. The exit code is the worst target's.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

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
    FleetProgress,
    FleetTask,
    LiveProgress,
    NoProgress,
    Outcome,
    TargetResult,
    progress_for,
    run_fleet,
    summary_footer,
)
from odoo_outlook.status import Status
from odoo_outlook.waiting import StillWaiting

if TYPE_CHECKING:  # imported in the command itself, so `--help` stays fast
    from odoo_outlook.desired import OdooTargetSpec
    from odoo_outlook.odoo.changes import AppCredentials
    from odoo_outlook.odoo.sync import SyncOptions, SyncReport


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def sync_one(
    spec: OdooTargetSpec, app: AppCredentials, options: SyncOptions
) -> Outcome[SyncReport]:
    """One target, in its own thread with its own Odoo client: the fleet's unit of work."""
    from odoo_outlook.odoo.password import odoo_password
    from odoo_outlook.odoo.sync import sync_target

    if spec.connection is None:
        return Outcome(Status.OK, "skipped: no connection settings (add targets[].connection)")
    report = sync_target(spec, app, odoo_password(spec), options)
    changes = _plural(len(report.changes), "change")
    summary = (
        f"dry run ({changes})"
        if report.dry_run
        else f"synced ({changes})"
        if report.changes
        else "no change"
    )
    if report.to_connect:
        summary += f", {_plural(len(report.to_connect), 'server')} to connect in Odoo"
    if report.conflicts:
        more = len(report.conflicts) - 1
        reason = report.conflicts[0] + (f" (and {more} more)" if more else "")
        return Outcome(Status.FAIL, summary, reason, report)
    return Outcome(Status.OK, summary, None, report)


def _render(report: SyncReport) -> None:
    head = "dry run, nothing written" if report.dry_run else f"{report.writes} write call(s)"
    stdout.print(
        f"[bold]{report.target}[/bold]: Odoo {report.version} at {report.url}"
        f" (database {report.database}): {head}, {report.calls} call(s)"
    )
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
        stdout.print(
            "  run `odoo-outlook connect` to open each server's Outlook sign-in in turn"
            " and have Odoo test it"
        )
    for note in report.notes:
        stdout.print(Text.assemble(("note: ", "yellow"), note))
    for conflict in report.conflicts:
        stderr.print(Text.assemble(("conflict: ", "red"), f"{report.target}: {conflict}"))


def sync_command(
    ctx: typer.Context,
    stack: StackOption = "dev",
    project_dir: ProjectDirOption = None,  # type: ignore[assignment]
    targets: TargetsOption = None,
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
    allow_insecure_http: AllowInsecureHttpOption = False,
    adopt: Annotated[
        bool,
        typer.Option(
            "--adopt",
            help="Take over unmanaged Outlook servers whose login is"
            " a declared mailbox (marks them, keeps their Outlook connection).",
        ),
    ] = False,
    as_json: JsonOption = False,
    jobs: JobsOption = None,
    transport: TransportOption = None,
    timeout: TimeoutOption = None,
    details: Annotated[
        bool,
        typer.Option(
            "--details",
            help="With several targets, each target's full report"
            " (changes, servers to connect, notes), not one line.",
        ),
    ] = False,
) -> None:
    """Make each target's Odoo match the stack: Outlook module, credentials, mail servers."""
    from odoo_outlook.desired import target_specs
    from odoo_outlook.odoo.outputs import read_app_credentials
    from odoo_outlook.odoo.sync import SyncOptions

    config = load_stack(stack, project_dir or default_project_dir()).with_transport(transport)
    missing = config.missing_tenant()
    if missing:  # never write a placeholder authority into Odoo
        raise missing
    specs = target_specs(config, unique_targets(targets))
    app = read_app_credentials(outputs)
    options = SyncOptions(
        dry_run=dry_run,
        install_modules=False if no_install else None,
        allow_insecure_http=True if allow_insecure_http else None,
        adopt=True if adopt else None,
        timeout=timeout,
    )
    fleet_run = len(specs) > 1
    tasks = [FleetTask(spec.name, partial(sync_one, spec, app, options)) for spec in specs]
    display = progress_for(stderr, "syncing") if fleet_run else NoProgress()
    # A one-line stdout echo would repeat what a live display already prints on a terminal.
    lines = not (as_json or details) and not (
        isinstance(display, LiveProgress) and stdout.is_terminal
    )
    streamed = _Streamed(
        display, as_json=as_json, full=details or not fleet_run, lines=fleet_run and lines
    )
    with still_waiting(specs, timeout):
        fleet = run_fleet(
            tasks,
            jobs=jobs,
            secrets=[app.client_secret],
            progress=streamed,
            debug=bool(ctx.find_root().params.get("debug")),
        )
    if as_json:
        sys.stdout.write(json.dumps([_result_dict(r) for r in fleet.results]) + "\n")
        sys.stdout.flush()
    elif fleet_run:
        stdout.print(summary_footer(fleet))
    raise typer.Exit(fleet.exit_code)


def still_waiting(
    specs: list[OdooTargetSpec], timeout: float | None, label: str = "Odoo"
) -> StillWaiting:
    """The progress line for a slow or hung Odoo (stderr), naming the targets and the limit."""
    limits = [timeout or s.connection.timeout_seconds for s in specs if s.connection]
    names = ", ".join(s.name for s in specs)
    return StillWaiting(stderr, f"{label} ({names})", max(limits, default=60.0))


class _Streamed:
    """The fleet's progress display, plus each target's report written when it finishes."""

    def __init__(self, inner: FleetProgress, *, as_json: bool, full: bool, lines: bool) -> None:
        self._inner = inner
        self._as_json = as_json
        self._full = full
        self._lines = lines

    def begin(self, names: Sequence[str], jobs: int) -> None:
        self._inner.begin(names, jobs)

    def started(self, name: str) -> None:
        self._inner.started(name)

    def finished(self, result: TargetResult[Any], done: int, total: int) -> None:
        self._inner.finished(result, done, total)
        if self._as_json:
            return
        if self._full or result.value is None:
            _show(result)  # a failure's error line goes to stderr in every mode
        if self._lines:
            stdout.print(
                Text.assemble(
                    (f"{result.status:>4} ", result.status.style), f"{result.name}: {result.line}"
                ),
                soft_wrap=True,
                highlight=False,
            )

    def end(self) -> None:
        self._inner.end()


def _result_dict(result: TargetResult[SyncReport]) -> dict[str, object]:
    if result.value is not None:
        return result.value.as_dict()
    if result.status is Status.OK:
        return {"target": result.name, "skipped": True, "note": f"{result.name}: {result.line}"}
    return {"target": result.name, "ok": False, "error": result.error}


def _show(result: TargetResult[SyncReport]) -> None:
    if result.value is not None:
        _render(result.value)
    elif result.status is Status.OK:
        stdout.print(Text.assemble(("note: ", "yellow"), f"{result.name}: {result.line}"))
    else:
        stderr.print(Text.assemble(("error: ", "red"), f"{result.name}: {result.error}"))


def register(app: typer.Typer) -> None:
    """Add the `sync` command to `app`."""
    app.command("sync")(sync_command)
