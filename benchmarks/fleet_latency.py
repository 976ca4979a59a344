"""`odoo-outlook sync` (the CLI, output discarded) of 50 targets, each its own database on one
Odoo-like server that answers every call after 50 ms of injected latency (a real Odoo serves
requests in parallel workers; the fake's threads sleep outside any lock). A first sync of
every target: wall time per `--jobs`, and the speed-up over `--jobs 1`."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from odoo_outlook.cli import main
from odoo_outlook.fleet import default_jobs
from tests.fakes.odoo_server import FakeOdoo
from tests.fleet_helpers import PASSWORD, add_databases, fleet_stack
from tests.odoo_sync_helpers import write_project

TARGETS = 50
LATENCY = 0.05
JOBS = (1, 4, 8, None, 32)  # None: the default, min(16, targets)


def measure(jobs: int | None) -> tuple[float, int]:
    names = [f"acme-{i:02d}" for i in range(1, TARGETS + 1)]
    with FakeOdoo("17.0", db=None, latency=LATENCY) as odoo, tempfile.TemporaryDirectory() as tmp:
        add_databases(odoo, names)
        project = Path(tmp)
        write_project(project, fleet_stack(dict.fromkeys(names, odoo.url)))
        argv = [
            "sync",
            "--stack",
            "dev",
            "--project-dir",
            str(project),
            "--outputs",
            str(project / "outputs.json"),
        ]
        if jobs is not None:
            argv += ["--jobs", str(jobs)]
        os.environ["ODOO_FLEET_PASSWORD"] = PASSWORD
        sink = io.StringIO()
        started = time.perf_counter()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            code = main(argv)
        seconds = time.perf_counter() - started
        assert code == 0, sink.getvalue()[-2000:]
        return seconds, odoo.count()


def run() -> list[dict[str, Any]]:
    rows = []
    base: float | None = None
    for jobs in JOBS:
        seconds, calls = measure(jobs)
        base = base or seconds
        label = f"{default_jobs(TARGETS)} (default)" if jobs is None else str(jobs)
        rows.append(
            {
                "targets": TARGETS,
                "latency_ms": int(LATENCY * 1000),
                "--jobs": label,
                "calls": calls,
                "wall_s": round(seconds, 2),
                "speed-up vs --jobs 1": f"{base / seconds:.1f}x",
            }
        )
    return rows
