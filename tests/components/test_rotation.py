"""Zero-downtime rotation: three years of scheduled runs against a simulated directory and Odoo."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import count, pairwise

import pytest

from odoo_outlook.config import SecretSettings
from odoo_outlook.doctor.secrets import held_key_ids
from odoo_outlook.graph import PasswordCredential
from odoo_outlook.rotation import SecretSchedule, held_slot, schedule
from tests.paths import example_config
from tests.pulumi_harness import PASSWORD, run_program


@dataclass
class Secret:
    key_id: int
    slot: str
    created: datetime
    end: datetime


@dataclass
class World:
    """A directory of password credentials, the declared state Pulumi keeps, and Odoo."""

    settings: SecretSettings
    directory: dict[int, Secret] = field(default_factory=dict)
    state: dict[str, tuple[str, str, str, int]] = field(default_factory=dict)
    odoo_key_id: int | None = None
    replacements: list[tuple[datetime, str]] = field(default_factory=list)
    ids: count = field(default_factory=lambda: count(1))

    def run(self, now: datetime) -> SecretSchedule:
        """One `pulumi up`: replace changed slots (create first), update Odoo, then delete."""
        plan = schedule(self.settings, now)
        replaced: list[int] = []
        for slot in plan.slots:
            inputs = (slot.rotate_key, slot.end_date_text, slot.display_name)
            previous = self.state.get(slot.slot)
            if previous is not None and previous[:3] == inputs:
                continue
            assert slot.end_date > now, "a secret would be declared already expired"
            secret = Secret(next(self.ids), slot.slot, now, slot.end_date)
            self.directory[secret.key_id] = secret
            if previous is not None:
                replaced.append(previous[3])
                self.replacements.append((now, slot.slot))
            self.state[slot.slot] = (*inputs, secret.key_id)
        # The Odoo export depends on the newest secret's value: it runs after the creates.
        self.odoo_key_id = self.state[plan.current.slot][3]
        # Pulumi deletes replaced resources last, after every create and update succeeded.
        for key_id in replaced:
            assert key_id != self.odoo_key_id
            del self.directory[key_id]
        return plan

    def odoo_secret(self) -> Secret:
        assert self.odoo_key_id is not None
        return self.directory[self.odoo_key_id]


def simulate(settings: SecretSettings, runs: list[datetime]) -> tuple[World, timedelta]:
    world = World(settings)
    lifetime_cap = timedelta(days=settings.max_lifetime_days)
    min_remaining = timedelta.max
    for index, now in enumerate(runs):
        world.run(now)
        held = world.odoo_secret()
        # Odoo's secret exists in the directory and is valid now...
        assert held.key_id in world.directory
        assert held.end > now
        assert len(world.directory) <= 2
        for secret in world.directory.values():
            assert secret.end - secret.created <= lifetime_cap
        # ...and until the next run, when it may be replaced: the worst instant is just before.
        until = runs[index + 1] if index + 1 < len(runs) else now
        min_remaining = min(min_remaining, held.end - until)
    return world, min_remaining


def daily(start: datetime, days: int) -> list[datetime]:
    return [start + timedelta(days=d) for d in range(days)]


@pytest.mark.parametrize(
    ("rotation_days", "grace_days", "max_days"),
    [(90, 14, 730), (90, 14, 365), (30, 7, 90), (180, 30, 730)],
)
def test_three_years_of_daily_runs(rotation_days: int, grace_days: int, max_days: int) -> None:
    settings = SecretSettings.model_validate(
        {"rotationDays": rotation_days, "graceDays": grace_days, "maxLifetimeDays": max_days}
    )
    start = datetime(2026, 3, 7, 4, 30, tzinfo=UTC)
    runs = daily(start, 3 * 365)
    world, min_remaining = simulate(settings, runs)
    period = timedelta(days=rotation_days)
    print(
        f"rotation {rotation_days}d grace {grace_days}d: minimum remaining validity of Odoo's"
        f" secret at any instant = {min_remaining.days} days"
        f" {min_remaining.seconds // 3600} h (period {rotation_days} d)"
    )
    assert min_remaining >= period

    # Exactly one replacement per period: one in every P-long window after the first boundary.
    anchor = datetime.combine(settings.anchor, datetime.min.time(), tzinfo=UTC)
    windows = Counter((when - anchor) // period for when, _ in world.replacements)
    first, last = (start - anchor) // period + 1, (runs[-1] - anchor) // period
    assert all(windows[w] == 1 for w in range(first, last + 1)), windows
    assert set(windows) <= set(range(first, last + 1))
    # and the slots take turns
    slots = [slot for _, slot in world.replacements]
    assert all(a != b for a, b in pairwise(slots))


def test_missed_runs_never_leave_odoo_with_a_dead_secret() -> None:
    settings = SecretSettings()
    start = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)
    # The schedule stops for 80 days at a time (CI outage), then resumes.
    runs = [t for t in daily(start, 3 * 365) if (t - start).days % 100 < 20]
    _, min_remaining = simulate(settings, runs)
    assert min_remaining > timedelta(0)


def test_the_same_epoch_declares_the_same_inputs() -> None:
    settings = SecretSettings()
    first = schedule(settings, datetime(2026, 10, 1, 1, 0, tzinfo=UTC))
    later = schedule(settings, datetime(2026, 12, 15, 23, 0, tzinfo=UTC))
    assert first.slots == later.slots


def test_forced_rotation_restarts_the_schedule_from_the_other_slot() -> None:
    forced_at = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    before = SecretSettings()
    world = World(before)
    for now in daily(datetime(2026, 9, 1, 3, 0, tzinfo=UTC), 85):
        world.run(now)
    leaked = world.odoo_secret()
    world.settings = SecretSettings(forcedAt=forced_at, forcedSlot=leaked.slot)  # type: ignore[call-arg]
    plan = world.run(forced_at + timedelta(minutes=5))
    # Both slots are re-created; Odoo moves to the one that was not leaked.
    assert all(slot.forced_at == forced_at for slot in plan.slots)
    assert plan.current.slot != leaked.slot
    assert leaked.key_id not in world.directory  # revoked in the same run
    assert world.odoo_secret().created == forced_at + timedelta(minutes=5)
    assert world.odoo_secret().slot != leaked.slot
    assert len(world.directory) == 2
    # The leaked slot's new secret lives until its renewal P later, plus the grace.
    assert plan.previous.end_date == forced_at + timedelta(days=90 + 14)
    assert plan.next_rotation_at == forced_at + timedelta(days=90)
    # The forced keys stick: later runs before the next boundary change nothing.
    replaced = len(world.replacements)
    for now in daily(forced_at + timedelta(days=1), 80):
        world.run(now)
    assert len(world.replacements) == replaced
    # The schedule goes on from forcedAt: the leaked slot is renewed first, P later.
    world.run(forced_at + timedelta(days=90, hours=1))
    assert world.replacements[-1][1] == leaked.slot
    assert world.odoo_secret().slot == leaked.slot


def test_held_slot_follows_the_last_up() -> None:
    settings = SecretSettings()
    boundary = schedule(settings, datetime(2026, 11, 25, tzinfo=UTC)).next_rotation_at
    newest_before = schedule(settings, boundary - timedelta(hours=1)).current.slot
    # The last up ran before the boundary: its renewal is pending, Odoo still holds the old one.
    assert held_slot(settings, boundary + timedelta(hours=2), boundary) == newest_before
    # The last up ran after it (its nextRotationAt is one period later).
    later = boundary + timedelta(days=90)
    assert held_slot(settings, boundary + timedelta(hours=2), later) != newest_before
    # Unknown: the schedule's newest slot.
    assert held_slot(settings, boundary + timedelta(hours=2)) != newest_before


# ---------------------------------------------------------------------------------------------
# The same properties on what the Pulumi program declares, under mocks.


def _password_inputs(now: datetime, forced_at: str | None = None) -> dict[str, str]:
    config = example_config()
    if forced_at:
        config["odoo-outlook:secret"]["forcedAt"] = forced_at
    run = run_program(config, now)
    return {d.name: json.dumps(d.inputs, sort_keys=True) for d in run.of_type(PASSWORD)}


def test_two_runs_in_one_epoch_declare_byte_identical_passwords() -> None:
    one = _password_inputs(datetime(2026, 10, 2, 6, 0, tzinfo=UTC))
    two = _password_inputs(datetime(2026, 12, 14, 22, 0, tzinfo=UTC))
    assert len(one) == 2
    assert one == two


def test_across_a_boundary_exactly_one_slot_changes() -> None:
    settings = SecretSettings.model_validate(example_config()["odoo-outlook:secret"])
    boundary = schedule(settings, datetime(2026, 11, 25, tzinfo=UTC)).next_rotation_at
    before = _password_inputs(boundary - timedelta(hours=1))
    after = _password_inputs(boundary + timedelta(hours=1))
    assert sorted(name for name in before if before[name] != after[name]) == [
        "odoo-client-secret-a"
    ]


def test_forced_rotation_changes_both_slots_in_the_program() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    plain = _password_inputs(now)
    forced = _password_inputs(now, forced_at="2026-11-25T11:00:00Z")
    assert [name for name in plain if plain[name] != forced[name]] == [
        "odoo-client-secret-b",
        "odoo-client-secret-a",
    ]
    # Slot B is the one Odoo holds on this date: slot A becomes the newest, Odoo's.
    run = run_program(
        {
            **example_config(),
            "odoo-outlook:secret": {
                **example_config()["odoo-outlook:secret"],
                "forcedAt": "2026-11-25T11:00:00Z",
            },
        },
        now,
    )
    newest = next(d for d in run.of_type(PASSWORD) if d.name == "odoo-client-secret-a")
    assert run.outputs["clientSecret"] == newest.outputs["value"]


def test_no_start_date_and_end_date_from_the_epoch() -> None:
    config = example_config()
    run = run_program(config, datetime(2026, 11, 25, tzinfo=UTC))
    for declared in run.of_type(PASSWORD):
        assert "startDate" not in declared.inputs
        assert declared.inputs["endDate"].endswith("T00:00:00Z")
        assert declared.inputs["displayName"].startswith("Odoo Fetchmail ")


def test_client_secret_output_is_secret_and_the_newest() -> None:
    run = run_program(example_config(), datetime(2026, 11, 25, tzinfo=UTC))
    assert "clientSecret" in run.secret_outputs
    newest = next(d for d in run.of_type(PASSWORD) if d.name == "odoo-client-secret-b")
    assert run.outputs["clientSecret"] == newest.outputs["value"]
    assert run.outputs["clientSecretKeyId"] == newest.outputs["keyId"]
    assert run.outputs["clientSecretExpiresAt"] == newest.inputs["endDate"]
    assert run.outputs["nextRotationAt"] == "2026-12-16T00:00:00Z"
    assert date.fromisoformat(run.outputs["nextRotationAt"][:10]) > date(2026, 11, 25)


def test_each_slot_secret_has_its_own_graph_hint() -> None:
    # Graph's passwordCredentials[].hint is the first three characters of the value; the
    # doctor tells the secret Odoo holds from the other slot by it (odoo_outlook/doctor).
    run = run_program(example_config(), datetime(2026, 11, 25, tzinfo=UTC))
    values = [d.outputs["value"] for d in run.of_type(PASSWORD)]
    assert len(values) == 2 and all(len(v) == 40 and v[5] == "~" for v in values)
    assert len({v[:3] for v in values}) == 2
    creds = [
        PasswordCredential(
            d.outputs["keyId"], d.inputs["displayName"], d.outputs["value"][:3], None, None
        )
        for d in run.of_type(PASSWORD)
    ]
    newest = next(d for d in run.of_type(PASSWORD) if d.name == "odoo-client-secret-b")
    assert held_key_ids(run.outputs["clientSecret"], creds) == {newest.outputs["keyId"]}
