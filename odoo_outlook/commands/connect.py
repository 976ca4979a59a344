"""`odoo-outlook connect`: each managed server without a refresh token opened in the browser,
one mailbox at a time, waited for, then tested by Odoo's own buttons.

The person running it must be signed in to Odoo as an administrator of the target's database
(Odoo's `/microsoft_outlook/confirm` stores the token for a logged-in administrator only) and
sign in to Microsoft as each mailbox in turn. Progress goes to stderr (a live table on a
terminal, plain lines otherwise); the final table, or JSON with `--json`, to stdout.
Exit 0: every listed mailbox connected and tested; 1: some left (timeout, Ctrl-C); 2: errors.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Annotated

import typer
from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from odoo_outlook.cli_common import (
    AllowInsecureHttpOption,
    JsonOption,
    ProjectDirOption,
    StackOption,
    TargetsOption,
    TransportOption,
    default_project_dir,
    load_stack,
    stderr,
    stdout,
)
from odoo_outlook.config import StackConfig
from odoo_outlook.connect_flow import (
    DEFAULT_POLL,
    DEFAULT_TIMEOUT,
    ConnectOptions,
    ConnectResult,
    MailboxRow,
    RowState,
    TargetSession,
    run_connect,
)
from odoo_outlook.desired import OdooTargetSpec, target_spec
from odoo_outlook.doctor.knowledge import StackFacts
from odoo_outlook.errors import OdooOutlookError
from odoo_outlook.odoo.client import connect, with_transport
from odoo_outlook.odoo.errors import OdooSetupError
from odoo_outlook.odoo.outlook_connect import managed_servers
from odoo_outlook.odoo.state import BASE_URL_PARAM, CLIENT_ID_PARAM, PARAM_MODEL

_STYLES = {RowState.TESTED: "green", RowState.CONNECTED: "green", RowState.WAITING: "cyan",
           RowState.FAILED: "red", RowState.ERROR: "red", RowState.LEFT: "yellow"}


def _table(rows: Sequence[MailboxRow], title: str | None = None) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("target", "server", "mailbox", "state", "detail"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row.target, f"{row.server.kind} #{row.server.id}", row.server.mailbox,
                      Text(str(row.state), _STYLES.get(row.state, "")), row.detail)
    return table


class LiveDisplay:
    """A live per-mailbox table on a terminal (rich `Live`), instructions printed above it."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._live: Live | None = None

    def start(self, rows: Sequence[MailboxRow]) -> None:
        self._live = Live(_table(rows), console=self.console, refresh_per_second=4,
                          transient=False)
        self._live.start()

    def say(self, text: str) -> None:
        self.console.print(Text(text), soft_wrap=True)

    def update(self, rows: Sequence[MailboxRow], changed: MailboxRow | None) -> None:
        if self._live is not None:
            self._live.update(_table(rows), refresh=True)

    def stop(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None


class PlainDisplay:
    """One plain line per change, for logs and pipes."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def start(self, rows: Sequence[MailboxRow]) -> None:
        return

    def say(self, text: str) -> None:
        self.console.print(Text(text), soft_wrap=True)

    def update(self, rows: Sequence[MailboxRow], changed: MailboxRow | None) -> None:
        if changed is not None:
            tail = f": {changed.detail}" if changed.detail else ""
            self.say(f"{changed.target}: {changed.server.kind} {changed.server.mailbox}:"
                     f" {changed.state}{tail}")

    def stop(self) -> None:
        return


def _specs(config: StackConfig, names: list[str]) -> list[OdooTargetSpec]:
    targets = [config.target(n) for n in names] if names else list(config.targets)
    return [target_spec(config, t) for t in targets]


def _session(spec: OdooTargetSpec, config: StackConfig, allow_insecure_http: bool
             ) -> TargetSession | None:
    """Connect and list the managed servers; None for a target without connection settings."""
    if spec.connection is None:
        return None
    password = os.environ.get(spec.connection.password_env, "")
    if not password:
        raise OdooSetupError(f"no Odoo password for target {spec.name!r} (fix: export"
                             f" {spec.connection.password_env})")
    client = connect(spec.connection, password,
                     allow_insecure_http=True if allow_insecure_http else None)
    params = {str(r["key"]): str(r["value"] or "") for r in client.search_read(
        PARAM_MODEL, [("key", "in", [CLIENT_ID_PARAM, BASE_URL_PARAM])], ["key", "value"])}
    app = config.app
    stack = StackFacts(
        audience=app.sign_in_audience, admin_consent=app.admin_consent,
        assignment_required=app.assignment_required, tenant_id=app.tenant_id,
        client_id=params.get(CLIENT_ID_PARAM) or None,
        mailboxes=tuple(dict.fromkeys(s.mailbox for s in (*spec.outgoing, *spec.incoming))),
        expected_base_url=spec.expected_base_url, web_base_url=params.get(BASE_URL_PARAM))
    return TargetSession(spec.name, client, managed_servers(client), stack)


def _summary(result: ConnectResult) -> None:
    done = [r for r in result.rows if r.state is RowState.TESTED]
    left = [r for r in result.rows if r.state is RowState.LEFT]
    if result.rows:
        stdout.print(_table(result.rows, title="odoo-outlook connect"))
    for row in result.rows:
        if row.fix:
            stdout.print(Text.assemble(("fix: ", "yellow"),
                                       f"{row.target}: {row.server.mailbox}: {row.fix}"))
    if not result.rows and not result.errors:
        stdout.print("nothing to connect: every managed server already holds a refresh token"
                     " (have Odoo test them with `odoo-outlook doctor --test-connections`)")
    if result.stopped:
        stdout.print(f"stopped ({result.stopped})")
    stdout.print(f"done: {', '.join(r.server.mailbox for r in done) or 'none'}")
    stdout.print(f"left: {', '.join(r.server.mailbox for r in left) or 'none'}")


def connect_command(
    stack: StackOption = "dev",
    project_dir: ProjectDirOption = None,  # type: ignore[assignment]
    targets: TargetsOption = None,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Print each link instead of opening it.")
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, help="Stop waiting after SECONDS in all.")
    ] = DEFAULT_TIMEOUT,
    poll: Annotated[
        float, typer.Option("--poll", min=0.1, help="Seconds between two checks of a server.")
    ] = DEFAULT_POLL,
    as_json: JsonOption = False,
    allow_insecure_http: AllowInsecureHttpOption = False,
    transport: TransportOption = None,
) -> None:
    """Connect each mailbox in one click: open Odoo's own Outlook sign-in link, wait for the
    token, then have Odoo test it. 0 all done, 1 some left, 2 errors."""
    config = with_transport(load_stack(stack, project_dir or default_project_dir()), transport)
    sessions: list[TargetSession] = []
    errors: list[str] = []
    for spec in _specs(config, targets or []):
        try:
            session = _session(spec, config, allow_insecure_http)
        except OdooOutlookError as exc:
            errors.append(f"{spec.name}: {exc.message}")
            stderr.print(Text.assemble(("error: ", "red"), errors[-1]))
            continue
        if session is None:
            stderr.print(Text(f"{spec.name}: skipped: no connection settings (add"
                              " targets[].connection)"))
        else:
            sessions.append(session)
            waiting = sum(1 for s in session.servers if not s.connected)
            stderr.print(Text(f"{spec.name}: {len(session.servers)} managed server(s),"
                              f" {waiting} without a refresh token"))
    live = stderr.is_terminal and not stderr.is_dumb_terminal
    display = LiveDisplay(stderr) if live else PlainDisplay(stderr)
    options = ConnectOptions(open_browser=not no_browser, timeout=timeout, poll=poll)
    result = run_connect(sessions, options, display, errors=errors)
    if as_json:
        stdout.print_json(json.dumps(result.as_dict()))
    else:
        _summary(result)
    raise typer.Exit(result.exit_code)


def register(app: typer.Typer) -> None:
    app.command("connect")(connect_command)
