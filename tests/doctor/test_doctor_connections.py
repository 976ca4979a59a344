"""`doctor --test-connections`: Odoo's own test buttons on every connected managed server;
without the flag nothing reaches Microsoft and the token line says "not tested"."""

from __future__ import annotations

from tests.doctor.doctor_env import Env

OUT = "erp/token outgoing notifications@example.com"
IN = "erp/token incoming catchall@example.com"


def test_without_the_flag_nothing_is_tested(env: Env) -> None:
    result = env.run()
    assert result.code == 0
    for key in (OUT, IN):
        check = result.check(key)
        assert check["status"] == "ok"
        assert "refresh token stored, not tested" in check["detail"]
        assert "--test-connections" in check["detail"]
    assert env.odoo.count(method="test_smtp_connection") == 0
    assert env.odoo.count(method="button_confirm_login") == 0


def test_flag_tests_every_connected_server(env: Env) -> None:
    for record in env.db.records("fetchmail.server"):
        env.db.tables["fetchmail.server"][record["id"]]["state"] = "draft"
    result = env.run("--test-connections")
    assert result.code == 0, result.checks("fail") | result.checks("warn")
    assert "tested ok at " in result.check(OUT)["detail"]
    assert "Connection Test Successful!" in result.check(OUT)["detail"]
    assert "tested ok at " in result.check(IN)["detail"]
    assert env.odoo.count(method="test_smtp_connection") == len(env.db.records("ir.mail_server"))
    assert env.odoo.count(method="button_confirm_login") == 1
    # "Test & Confirm" moved the incoming server to done, as in Odoo.
    assert {r["state"] for r in env.db.records("fetchmail.server")} == {"done"}


def test_failed_test_is_diagnosed(env: Env) -> None:
    [server] = [r["id"] for r in env.db.records("ir.mail_server")]
    env.db.fail_outlook(
        "ir.mail_server",
        server,
        "reply",
        "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.",
    )
    result = env.run("--test-connections")
    assert result.code == 2
    check = result.check(OUT)
    assert check["status"] == "fail"
    assert "Server replied with following exception" in check["detail"]
    assert "SMTP AUTH (client submission) is disabled for the whole tenant" in check["detail"]
    assert "Set-TransportConfig -SmtpClientAuthenticationDisabled $false" in check["fix"]
    assert result.check(IN)["status"] == "ok"


def test_servers_without_token_are_not_tested(env: Env) -> None:
    for record in env.db.records("fetchmail.server"):
        env.db.tables["fetchmail.server"][record["id"]]["microsoft_outlook_refresh_token"] = False
    result = env.run("--test-connections")
    assert result.code == 1
    assert result.check(IN)["status"] == "warn"
    assert "odoo-outlook connect" in result.check(IN)["fix"]
    assert env.odoo.count(method="button_confirm_login") == 0
    assert "tested ok at " in result.check(OUT)["detail"]
