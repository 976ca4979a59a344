"""`odoo_outlook.fleet.run_fleet` on its own: isolation, order, bound, worst-of, progress."""

from __future__ import annotations

import threading

import pytest
from rich.console import Console

from odoo_outlook.errors import OdooOutlookError
from odoo_outlook.fleet import (
    DEFAULT_JOBS,
    FleetTask,
    Outcome,
    PlainProgress,
    default_jobs,
    progress_for,
    run_fleet,
)
from odoo_outlook.status import Status
from tests.fleet_helpers import Sink

SECRET = "s3cret-value-never-shown"


def _ok(value: int) -> Outcome[int]:
    return Outcome(Status.OK, f"did {value}", value=value)


def _boom() -> Outcome[int]:
    raise RuntimeError(f"kaput with {SECRET}")


def _expected() -> Outcome[int]:
    raise OdooOutlookError("Odoo at x refused\nsecond line")


def _warn() -> Outcome[int]:
    return Outcome(Status.WARN, "read", "token not connected")


def test_one_failure_never_affects_the_others_and_order_is_kept() -> None:
    tasks = [
        FleetTask("a", lambda: _ok(1)),
        FleetTask("b", _boom),
        FleetTask("c", _expected),
        FleetTask("d", lambda: _ok(4)),
        FleetTask("e", _warn),
    ]
    sink = Sink()
    fleet = run_fleet(tasks, jobs=2, progress=sink, secrets=[SECRET, None])
    assert [r.name for r in fleet.results] == ["a", "b", "c", "d", "e"]
    by = {r.name: r for r in fleet.results}
    assert by["a"].value == 1 and by["d"].value == 4 and by["a"].status is Status.OK
    assert by["b"].status is Status.FAIL and by["b"].error is not None
    assert by["b"].error.startswith("unexpected RuntimeError: kaput with ********")
    assert SECRET not in by["b"].line
    assert by["c"].error == "Odoo at x refused; second line" and by["c"].line.startswith("failed: ")
    assert by["e"].status is Status.WARN
    assert fleet.exit_code == 2 and fleet.worst is Status.FAIL and fleet.jobs == 2
    assert sorted(sink.started_names) == ["a", "b", "c", "d", "e"]
    assert [done for _, done, _ in sink.finished_events] == [1, 2, 3, 4, 5]
    assert {total for _, _, total in sink.finished_events} == {5}
    assert sink.events == ["begin 5 2", "end"]


@pytest.mark.parametrize(
    ("statuses", "code"),
    [
        ((Status.OK, Status.OK), 0),
        ((Status.OK, Status.WARN), 1),
        ((Status.WARN, Status.FAIL, Status.OK), 2),
        ((), 0),
    ],
)
def test_exit_code_is_the_worst(statuses: tuple[Status, ...], code: int) -> None:
    tasks = [FleetTask(f"t{i}", lambda s=s: Outcome(s, str(s))) for i, s in enumerate(statuses)]
    assert run_fleet(tasks).exit_code == code


def test_debug_lets_an_unexpected_exception_through() -> None:
    with pytest.raises(RuntimeError):
        run_fleet([FleetTask("b", _boom)], debug=True)


def test_jobs_run_together_and_never_more() -> None:
    jobs = 4
    barrier = threading.Barrier(jobs, timeout=10)
    lock = threading.Lock()
    running = {"now": 0, "most": 0}

    def task() -> Outcome[None]:
        with lock:
            running["now"] += 1
            running["most"] = max(running["most"], running["now"])
        barrier.wait()  # only returns once `jobs` tasks are in flight together
        with lock:
            running["now"] -= 1
        return Outcome(Status.OK, "ok")

    fleet = run_fleet([FleetTask(f"t{i}", task) for i in range(3 * jobs)], jobs=jobs)
    assert fleet.exit_code == 0, [r.line for r in fleet.results]
    assert running["most"] == jobs


def test_default_jobs() -> None:
    assert default_jobs(0) == 1 and default_jobs(3) == 3
    assert default_jobs(50) == DEFAULT_JOBS == 16


def test_plain_progress_lines_without_escapes() -> None:
    console = Console(force_terminal=False, width=200, record=True)
    assert isinstance(progress_for(console), PlainProgress)
    tasks = [FleetTask("erp-prod", lambda: _ok(2)), FleetTask("erp-test", _expected)]
    run_fleet(tasks, jobs=1, progress=progress_for(console))
    text = console.export_text(styles=True)
    assert "\x1b" not in text
    assert text.splitlines() == [
        "[1/2] erp-prod: did 2",
        "[2/2] erp-test: failed: Odoo at x refused; second line",
    ]
