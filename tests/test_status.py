"""One verdict type and one worst-of rule for checks, targets and commands."""

from __future__ import annotations

import pytest

from odoo_outlook.doctor.model import Check, exit_code
from odoo_outlook.fleet import FleetResult, TargetResult
from odoo_outlook.status import Status, worst


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], Status.OK),
        ([Status.OK, Status.OK], Status.OK),
        ([Status.OK, Status.WARN], Status.WARN),
        ([Status.WARN, Status.FAIL, Status.OK], Status.FAIL),
    ],
)
def test_worst_and_its_exit_code_for_checks_and_targets(
    statuses: list[Status], expected: Status
) -> None:
    assert worst(statuses) is expected
    checks = [
        Check(f"c{i}", s, "detail", None if s is Status.OK else "fix")
        for i, s in enumerate(statuses)
    ]
    fleet = FleetResult([TargetResult(f"t{i}", s, "summary") for i, s in enumerate(statuses)])
    assert exit_code(checks) == fleet.exit_code == expected.exit_code
    assert fleet.worst is expected


def test_exit_codes_and_order() -> None:
    assert [s.exit_code for s in (Status.OK, Status.WARN, Status.FAIL)] == [0, 1, 2]
