"""Run the benchmarks and print their tables as Markdown."""

from __future__ import annotations

import importlib
import platform
import sys
from datetime import UTC, datetime

BENCHMARKS = ("program_scale", "sync_scale", "fleet_latency", "fleet_https", "cli_startup")


def _table(rows: list[dict[str, object]]) -> str:
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(row[h]) for h in header) + " |" for row in rows]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    print(
        f"# run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()},"
        f" {platform.machine()}\n"
    )
    for name in names:
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"benchmarks.{name}":
                print(f"## {name}: not available yet\n")
                continue
            raise
        print(f"## {name}\n\n{(module.__doc__ or '').strip()}\n")
        print(_table(module.run()) + "\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
