"""Wall time of `odoo-outlook --help` (and of each command's `--help`) as a user starts it: a
fresh Python process each run, 15 runs, the median and the fastest. The heavy libraries
(Microsoft Graph, azure-identity, Pulumi, the pydantic model) must load only inside the
commands that use them. `CLI_STARTUP_SOURCE=/path/to/a/checkout` measures another tree's code
with the same interpreter (how the "before" row was taken)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

RUNS = 15
ARGS = (["--help"], ["plan", "--help"], ["sync", "--help"], ["doctor", "--help"])


def _time(argv: list[str], source: Path) -> list[float]:
    code = f"import sys; from odoo_outlook.cli import main; sys.exit(main({argv!r}))"
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=source, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return times


def run() -> list[dict[str, Any]]:
    source = Path(os.environ.get("CLI_STARTUP_SOURCE") or Path(__file__).resolve().parent.parent)
    rows = []
    for argv in ARGS:
        times = _time(argv, source)
        rows.append(
            {
                "command": "odoo-outlook " + " ".join(argv),
                "runs": RUNS,
                "median_s": f"{statistics.median(times):.3f}",
                "min_s": f"{min(times):.3f}",
            }
        )
    return rows
