"""Where failures appear: `doctor --explain` for pasted browser errors (stack only, no Odoo or
Graph), and Odoo 19.0's record of failed fetches on incoming servers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from odoo_outlook.cli import main
from odoo_outlook.config import SignInAudience, load_stack_file
from odoo_outlook.desired import desired_state
from odoo_outlook.doctor.knowledge import StackFacts
from odoo_outlook.doctor.mail_errors import FetchError, fetch_error_checks
from odoo_outlook.doctor.model import Status
from odoo_outlook.doctor.odoo_reads import read_target

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b"
STACK = """\
config:
  odoo-outlook:app:
    signInAudience: {audience}
    tenantId: {tenant}
    adminConsent: {consent}
  odoo-outlook:targets:
    - name: erp
      baseUrls: [https://odoo.example.com]
      connection: {{url: "{url}", database: odoo, login: admin}}
      mail:
        notifications: notifications@example.com
        incoming: [catchall@example.com]
"""


def _project(
    tmp_path: Path,
    audience: str = "AzureADMultipleOrgs",
    consent: str = "false",
    url: str = "https://odoo.example.com",
) -> Path:
    (tmp_path / "Pulumi.dev.yaml").write_text(
        STACK.format(audience=audience, tenant=TENANT, consent=consent, url=url)
    )
    return tmp_path


def _explain(
    capsys: pytest.CaptureFixture[str], project: Path, text: str, *extra: str
) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main(["doctor", "--project-dir", str(project), "--explain", text, "--json", *extra])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_explain_a_personal_account_on_a_multi_org_app(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # No Graph and no Odoo: a Graph URL that nothing listens on would fail any call.
    monkeypatch.setenv("ODOO_OUTLOOK_GRAPH_URL", "http://127.0.0.1:9/v1.0")
    text = (
        "AADSTS50020: User account 'someone@live.com' from identity provider 'live.com'"
        " does not exist in tenant 'Contoso' and cannot access the application"
    )
    code, data = _explain(capsys, _project(tmp_path), text)
    assert code == 2
    (check,) = data["checks"]
    assert check["name"] == "AADSTS50020" and check["status"] == "fail"
    assert "AzureADandPersonalMicrosoftAccount" in check["fix"]
    assert "someone@live.com" not in json.dumps(data)  # the pasted text is not echoed


def test_explain_consent_uses_the_client_id_and_tenant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, data = _explain(
        capsys,
        _project(tmp_path, "AzureADMyOrg"),
        "AADSTS65001: The user or administrator has not consented to use the application",
        "--client-id",
        CLIENT,
    )
    assert code == 2
    assert (
        f"https://login.microsoftonline.com/{TENANT}/adminconsent?client_id={CLIENT}"
        in data["checks"][0]["fix"]
    )


def test_explain_exit_codes_follow_severity(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path)
    throttled = "(451, b'4.7.500 Server busy. Please try again later from [203.0.113.5].')"
    assert _explain(capsys, project, throttled)[0] == 1
    code, data = _explain(capsys, project, "AADSTS9002313: Invalid request.")
    assert code == 1 and "AADSTS9002313" in data["checks"][0]["fix"]
    code, data = _explain(capsys, project, "something odd happened")
    assert code == 1 and data["checks"][0]["name"] == "no code"


def test_explain_table_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    code = main(
        [
            "doctor",
            "--project-dir",
            str(_project(tmp_path)),
            "--explain",
            "unauthorized_client: The client does not exist or is not enabled for consumers.",
        ]
    )
    out = capsys.readouterr().out
    assert code == 2 and "unauthorized_client" in out and "AzureADandPersonal" in out


# ------------------------------------------------------------------ failed fetches (19.0)


def test_fetch_errors_are_read_from_odoo_19(tmp_path: Path, fake_odoo: Any) -> None:
    odoo = fake_odoo("19.0", admin_password="pw-odoo-19")
    db = odoo.db("odoo")
    failing = db.seed(
        "fetchmail.server",
        {
            "name": "Outlook catchall",
            "server_type": "outlook",
            "user": "catchall@example.com",
            "state": "done",
            "error_date": "2026-01-10 09:00:00",
            "error_message": "b'AUTHENTICATE failed.'",
        },
    )
    db.seed(
        "fetchmail.server",
        {"name": "Healthy", "server_type": "imap", "user": "x@y.z", "state": "done"},
    )
    config = load_stack_file(_project(tmp_path, url=odoo.url) / "Pulumi.dev.yaml")
    spec = desired_state(config, datetime.now(UTC)).targets[0]
    facts = read_target(spec, "pw-odoo-19", datetime.now(UTC))
    assert facts.error is None and facts.fetch_error is None
    (error,) = facts.fetch_errors
    assert (error.id, error.mailbox, error.error_date) == (
        failing,
        "catchall@example.com",
        "2026-01-10 09:00:00",
    )
    stack = StackFacts(SignInAudience.MULTIPLE_ORGS, mailboxes=("catchall@example.com",))
    (check,) = fetch_error_checks(facts.fetch_errors, stack, "erp")
    assert check.name == "incoming fetch catchall@example.com IMAP AUTHENTICATE failed"
    assert check.status is Status.FAIL and "ImapEnabled" in (check.fix or "")


def test_versions_before_19_keep_no_fetch_errors(tmp_path: Path, fake_odoo: Any) -> None:
    odoo = fake_odoo("18.0", admin_password="pw-odoo-18")
    config = load_stack_file(_project(tmp_path, url=odoo.url) / "Pulumi.dev.yaml")
    spec = desired_state(config, datetime.now(UTC)).targets[0]
    facts = read_target(spec, "pw-odoo-18", datetime.now(UTC))
    assert facts.error is None and facts.fetch_errors == () and facts.fetch_error is None


def test_fetch_error_checks_say_when_odoo_gave_up() -> None:
    stack = StackFacts(SignInAudience.MY_ORG, tenant_id=TENANT)
    since = (datetime.now(UTC) - timedelta(days=6)).strftime("%Y-%m-%d %H:%M:%S")
    checks = fetch_error_checks(
        [
            FetchError(7, "Old IMAP", "info@example.com", since, "b'LOGIN failed.'", "draft"),
            FetchError(8, "Odd", None, since, "socket timeout"),
        ],
        stack,
        "erp",
    )
    assert checks[0].name == "incoming fetch info@example.com IMAP LOGIN failed"
    assert "Not Confirmed" in checks[0].detail and "Outlook OAuth" in (checks[0].fix or "")
    assert checks[1].status is Status.WARN and checks[1].name == "incoming fetch Odd"
