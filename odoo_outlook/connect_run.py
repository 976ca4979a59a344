"""The run behind `odoo-outlook connect`: a session per target (connected client, managed
servers, the stack facts a diagnosis needs), the live table or plain lines on stderr, and the
summary. `odoo_outlook.commands.connect` imports it only when the command runs, so `--help`
stays light.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from odoo_outlook.cli_common import stderr, stdout
from odoo_outlook.config import StackConfig
from odoo_outlook.connect_flow import (
    ConnectOptions,
    ConnectResult,
    MailboxRow,
    RowState,
    TargetSession,
    run_connect,
)
from odoo_outlook.desired import OdooTargetSpec, target_specs
from odoo_outlook.doctor.knowledge import StackFacts
from odoo_outlook.errors import OdooOutlookError
from odoo_outlook.odoo.client import connect
from odoo_outlook.odoo.outlook_connect import managed_servers
from odoo_outlook.odoo.password import odoo_password
from odoo_outlook.odoo.state import BASE_URL_PARAM, CLIENT_ID_PARAM, PARAM_MODEL

_STYLES = {
    RowState.TESTED: "green",
    RowState.CONNECTED: "green",
    RowState.WAITING: "cyan",
    RowState.FAILED: "red",
    RowState.ERROR: "red",
    RowState.LEFT: "yellow",
}


def _table(rows: Sequence[MailboxRow], title: str | None = None) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("target", "server", "mailbox", "state", "detail"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row.target,
            f"{row.server.kind} #{row.server.id}",
            row.server.mailbox,
            Text(str(row.state), _STYLES.get(row.state, "")),
            row.detail,
        )
    return table


class LiveDisplay:
    """A live per-mailbox table on a terminal (rich `Live`), instructions printed above it."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._live: Live | None = None

    def start(self, rows: Sequence[MailboxRow]) -> None:
        """Start the live table with `rows`."""
        self._live = Live(_table(rows), console=self.console, refresh_per_second=4, transient=False)
        self._live.start()

    def say(self, text: str) -> None:
        """Print one line above the table."""
        self.console.print(Text(text), soft_wrap=True)

    def update(self, rows: Sequence[MailboxRow], _changed: MailboxRow | None) -> None:
        """Redraw the table with `rows`."""
        if self._live is not None:
            self._live.update(_table(rows), refresh=True)

    def stop(self) -> None:
        """Stop the live table (it stays on screen)."""
        if self._live is not None:
            self._live.stop()
            self._live = None


class PlainDisplay:
    """One plain line per change, for logs and pipes."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def start(self, _rows: Sequence[MailboxRow]) -> None:
        """Nothing: plain output starts with the first change."""
        return

    def say(self, text: str) -> None:
        """Print one line."""
        self.console.print(Text(text), soft_wrap=True)

    def update(self, _rows: Sequence[MailboxRow], changed: MailboxRow | None) -> None:
        """Print one line for the `changed` row (nothing when None)."""
        if changed is not None:
            tail = f": {changed.detail}" if changed.detail else ""
            self.say(
                f"{changed.target}: {changed.server.kind} {changed.server.mailbox}:"
                f" {changed.state}{tail}"
            )

    def stop(self) -> None:
        """Nothing to close."""
        return


def _session(
    spec: OdooTargetSpec, config: StackConfig, allow_insecure_http: bool
) -> TargetSession | None:
    """Connect and list the managed servers; None for a target without connection settings."""
    if spec.connection is None:
        return None
    password = odoo_password(spec)
    client = connect(
        spec.connection, password, allow_insecure_http=True if allow_insecure_http else None
    )
    params = {
        str(r["key"]): str(r["value"] or "")
        for r in client.search_read(
            PARAM_MODEL, [("key", "in", [CLIENT_ID_PARAM, BASE_URL_PARAM])], ["key", "value"]
        )
    }
    stack = StackFacts.of(
        config.app,
        [spec],
        client_id=params.get(CLIENT_ID_PARAM) or None,
        web_base_url=params.get(BASE_URL_PARAM),
    )
    return TargetSession(spec.name, client, managed_servers(client), stack)


def _summary(result: ConnectResult) -> None:
    done = [r for r in result.rows if r.state is RowState.TESTED]
    left = [r for r in result.rows if r.state is RowState.LEFT]
    if result.rows:
        stdout.print(_table(result.rows, title="odoo-outlook connect"))
    for row in result.rows:
        if row.fix:
            stdout.print(
                Text.assemble(("fix: ", "yellow"), f"{row.target}: {row.server.mailbox}: {row.fix}")
            )
    if not result.rows and not result.errors:
        stdout.print(
            "nothing to connect: every managed server already holds a refresh token"
            " (have Odoo test them with `odoo-outlook doctor --test-connections`)"
        )
    if result.stopped:
        stdout.print(f"stopped ({result.stopped})")
    stdout.print(f"done: {', '.join(r.server.mailbox for r in done) or 'none'}")
    stdout.print(f"left: {', '.join(r.server.mailbox for r in left) or 'none'}")


def run(
    config: StackConfig,
    targets: list[str],
    options: ConnectOptions,
    *,
    as_json: bool,
    allow_insecure_http: bool,
) -> int:
    """Connect every listed target's mailboxes; prints progress and the result, returns the
    exit code (0 all connected and tested, 1 some left, 2 errors)."""
    sessions: list[TargetSession] = []
    errors: list[str] = []
    for spec in target_specs(config, targets):
        try:
            session = _session(spec, config, allow_insecure_http)
        except OdooOutlookError as exc:
            errors.append(f"{spec.name}: {exc.message}")
            stderr.print(Text.assemble(("error: ", "red"), errors[-1]))
            continue
        if session is None:
            stderr.print(
                Text(f"{spec.name}: skipped: no connection settings (add targets[].connection)")
            )
        else:
            sessions.append(session)
            waiting = sum(1 for s in session.servers if not s.connected)
            stderr.print(
                Text(
                    f"{spec.name}: {len(session.servers)} managed server(s),"
                    f" {waiting} without a refresh token"
                )
            )
    live = stderr.is_terminal and not stderr.is_dumb_terminal
    display = LiveDisplay(stderr) if live else PlainDisplay(stderr)
    result = run_connect(sessions, options, display, errors=errors)
    if as_json:
        stdout.print_json(json.dumps(result.as_dict()))
    else:
        _summary(result)
    return result.exit_code
