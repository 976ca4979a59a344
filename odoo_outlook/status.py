"""The one verdict type: a check's, a target's, a command's. The worst one decides the exit code.

`ok` < `warn` < `fail`; exit codes 0, 1, 2 (`odoo_outlook.errors`). The doctor's checks, the
fleet's per-target results and the knowledge base's severities all use it, and `worst` is the
one rule that combines them.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from odoo_outlook.errors import EXIT_FAIL, EXIT_OK, EXIT_WARN


class Status(StrEnum):
    """ok, warn or fail; `exit_code` 0, 1 or 2, `style` the colour it is shown in."""

    OK = "ok"
    WARN = "warn"
    FAIL = "fail"

    @property
    def exit_code(self) -> int:
        """0 for ok, 1 for warn, 2 for fail."""
        return {Status.OK: EXIT_OK, Status.WARN: EXIT_WARN, Status.FAIL: EXIT_FAIL}[self]

    @property
    def style(self) -> str:
        """The rich colour the status is shown in."""
        return {Status.OK: "green", Status.WARN: "yellow", Status.FAIL: "red"}[self]


def worst(statuses: Iterable[Status]) -> Status:
    """The worst of `statuses`: fail over warn over ok; ok when there are none."""
    seen = set(statuses)
    return next((s for s in (Status.FAIL, Status.WARN) if s in seen), Status.OK)
