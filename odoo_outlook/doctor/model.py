"""What the doctor reports: one `Check` per question, each ok, warn or fail with a one-line fix."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from odoo_outlook.errors import EXIT_FAIL, EXIT_OK, EXIT_WARN

AZURE = "azure"
# The fix for an Odoo setting the sync manages.
SYNC = "run `pulumi up` or `odoo-outlook sync --outputs FILE`"


class Status(StrEnum):
    """A check's verdict; the worst one decides the exit code (`exit_code`)."""
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Check:
    """One answer. `scope` is "azure" or an Odoo target's name; `fix` is set for warn/fail."""

    name: str
    status: Status
    detail: str
    fix: str | None = None
    scope: str = AZURE

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `doctor --json` `checks` entries."""
        return {"scope": self.scope, "name": self.name, "status": str(self.status),
                "detail": self.detail, "fix": self.fix}


def ok(name: str, detail: str, scope: str = AZURE) -> Check:
    """A passed check."""
    return Check(name, Status.OK, detail, None, scope)


def warn(name: str, detail: str, fix: str, scope: str = AZURE) -> Check:
    """A warning with its `fix` (exit code 1 when no check failed)."""
    return Check(name, Status.WARN, detail, fix, scope)


def fail(name: str, detail: str, fix: str, scope: str = AZURE) -> Check:
    """A failed check with its `fix` (exit code 2)."""
    return Check(name, Status.FAIL, detail, fix, scope)


def exit_code(checks: Iterable[Check]) -> int:
    """0 all ok, 1 warnings only, 2 any failure."""
    statuses = {c.status for c in checks}
    if Status.FAIL in statuses:
        return EXIT_FAIL
    if Status.WARN in statuses:
        return EXIT_WARN
    return EXIT_OK


@dataclass
class Report:
    """Every check of one doctor run for app `client_id`, in the order they ran."""
    client_id: str
    checks: list[Check] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 all ok, 1 warnings only, 2 any failure."""
        return exit_code(self.checks)

    def counts(self) -> dict[str, int]:
        """How many checks have each status: `{'ok': n, 'warn': n, 'fail': n}`."""
        return {str(s): sum(1 for c in self.checks if c.status is s) for s in Status}

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `doctor --json` (camelCase keys)."""
        return {"clientId": self.client_id, "exitCode": self.exit_code,
                "summary": self.counts(), "checks": [c.as_dict() for c in self.checks]}
