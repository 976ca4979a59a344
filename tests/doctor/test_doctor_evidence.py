"""The token line says what Odoo recorded: "refresh token stored, not tested", "failing since
…" with the diagnosis, never a bare "valid" next to a recorded failure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.doctor.doctor_env import Env, synced_odoo

OUT = "erp/token outgoing notifications@example.com"
IN = "erp/token incoming catchall@example.com"
REVOKED = (
    "An error occurred when fetching the access token. invalid_grant: AADSTS50173: The"
    " provided grant has expired due to it being revoked, a fresh auth token is needed."
    " The user might have changed or reset their password."
)
IMAP_FAILED = "b'AUTHENTICATE failed.'"


def _odoo_time(delta: timedelta) -> str:
    return f"{datetime.now(UTC) + delta:%Y-%m-%d %H:%M:%S}"


def _server(env: Env, model: str) -> int:
    [record] = env.db.records(model)
    return int(record["id"])


def test_healthy_token_is_stored_not_tested_never_valid(env: Env) -> None:
    env.db.tables["fetchmail.server"][_server(env, "fetchmail.server")]["date"] = _odoo_time(
        -timedelta(hours=3)
    )
    result = env.run()
    assert result.code == 0, result.checks("fail") | result.checks("warn")
    outgoing, incoming = result.check(OUT), result.check(IN)
    assert "refresh token stored, not tested (no failure recorded since" in outgoing["detail"]
    assert "last fetch" in incoming["detail"] and "(3 h ago)" in incoming["detail"]
    for check in (outgoing, incoming):
        assert "valid" not in check["detail"].lower()


def test_failed_mail_through_the_server_fails_its_token(env: Env) -> None:
    server = _server(env, "ir.mail_server")
    env.db.seed_failed_mail(
        mail_server_id=server, failure_reason=REVOKED, date=_odoo_time(-timedelta(hours=2))
    )
    result = env.run()
    check = result.check(OUT)
    assert check["status"] == "fail"
    assert check["detail"].startswith("failing since ")
    assert "(2 h ago)" in check["detail"] and "AADSTS50173" in check["detail"]
    assert "refresh token stored" not in check["detail"]
    assert "Connect your Outlook account" in check["fix"] or "connect" in check["fix"].lower()
    assert result.code == 2
    # The raw failure text never reaches the output.
    assert "a fresh auth token is needed" not in "\n".join(env.seen)


def test_failed_mail_found_by_its_from_address_when_odoo_chose_the_server(env: Env) -> None:
    env.db.seed_failed_mail(
        mail_server_id=False,
        failure_reason=REVOKED,
        email_from='"Acme" <Notifications@example.com>',
    )
    assert env.run().check(OUT)["status"] == "fail"


def test_failed_mail_of_another_sender_is_not_this_servers(env: Env) -> None:
    env.db.seed_failed_mail(
        mail_server_id=False, failure_reason=REVOKED, email_from="someone@elsewhere.example"
    )
    result = env.run()
    assert result.check(OUT)["status"] == "ok"
    # It is still reported, as failed mail of the database.
    assert result.check("erp/failed mail AADSTS50173")["status"] == "fail"


def _incoming_19(env: Env, fake_odoo: Any, **values: str) -> Any:
    db = synced_odoo(env, fake_odoo, "19.0")
    [record] = db.records("fetchmail.server")
    db.tables["fetchmail.server"][record["id"]].update(values)
    return db


def test_fetch_failure_after_the_last_fetch_fails_the_token(env: Env, fake_odoo: Any) -> None:
    _incoming_19(
        env,
        fake_odoo,
        date=_odoo_time(-timedelta(days=2)),
        error_date=_odoo_time(-timedelta(hours=5)),
        error_message=IMAP_FAILED,
    )
    check = env.run().check(IN)
    assert check["status"] == "fail"
    assert "failing since" in check["detail"] and "(5 h ago)" in check["detail"]
    assert "last success" in check["detail"] and "(2 d ago)" in check["detail"]
    assert "IMAP" in check["detail"]


def test_fetch_failure_before_the_last_fetch_is_history(env: Env, fake_odoo: Any) -> None:
    _incoming_19(
        env,
        fake_odoo,
        date=_odoo_time(-timedelta(minutes=10)),
        error_date=_odoo_time(-timedelta(days=1)),
        error_message=IMAP_FAILED,
    )
    check = env.run().check(IN)
    assert check["status"] == "ok"
    assert "came before a success" in check["detail"]


def test_server_odoo_gave_up_on_says_why(env: Env, fake_odoo: Any) -> None:
    _incoming_19(
        env,
        fake_odoo,
        state="draft",
        error_date=_odoo_time(-timedelta(days=6)),
        error_message=IMAP_FAILED,
    )
    check = env.run().check(IN)
    assert check["status"] == "fail"
    assert "Odoo stopped fetching" in check["detail"] and "IMAP" in check["detail"]
    # Not merely "click Test & Confirm": the cause comes with it.
    assert "connected, not confirmed" not in check["detail"]
