"""The doctor's pure checks, without servers: secret expiry and hints, Microsoft error codes,
authority rules per audience and Odoo version, exit codes; and `run_doctor` as a library."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from odoo_outlook.config import SignInAudience, parse_config
from odoo_outlook.desired import desired_state
from odoo_outlook.doctor import Check, DoctorOptions, Status, run_doctor
from odoo_outlook.doctor.azure_checks import AzureFacts, Principal, Read, check_owners
from odoo_outlook.doctor.default_from import check_default_from
from odoo_outlook.doctor.knowledge import StackFacts, match
from odoo_outlook.doctor.mail_errors import FailedMail, failed_mail_checks
from odoo_outlook.doctor.model import exit_code, fail, ok, warn
from odoo_outlook.doctor.plan_checks import (
    authority_check,
    catchall_check,
    doctor_plan,
    split_fix,
)
from odoo_outlook.doctor.secrets import expiry_checks, held_key_ids, holder_check
from odoo_outlook.errors import ConfigError
from odoo_outlook.external_ids import alias_domain_xmlid
from odoo_outlook.graph import DirectoryObjectRef, GraphSettings, PasswordCredential
from odoo_outlook.odoo.capabilities import Capabilities, ModuleStates
from odoo_outlook.odoo.neighbours import from_filter_matches
from odoo_outlook.odoo.state import AliasDomainRecord, Company, OdooState, Param, Server, XmlId
from odoo_outlook.odoo.transport import ServerVersion
from odoo_outlook.stack_outputs import parse_stack_outputs
from tests.fakes.graph_server import FakeGraph, StaticTokenCredential

NOW = datetime(2026, 3, 1, tzinfo=UTC)
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def cred(key: str, hint: str, days: float, start_days: float = -30) -> PasswordCredential:
    return PasswordCredential(
        key_id=key * 8,
        display_name=f"odoo-{key}",
        hint=hint,
        start=NOW + timedelta(days=start_days),
        end=NOW + timedelta(days=days),
    )


# --------------------------------------------------------------------------- exit codes


def test_exit_codes() -> None:
    assert exit_code([ok("a", "x")]) == 0
    assert exit_code([ok("a", "x"), warn("b", "y", "f")]) == 1
    assert exit_code([warn("b", "y", "f"), fail("c", "z", "f")]) == 2
    assert exit_code([]) == 0


# --------------------------------------------------------------------------- secrets


def test_expiry_statuses() -> None:
    creds = [
        cred("a", "Aa1", 100),
        cred("b", "Bb2", 20),
        cred("c", "Cc3", -2),
        cred("d", "Dd4", 300, start_days=5),
    ]
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


# --------------------------------------------------------------------------- app owners

ADMIN = DirectoryObjectRef(
    "aaaaaaaa-0000-4000-8000-000000000001", "user", "Admin", "admin@contoso.com"
)
ROBOT = DirectoryObjectRef("bbbbbbbb-0000-4000-8000-000000000002", "servicePrincipal", "deployer")


def _owners(
    owners: Read[tuple[DirectoryObjectRef, ...]], *principals: Principal
) -> dict[str, Check]:
    facts = AzureFacts("id", Read(), owners=owners, owner_principals=principals)
    return {c.name: c for c in check_owners(facts)}


def _owner(name: str, object_id: str | None = None, *, missing: bool = False) -> Principal:
    read: Read[str] = (
        Read(value=object_id)
        if object_id
        else Read(
            error=f"no user {name} in this tenant" if missing else "Graph refused: User.Read.All",
            missing=missing,
        )
    )
    return Principal("owner", name, read)


def test_owners_healthy() -> None:
    checks = _owners(
        Read(value=(ADMIN, ROBOT)),
        _owner("admin@contoso.com", ADMIN.id),
        _owner(ROBOT.id.upper(), ROBOT.id.upper()),
    )
    assert {c.status for c in checks.values()} == {Status.OK}
    assert checks["app owners"].detail == "2 owner(s): admin@contoso.com, deployer"
    assert f"app owner {ROBOT.id.upper()}" in checks


def test_no_owner_at_all_warns() -> None:
    checks = _owners(Read(value=()))
    assert checks["app owners"].status is Status.WARN
    assert "has no owner" in checks["app owners"].detail
    assert "pulumi up" in (checks["app owners"].fix or "")


def test_configured_owner_not_an_owner_or_unknown_warns() -> None:
    checks = _owners(
        Read(value=(ROBOT,)),
        _owner("admin@contoso.com", ADMIN.id),
        _owner("carol@contoso.com", missing=True),
    )
    assert checks["app owners"].status is Status.OK
    missing = checks["app owner admin@contoso.com"]
    assert missing.status is Status.WARN and "is not an owner" in missing.detail
    unknown = checks["app owner carol@contoso.com"]
    assert unknown.status is Status.WARN and "app.owners" in (unknown.fix or "")


def test_owner_reads_refused_fail_naming_the_permission() -> None:
    refused = _owners(
        Read(error="Microsoft Graph refused reading the owners (needs Application.Read.All)"),
        _owner("admin@contoso.com", ADMIN.id),
    )
    assert list(refused) == ["app owners"]
    assert refused["app owners"].status is Status.FAIL
    assert "Application.Read.All" in refused["app owners"].detail
    user_refused = _owners(Read(value=(ADMIN,)), _owner("admin@contoso.com"))
    assert user_refused["app owner admin@contoso.com"].status is Status.FAIL


# --------------------------------------------------------------------------- Microsoft errors


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        (
            "(535, b'5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for"
            " the Mailbox.')",
            ["535 5.7.139"],
        ),
        (
            "535 5.7.139 Authentication unsuccessful, user is locked by security defaults",
            ["535 5.7.139"],
        ),
        ("AADSTS7000215: Invalid client secret provided.", ["AADSTS7000215"]),
        ("AADSTS7000222: The provided client secret keys are expired.", ["AADSTS7000222"]),
        ("AADSTS700016: Application with identifier", ["AADSTS700016"]),
        ("error AADSTS700021 and AADSTS70001", []),
        ("AADSTS50011 then AADSTS65001", ["AADSTS50011", "AADSTS65001"]),
        ("AADSTS50020: User account from identity provider", ["AADSTS50020"]),
        (
            "AADSTS50194: Application is not configured as a multi-tenant application",
            ["AADSTS50194"],
        ),
        ("5.7.1390 or 15.7.139", []),
        ("", []),
    ],
)
def test_classify(text: str, codes: list[str]) -> None:
    assert sorted(e.code for e in match(text)) == sorted(codes)


def test_failed_mail_checks_group_by_code_and_fill_the_fix() -> None:
    mails = [
        FailedMail(3, "2026-02-28 10:00:00", "AADSTS65001: not consented"),
        FailedMail(4, "2026-02-28 11:00:00", "AADSTS65001: not consented"),
        FailedMail(5, None, "timeout"),
    ]
    stack = StackFacts(SignInAudience.MY_ORG, tenant_id="t-1", client_id="c-1")
    checks = failed_mail_checks(mails, NOW - timedelta(days=7), stack, "erp")
    consent = next(c for c in checks if c.name == "failed mail AADSTS65001")
    assert consent.detail.startswith("2 mail(s) since 2026-02-22 (latest #4")
    assert "https://login.microsoftonline.com/t-1/adminconsent?client_id=c-1" in (consent.fix or "")
    assert any(c.name == "failed mail" and c.status is Status.WARN for c in checks)
    assert failed_mail_checks([], NOW, stack, "erp")[0].status is Status.OK
    # A value the stack does not know is shown as a placeholder, never a crash.
    lone = failed_mail_checks([FailedMail(1, None, "AADSTS50011")], NOW, stack, "erp")
    assert "<base-url>" in (lone[0].fix or "")


# --------------------------------------------------------------------------- authority


def _caps(major: int) -> Capabilities:
    param = "microsoft_outlook.endpoint"
    return Capabilities(
        version=ServerVersion(f"{major}.0", major, 0),
        modules=ModuleStates({}),
        mail_server_fields=frozenset(),
        fetchmail_fields=frozenset(),
        smtp_marker="selection",
        imap_marker="selection",
        has_fetchmail_model=True,
        has_alias_domain=major >= 17,
        endpoint_param=param,
        legacy_endpoint_params=("microsoft.outlook.endpoint",) if major == 16 else (),
    )


def _state(**params: str) -> OdooState:
    return OdooState(
        {k: Param(i, k, v) for i, (k, v) in enumerate(params.items())}, {}, (), (), None
    )


def _authority(
    audience: SignInAudience, caps: Capabilities, state: OdooState, tenant: str | None = TENANT
) -> Check:
    """The authority check, read from the sync's plan for a target of an app of `audience`."""
    config = parse_config(
        {
            "odoo-outlook:app": {"signInAudience": str(audience)},
            "odoo-outlook:targets": [
                {
                    "name": "erp",
                    "baseUrls": ["https://odoo.example.com"],
                    "mail": {"notifications": "n@example.com"},
                }
            ],
        }
    )
    spec = desired_state(config, NOW).targets[0]
    plan = doctor_plan(state, caps, spec, client_id="id", stack_secret=None, tenant_id=tenant)
    return authority_check(plan, state, caps, "erp")


TENANT_URL = f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/"
COMMON_URL = "https://login.microsoftonline.com/common/oauth2/v2.0/"
ORGS_URL = "https://login.microsoftonline.com/organizations/oauth2/v2.0/"


@pytest.mark.parametrize(
    ("audience", "major", "value", "status"),
    [
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
    ],
)
def test_authority_rules(
    audience: SignInAudience, major: int, value: str | None, status: Status
) -> None:
    caps = _caps(major)
    # Odoo 16.0 keeps the name older builds read next to the current one; the sync sets both.
    keys = (caps.endpoint_param, *caps.legacy_endpoint_params)
    params = dict.fromkeys(keys, value) if value else {}
    check = _authority(audience, caps, _state(**params))
    assert check.status is status, check
    assert "not compared" not in check.detail  # the tenant is known here


def test_single_tenant_authority_without_a_known_tenant_is_accepted_unverified() -> None:
    caps = _caps(17)
    other = TENANT_URL.replace(TENANT, "11111111-1111-1111-1111-111111111111")
    check = _authority(
        SignInAudience.MY_ORG, caps, _state(**{"microsoft_outlook.endpoint": other}), tenant=None
    )
    assert check.status is Status.OK and "not compared" in check.detail


def test_split_fix() -> None:
    assert split_fix("web.base.url is x (fix: set it)", "d") == ("web.base.url is x", "set it")
    assert split_fix("plain", "default") == ("plain", "default")


# --------------------------------------------------------------------------- catch-all / From

SPEC = desired_state(
    parse_config(
        {
            "odoo-outlook:targets": [
                {
                    "name": "erp",
                    "baseUrls": ["https://odoo.example.com"],
                    "mail": {"notifications": "Notifications@Example.com"},
                }
            ]
        }
    ),
    NOW,
).targets[0]
GOOD_PARAMS = {
    "mail.catchall.domain": "example.com",
    "mail.default.from": "notifications",
    "mail.catchall.alias": "catchall",
    "mail.bounce.alias": "bounce",
}
GOOD_DOMAIN = {
    "name": "example.com",
    "default_from": "notifications",
    "catchall_alias": "catchall",
    "bounce_alias": "bounce",
}


def _outlook_server(
    major: int, from_filter: str, *, active: bool = True, outlook: bool = True, server_id: int = 7
) -> Server:
    marker = (
        {"use_microsoft_outlook_service": outlook}
        if major == 15
        else {"smtp_authentication": "outlook" if outlook else "login"}
    )
    return Server(
        "ir.mail_server",
        server_id,
        {"name": f"Outlook {from_filter}", "from_filter": from_filter, "active": active, **marker},
        False,
        True,
    )


def _mail_state(
    major: int,
    *,
    params: dict[str, str] | None = None,
    domain: dict[str, str] | None = None,
    link: int | bool = 3,
    servers: tuple[Server, ...] | None = None,
    managed: bool = True,
) -> OdooState:
    params = GOOD_PARAMS if params is None else params
    servers = (
        (_outlook_server(major, "notifications@example.com"),) if servers is None else (servers)
    )
    if major < 17:
        return OdooState(
            {k: Param(i, k, v) for i, (k, v) in enumerate(params.items())}, {}, servers, (), None
        )
    xmlid = alias_domain_xmlid("example.com")
    xmlids = {xmlid: XmlId(1, xmlid, "mail.alias.domain", 3)} if managed else {}
    record = AliasDomainRecord(3, GOOD_DOMAIN if domain is None else domain)
    return OdooState({}, xmlids, servers, (record,), Company(1, "My Company", link))


def _mail_caps(major: int) -> Capabilities:
    caps = _caps(major)
    return Capabilities(
        caps.version,
        caps.modules,
        caps.mail_server_fields,
        caps.fetchmail_fields,
        "boolean" if major == 15 else "selection",
        caps.imap_marker,
        True,
        major >= 17,
        caps.endpoint_param,
    )


def _alias(major: int, **state: Any) -> tuple[Check, Check]:
    live, caps = _mail_state(major, **state), _mail_caps(major)
    plan = doctor_plan(live, caps, SPEC, client_id="id", stack_secret=None, tenant_id=None)
    catchall = catchall_check(plan, live, caps, "erp")
    default_from = check_default_from(live, caps, "erp")
    assert (catchall.name, default_from.name) == ("catch-all domain", "default From")
    return catchall, default_from


@pytest.mark.parametrize("major", [15, 16, 17, 19])
def test_catchall_and_default_from_healthy(major: int) -> None:
    catchall, default_from = _alias(major)
    assert catchall.status is Status.OK, catchall
    assert default_from.status is Status.OK, default_from
    assert "notifications@example.com goes out through ir.mail_server #7" in default_from.detail
    if major >= 17:
        assert "company 'My Company' uses mail.alias.domain #3 'example.com'" in catchall.detail


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("mail.catchall.domain", "other.example.org"),
        ("mail.default.from", "noreply"),
    ],
)
def test_catchall_params_wrong_domain_or_default_from_fail(key: str, value: str) -> None:
    catchall, default_from = _alias(16, params={**GOOD_PARAMS, key: value})
    assert catchall.status is Status.FAIL
    assert f"{key} is {value!r}" in catchall.detail
    assert "which the Outlook servers' From filters (notifications@example.com) do not match" in (
        catchall.detail
    )
    assert "odoo-outlook sync" in (catchall.fix or "")
    assert default_from.status is Status.FAIL
    assert "is not matched by the From filter" in default_from.detail


def test_catchall_params_unset_fail() -> None:
    catchall, default_from = _alias(15, params={})
    assert catchall.status is Status.FAIL
    assert "mail.catchall.domain is not set" in catchall.detail
    assert "no default From address" in catchall.detail
    assert default_from.status is Status.FAIL and "no default From" in default_from.detail


@pytest.mark.parametrize("key", ["mail.catchall.alias", "mail.bounce.alias"])
def test_catchall_params_other_alias_names_fail_as_the_sync_would_write_them(key: str) -> None:
    catchall, default_from = _alias(16, params={**GOOD_PARAMS, key: "postmaster"})
    assert catchall.status is Status.FAIL, catchall
    assert f"{key} is 'postmaster', wanted" in catchall.detail
    assert "do not match" not in catchall.detail  # the default From still goes out
    assert default_from.status is Status.OK


def test_catchall_params_full_default_from_address_fails_but_still_routes() -> None:
    params = {**GOOD_PARAMS, "mail.default.from": "notifications@example.com"}
    catchall, default_from = _alias(16, params=params)
    assert catchall.status is Status.FAIL
    assert "mail.default.from is 'notifications@example.com', wanted 'notifications'" in (
        catchall.detail
    )
    assert default_from.status is Status.OK


def test_alias_domain_not_linked_fails() -> None:
    catchall, default_from = _alias(17, link=False)
    assert catchall.status is Status.FAIL
    assert "company 'My Company' has no alias domain (mail.alias.domain)" in catchall.detail
    assert "odoo-outlook sync" in (catchall.fix or "")
    assert default_from.status is Status.FAIL


def test_alias_domain_link_to_a_missing_record_fails() -> None:
    catchall, _ = _alias(18, link=99)
    assert catchall.status is Status.FAIL and "#99, which does not exist" in catchall.detail


@pytest.mark.parametrize(
    ("field", "value", "from_fails"),
    [
        ("name", "other.example.org", True),
        ("default_from", "noreply", True),
        ("catchall_alias", "postmaster", False),
        ("bounce_alias", "mailer-daemon", False),
    ],
)
def test_alias_domain_differences_fail(field: str, value: str, from_fails: bool) -> None:
    catchall, default_from = _alias(17, domain={**GOOD_DOMAIN, field: value})
    assert catchall.status is Status.FAIL
    assert f"{field} is {value!r}, wanted" in catchall.detail
    assert "odoo-outlook sync" in (catchall.fix or "")
    assert ("do not match" in catchall.detail) is from_fails
    assert (default_from.status is Status.FAIL) is from_fails


def test_unmanaged_alias_domain_that_differs_is_fixed_in_odoo() -> None:
    catchall, _ = _alias(17, domain={**GOOD_DOMAIN, "default_from": "noreply"}, managed=False)
    assert catchall.status is Status.FAIL
    fix = catchall.fix or ""
    assert "Settings > Emails > Alias Domain" in fix and "never edits it" in fix


@pytest.mark.parametrize(
    ("servers", "status"),
    [
        ((_outlook_server(17, "example.com"),), Status.OK),
        ((_outlook_server(17, "a@example.org, NOTIFICATIONS@example.com"),), Status.OK),
        ((_outlook_server(17, "someone@example.com"),), Status.FAIL),
        ((_outlook_server(17, "notifications@example.com", active=False),), Status.FAIL),
        ((_outlook_server(17, "notifications@example.com", outlook=False),), Status.FAIL),
        ((_outlook_server(17, ""),), Status.FAIL),
        ((), Status.FAIL),
    ],
)
def test_default_from_needs_an_outlook_from_filter(
    servers: tuple[Server, ...], status: Status
) -> None:
    check = check_default_from(_mail_state(17, servers=servers), _mail_caps(17), "erp")
    assert check.status is status, check
    if status is Status.FAIL:
        assert "generic configuration" in check.detail and "odoo-outlook sync" in (check.fix or "")


def test_default_from_on_15_uses_the_boolean_marker() -> None:
    servers = (_outlook_server(15, "example.com"),)
    assert (
        check_default_from(_mail_state(15, servers=servers), _mail_caps(15), "erp").status
        is Status.OK
    )
    no_marker = (_outlook_server(15, "example.com", outlook=False),)
    assert (
        check_default_from(_mail_state(15, servers=no_marker), _mail_caps(15), "erp").status
        is Status.FAIL
    )


@pytest.mark.parametrize(
    ("address", "from_filter", "matches"),
    [
        ("n@example.com", "n@example.com", True),
        ("N@Example.com", "n@example.COM", True),
        ("n@example.com", "example.com", True),
        ("n@example.com", "x@y.org,example.com", True),
        ("n@example.com", "sub.example.com", False),
        ("n@example.com", "m@example.com", False),
        ("n@example.com", "", False),
        ("n@example.com", None, False),
    ],
)
def test_from_filter_matches(address: str, from_filter: str | None, matches: bool) -> None:
    assert from_filter_matches(address, from_filter) is matches


# --------------------------------------------------------------------------- outputs


def test_stack_outputs() -> None:
    app = "3f1c2b7a-5d4e-4f60-8a9b-1c2d3e4f5a6b"
    outputs = parse_stack_outputs(f'{{"clientId": "{app}", "clientSecret": "[secret]"}}', "f")
    assert outputs.client_id == app and outputs.client_secret is None
    with_secret = parse_stack_outputs(
        f'{{"clientId": "{app}", "clientSecret": "s3cr3t-value"}}', "f"
    )
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
        redirect_uris=["https://odoo.example.com/microsoft_outlook/confirm"], users=[]
    )
    config = parse_config(
        {
            "odoo-outlook:app": {"signInAudience": "AzureADMyOrg", "tenantId": TENANT},
            "odoo-outlook:targets": [
                {
                    "name": "erp",
                    "baseUrls": ["https://odoo.example.com"],
                    "mail": {"notifications": "n@example.com"},
                }
            ],
        }
    )
    credential = StaticTokenCredential("library-token-123")
    report = run_doctor(
        config,
        DoctorOptions(client_id=seeded.client_id, graph=GraphSettings(base_url=fake_graph.url)),
        credential=credential,
    )
    assert report.exit_code == 0, [c for c in report.checks if c.status is not Status.OK]
    assert fake_graph.saw_token("library-token-123")
    assert any(
        c
        == Check(
            "odoo", Status.OK, "not checked: the target has no connection settings", None, "erp"
        )
        for c in report.checks
    )
    with pytest.raises(ConfigError, match="--client-id"):
        run_doctor(config, DoctorOptions(), credential=credential)
