"""The doctor's pure checks, without servers: secret expiry and hints, Microsoft error codes,
authority rules per audience and Odoo version, exit codes; and `run_doctor` as a library."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from odoo_outlook.config import SignInAudience, parse_config
from odoo_outlook.desired import desired_state
from odoo_outlook.doctor import Check, DoctorOptions, Status, run_doctor
from odoo_outlook.doctor.mail_errors import KNOWN_ERRORS, FailedMail, classify, failed_mail_checks
from odoo_outlook.doctor.model import exit_code, fail, ok, warn
from odoo_outlook.doctor.odoo_checks import AppView, check_authority, split_fix
from odoo_outlook.doctor.secrets import expiry_checks, held_key_ids, holder_check
from odoo_outlook.errors import ConfigError
from odoo_outlook.graph import GraphSettings, PasswordCredential
from odoo_outlook.odoo.capabilities import Capabilities, ModuleStates
from odoo_outlook.odoo.state import OdooState, Param
from odoo_outlook.odoo.transport import ServerVersion
from odoo_outlook.stack_outputs import parse_stack_outputs
from tests.fakes.graph_server import FakeGraph, StaticTokenCredential

NOW = datetime(2026, 3, 1, tzinfo=UTC)
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def cred(key: str, hint: str, days: float, start_days: float = -30) -> PasswordCredential:
    return PasswordCredential(key_id=key * 8, display_name=f"odoo-{key}", hint=hint,
                              start=NOW + timedelta(days=start_days),
                              end=NOW + timedelta(days=days))


# --------------------------------------------------------------------------- exit codes


def test_exit_codes() -> None:
    assert exit_code([ok("a", "x")]) == 0
    assert exit_code([ok("a", "x"), warn("b", "y", "f")]) == 1
    assert exit_code([warn("b", "y", "f"), fail("c", "z", "f")]) == 2
    assert exit_code([]) == 0


# --------------------------------------------------------------------------- secrets


def test_expiry_statuses() -> None:
    creds = [cred("a", "Aa1", 100), cred("b", "Bb2", 20), cred("c", "Cc3", -2),
             cred("d", "Dd4", 300, start_days=5)]
    checks = {c.name: c for c in expiry_checks(creds, NOW, 30, held=frozenset({"b" * 8}))}
    assert checks["client secret 'odoo-a' (key aaaaaaaa)"].status is Status.OK
    held = checks["client secret 'odoo-b' (key bbbbbbbb)"]
    assert held.status is Status.WARN and "a holder uses it" in held.detail
    assert checks["client secret 'odoo-c' (key cccccccc)"].status is Status.FAIL
    assert checks["client secret 'odoo-d' (key dddddddd)"].status is Status.OK
    assert "client secrets" not in checks


def test_expiring_secret_nobody_holds_warns_only_without_a_successor() -> None:
    alone = expiry_checks([cred("a", "Aa1", 10)], NOW, 30, frozenset())
    assert alone[0].status is Status.WARN and "no other secret outlives it" in alone[0].detail
    replaced = expiry_checks([cred("a", "Aa1", 10), cred("b", "Bb2", 150)], NOW, 30, frozenset())
    assert [c.status for c in replaced] == [Status.OK, Status.OK]


def test_none_valid_and_none_at_all_fail() -> None:
    assert expiry_checks([], NOW, 30, frozenset())[0].status is Status.FAIL
    checks = expiry_checks([cred("a", "Aa1", -1)], NOW, 30, frozenset())
    assert checks[-1].name == "client secrets" and checks[-1].status is Status.FAIL


def test_holder_matches_by_hint_and_never_prints_secret_or_hint() -> None:
    creds = [cred("a", "Qx~", 100), cred("b", "Zk~", -1)]
    secret = "Qx~secret-value-123"
    good = holder_check("client secret", "Odoo", secret, creds, NOW, 30)
    assert good.status is Status.OK and "'odoo-a'" in good.detail
    expired = holder_check("client secret", "Odoo", "Zk~other", creds, NOW, 30)
    assert expired.status is Status.FAIL and "AADSTS7000222" in expired.detail
    unknown = holder_check("client secret", "Odoo", "Mm~nope", creds, NOW, 30)
    assert unknown.status is Status.FAIL and "AADSTS7000215" in unknown.detail
    for check in (good, expired, unknown):
        text = check.detail + (check.fix or "")
        assert "Qx~" not in text and "Zk~" not in text and "Mm~" not in text
    assert held_key_ids(secret, creds) == {"a" * 8}
    assert held_key_ids(None, creds) == frozenset()
    # A credential without a hint never matches.
    assert holder_check("s", "Odoo", "x", [cred("c", "", 50)], NOW, 30).status is Status.FAIL


# --------------------------------------------------------------------------- Microsoft errors


@pytest.mark.parametrize(("text", "codes"), [
    ("(535, b'5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for"
     " the Mailbox.')", ["535 5.7.139"]),
    ("535 5.7.139 Authentication unsuccessful, user is locked by security defaults",
     ["535 5.7.139"]),
    ("AADSTS7000215: Invalid client secret provided.", ["AADSTS7000215"]),
    ("AADSTS7000222: The provided client secret keys are expired.", ["AADSTS7000222"]),
    ("AADSTS700016: Application with identifier", ["AADSTS700016"]),
    ("error AADSTS700021 and AADSTS70001", []),
    ("AADSTS50011 then AADSTS65001", ["AADSTS50011", "AADSTS65001"]),
    ("AADSTS50020: User account from identity provider", ["AADSTS50020"]),
    ("AADSTS50194: Application is not configured as a multi-tenant application",
     ["AADSTS50194"]),
    ("5.7.1390 or 15.7.139", []),
    ("", []),
])
def test_classify(text: str, codes: list[str]) -> None:
    assert sorted(k.code for k in classify(text)) == sorted(codes)


def test_every_known_error_has_a_meaning_and_a_fix() -> None:
    codes = [k.code for k in KNOWN_ERRORS]
    assert len(codes) == len(set(codes))
    for required in ("535 5.7.139", "AADSTS7000215", "AADSTS50011", "AADSTS65001",
                     "AADSTS700016", "AADSTS50020"):
        assert required in codes
    for known in KNOWN_ERRORS:
        assert known.meaning and known.fix


def test_failed_mail_checks_group_by_code_and_fill_the_fix() -> None:
    mails = [FailedMail(3, "2026-02-28 10:00:00", "AADSTS65001: not consented"),
             FailedMail(4, "2026-02-28 11:00:00", "AADSTS65001: not consented"),
             FailedMail(5, None, "timeout")]
    checks = failed_mail_checks(mails, NOW - timedelta(days=7),
                                {"consent_url": "https://consent.example"}, "erp")
    consent = next(c for c in checks if c.name == "failed mail AADSTS65001")
    assert consent.detail.startswith("2 mail(s) since 2026-02-22 (latest #4")
    assert "https://consent.example" in (consent.fix or "")
    assert any(c.name == "failed mail" and c.status is Status.WARN for c in checks)
    assert failed_mail_checks([], NOW, {}, "erp")[0].status is Status.OK
    # A missing context value is shown as a placeholder, never a crash.
    lone = failed_mail_checks([FailedMail(1, None, "AADSTS50011")], NOW, {}, "erp")
    assert "<expected_base_url>" in (lone[0].fix or "")


# --------------------------------------------------------------------------- authority


def _caps(major: int) -> Capabilities:
    param = None if major == 15 else ("microsoft.outlook.endpoint" if major == 16
                                      else "microsoft_outlook.endpoint")
    return Capabilities(
        version=ServerVersion(f"{major}.0", major, 0), modules=ModuleStates({}),
        mail_server_fields=frozenset(), fetchmail_fields=frozenset(), smtp_marker="selection",
        imap_marker="selection", has_fetchmail_model=True, has_alias_domain=major >= 17,
        endpoint_param=param)


def _state(**params: str) -> OdooState:
    return OdooState({k: Param(i, k, v) for i, (k, v) in enumerate(params.items())}, {}, (), (),
                     None)


def _view(audience: SignInAudience, tenant: str | None = TENANT) -> AppView:
    config = parse_config({
        "odoo-outlook:app": {"signInAudience": str(audience)},
        "odoo-outlook:targets": [{"name": "erp", "baseUrls": ["https://odoo.example.com"],
                                  "mail": {"notifications": "n@example.com"}}]})
    return AppView("id", desired_state(config, NOW).app, tenant)


TENANT_URL = f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/"
COMMON_URL = "https://login.microsoftonline.com/common/oauth2/v2.0/"
ORGS_URL = "https://login.microsoftonline.com/organizations/oauth2/v2.0/"


@pytest.mark.parametrize(("audience", "major", "value", "status"), [
    (SignInAudience.MY_ORG, 17, TENANT_URL, Status.OK),
    (SignInAudience.MY_ORG, 16, TENANT_URL, Status.OK),
    (SignInAudience.MY_ORG, 17, None, Status.FAIL),
    (SignInAudience.MY_ORG, 17, COMMON_URL, Status.FAIL),
    (SignInAudience.MY_ORG, 15, None, Status.FAIL),
    (SignInAudience.MULTIPLE_ORGS, 17, None, Status.OK),
    (SignInAudience.MULTIPLE_ORGS, 17, COMMON_URL, Status.OK),
    (SignInAudience.MULTIPLE_ORGS, 17, ORGS_URL, Status.OK),
    (SignInAudience.ORGS_AND_PERSONAL, 17, ORGS_URL, Status.FAIL),
    (SignInAudience.ORGS_AND_PERSONAL, 16, TENANT_URL, Status.FAIL),
    (SignInAudience.ORGS_AND_PERSONAL, 15, None, Status.OK),
])
def test_authority_rules(audience: SignInAudience, major: int, value: str | None,
                         status: Status) -> None:
    caps = _caps(major)
    params = {caps.endpoint_param: value} if value and caps.endpoint_param else {}
    check = check_authority(_state(**params), caps, _view(audience), "erp")
    assert check.status is status, check


def test_single_tenant_authority_without_a_known_tenant_is_accepted_unverified() -> None:
    caps = _caps(17)
    other = TENANT_URL.replace(TENANT, "11111111-1111-1111-1111-111111111111")
    check = check_authority(_state(**{"microsoft_outlook.endpoint": other}), caps,
                            _view(SignInAudience.MY_ORG, tenant=None), "erp")
    assert check.status is Status.OK and "not compared" in check.detail


def test_split_fix() -> None:
    assert split_fix("web.base.url is x (fix: set it)", "d") == ("web.base.url is x", "set it")
    assert split_fix("plain", "default") == ("plain", "default")


# --------------------------------------------------------------------------- outputs


def test_stack_outputs() -> None:
    outputs = parse_stack_outputs('{"clientId": "abc", "clientSecret": "[secret]"}', "f")
    assert outputs.client_id == "abc" and outputs.client_secret is None
    with_secret = parse_stack_outputs('{"clientId": "a", "clientSecret": "s3cr3t-value"}', "f")
    assert with_secret.client_secret == "s3cr3t-value"
    assert "s3cr3t" not in repr(with_secret)
    with pytest.raises(ConfigError, match="has no clientId"):
        parse_stack_outputs("{}", "f")
    with pytest.raises(ConfigError, match="is not JSON"):
        parse_stack_outputs("nope", "f")


# --------------------------------------------------------------------------- library


def test_run_doctor_takes_a_credential(fake_graph: FakeGraph) -> None:
    """Library users hand `run_doctor` any azure-identity credential."""
    seeded = fake_graph.seed_healthy(
        redirect_uris=["https://odoo.example.com/microsoft_outlook/confirm"], users=[])
    config = parse_config({
        "odoo-outlook:app": {"signInAudience": "AzureADMyOrg", "tenantId": TENANT},
        "odoo-outlook:targets": [{"name": "erp", "baseUrls": ["https://odoo.example.com"],
                                  "mail": {"notifications": "n@example.com"}}]})
    credential = StaticTokenCredential("library-token-123")
    report = run_doctor(config, DoctorOptions(client_id=seeded.client_id,
                                              graph=GraphSettings(base_url=fake_graph.url)),
                        credential=credential)
    assert report.exit_code == 0, [c for c in report.checks if c.status is not Status.OK]
    assert fake_graph.saw_token("library-token-123")
    assert any(c == Check("odoo", Status.OK, "not checked: the target has no connection"
                          " settings", None, "erp") for c in report.checks)
    with pytest.raises(ConfigError, match="--client-id"):
        run_doctor(config, DoctorOptions(), credential=credential)
