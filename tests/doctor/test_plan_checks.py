"""The doctor's Odoo state checks are the sync's change set read as checks (issue 12, item 1).

For each kind of drift, on the fake Odoo of each shape: the sync's dry run plans a change or
reports a conflict, the doctor fails the matching check (a conflict with the conflict's own
fix), and once the sync has run, every state check of the doctor passes again. A rule living
in the doctor alone would break one of these directions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from odoo_outlook.config import SignInAudience
from odoo_outlook.desired import AppRegistrationSpec, OdooTargetSpec
from odoo_outlook.doctor.model import SYNC, Check, Status
from odoo_outlook.doctor.odoo_checks import AppView, odoo_checks
from odoo_outlook.doctor.odoo_reads import read_target
from odoo_outlook.odoo.sync import SyncOptions, SyncReport, sync_target
from tests.fakes.odoo_server import FakeOdoo
from tests.odoo_sync_helpers import APP, CLIENT_ID, CLIENT_SECRET, PASSWORD, spec, stack

NOW = datetime(2026, 3, 1, tzinfo=UTC)
NOTIFICATIONS = "notifications@example.com"
STATE_CHECKS = ("client id", "authority", "catch-all domain", "outgoing server", "incoming server")


def _doctor(target: OdooTargetSpec) -> list[Check]:
    facts = read_target(target, PASSWORD, NOW)
    app = AppRegistrationSpec(
        "Odoo", SignInAudience.MULTIPLE_ORGS, (), None, (), True, False, (), (), (), None
    )
    view = AppView(CLIENT_ID, app, None, None, CLIENT_SECRET)
    return odoo_checks(target, facts, view, now=NOW, warn_days=30)


def _state_checks(checks: list[Check]) -> list[Check]:
    return [c for c in checks if c.name.startswith(STATE_CHECKS)]


def _server_id(odoo: FakeOdoo, login: str = NOTIFICATIONS) -> int:
    return int(
        next(s["id"] for s in odoo.db().records("ir.mail_server") if s["smtp_user"] == login)
    )


def _set_server(field: str, value: Any) -> Callable[[FakeOdoo, str], None]:
    def mutate(odoo: FakeOdoo, _version: str) -> None:
        odoo.db().tables["ir.mail_server"][_server_id(odoo)][field] = value

    return mutate


def _delete_server(odoo: FakeOdoo, _version: str) -> None:
    del odoo.db().tables["ir.mail_server"][_server_id(odoo)]


def _rival_instead(odoo: FakeOdoo, version: str) -> None:
    _delete_server(odoo, version)
    odoo.db().seed(
        "ir.mail_server",
        {
            "name": "Someone's server",
            "smtp_host": "smtp.example.com",
            "smtp_user": NOTIFICATIONS,
            "from_filter": NOTIFICATIONS,
        },
    )


def _client_id(odoo: FakeOdoo, _version: str) -> None:
    odoo.db().set_param("microsoft_outlook_client_id", "00000000-0000-0000-0000-000000000000")


def _catchall_alias(odoo: FakeOdoo, version: str) -> None:
    if version < "17.0":
        odoo.db().set_param("mail.catchall.alias", "postmaster")
        return
    [domain] = odoo.db().records("mail.alias.domain")
    odoo.db().tables["mail.alias.domain"][domain["id"]]["catchall_alias"] = "postmaster"


def _foreign_authority(odoo: FakeOdoo, version: str) -> None:
    # 16.0 builds before February 2023 read the older name; every current build the newer one.
    key = "microsoft.outlook.endpoint" if version == "16.0" else "microsoft_outlook.endpoint"
    odoo.db().set_param(
        key, "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/oauth2/v2.0/"
    )


# (drift, the check that must fail, whether the sync can fix it)
DRIFTS: list[tuple[str, Callable[[FakeOdoo, str], None], str, bool]] = [
    ("server host", _set_server("smtp_host", "smtp.example.org"), "outgoing server", True),
    ("server archived", _set_server("active", False), "outgoing server", True),
    ("server deleted", _delete_server, "outgoing server", True),
    ("rival server", _rival_instead, "outgoing server", False),
    ("client id", _client_id, "client id", True),
    ("catch-all alias", _catchall_alias, "catch-all domain", True),
    ("foreign authority", _foreign_authority, "authority", False),
]


def _planned(report: SyncReport) -> bool:
    return bool(report.changes or report.conflicts)


@pytest.mark.parametrize("version", ["16.0", "17.0", "19.0"])
@pytest.mark.parametrize(
    ("drift", "mutate", "check_name", "fixable"), [pytest.param(*d, id=d[0]) for d in DRIFTS]
)
def test_each_planned_change_or_conflict_is_a_failed_check(
    version: str,
    drift: str,
    mutate: Callable[[FakeOdoo, str], None],
    check_name: str,
    fixable: bool,
) -> None:
    with FakeOdoo(version) as odoo:
        raw = stack(odoo.url)
        target = spec(raw)
        sync_target(target, APP, PASSWORD)
        healthy = _state_checks(_doctor(target))
        assert healthy and all(c.status is Status.OK for c in healthy), healthy
        mutate(odoo, version)
        dry = sync_target(target, APP, PASSWORD, SyncOptions(dry_run=True))
        assert _planned(dry), drift
        failed = [c for c in _state_checks(_doctor(target)) if c.status is not Status.OK]
        assert [c.name.split(" notifications")[0] for c in failed] == [check_name], failed
        [check] = failed
        if dry.conflicts:  # the doctor gives the conflict's own fix, not "run sync"
            assert check.status is Status.FAIL
            fixes = {c.rpartition("(fix: ")[2].removesuffix(")") for c in dry.conflicts}
            assert check.fix in fixes
        else:
            assert check.status is Status.FAIL and (check.fix or "").startswith(SYNC)
        real = sync_target(target, APP, PASSWORD)
        after = _state_checks(_doctor(target))
        if fixable:
            assert real.ok and all(c.status is Status.OK for c in after), after
        else:
            assert not real.ok and [c for c in after if c.status is Status.FAIL] == [check]


@pytest.mark.parametrize("version", ["16.0", "18.0"])
def test_a_managed_server_no_longer_declared_fails_until_the_sync_archives_it(
    version: str,
) -> None:
    with FakeOdoo(version) as odoo:
        both = spec(stack(odoo.url, mode="perUser", users=("marc@example.com", "bob@example.com")))
        sync_target(both, APP, PASSWORD)
        fewer = spec(stack(odoo.url, mode="perUser", users=("marc@example.com",)))
        dry = sync_target(fewer, APP, PASSWORD, SyncOptions(dry_run=True))
        assert [c.action for c in dry.changes] == ["archive"]
        failed = [c for c in _state_checks(_doctor(fewer)) if c.status is not Status.OK]
        assert len(failed) == 1 and "no longer declared" in failed[0].detail
        assert (failed[0].fix or "").startswith(SYNC)
        sync_target(fewer, APP, PASSWORD)
        assert all(c.status is Status.OK for c in _state_checks(_doctor(fewer)))


def _pairs() -> list[Any]:
    """Every pair of drifts that touch different checks (two drifts of one server would undo
    each other)."""
    return [
        pytest.param(a, b, id=f"{a[0]}+{b[0]}")
        for i, a in enumerate(DRIFTS)
        for b in DRIFTS[i + 1 :]
        if a[2] != b[2]
    ]


@pytest.mark.parametrize(("first", "second"), _pairs())
def test_drifts_together_fail_exactly_their_checks(first: Any, second: Any) -> None:
    """Two drifts at once: the doctor fails exactly the two matching checks, each as the plan
    says (nothing a rule of the doctor's own would add or miss)."""
    with FakeOdoo("18.0") as odoo:
        target = spec(stack(odoo.url))
        sync_target(target, APP, PASSWORD)
        first[1](odoo, "18.0")
        second[1](odoo, "18.0")
        dry = sync_target(target, APP, PASSWORD, SyncOptions(dry_run=True))
        planned = len(dry.changes) + len(dry.conflicts)
        failed = [c for c in _state_checks(_doctor(target)) if c.status is not Status.OK]
        names = sorted(c.name.split(" notifications")[0] for c in failed)
        assert names == sorted([first[2], second[2]]), failed
        assert planned >= 2, dry
