"""`odoo-outlook connect` without the CLI: per target, every managed server without a refresh
token is opened in a browser, waited for, then tested by Odoo itself.

    result = run_connect(sessions, ConnectOptions(timeout=600), display=PlainDisplay(console))
    result.exit_code   # 0 all connected and tested, 1 some left, 2 errors

One mailbox at a time (a person signs in to each in turn): the authorize URL Odoo computed
(`outlook_connect.authorize_url`) goes to a `webbrowser` controller (`webbrowser.get()` unless
one is given, so any registered `webbrowser.BaseBrowser` can stand in), or is printed with
`open_browser=False`; the server is then polled with `outlook_connect.is_connected` every
`poll` seconds until Odoo holds a refresh token, the overall `timeout` passes, or Ctrl-C. What
was connected is then tested with Odoo's own buttons (`run_connection_test`). The token is
never read.
"""

from __future__ import annotations

import time
import webbrowser
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from odoo_outlook.doctor.connection_checks import describe_test
from odoo_outlook.doctor.knowledge import StackFacts
from odoo_outlook.errors import EXIT_FAIL, EXIT_OK, EXIT_WARN, OdooOutlookError
from odoo_outlook.odoo.client import OdooClient
from odoo_outlook.odoo.outlook_connect import (
    ConnectionTest,
    ManagedServer,
    authorize_url,
    is_connected,
    run_connection_test,
)

DEFAULT_TIMEOUT = 900.0
DEFAULT_POLL = 2.0


class RowState(StrEnum):
    """How far one mailbox got: queued, waiting for the person to sign in, connected, tested, ..."""

    QUEUED = "queued"
    WAITING = "waiting for sign-in"
    CONNECTED = "connected"
    TESTED = "tested ok"
    FAILED = "test failed"
    LEFT = "left"
    ERROR = "error"


@dataclass
class MailboxRow:
    """One server to connect: where it is, how far it got, and what to tell the person."""

    target: str
    server: ManagedServer
    state: RowState = RowState.QUEUED
    detail: str = ""
    fix: str | None = None
    test: ConnectionTest | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `connect --json` `mailboxes` entries."""
        return {
            "target": self.target,
            "model": self.server.model,
            "id": self.server.id,
            "kind": self.server.kind,
            "mailbox": self.server.mailbox,
            "state": str(self.state),
            "detail": self.detail,
            "fix": self.fix,
            "test": self.test.as_dict() if self.test else None,
        }


@dataclass
class TargetSession:
    """One target's connected client and what the diagnosis needs (see `diagnose`)."""

    name: str
    client: OdooClient
    servers: list[ManagedServer]
    stack: StackFacts


@dataclass(frozen=True)
class ConnectOptions:
    """How `connect` runs: open a browser or print the URL, the overall `timeout` and the `poll`
    interval (seconds), and the `webbrowser` controller to use.
    """

    open_browser: bool = True
    timeout: float = DEFAULT_TIMEOUT  # seconds, for the whole run
    poll: float = DEFAULT_POLL  # seconds between two "is the token there" questions
    browser: webbrowser.BaseBrowser | None = None  # None: webbrowser.get()


@dataclass
class ConnectResult:
    """Every mailbox row, per-target errors, and why the run stopped early (`timeout`,
    `interrupted`)."""

    rows: list[MailboxRow]
    errors: list[str] = field(default_factory=list)  # per-target failures (not per mailbox)
    stopped: str | None = None  # "timeout" | "interrupted"

    @property
    def exit_code(self) -> int:
        """2 on any error or failed test, 1 when a mailbox is not done yet, else 0."""
        states = {r.state for r in self.rows}
        if self.errors or states & {RowState.ERROR, RowState.FAILED}:
            return EXIT_FAIL
        if states & {RowState.LEFT, RowState.QUEUED, RowState.WAITING, RowState.CONNECTED}:
            return EXIT_WARN
        return EXIT_OK

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `connect --json`."""
        return {
            "exitCode": self.exit_code,
            "stopped": self.stopped,
            "errors": self.errors,
            "mailboxes": [r.as_dict() for r in self.rows],
        }


class ConnectDisplay(Protocol):
    """Where the run shows itself: the one-line instruction, the URL when no browser opens,
    and the table after every change."""

    def start(self, rows: Sequence[MailboxRow]) -> None:
        """The run starts with these rows."""
        ...

    def say(self, text: str) -> None:
        """Show one line of text (an instruction, or the URL to open)."""
        ...

    def update(self, rows: Sequence[MailboxRow], changed: MailboxRow | None) -> None:
        """Show the rows again; `changed` is the row that just changed, if any."""
        ...

    def stop(self) -> None:
        """The run ended."""
        ...


def instruction(session: TargetSession, row: MailboxRow) -> str:
    """The one line that tells the person whom to be signed in as, in Odoo and at Microsoft."""
    client = session.client
    return (
        f"{row.target}: be signed in to Odoo ({client.url}) as an administrator of database"
        f" {client.database!r}, then sign in to Microsoft as {row.server.mailbox}"
    )


def _open(url: str, options: ConnectOptions) -> bool:
    browser = options.browser or webbrowser.get()
    return bool(browser.open(url, new=2))


class _Stop(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


def _wait(
    session: TargetSession,
    row: MailboxRow,
    deadline: float,
    options: ConnectOptions,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> None:
    while not is_connected(session.client, row.server):
        left = deadline - clock()
        if left <= 0:
            raise _Stop("timeout")
        sleep(min(options.poll, left))


def _connect_one(
    session: TargetSession,
    row: MailboxRow,
    rows: list[MailboxRow],
    display: ConnectDisplay,
    options: ConnectOptions,
    deadline: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> None:
    url = authorize_url(session.client, row.server)
    row.state = RowState.WAITING
    display.update(rows, row)
    display.say(instruction(session, row))
    if not options.open_browser or not _open(url, options):
        display.say(f"open this link in the browser: {url}")
    _wait(session, row, deadline, options, clock, sleep)
    row.state, row.detail = RowState.CONNECTED, "refresh token stored"
    display.update(rows, row)


def _test(session: TargetSession, row: MailboxRow) -> None:
    row.test = run_connection_test(session.client, row.server)
    passed, detail, fix = describe_test(row.test, session.stack)
    row.state = RowState.TESTED if passed else RowState.FAILED
    row.detail, row.fix = detail, fix


def run_connect(
    sessions: Sequence[TargetSession],
    options: ConnectOptions,
    display: ConnectDisplay,
    *,
    errors: Sequence[str] = (),
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> ConnectResult:
    """Connect every server of `sessions` without a token, then test what got connected.

    `errors` are targets that could not be reached (kept in the result, exit 2). Ctrl-C
    (KeyboardInterrupt) and the timeout stop the waiting: what is not connected is "left",
    what is connected is still tested."""
    rows = [
        MailboxRow(s.name, server) for s in sessions for server in s.servers if not server.connected
    ]
    by_target = {s.name: s for s in sessions}
    result = ConnectResult(rows, list(errors))
    deadline = clock() + options.timeout
    display.start(rows)
    try:
        for row in rows:
            if result.stopped:
                break
            session = by_target[row.target]
            try:
                _connect_one(session, row, rows, display, options, deadline, clock, sleep)
            except _Stop as stop:
                result.stopped = stop.reason
            except KeyboardInterrupt:
                result.stopped = "interrupted"
            except OdooOutlookError as exc:
                row.state, row.detail = RowState.ERROR, exc.message
                display.update(rows, row)
        for row in rows:
            if row.state in (RowState.QUEUED, RowState.WAITING):
                row.state = RowState.LEFT
                row.detail = f"not connected ({result.stopped or 'stopped'})"
                display.update(rows, row)
        for row in rows:
            if row.state is RowState.CONNECTED:
                try:
                    _test(by_target[row.target], row)
                except OdooOutlookError as exc:
                    row.state, row.detail = RowState.ERROR, exc.message
                display.update(rows, row)
    finally:
        display.stop()
    return result
