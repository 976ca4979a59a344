"""Run one function per Odoo target across a fleet: bounded threads, progress, worst-of exit.

`sync` and `doctor` both use it. The work per target is blocking I/O (XML-RPC over HTTP), so
threads are the right tool: each task builds its own Odoo client inside its own thread (an
`xmlrpc.client.ServerProxy` is never shared between threads), and a task's exception never
escapes: it becomes that target's `fail` result, the other targets go on untouched.

    tasks = [FleetTask(spec.name, partial(sync_one, spec)) for spec in specs]
    fleet = run_fleet(tasks, jobs=None, progress=progress_for(stderr))
    fleet.exit_code   # 0 all ok, 1 warnings only, 2 any failure

`jobs` None means `default_jobs(len(tasks))` = min(16, targets): the time of a target is
almost all network round trips (one request in flight per target at a time), so 16 threads
cost little CPU while cutting a 50-target run about ten-fold (BENCHMARKS.md); it also keeps
at most 16 concurrent requests on one Odoo server when many targets share it, which a
multi-worker Odoo serves without queueing much. `--jobs N` (1..256) overrides
it; each target keeps one kept-alive connection, so N jobs hold at most N connections.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from odoo_outlook.errors import OdooOutlookError
from odoo_outlook.masking import clean
from odoo_outlook.status import Status, worst

T = TypeVar("T")

DEFAULT_JOBS = 16
MAX_JOBS = 256
_RUNNING_SHOWN = 3


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a per-target function returns: how it went, in one line, and its own result."""

    status: Status
    summary: str  # "synced (2 changes)", "read (Odoo 17.0)"
    reason: str | None = None  # why warn/fail, one line
    value: T | None = None


@dataclass(frozen=True)
class FleetTask(Generic[T]):
    """One target's work: its name and a function returning its `Outcome` (run in a worker
    thread)."""

    name: str
    run: Callable[[], Outcome[T]]


@dataclass(frozen=True)
class TargetResult(Generic[T]):
    """One target's result: status, one-line summary, the reason of a warn/fail (secrets
    redacted), the task's own value, and the wall time it took (seconds).
    """

    name: str
    status: Status
    summary: str
    error: str | None = None  # the reason of a warn/fail: a one-line message, secrets redacted
    value: T | None = None
    seconds: float = 0.0

    @property
    def line(self) -> str:
        """`synced (2 changes)` or `failed: cannot reach Odoo at ...`."""
        return f"{self.summary}: {self.error}" if self.error else self.summary


@dataclass
class FleetResult(Generic[T]):
    """Every target's result in task order, the worker count used, and the total wall time
    (seconds)."""

    results: list[TargetResult[T]] = field(default_factory=list)  # in task order
    jobs: int = 1
    seconds: float = 0.0

    @property
    def worst(self) -> Status:
        """The worst status of all targets (ok when there are none)."""
        return worst(r.status for r in self.results)

    @property
    def exit_code(self) -> int:
        """The exit code of the worst status: 0 ok, 1 warnings only, 2 any failure."""
        return self.worst.exit_code

    def counts(self) -> dict[Status, int]:
        """How many targets ended with each status."""
        return {s: sum(1 for r in self.results if r.status is s) for s in Status}


def default_jobs(targets: int) -> int:
    """Targets run at once by default: the target count, at least 1, at most DEFAULT_JOBS."""
    return max(1, min(DEFAULT_JOBS, targets))


# ---------------------------------------------------------------------------------------------
# Progress


class FleetProgress(Protocol):
    """Progress events. `started` comes from worker threads; the others from the caller's."""

    def begin(self, names: Sequence[str], jobs: int) -> None:
        """The run starts: the target names in task order and the worker count."""
        ...

    def started(self, name: str) -> None:
        """A worker started target `name` (called from that worker's thread)."""
        ...

    def finished(self, result: TargetResult[Any], done: int, total: int) -> None:
        """A target finished: its result, and `done` of `total` targets finished so far."""
        ...

    def end(self) -> None:
        """The run ended (every target finished or the run was interrupted)."""
        ...


class NoProgress:
    """No progress output (JSON output, quiet runs)."""

    def begin(self, _names: Sequence[str], _jobs: int) -> None:
        """Nothing (no output)."""
        return

    def started(self, _name: str) -> None:
        """Nothing (no output)."""
        return

    def finished(self, _result: TargetResult[Any], _done: int, _total: int) -> None:
        """Nothing (no output)."""
        return

    def end(self) -> None:
        """Nothing (no output)."""
        return


class PlainProgress:
    """One plain line per finished target, for logs and pipes: `[3/20] erp-prod: synced`."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def begin(self, _names: Sequence[str], _jobs: int) -> None:
        """Nothing: plain output is one line per finished target."""
        return

    def started(self, _name: str) -> None:
        """Nothing: plain output is one line per finished target."""
        return

    def finished(self, result: TargetResult[Any], done: int, total: int) -> None:
        """Print `[done/total] name: result`."""
        self.console.print(
            Text(f"[{done}/{total}] {result.name}: {result.line}"),
            soft_wrap=True,
            markup=False,
            highlight=False,
        )

    def end(self) -> None:
        """Nothing to close."""
        return


class LiveProgress:
    """A terminal display: a bar with the targets in flight; each finished target printed
    above it with its result."""

    def __init__(self, console: Console, verb: str = "running") -> None:
        self.verb = verb
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[running]}"),
            console=console,
            transient=True,
        )
        self._task: TaskID | None = None
        self._running: list[str] = []
        self._lock = threading.Lock()

    def _running_text(self) -> str:
        shown = self._running[:_RUNNING_SHOWN]
        more = len(self._running) - len(shown)
        return ", ".join(shown) + (f" +{more}" if more > 0 else "")

    def begin(self, names: Sequence[str], jobs: int) -> None:
        """Start the bar for `names` run `jobs` at a time."""
        self._progress.start()
        self._task = self._progress.add_task(
            f"{self.verb} {len(names)} target(s), {jobs} at a time", total=len(names), running=""
        )

    def started(self, name: str) -> None:
        """Add `name` to the targets in flight (thread-safe)."""
        with self._lock:
            self._running.append(name)
            if self._task is not None:
                self._progress.update(self._task, running=self._running_text())

    def finished(self, result: TargetResult[Any], _done: int, _total: int) -> None:
        """Print the target's result above the bar and advance it (thread-safe)."""
        with self._lock:
            if result.name in self._running:
                self._running.remove(result.name)
            self._progress.console.print(
                Text.assemble(
                    (f"{result.status:>4} ", result.status.style),
                    (result.name, "bold"),
                    f": {result.line}",
                )
            )
            if self._task is not None:
                self._progress.update(self._task, advance=1, running=self._running_text())

    def end(self) -> None:
        """Remove the bar (the printed results stay)."""
        self._progress.stop()


def progress_for(console: Console, verb: str = "running") -> FleetProgress:
    """A live display on a terminal, plain lines otherwise (CI logs, pipes, files)."""
    if console.is_terminal and not console.is_dumb_terminal:
        return LiveProgress(console, verb)
    return PlainProgress(console)


# ---------------------------------------------------------------------------------------------
# The runner


def _unexpected(exc: Exception) -> str:
    return f"unexpected {type(exc).__name__}: {exc} (run again with --debug for the traceback)"


def _guarded(
    task: FleetTask[T], progress: FleetProgress, secrets: Sequence[str], debug: bool
) -> TargetResult[T]:
    started = time.perf_counter()
    try:
        progress.started(task.name)
        outcome = task.run()
    except OdooOutlookError as exc:
        outcome = Outcome(Status.FAIL, "failed", "; ".join(exc.message.splitlines()))
    except Exception as exc:
        if debug:
            raise
        outcome = Outcome(Status.FAIL, "failed", _unexpected(exc))
    error = clean(outcome.reason, secrets) if outcome.reason else None
    return TargetResult(
        task.name,
        outcome.status,
        clean(outcome.summary, secrets),
        error,
        outcome.value,
        time.perf_counter() - started,
    )


def run_fleet(
    tasks: Sequence[FleetTask[T]],
    *,
    jobs: int | None = None,
    progress: FleetProgress | None = None,
    secrets: Sequence[str | None] = (),
    debug: bool = False,
) -> FleetResult[T]:
    """Run every task, at most `jobs` at a time; results come back in task order.

    An `OdooOutlookError` becomes a `fail` with its one-line message; any other exception a
    `fail` "unexpected ..." (re-raised with `debug`). `secrets` are masked in every text.
    Ctrl-C cancels the targets not started yet and re-raises."""
    total = len(tasks)
    workers = default_jobs(total) if jobs is None else max(1, min(jobs, max(total, 1)))
    sink = progress or NoProgress()
    hidden = [s for s in secrets if s]
    slots: list[TargetResult[T] | None] = [None] * total
    began = time.perf_counter()
    sink.begin([t.name for t in tasks], workers)
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fleet")
    try:
        futures: dict[Future[TargetResult[T]], int] = {
            executor.submit(_guarded, task, sink, hidden, debug): index
            for index, task in enumerate(tasks)
        }
        for done, future in enumerate(as_completed(futures), 1):
            result = future.result()
            slots[futures[future]] = result
            sink.finished(result, done, total)
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        sink.end()
    executor.shutdown(wait=True)
    results = [r for r in slots if r is not None]
    return FleetResult(results, workers, time.perf_counter() - began)


# ---------------------------------------------------------------------------------------------
# The summary


def summary_table(
    rows: Sequence[TargetResult[Any]], *, title: str, detail: str = "changes"
) -> Table:
    """target | result | <detail> | reason, one row per target."""
    table = Table(title=title, title_justify="left")
    for column in ("target", "result", detail, "reason"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row.name, Text(str(row.status), row.status.style), row.summary, row.error or ""
        )
    return table


def summary_footer(fleet: FleetResult[Any]) -> str:
    """The last line of a fleet run: counts per status, wall time (seconds), jobs and exit code."""
    counts = fleet.counts()
    return (
        f"{len(fleet.results)} target(s): {counts[Status.OK]} ok, {counts[Status.WARN]}"
        f" warning(s), {counts[Status.FAIL]} failed in {fleet.seconds:.1f} s with"
        f" {fleet.jobs} job(s): exit code {fleet.exit_code}"
    )
