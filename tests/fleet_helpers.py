"""The fleet tests' shared pieces: a stack of many targets, databases on a fake Odoo server,
the CLI run in-process, and a progress sink that records the fleet's events."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from odoo_outlook.cli import main
from odoo_outlook.desired import ODOO_XMLID_MODULE
from odoo_outlook.fleet import TargetResult
from tests.fakes.odoo_server import FakeOdoo
from tests.odoo_sync_helpers import CLIENT_ID, CLIENT_SECRET, cli_args

PASSWORD = "Fleet-Pa55word-7q"
WRONG = "not-the-password-3x"
NAMES = [f"acme-{i:02d}" for i in range(1, 21)]
UNREACHABLE, BAD_LOGIN, CONSTRAINT = "acme-05", "acme-12", "acme-17"
FAILING = {UNREACHABLE, BAD_LOGIN, CONSTRAINT}
CONSTRAINT_TEXT = "SMTP server acme-17 is locked by the hosting provider"
ANSI = re.compile(r"\x1b\[")
LINE = re.compile(r"^\[(\d+)/(\d+)\] (acme-\d\d): (.*)$")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _base_url(name: str) -> str:
    return f"http://localhost:{9000 + int(name[-2:])}"


def _mailbox(name: str) -> str:
    return f"notifications@{name}.example.com"


def fleet_stack(
    urls: dict[str, str], password_envs: dict[str, str] | None = None
) -> dict[str, Any]:
    """One target per name, each its own database (named like the target) at `urls[name]`."""
    envs = password_envs or {}
    return {
        "targets": [
            {
                "name": name,
                "baseUrls": [_base_url(name)],
                "connection": {
                    "url": url,
                    "database": name,
                    "login": "admin",
                    "passwordEnv": envs.get(name, "ODOO_FLEET_PASSWORD"),
                },
                "mail": {"mode": "generic", "notifications": _mailbox(name)},
            }
            for name, url in urls.items()
        ]
    }


def add_databases(server: FakeOdoo, names: Iterable[str]) -> None:
    for name in names:
        server.add_database(name, admin_password=PASSWORD, base_url=_base_url(name))


def run_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(cli_args(tmp_path, *extra))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_synced(server: FakeOdoo, name: str) -> None:
    db = server.db(name)
    assert db.get_param("microsoft_outlook_client_id") == CLIENT_ID, name
    assert db.get_param("microsoft_outlook_client_secret") == CLIENT_SECRET, name
    assert db.module_state("microsoft_outlook") == "installed", name
    servers = [s for s in db.records("ir.mail_server") if s["active"]]
    assert [s["smtp_user"] for s in servers] == [_mailbox(name)], name
    xmlids = db.records("ir.model.data", [("module", "=", ODOO_XMLID_MODULE)])
    assert any(
        x["model"] == "ir.mail_server" and x["res_id"] == servers[0]["id"] for x in xmlids
    ), name


class Sink:
    """A FleetProgress that records its events."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.started_names: list[str] = []
        self.finished_events: list[tuple[str, int, int]] = []
        self.events: list[str] = []

    def begin(self, names: Any, jobs: int) -> None:
        self.events.append(f"begin {len(names)} {jobs}")

    def started(self, name: str) -> None:
        with self.lock:
            self.started_names.append(name)

    def finished(self, result: TargetResult[Any], done: int, total: int) -> None:
        self.finished_events.append((result.name, done, total))

    def end(self) -> None:
        self.events.append("end")
