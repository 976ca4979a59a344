"""`odoo-outlook connect` in a real terminal (tmux): the live per-mailbox table while waiting,
the result after the consent, and Ctrl-C stopping cleanly.

The browser is Python's `webbrowser` reading `$BROWSER`: a small script that, like a person
signing in and Microsoft redirecting back, calls the fake Odoo's `/microsoft_outlook/confirm`
with the link's `state` once the test has seen the live table (it creates the script's `.go`
file then), or never, for the Ctrl-C case.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from odoo_outlook.odoo.sync import sync_target
from tests.fakes.odoo_server import FakeOdoo
from tests.odoo_sync_helpers import APP, PASSWORD, spec, stack, write_project
from tests.paths import ROOT

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

BROWSER_SCRIPT = """
import http.client, os, sys, time
from urllib.parse import parse_qs, urlencode, urlsplit
if {consent}:
    deadline = time.monotonic() + 60  # the person signs in once the test saw the table
    while not os.path.exists(sys.argv[0] + ".go") and time.monotonic() < deadline:
        time.sleep(0.05)
    state = parse_qs(urlsplit(sys.argv[1]).query)["state"][0]
    connection = http.client.HTTPConnection("127.0.0.1", {port}, timeout=10)
    connection.request("GET", "/microsoft_outlook/confirm?" + urlencode({{"code": "c",
                                                                          "state": state}}))
    connection.getresponse()
open(sys.argv[0] + ".done", "w").close()
"""


class Terminal:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
        return done.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", "connect")

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} not on screen:\n{screen}")


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    term = Terminal(f"odoo-outlook-test-{uuid.uuid4().hex[:8]}")
    yield term
    term.tmux("kill-server")


def _start(terminal: Terminal, tmp_path: Path, odoo: FakeOdoo, *, consent: bool) -> None:
    raw = stack(odoo.url, mode="perUser", users=("alice@example.com",))
    report = sync_target(spec(raw), APP, PASSWORD)
    assert report.ok
    write_project(tmp_path, raw)
    browser = tmp_path / "browser.py"
    browser.write_text(BROWSER_SCRIPT.format(consent=consent, port=odoo.port))
    command = " ".join(
        [
            "env",
            "-u",
            "COLUMNS",
            "-u",
            "LINES",
            f"ODOO_ERP_PASSWORD={PASSWORD}",
            f"PYTHONPATH={shlex.quote(str(ROOT))}",
            shlex.quote(f"BROWSER={sys.executable} {browser} %s"),
            shlex.quote(sys.executable),
            "-m",
            "odoo_outlook.cli",
            "connect",
            "--stack",
            "dev",
            "--project-dir",
            shlex.quote(str(tmp_path)),
            "--poll",
            "0.2",
            "; echo EXIT=$?; sleep 60",
        ]
    )
    terminal.tmux("new-session", "-d", "-s", "connect", "-x", "180", "-y", "50", command)


def test_live_table_while_waiting_then_tested(terminal: Terminal, tmp_path: Path) -> None:
    with FakeOdoo("17.0") as odoo:
        _start(terminal, tmp_path, odoo, consent=True)
        waiting = terminal.wait_for("waiting for sign-in")
        (tmp_path / "browser.py.go").touch()  # now the person signs in
        # A live table (box drawing) with one row per mailbox, while the person signs in.
        assert "mailbox" in waiting and "│" in waiting
        assert "alice@example.com" in waiting, waiting
        assert "notifications@example.com" in waiting, waiting
        assert "then sign in to Microsoft as" in waiting
        final = terminal.wait_for("EXIT=", timeout=60)
        assert "EXIT=0" in final, final
        assert "tested ok" in final
        assert "left: none" in final


def test_ctrl_c_stops_cleanly(terminal: Terminal, tmp_path: Path) -> None:
    with FakeOdoo("17.0") as odoo:
        _start(terminal, tmp_path, odoo, consent=False)
        terminal.wait_for("waiting for sign-in")
        # The person is now at Microsoft's sign-in page (the browser was started and left).
        marker = tmp_path / "browser.py.done"
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert marker.exists()
        terminal.tmux("send-keys", "-t", "connect", "C-c")
        final = terminal.wait_for("EXIT=", timeout=30)
        assert "EXIT=1" in final, final
        assert "stopped (interrupted)" in final
        assert "done: none" in final
        assert "alice@example.com" in final.split("left:")[1]
        assert "Traceback" not in final
