"""The doctor counts the app's live client secrets against the audience's cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from odoo_outlook.config import SecretSettings
from odoo_outlook.doctor.model import Status
from odoo_outlook.doctor.secret_cap import display_name_check, is_slot, secret_cap_check
from odoo_outlook.graph import PasswordCredential
from odoo_outlook.rotation import schedule
from tests.doctor.doctor_env import CLIENT_ID, SECRET_A, SECRET_B, Env

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PERSONAL = "AzureADandPersonalMicrosoftAccount"
SCHEDULE = schedule(SecretSettings(), NOW)


def cred(key: str, name: str) -> PasswordCredential:
    return PasswordCredential(
        key * 8, name, key.upper() + "x1", NOW - timedelta(days=9), NOW + timedelta(days=90)
    )


SLOT_A = cred("a", "Odoo Fetchmail A 2026-10-20")
SLOT_B = cred("b", "Odoo Fetchmail B 2026-09-20 (forced 2026-09-21 10:00)")
MANUAL = cred("m", "test from the portal")


def test_slot_descriptions_are_recognised() -> None:
    assert is_slot(SLOT_A) and is_slot(SLOT_B)
    assert not is_slot(MANUAL)
    assert all(is_slot(cred("x", slot.display_name)) for slot in SCHEDULE.slots)


def test_the_two_slots_fit_the_cap() -> None:
    check = secret_cap_check([SLOT_A, SLOT_B], PERSONAL, SCHEDULE, frozenset())
    assert check.status is Status.OK
    assert "2 of 2 client secrets" in check.detail and "delete-before-create" in check.detail


def test_a_secret_the_stack_does_not_manage_warns_before_the_rotation() -> None:
    check = secret_cap_check([SLOT_B, MANUAL], PERSONAL, SCHEDULE, frozenset({"b" * 8}))
    assert check.status is Status.WARN
    assert "'test from the portal'" in check.fix and "Certificates & secrets" in check.fix
    assert f"due {SCHEDULE.next_rotation_at:%Y-%m-%d}" in check.detail
    # Even one foreign secret next to a single slot leaves no room for the second slot.
    alone = secret_cap_check([MANUAL], PERSONAL, SCHEDULE, frozenset())
    assert alone.status is Status.WARN
    # A secret a holder uses is kept whatever its description.
    used = secret_cap_check([SLOT_B, MANUAL], PERSONAL, SCHEDULE, frozenset({"m" * 8}))
    assert used.status is Status.OK


def test_above_the_cap_fails_and_work_audiences_have_none() -> None:
    over = secret_cap_check([SLOT_A, SLOT_B, MANUAL], PERSONAL, SCHEDULE, frozenset())
    assert over.status is Status.FAIL and "3 client secrets" in over.detail
    many = [cred(str(i), f"s{i}") for i in range(5)]
    for audience in ("AzureADMyOrg", "AzureADMultipleOrgs"):
        assert secret_cap_check(many, audience, SCHEDULE, frozenset()).status is Status.OK


def test_doctor_reads_the_live_credentials_over_graph(env: Env) -> None:
    env.write_stack(audience=PERSONAL)
    env.graph.set_sign_in_audience(CLIENT_ID, PERSONAL)
    # Seeded like Graph returns them: SECRET_B is the one Odoo and the stack outputs hold; the
    # other one carries a description the stack never writes.
    other = env.credential(SECRET_A[:3])
    other["displayName"] = "created in the portal"
    check = env.run().check("azure/passwordCredentials limit")
    assert check["status"] == "warn", check
    assert "2 of 2 client secrets" in check["detail"]
    assert "'created in the portal'" in check["fix"]
    # Once it is one of the stack's slots, the rotation has room.
    other["displayName"] = "Odoo Fetchmail A 2026-10-20"
    assert env.run().check("azure/passwordCredentials limit")["status"] == "ok"
    # Work-or-school audiences have no cap at all.
    env.write_stack(audience="AzureADMultipleOrgs")
    env.graph.set_sign_in_audience(CLIENT_ID, "AzureADMultipleOrgs")
    assert "has no limit" in env.run().check("azure/passwordCredentials limit")["detail"]
    assert env.credential(SECRET_B[:3])["hint"] == SECRET_B[:3]


def test_a_display_name_edited_by_hand_is_caught_before_the_up() -> None:
    live = [cred(slot.slot, slot.display_name) for slot in SCHEDULE.slots]
    assert display_name_check(live, PERSONAL, SCHEDULE) is None
    renamed = schedule(SecretSettings(displayName="Odoo Mail"), NOW)  # type: ignore[call-arg]
    check = display_name_check(live, PERSONAL, renamed)
    assert check is not None and check.status is Status.WARN
    assert "rotate --now --display-name 'Odoo Mail'" in check.fix
    assert "'Odoo Fetchmail'" in check.detail
    # No cap: create-then-delete never leaves Odoo without its secret.
    assert display_name_check(live, "AzureADMyOrg", renamed) is None
    # Through `rotate --now --display-name`: the forced restart is pending, nothing to say...
    forced = SecretSettings(
        displayName="Odoo Mail",
        forcedAt=NOW - timedelta(hours=1),  # type: ignore[call-arg]
        forcedSlot=SCHEDULE.current.slot,
    )
    after = schedule(forced, NOW)
    assert display_name_check(live, PERSONAL, after) is None
    # ...and once applied the live descriptions carry the new name.
    applied = [cred(slot.slot, slot.display_name) for slot in after.slots]
    assert display_name_check(applied, PERSONAL, after) is None
    # A second hand edit after the forced rotation was applied is caught again.
    again = schedule(forced.model_copy(update={"display_name": "Other"}), NOW)
    assert display_name_check(applied, PERSONAL, again) is not None
