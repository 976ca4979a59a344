"""`sync` across a fleet: 20 targets on two fake Odoo servers, 3 failing in different ways.

The 17 others end fully synced (their state checked in each database, and a second sync
writes nothing), the 3 are reported with their reason, the exit code is the worst (2);
progress is one plain line per target when the output is not a terminal. Concurrency is
shown by the fake's recorded call times overlapping, bounded by --jobs (no timed assertion).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from tests.fakes.odoo_server import Call, FakeOdoo, ValidationError
from tests.fleet_helpers import (
    ANSI,
    BAD_LOGIN,
    CONSTRAINT,
    CONSTRAINT_TEXT,
    FAILING,
    LINE,
    NAMES,
    PASSWORD,
    UNREACHABLE,
    WRONG,
    _closed_port,
    add_databases,
    assert_synced,
    fleet_stack,
    run_cli,
)
from tests.odoo_sync_helpers import CLIENT_SECRET, write_project


@pytest.fixture
def fleet(
    fake_odoo: Callable[..., FakeOdoo], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, FakeOdoo]:
    """acme-01..10 on a 17.0 server, acme-11..20 on a 15.0 server; acme-05 points at a closed
    port, acme-12's password variable holds a wrong password, acme-17's Odoo rejects the
    mail server with a ValidationError."""
    new, old = fake_odoo("17.0", db=None), fake_odoo("15.0", db=None)
    where = {name: (new if index < 10 else old) for index, name in enumerate(NAMES)}
    for server in (new, old):
        add_databases(server, [n for n in NAMES if where[n] is server and n != UNREACHABLE])
    urls = {name: where[name].url for name in NAMES}
    urls[UNREACHABLE] = f"http://127.0.0.1:{_closed_port()}"
    old.inject_failure(
        ValidationError(CONSTRAINT_TEXT), db=CONSTRAINT, model="ir.mail_server", method="load"
    )
    monkeypatch.setenv("ODOO_FLEET_PASSWORD", PASSWORD)
    monkeypatch.setenv("ODOO_WRONG_PASSWORD", WRONG)
    write_project(tmp_path, fleet_stack(urls, {BAD_LOGIN: "ODOO_WRONG_PASSWORD"}))
    return where


def test_twenty_targets_three_failing(
    fleet: dict[str, FakeOdoo], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(tmp_path, capsys, "--jobs", "6")
    assert code == 2
    # Progress: plain text, one line per target, counted 1..20 in completion order.
    assert not ANSI.search(out + err)
    progress = [m for m in (LINE.match(line) for line in err.splitlines()) if m]
    assert [int(m[1]) for m in progress] == list(range(1, 21))
    assert {m[2] for m in progress} == {"20"}
    lines = {m[3]: m[4] for m in progress}
    assert sorted(lines) == NAMES
    for name in NAMES:
        if name not in FAILING:
            assert lines[name].startswith("synced (") and "change" in lines[name], lines[name]
    assert lines[UNREACHABLE].startswith("failed: cannot reach Odoo at http://127.0.0.1:")
    assert "connection refused" in lines[UNREACHABLE]
    assert (
        lines[BAD_LOGIN].startswith("failed: Odoo at ")
        and "rejected login 'admin'" in (lines[BAD_LOGIN])
    )
    assert "refused to load on ir.mail_server" in lines[CONSTRAINT]
    assert CONSTRAINT_TEXT in lines[CONSTRAINT]
    # The 17 others are fully synced, whatever happened next to them.
    for name in NAMES:
        if name not in FAILING:
            assert_synced(fleet[name], name)
    assert fleet[CONSTRAINT].db(CONSTRAINT).records("ir.mail_server") == []
    assert [c for c in fleet[BAD_LOGIN].write_calls() if c.db == BAD_LOGIN] == []
    # The summary table names every target; the footer counts them.
    for name in NAMES:
        assert name in out
    assert "17 ok, 0 warning(s), 3 failed" in out and "with 6 job(s): exit code 2" in out
    # Each failure is also one error line of its own, and no secret shows anywhere.
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert sorted(line.split(":")[1].strip() for line in errors) == sorted(FAILING)
    for secret in (PASSWORD, WRONG, CLIENT_SECRET):
        assert secret not in out + err

    # A second run: the 17 have nothing left to do (no write call), the 3 still fail.
    for server in {id(s): s for s in fleet.values()}.values():
        server.reset_calls()
    code, out, err = run_cli(tmp_path, capsys, "--json")
    assert code == 2
    reports = {r["target"]: r for r in json.loads(out)}
    assert sorted(reports) == NAMES
    for name in NAMES:
        if name in FAILING:
            assert reports[name]["ok"] is False and reports[name]["error"]
        else:
            assert reports[name]["changes"] == [] and reports[name]["writes"] == 0, name
    writes = [c.db for s in {id(s): s for s in fleet.values()}.values() for c in s.write_calls()]
    assert set(writes) <= {CONSTRAINT}


def test_target_option_selects_and_exit_code_follows(
    fleet: dict[str, FakeOdoo], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(tmp_path, capsys, "-t", "acme-01", "-t", "acme-11")
    assert code == 0
    assert sorted(m[3] for m in map(LINE.match, err.splitlines()) if m) == ["acme-01", "acme-11"]
    assert "2 target(s): 2 ok" in out
    servers = {id(s): s for s in fleet.values()}.values()
    assert {c.db for s in servers for c in s.calls if c.db} == {"acme-01", "acme-11"}
    assert_synced(fleet["acme-01"], "acme-01")
    assert_synced(fleet["acme-11"], "acme-11")
    assert fleet["acme-13"].db("acme-13").records("ir.mail_server") == []
    code, _, err = run_cli(tmp_path, capsys, "-t", "acme-01", "-t", UNREACHABLE)
    assert code == 2 and "connection refused" in err


def max_in_flight(calls: Iterable[Call], latency: float) -> int:
    """Most calls the fake was serving at once: each recorded call is in flight at least from
    its arrival (`at`) until `latency` later, when the fake stops sleeping."""
    events = sorted(
        [(c.at, 1) for c in calls] + [(c.at + latency, -1) for c in calls],
        key=lambda e: (e[0], e[1]),
    )
    most = current = 0
    for _, step in events:
        current += step
        most = max(most, current)
    return most


@pytest.mark.parametrize("jobs", [1, 4])
def test_targets_run_concurrently_up_to_jobs(
    fake_odoo: Callable[..., FakeOdoo],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    jobs: int,
) -> None:
    latency = 0.01
    server = fake_odoo("17.0", db=None, latency=latency)
    names = NAMES[:8]
    add_databases(server, names)
    monkeypatch.setenv("ODOO_FLEET_PASSWORD", PASSWORD)
    write_project(tmp_path, fleet_stack(dict.fromkeys(names, server.url)))
    code, _, err = run_cli(tmp_path, capsys, "--jobs", str(jobs))
    assert code == 0, err
    calls = server.calls
    assert {c.db for c in calls if c.db} == set(names)
    # Each target makes one call at a time, so at most `jobs` calls overlap; with several
    # jobs, calls of different targets do overlap.
    most = max_in_flight(calls, latency)
    assert most <= jobs
    if jobs > 1:
        assert most >= 2
    else:
        assert most == 1
