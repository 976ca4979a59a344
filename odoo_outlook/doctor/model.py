"""What the doctor reports: one `Check` per question, each ok, warn or fail with a one-line fix."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from odoo_outlook.status import Status, worst

AZURE = "azure"
# The fix for an Odoo setting the sync manages.
SYNC = "run `pulumi up` or `odoo-outlook sync --outputs FILE`"


__all__ = ["AZURE", "SYNC", "Check", "Report", "Status", "exit_code", "fail", "ok", "warn"]


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
        return {
            "scope": self.scope,
            "name": self.name,
            "status": str(self.status),
            "detail": self.detail,
            "fix": self.fix,
        }


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
    return worst(c.status for c in checks).exit_code


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
        return {
            "clientId": self.client_id,
            "exitCode": self.exit_code,
            "summary": self.counts(),
            "checks": [c.as_dict() for c in self.checks],
        }
