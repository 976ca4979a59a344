"""How a report is shown: a rich table for people, JSON for machines."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table
from rich.text import Text

from odoo_outlook.doctor.model import Report, Status

_STYLE = {Status.OK: "green", Status.WARN: "yellow", Status.FAIL: "red"}


def render_table(report: Report, console: Console) -> None:
    """Print `report` as a table with a summary line (counts and exit code) on `console`."""
    table = Table(title=f"odoo-outlook doctor: app {report.client_id}", title_justify="left")
    for column in ("scope", "check", "status", "detail", "fix"):
        table.add_column(column, overflow="fold")
    for check in report.checks:
        table.add_row(
            check.scope,
            check.name,
            Text(str(check.status), _STYLE[check.status]),
            check.detail,
            check.fix or "",
        )
    console.print(table)
    counts = report.counts()
    console.print(
        f"{counts['ok']} ok, {counts['warn']} warning(s), {counts['fail']}"
        f" failure(s): exit code {report.exit_code}"
    )


def render_json(report: Report, console: Console) -> None:
    """Print `report.as_dict()` as JSON on `console`."""
    console.print_json(json.dumps(report.as_dict()))
