"""`odoo-outlook plan`: what the example stack declares, offline, secrets masked."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest

from odoo_outlook.cli import main
from tests.paths import ROOT


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a network connection fails the test."""

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("plan tried to use the network")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def plan_json(capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    code = main(["plan", "--stack", "dev", "--project-dir", str(ROOT), "--json", *extra])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


@pytest.mark.usefixtures("offline")
def test_plan_text_shows_every_part(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--stack", "dev", "--project-dir", str(ROOT)]) == 0
    out = capsys.readouterr().out
    for expected in (
        "AzureADandPersonalMicrosoftAccount",
        "https://erp.example.com/microsoft_outlook/confirm",
        "SMTP.Send",
        "IMAP.AccessAsUser.All",
        "User.Read",
        "offline_access",
        "alice@example.com",
        "Odoo Mail Senders",
        "Odoo Fetchmail A",
        "Odoo Fetchmail B",
        "next rotation",
        '"requestedAccessTokenVersion": 2',
        '"resourceAppId"',
        "microsoft_outlook_client_id",
        "microsoft_outlook_client_secret",
        "********",
        "notifications@example.com",
        "bob@example.com",
        "catchall@example.com",
        "smtp.outlook.com:587",
        "imap.outlook.com:993",
        "Connect your Outlook account",
    ):
        assert expected in out, expected


@pytest.mark.usefixtures("offline")
def test_plan_json_structure(capsys: pytest.CaptureFixture[str]) -> None:
    plan = plan_json(capsys, "--at", "2026-11-25")
    assert plan["appRegistration"]["redirectUris"] == [
        "https://erp.example.com/microsoft_outlook/confirm"
    ]
    manifest = plan["appRegistration"]["manifest"]
    assert manifest["isFallbackPublicClient"] is False
    assert manifest["publicClient"] == manifest["spa"] == {"redirectUris": []}
    assert manifest["web"]["implicitGrantSettings"] == {
        "enableAccessTokenIssuance": False,
        "enableIdTokenIssuance": False,
    }
    assert [p["permission"] for p in plan["permissions"]] == [
        "SMTP.Send",
        "IMAP.AccessAsUser.All",
        "User.Read",
        "offline_access",
        "openid",
        "email",
    ]
    assert [a["kind"] for a in plan["enterpriseApp"]["assignments"]] == ["user", "group"]
    (target,) = plan["targets"]
    assert [s["fromFilter"] for s in target["outgoingServers"]] == [
        "alice@example.com",
        "bob@example.com",
        "notifications@example.com",
    ]
    assert [s["sequence"] for s in target["outgoingServers"]] == [10, 10, 20]
    assert target["catchall"]["odoo15and16"] == {
        "mail.catchall.domain": "example.com",
        "mail.default.from": "notifications",
        "mail.catchall.alias": "catchall",
        "mail.bounce.alias": "bounce",
    }
    assert target["systemParameters"]["microsoft_outlook.endpoint"] is None
    secret = plan["clientSecret"]
    assert secret["nextRotationAt"] == "2026-12-16T00:00:00Z"
    assert [s["heldByOdoo"] for s in secret["slots"]] == [False, True]


def test_plan_at_another_date_moves_the_schedule(capsys: pytest.CaptureFixture[str]) -> None:
    now = plan_json(capsys, "--at", "2026-11-25")["clientSecret"]
    later = plan_json(capsys, "--at", "2027-01-10")["clientSecret"]
    assert later["nextRotationAt"] == "2027-03-16T00:00:00Z"
    assert [s["heldByOdoo"] for s in later["slots"]] == [True, False]
    unchanged = ("displayName", "createdNotBefore", "expiresAt")
    # Slot B is untouched by A's renewal; Odoo moves to the new A.
    assert all(now["slots"][1][k] == later["slots"][1][k] for k in unchanged)
    assert now["slots"][0]["expiresAt"] < later["slots"][0]["expiresAt"]


def test_plan_bad_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--stack", "dev", "--project-dir", str(ROOT), "--at", "soon"]) == 2
    assert "--at: 'soon' is not a date" in capsys.readouterr().err


def test_single_tenant_plan_names_the_tenant_authority(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        (ROOT / "Pulumi.dev.yaml")
        .read_text()
        .replace(
            "signInAudience: AzureADandPersonalMicrosoftAccount", "signInAudience: AzureADMyOrg"
        )
    )
    (tmp_path / "Pulumi.single.yaml").write_text(text)
    assert main(["plan", "--stack", "single", "--project-dir", str(tmp_path), "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    endpoint = "https://login.microsoftonline.com/8f2c1a7e-4b9d-4e3a-9c61-2d5f0e7b1a44/oauth2/v2.0/"
    assert plan["appRegistration"]["oauthEndpoint"] == endpoint
    assert plan["targets"][0]["systemParameters"]["microsoft_outlook.endpoint"] == endpoint
    assert plan["appRegistration"]["requestedAccessTokenVersion"] is None


def test_plan_never_shows_an_encrypted_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(ROOT / "Pulumi.dev.yaml", tmp_path / "Pulumi.dev.yaml")
    with (tmp_path / "Pulumi.dev.yaml").open("a") as stack:
        stack.write("  odoo-outlook:odooPasswords:\n    erp:\n      secure: v1:c2VjcmV0LXZhbHVl\n")
    assert main(["plan", "--stack", "dev", "--project-dir", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert "c2VjcmV0" not in captured.out + captured.err
