"""`doctor` across a fleet: one unreachable target and one with a wrong password never stop
the others' checks; the exit code is the worst; progress is plain lines off a terminal."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from odoo_outlook.cli import main
from odoo_outlook.config import parse_config
from odoo_outlook.doctor import DoctorOptions, run_doctor
from odoo_outlook.graph import GraphSettings
from odoo_outlook.status import Status
from tests.doctor.doctor_env import CLI_TOKEN
from tests.fakes.graph_server import FakeGraph, StaticTokenCredential
from tests.fakes.odoo_server import FakeOdoo
from tests.fleet_helpers import (
    ANSI,
    LINE,
    PASSWORD,
    WRONG,
    Sink,
    _base_url,
    _closed_port,
    add_databases,
    fleet_stack,
)
from tests.odoo_sync_helpers import CLIENT_ID, CLIENT_SECRET, cli_args, write_project

NAMES = [f"acme-{i:02d}" for i in range(1, 7)]
DOWN, BAD = "acme-02", "acme-05"


@pytest.fixture
def stack(
    fake_odoo: Callable[..., FakeOdoo],
    fake_graph: FakeGraph,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> dict[str, Any]:
    """Six targets on one 17.0 server, synced; acme-02 unreachable, acme-05's password wrong;
    the app registration seeded in the fake Graph with every target's redirect URI."""
    odoo = fake_odoo("17.0", db=None)
    add_databases(odoo, [n for n in NAMES if n != DOWN])
    urls = dict.fromkeys(NAMES, odoo.url)
    urls[DOWN] = f"http://127.0.0.1:{_closed_port()}"
    raw = fleet_stack(urls, {BAD: "ODOO_WRONG_PASSWORD"})
    monkeypatch.setenv("ODOO_FLEET_PASSWORD", PASSWORD)
    monkeypatch.setenv("ODOO_WRONG_PASSWORD", WRONG)
    write_project(tmp_path, raw)
    code = main(cli_args(tmp_path))
    assert code == 2  # the two broken targets
    capsys.readouterr()
    fake_graph.seed_healthy(
        client_id=CLIENT_ID,
        sign_in_audience="AzureADandPersonalMicrosoftAccount",
        redirect_uris=[f"{_base_url(n)}/microsoft_outlook/confirm" for n in NAMES],
        secret_hints=(CLIENT_SECRET[:3],),
    )
    return raw


def _by_scope(checks: list[Any]) -> dict[str, dict[str, Any]]:
    scopes: dict[str, dict[str, Any]] = {}
    for check in checks:
        scopes.setdefault(check.scope, {})[check.name] = check
    return scopes


def test_failing_targets_do_not_stop_the_others(
    stack: dict[str, Any], fake_graph: FakeGraph
) -> None:
    sink = Sink()
    passwords = {**dict.fromkeys(NAMES, PASSWORD), BAD: WRONG}
    report = run_doctor(
        parse_config(stack),
        DoctorOptions(client_id=CLIENT_ID, jobs=3, graph=GraphSettings(base_url=fake_graph.url)),
        credential=StaticTokenCredential(),
        passwords=passwords,
        progress=sink,
    )
    scopes = _by_scope(report.checks)
    for name in NAMES:
        if name in (DOWN, BAD):
            assert list(scopes[name]) == ["odoo connection"]
            assert scopes[name]["odoo connection"].status == "fail"
        else:
            assert scopes[name]["odoo connection"].status == "ok", name
            assert scopes[name]["client id"].status == "ok", name
            assert (
                scopes[name][f"outgoing server notifications@{name}.example.com"].status == "ok"
            ), name
    assert "connection refused" in scopes[DOWN]["odoo connection"].detail
    assert "rejected login" in scopes[BAD]["odoo connection"].detail
    assert report.exit_code == 2
    assert sorted(n for n, _, _ in sink.finished_events) == NAMES
    assert [d for _, d, _ in sink.finished_events] == list(range(1, 7))
    assert sink.events == ["begin 6 3", "end"]
    for check in report.checks:
        assert WRONG not in check.detail and PASSWORD not in check.detail


@pytest.fixture
def graph_url_env(monkeypatch: pytest.MonkeyPatch, fake_graph: FakeGraph) -> None:
    """The CLI's Graph URL points at the fake (the stub `az` is conftest's `azure_cli`)."""
    monkeypatch.setenv("ODOO_OUTLOOK_GRAPH_URL", fake_graph.url)


@pytest.mark.usefixtures("stack", "azure_cli", "graph_url_env")
def test_cli_plain_progress_summary_and_worst_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "doctor",
            "--project-dir",
            str(tmp_path),
            "--outputs",
            str(tmp_path / "outputs.json"),
            "--jobs",
            "2",
        ]
    )
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert not ANSI.search(captured.out + captured.err)
    progress = {m[3]: m[4] for m in map(LINE.match, captured.err.splitlines()) if m}
    assert sorted(progress) == NAMES
    for name in NAMES:
        if name not in (DOWN, BAD):
            assert progress[name] == "read (Odoo 17.0)"
    assert progress[DOWN].startswith("failed: cannot reach Odoo")
    assert progress[BAD].startswith("failed: Odoo at ") and "rejected login" in progress[BAD]
    assert "odoo-outlook doctor: 6 targets" in captured.out
    summary = captured.out.split("odoo-outlook doctor: 6 targets", 1)[1]
    rows = [line for line in summary.splitlines() if re.match(r"^│ (azure|acme-\d\d) ", line)]
    assert [r.split("│")[1].strip() for r in rows] == ["azure", *NAMES]
    for row in rows:
        if f" {DOWN} " in row or f" {BAD} " in row:
            assert "│ fail " in row and "odoo connection:" in row
    for secret in (PASSWORD, WRONG, CLIENT_SECRET, CLI_TOKEN):
        assert secret not in captured.out + captured.err
    # JSON for machines: same exit code, every target's checks present, no progress on stdout.
    code = main(
        [
            "doctor",
            "--project-dir",
            str(tmp_path),
            "--outputs",
            str(tmp_path / "outputs.json"),
            "--json",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == data["exitCode"] == 2
    assert {c["scope"] for c in data["checks"]} == {"azure", *NAMES}
    assert max(Status(c["status"]).exit_code for c in data["checks"]) == 2
