"""`odoo-outlook sync` output for fleets (issue 16): one line per target written as each
target finishes, full reports on request (`--details`) or for a single target, `--json` as
plain `json.dumps`, and the stack file read with libyaml's safe loader when present."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from odoo_outlook import strict_files
from tests.fakes.odoo_server import FakeOdoo
from tests.fleet_helpers import PASSWORD, add_databases, fleet_stack, run_cli
from tests.odoo_sync_helpers import write_project

SLOW, FAST = "acme-01", "acme-02"


@pytest.fixture
def two_targets(
    fake_odoo: Callable[..., FakeOdoo], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """acme-01 on a server answering after 40 ms, acme-02 on one without latency."""
    slow, fast = fake_odoo("17.0", db=None, latency=0.04), fake_odoo("17.0", db=None)
    add_databases(slow, [SLOW])
    add_databases(fast, [FAST])
    monkeypatch.setenv("ODOO_FLEET_PASSWORD", PASSWORD)
    write_project(tmp_path, fleet_stack({SLOW: slow.url, FAST: fast.url}))


@pytest.mark.usefixtures("two_targets")
def test_one_line_per_target_in_the_order_they_finish(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(tmp_path, capsys, "--jobs", "2")
    assert code == 0
    lines = out.splitlines()
    results = [line for line in lines if line.startswith("  ok ")]
    # acme-02 finished first: written then, not in the stack's order after the last target.
    assert [line.split()[1].rstrip(":") for line in results] == [FAST, SLOW]
    assert all("synced (" in line for line in results)
    assert "write call(s)" not in out  # no full report without --details
    assert lines[-1].startswith("2 target(s): 2 ok")


@pytest.mark.usefixtures("two_targets")
def test_details_prints_each_full_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(tmp_path, capsys, "--details")
    assert code == 0
    assert out.count("write call(s)") == 2
    assert out.index(FAST) < out.index(SLOW)


@pytest.mark.usefixtures("two_targets")
def test_json_is_plain_json_dumps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(tmp_path, capsys, "--json")
    assert code == 0
    reports = json.loads(out)
    assert out == json.dumps(reports) + "\n"  # one line: no pretty printer
    assert sorted(r["target"] for r in reports) == [SLOW, FAST]
    assert [r["target"] for r in reports] == [SLOW, FAST]  # the stack's order


def test_stack_file_uses_the_c_loader_when_built() -> None:
    expected = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
    assert strict_files._BASE_LOADER is expected
    assert issubclass(strict_files._StrictLoader, expected)


def test_many_jobs_one_connection_per_target(
    fake_odoo: Callable[..., FakeOdoo],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`--jobs` up to 256; each target's whole sync uses one connection to its server."""
    server = fake_odoo("17.0", db=None)
    names = [f"acme-{i:02d}" for i in range(1, 41)]
    add_databases(server, names)
    monkeypatch.setenv("ODOO_FLEET_PASSWORD", PASSWORD)
    write_project(tmp_path, fleet_stack(dict.fromkeys(names, server.url)))
    code, out, _ = run_cli(tmp_path, capsys, "--jobs", "256")
    assert code == 0, out
    assert "40 target(s): 40 ok" in out and "with 40 job(s)" in out
    assert server.connections == 40
    # Every target's whole first sync (14 calls on 17.0), each over its one connection.
    assert len(server.calls) >= 40 * 9
    code, _, err = run_cli(tmp_path, capsys, "--jobs", "257")
    assert code == 2 and "--jobs" in err and "1<=x<=256" in err, err
