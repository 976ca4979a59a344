"""Two-slot client secret rotation as a pure function of the settings and a clock.

Boundaries fall every P (the rotation period) from a fixed anchor. Slot A is renewed at the even
boundaries, slot B at the odd ones, so each slot's epoch lasts 2P and each secret lives 2P plus a
grace period. Odoo always holds the newest slot; the other one stays valid for at least P more,
so a missed scheduled run never leaves Odoo with a dead secret.

Declared inputs only change at a boundary: the end date derives from the epoch start (never
from "now"), no start date is declared (Entra would reject a past one on re-creation), and a
slot's `rotate_key` names its epoch.

The slot renewed at a boundary is never the one Odoo held before it, so an app that admits
personal accounts (at most two client secrets, `odoo_outlook.entra_limits`) can replace it
delete-before-create while Odoo keeps working on the other slot.

A forced rotation (`secret.forcedAt`, `secret.forcedSlot` = the slot Odoo held then, which may
have leaked) restarts the schedule at forcedAt: the *other* slot is renewed at forcedAt (it
becomes the newest and Odoo moves to it), the leaked slot is re-created right after Odoo moved
(its new secret ends P + grace later, when its next renewal is due), and from then on boundaries
fall every P from forcedAt. Without `forcedSlot` the leaked slot is the one the anchored
schedule had Odoo hold at forcedAt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from odoo_outlook.config import SecretSettings

SLOTS = ("a", "b")


@dataclass(frozen=True)
class SecretSlot:
    """One of the two client secret slots (`a`, `b`): its current epoch (number and start), the
    secret's end date, a forced rotation instant if any, and the Entra display name.
    """

    slot: str
    epoch: int
    epoch_start: datetime
    end_date: datetime
    forced_at: datetime | None
    display_name: str
    key_marker: str = ""

    @property
    def rotate_key(self) -> str:
        """Changes exactly when this slot's secret must be re-created."""
        return f"{self.slot}-{self.epoch}{self.key_marker}"

    @property
    def end_date_text(self) -> str:
        """The end date as Entra's `endDateTime` text (`YYYY-MM-DDTHH:MM:SSZ`, UTC)."""
        return self.end_date.strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def not_before(self) -> datetime:
        """The earliest instant the current secret of this slot can have been created."""
        return self.forced_at or self.epoch_start


@dataclass(frozen=True)
class SecretSchedule:
    """Both slots at one instant: the one Odoo holds (`current`), the other (`previous`), the
    next rotation instant, and the period and secret lifetime (timedelta).
    """

    slots: tuple[SecretSlot, SecretSlot]
    current: SecretSlot
    previous: SecretSlot
    next_rotation_at: datetime
    period: timedelta
    lifetime: timedelta


def _anchor(settings: SecretSettings) -> datetime:
    return datetime.combine(settings.anchor, time(0, 0), tzinfo=UTC)


def leaked_slot(settings: SecretSettings) -> str | None:
    """The slot a forced rotation re-creates second: `forcedSlot`, else the anchored schedule's
    newest slot at `forcedAt`; None when no rotation is forced."""
    if settings.forced_at is None:
        return None
    if settings.forced_slot is not None:
        return settings.forced_slot
    unforced = settings.model_copy(update={"forced_at": None})
    return schedule(unforced, settings.forced_at).current.slot


def _slot(settings: SecretSettings, slot: str, now: datetime) -> SecretSlot:
    period = timedelta(days=settings.rotation_days)
    lifetime = 2 * period + timedelta(days=settings.grace_days)
    forced = settings.forced_at.astimezone(UTC) if settings.forced_at is not None else None
    if forced is not None and forced <= now:
        # Restarted at forcedAt: the non-leaked slot is renewed at forcedAt, the leaked one P
        # later (its secret re-created at forcedAt is the tail of a virtual epoch from
        # forcedAt - P, so it ends P + grace after forcedAt).
        origin = forced
        offset = period if slot == leaked_slot(settings) else timedelta(0)
        marker = "-forced-" + forced.strftime("%Y%m%dT%H%M%SZ")
    else:
        forced = None
        origin = _anchor(settings)
        offset = period if slot == "b" else timedelta(0)
        marker = ""
    elapsed = now - origin + offset
    epoch = elapsed // (2 * period)
    epoch_start = origin + epoch * 2 * period - offset
    # The first epoch of each slot after a force was created by the forced run itself.
    forced_at = forced if forced is not None and epoch_start <= forced else None
    created = forced_at or epoch_start
    label = f"{settings.display_name} {slot.upper()} {created:%Y-%m-%d}"
    if forced_at is not None:
        label += f" (forced {forced_at:%Y-%m-%d %H:%M})"
    return SecretSlot(
        slot=slot,
        epoch=epoch,
        epoch_start=epoch_start,
        end_date=epoch_start + lifetime,
        forced_at=forced_at,
        display_name=label,
        key_marker=marker,
    )


def schedule(settings: SecretSettings, now: datetime) -> SecretSchedule:
    """Which secrets exist at `now`, which one Odoo must hold, and when the next renewal is."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    slot_a, slot_b = (_slot(settings, slot, now) for slot in SLOTS)
    # Odoo holds the slot renewed last: on a forced restart that is the non-leaked slot.
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


def held_slot(
    settings: SecretSettings, at: datetime, last_next_rotation_at: datetime | None = None
) -> str:
    """The slot Odoo holds at `at`: the one the last `pulumi up` gave it.

    `last_next_rotation_at` is that run's `nextRotationAt` stack output. When it is already past,
    the renewal due then has not been applied yet, so Odoo still holds the slot that was newest
    just before it; without it the last run is assumed to have followed the last boundary.
    """
    if last_next_rotation_at is not None and last_next_rotation_at <= at:
        return schedule(settings, last_next_rotation_at - timedelta(seconds=1)).current.slot
    return schedule(settings, at).current.slot
