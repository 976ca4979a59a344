"""Two-slot client secret rotation as a pure function of the settings and a clock.

Boundaries fall every P (the rotation period) from a fixed anchor. Slot A is renewed at the even
boundaries, slot B at the odd ones, so each slot's epoch lasts 2P and each secret lives 2P plus a
grace period. Odoo always holds the newest slot; the other one stays valid for at least P more,
so a missed scheduled run never leaves Odoo with a dead secret.

Declared inputs only change at a boundary: the end date derives from the epoch start (never
from "now"), no start date is declared (Entra would reject a past one on re-creation), and a
slot's `rotate_key` names its epoch. A forced rotation (`secret.forcedAt`) re-creates only the
slot that was newest at that instant - the one Odoo holds and that may have leaked - and keeps
that key until the slot's epoch ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from odoo_outlook.config import SecretSettings

SLOTS = ("a", "b")


@dataclass(frozen=True)
class SecretSlot:
    slot: str
    epoch: int
    epoch_start: datetime
    end_date: datetime
    forced_at: datetime | None
    display_name: str

    @property
    def rotate_key(self) -> str:
        """Changes exactly when this slot's secret must be re-created."""
        key = f"{self.slot}-{self.epoch}"
        if self.forced_at is not None:
            key += "-forced-" + self.forced_at.strftime("%Y%m%dT%H%M%SZ")
        return key

    @property
    def end_date_text(self) -> str:
        return self.end_date.strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def not_before(self) -> datetime:
        """The earliest instant the current secret of this slot can have been created."""
        return self.forced_at or self.epoch_start


@dataclass(frozen=True)
class SecretSchedule:
    slots: tuple[SecretSlot, SecretSlot]
    current: SecretSlot
    previous: SecretSlot
    next_rotation_at: datetime
    period: timedelta
    lifetime: timedelta


def _anchor(settings: SecretSettings) -> datetime:
    return datetime.combine(settings.anchor, time(0, 0), tzinfo=UTC)


def _slot(settings: SecretSettings, slot: str, now: datetime) -> SecretSlot:
    period = timedelta(days=settings.rotation_days)
    lifetime = 2 * period + timedelta(days=settings.grace_days)
    offset = period if slot == "b" else timedelta(0)
    elapsed = now - _anchor(settings) + offset
    epoch = elapsed // (2 * period)
    epoch_start = _anchor(settings) + epoch * 2 * period - offset
    forced = settings.forced_at
    owns_force = (
        forced is not None and epoch_start <= forced < epoch_start + period and forced <= now
    )
    forced_at = forced.astimezone(UTC) if owns_force and forced is not None else None
    label = f"{settings.display_name} {slot.upper()} {epoch_start:%Y-%m-%d}"
    if forced_at is not None:
        label += f" (forced {forced_at:%Y-%m-%d %H:%M})"
    return SecretSlot(
        slot=slot,
        epoch=epoch,
        epoch_start=epoch_start,
        end_date=epoch_start + lifetime,
        forced_at=forced_at,
        display_name=label,
    )


def schedule(settings: SecretSettings, now: datetime) -> SecretSchedule:
    """Which secrets exist at `now`, which one Odoo must hold, and when the next renewal is."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    slot_a, slot_b = (_slot(settings, slot, now) for slot in SLOTS)
    current, previous = (
        (slot_a, slot_b) if slot_a.epoch_start > slot_b.epoch_start else (slot_b, slot_a)
    )
    period = timedelta(days=settings.rotation_days)
    return SecretSchedule(
        slots=(slot_a, slot_b),
        current=current,
        previous=previous,
        next_rotation_at=current.epoch_start + period,
        period=period,
        lifetime=2 * period + timedelta(days=settings.grace_days),
    )
