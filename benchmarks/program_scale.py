"""The Pulumi program under mocks with 10, 100 and 1,000 assigned principals: build wall time."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from tests.paths import example_config
from tests.pulumi_harness import ASSIGNMENT, run_program

SIZES = (10, 100, 1000)
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def config_with(principals: int) -> dict[str, Any]:
    config = example_config()
    users = principals * 3 // 4
    config["odoo-outlook:assignments"] = {
        "users": [f"user{i}@example.com" for i in range(users)],
        "groups": [f"Odoo Group {i}" for i in range(principals - users)],
    }
    return config


def measure(principals: int, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        run = run_program(config_with(principals), NOW)
        best = min(best, time.perf_counter() - started)
        assert len(run.of_type(ASSIGNMENT)) == principals
    return best


def run() -> list[dict[str, Any]]:
    rows = []
    base: float | None = None
    for size in SIZES:
        seconds = measure(size)
        base = base or seconds / size
        rows.append(
            {
                "principals": size,
                "wall_s": round(seconds, 3),
                "per_principal_ms": round(seconds / size * 1000, 2),
                "vs_linear_from_10": round(seconds / (base * size), 2),
            }
        )
    return rows
