"""Three years of `pulumi up` through the real program: never more secrets than Entra allows.

Each run executes the Pulumi program under mocks and applies what it declared with the engine's
replacement order (tests/engine_model.py), counting the app's client secrets after every single
step. Forced rotations (`rotate --now`) and a display-name change are mixed in.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from components.client_secret import slot_options
from odoo_outlook.config import SecretSettings, parse_config
from odoo_outlook.entra_limits import AUDIENCES, limits_for
from odoo_outlook.rotation import held_slot, schedule
from tests.engine_model import Engine, InstantViolation
from tests.paths import example_config
from tests.pulumi_harness import PASSWORD, ProgramRun, run_program

START = datetime(2026, 3, 7, 4, 30, tzinfo=UTC)
SECRET = "odoo-outlook:secret"


def _force(
    config: dict[str, Any],
    at: datetime,
    last_next_rotation_at: str | None,
    display_name: str | None = None,
) -> None:
    """What `odoo-outlook rotate --now [--display-name] --outputs` writes into the config."""
    before = parse_config(config).secret
    section = config[SECRET]
    last = (
        None
        if last_next_rotation_at is None
        else datetime.fromisoformat(last_next_rotation_at.replace("Z", "+00:00"))
    )
    section["forcedSlot"] = held_slot(before, at, last)
    section["forcedAt"] = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    if display_name is not None:
        section["displayName"] = display_name


@dataclass
class Simulation:
    config: dict[str, Any]
    engine: Engine
    # The program is a function of (config, schedule(config.secret, now)): runs that would see
    # the same pair declare byte-identical resources (test_rotation.py checks this), so each
    # pair executes the program once.
    programs: dict[str, ProgramRun] = field(default_factory=dict)
    runs: int = 0
    min_remaining: timedelta = timedelta.max
    last_outputs: dict[str, Any] = field(default_factory=dict)

    def up(self, now: datetime) -> list[str]:
        self._check_gap(now)
        settings = parse_config(self.config).secret
        key = json.dumps([self.config, repr(schedule(settings, now))], sort_keys=True, default=str)
        if key not in self.programs:
            self.programs[key] = run_program(copy.deepcopy(self.config), now)
        self.runs += 1
        steps = self.engine.up(self.programs[key], now)
        self.last_outputs = self.programs[key].outputs
        return steps

    def force(self, at: datetime, display_name: str | None = None) -> None:
        _force(self.config, at, self.last_outputs.get("nextRotationAt"), display_name)

    def _check_gap(self, now: datetime) -> None:
        # Between runs nothing changes: Odoo's secret must outlive the gap.
        if self.engine.odoo is not None:
            held = self.engine.odoo_secret()
            if held.end <= now:
                raise InstantViolation(f"Odoo's secret expired {held.end} before the run {now}")
            self.min_remaining = min(self.min_remaining, held.end - now)


def _days(start: datetime, days: int) -> Iterator[datetime]:
    return (start + timedelta(days=d) for d in range(days))


def _config(audience: str, rotation: int, grace: int, max_days: int) -> dict[str, Any]:
    config = example_config()
    config["odoo-outlook:app"]["signInAudience"] = audience
    config[SECRET] = {"rotationDays": rotation, "graceDays": grace, "maxLifetimeDays": max_days}
    return config


def three_years(audience: str, rotation: int, grace: int, max_days: int) -> Simulation:
    """Daily runs for three years; four forced rotations and a display-name change."""
    sim = Simulation(
        _config(audience, rotation, grace, max_days),
        Engine(limits_for(audience).password_credentials),
    )
    period = timedelta(days=rotation)
    anchor = datetime(2024, 1, 1, tzinfo=UTC)
    boundary = anchor + ((START - anchor) // period + 3) * period
    events = {
        # rotate --now --up: forced and applied at once, mid-period
        START + timedelta(days=40, hours=3): ("force", None, timedelta(minutes=5)),
        # an hour before a scheduled boundary; `pulumi up` only runs the next morning
        boundary - timedelta(hours=1): ("force", None, None),
        # right after a boundary, and a second force soon after the first
        boundary + 4 * period + timedelta(hours=2): ("force", None, timedelta(minutes=1)),
        boundary + 4 * period + timedelta(days=2): ("force", None, timedelta(minutes=1)),
        # secret.displayName changed (with rotate --now --display-name)
        START + timedelta(days=500, hours=9): ("force", "Odoo Mail Secret", timedelta(minutes=2)),
    }
    pending = sorted(events.items())
    for day in _days(START, 3 * 365):
        while pending and pending[0][0] < day:
            at, (_, name, delay) = pending.pop(0)
            leaked = sim.engine.odoo
            sim.force(at, name)
            if delay is not None:
                sim.up(at + delay)
                _assert_leaked_gone(sim, leaked)
        sim.up(day)
    assert not pending
    return sim


def _assert_leaked_gone(sim: Simulation, leaked: str | None) -> None:
    assert leaked is not None
    assert leaked not in sim.engine.directory, "the leaked secret survived the forced run"
    assert sim.engine.odoo != leaked


@pytest.mark.parametrize(
    ("audience", "rotation", "grace", "max_days"),
    [
        ("AzureADandPersonalMicrosoftAccount", 90, 14, 365),
        ("AzureADandPersonalMicrosoftAccount", 30, 7, 90),
        ("AzureADMultipleOrgs", 90, 14, 730),
        ("AzureADMyOrg", 30, 7, 90),
    ],
)
def test_three_years_never_exceed_the_audience_cap(
    audience: str, rotation: int, grace: int, max_days: int
) -> None:
    sim = three_years(audience, rotation, grace, max_days)
    cap = limits_for(audience).password_credentials
    creates = sum(1 for s in sim.engine.steps if s.startswith("create"))
    print(
        f"{audience} P={rotation}d: {sim.runs} runs, {len(sim.programs)} program executions,"
        f" {creates} secrets created, max {max(sim.engine.counts)} secrets at once, Odoo's"
        f" secret had at least {sim.min_remaining.days} days left at every run"
    )
    # Every instant was checked by the engine model; the cap held and Odoo never lost its secret.
    if cap is not None:
        assert max(sim.engine.counts) == cap
    else:
        # Without a cap the default create-then-delete overlaps old and new secrets.
        assert max(sim.engine.counts) > 2
    assert sim.min_remaining >= timedelta(days=rotation)
    # The display-name change reached both slots.
    assert {
        d.inputs["displayName"].split(" ")[:3] == ["Odoo", "Mail", "Secret"]
        for d in sim.engine.state.values()
        if d.type == PASSWORD
    } == {True}
    # Scheduled renewals plus the forced ones really happened.
    assert creates >= 3 * 365 // rotation + 2 * 5


def test_display_name_change_needs_no_more_than_two_secrets() -> None:
    config = _config("AzureADandPersonalMicrosoftAccount", 90, 14, 365)
    sim = Simulation(config, Engine(2))
    sim.up(START)
    held = sim.engine.odoo
    held_slot = sim.engine.odoo_secret().resource
    other_slot = next(s.resource for s in sim.engine.directory.values() if s.value != held)
    sim.force(START + timedelta(days=3), "Odoo Mail Secret")
    steps = sim.up(START + timedelta(days=3, minutes=1))
    # The slot Odoo did not hold goes first, Odoo moves to its successor, then Odoo's old slot.
    assert steps == [
        f"delete {other_slot}",
        f"create {other_slot}",
        "update odoo-erp-sync",
        f"delete {held_slot}",
        f"create {held_slot}",
    ]
    assert sim.engine.odoo_secret().resource == other_slot
    names = {
        d.inputs["displayName"] for run in sim.programs.values() for d in run.of_type(PASSWORD)
    }
    assert any(n.startswith("Odoo Mail Secret ") for n in names)
    assert held not in sim.engine.directory
    assert max(sim.engine.counts) == 2


def test_the_engine_model_catches_a_create_first_replacement() -> None:
    """The old design (create-before-delete) asks for a third secret at the first boundary."""
    config = _config("AzureADandPersonalMicrosoftAccount", 90, 14, 365)
    sim = Simulation(config, Engine(2))
    sim.up(START)
    settings = SecretSettings.model_validate(config[SECRET])
    boundary = schedule(settings, START).next_rotation_at
    run = run_program(copy.deepcopy(config), boundary + timedelta(hours=1))
    for declared in run.of_type(PASSWORD):
        declared.delete_before_replace = False
    with pytest.raises(InstantViolation, match="3 client secrets"):
        sim.engine.up(run, boundary + timedelta(hours=1))


def test_a_display_name_edited_by_hand_deletes_odoos_secret_under_the_cap() -> None:
    """Why README says to change it with `rotate --display-name`: both slots change in one run
    and the one Odoo holds is a dependency of the export, so it goes first."""
    for audience, cap in (("AzureADandPersonalMicrosoftAccount", 2), ("AzureADMyOrg", None)):
        sim = Simulation(_config(audience, 90, 14, 365), Engine(cap))
        sim.up(START)
        sim.config[SECRET]["displayName"] = "Renamed by hand"
        if cap is None:
            sim.up(START + timedelta(days=1))  # create-then-delete: no gap, four at once
            assert max(sim.engine.counts) == 4
        else:
            with pytest.raises(InstantViolation, match="Odoo holds a deleted secret"):
                sim.up(START + timedelta(days=1))


@pytest.mark.parametrize("audience", AUDIENCES)
def test_slot_options_per_audience(audience: str) -> None:
    options = slot_options(audience)
    assert options.delete_before_replace is (
        audience in {"AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"}
    )
    assert options.additional_secret_outputs == ["value"]


@pytest.mark.parametrize(
    "audience", ["AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount"]
)
def test_program_declares_secret_options_per_audience(audience: str) -> None:
    config = example_config()
    config["odoo-outlook:app"]["signInAudience"] = audience
    run = run_program(config, datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    slots = {d.name: d for d in run.of_type(PASSWORD)}
    capped = limits_for(audience).password_credentials is not None
    assert {n: d.delete_before_replace for n, d in slots.items()} == {
        "odoo-client-secret-a": capped,
        "odoo-client-secret-b": capped,
    }
    # Slot B is the one Odoo holds on this date: the export waits for it, and slot A waits for
    # the export, so slot A is only ever replaced after Odoo moved off it.
    assert (
        "odoo-client-secret-b"
        in next(d for d in run.declared if d.name == "odoo-erp-sync").dependencies
    )
    assert "odoo-erp-sync" in slots["odoo-client-secret-a"].dependencies
    assert "odoo-erp-sync" not in slots["odoo-client-secret-b"].dependencies
