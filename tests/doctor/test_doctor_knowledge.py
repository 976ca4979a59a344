"""The diagnosis knowledge base: every entry recognised from a realistic failure text (as Odoo
stores it in mail.mail.failure_reason / fetchmail.server.error_message, or as the browser shows
it), the whole reply read, and no advice contradicting the stack."""

from __future__ import annotations

import itertools

import pytest

from odoo_outlook.config import SignInAudience
from odoo_outlook.doctor.knowledge import (
    ENTRIES,
    Fact,
    StackFacts,
    contradictions,
    diagnose,
    match,
)
from odoo_outlook.doctor.model import Status

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT = "11111111-2222-3333-4444-555555555555"

# One realistic text per entry, as people reported them (personal details replaced). Python's
# smtplib shows an SMTP reply as "(code, b'enhanced-code text')", Odoo keeps that in
# failure_reason; imaplib errors read "b'AUTHENTICATE failed.'"; Odoo's Outlook module wraps
# token errors as "An error occurred when fetching the access token. <error_description>".
EXAMPLES: dict[str, str] = {
    "smtp-basic-auth-disabled": "(535, b'5.7.139 Authentication unsuccessful, basic"
    " authentication is disabled. [PR3P195CA0012.EURP195.PROD.OUTLOOK.COM 2026-01-10T09:12:44]')",
    "smtp-auth-disabled-tenant": "(535, b'5.7.139 Authentication unsuccessful,"
    " SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled"
    " for more information. [MN2PR05CA0046.namprd05.prod.outlook.com]')",
    "smtp-auth-disabled-mailbox": "(535, b'5.7.139 Authentication unsuccessful,"
    " SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled"
    " for more information.')",
    "smtp-security-defaults": '(535, b"5.7.139 Authentication unsuccessful, user is locked by'
    " your organization's security defaults policy. Contact your administrator.\")",
    "smtp-auth-criteria": "(535, b'5.7.139 Authentication unsuccessful, the request did not meet"
    " the criteria to be authenticated successfully. Contact your administrator.')",
    "smtp-5.7.3": "(535, b'5.7.3 Authentication unsuccessful [SN4PR0601CA0010.namprd06.prod."
    "outlook.com]')",
    "smtp-5.7.57": "(530, b'5.7.57 Client not authenticated to send mail."
    " [DB8PR06CA0012.eurprd06.prod.outlook.com]', 'odoo@example.com')",
    "smtp-send-as-5.7.60": "(550, b'5.7.60 SMTP; Client does not have permissions to send as"
    " this sender [AM0PR02MB5587.eurprd02.prod.outlook.com]', 'sales@example.com')",
    "smtp-send-as-denied": "(554, b'5.2.252 SendAsDenied; info@example.com not allowed to send"
    " as sales@example.com; STOREDRV.Submit; Cannot submit message.')",
    "smtp-tenant-threshold": "Remote Server returned '550 5.7.705 Access denied, tenant has"
    " exceeded threshold. For more information please go to"
    " http://go.microsoft.com/fwlink/?LinkId=526653'",
    "smtp-tenant-ip-blocked": "(550, b'5.7.708 Service unavailable. Access denied, traffic not"
    " accepted from this IP.')",
    "smtp-unregistered-domain": "(550, b'5.7.750 Service unavailable. Client blocked from"
    " sending from unregistered domains.')",
    "smtp-throttled": "(451, b'4.7.500 Server busy. Please try again later from [203.0.113.5]."
    " (AS761) [DB5EUR03FT003.eop-EUR03.prod.protection.outlook.com]')",
    "smtp-bad-outbound-sender": "(550, b'5.1.8 Access denied, bad outbound sender. AS(42004)')",
    "smtp-recipient-blocked": "(550, b'5.4.1 Recipient address rejected: Access denied."
    " AS(201806281) [BN8NAM11FT066.eop-nam11.prod.protection.outlook.com]')",
    "smtp-sending-limit": "(554, b'5.2.0 STOREDRV.Submission.Exception:"
    "SubmissionQuotaExceededException; Failed to process message due to a permanent"
    " exception')",
    "imap-authenticate-failed": "An error occurred when fetching the mail: b'AUTHENTICATE failed.'",
    "imap-login-failed": "General failure when trying to fetch mail: b'LOGIN failed.'",
    "imap-not-connected": "b'User is authenticated but not connected.'",
    "aadsts50011": "AADSTS50011: The redirect URI 'http://localhost:8069/microsoft_outlook/"
    "confirm' specified in the request does not match the redirect URIs configured for the"
    " application 'x'.",
    "aadsts50020-personal": "AADSTS50020: User account 'someone@live.com' from identity provider"
    " 'live.com' does not exist in tenant 'Contoso' and cannot access the application 'x'(Odoo)"
    " in that tenant.",
    "aadsts50020-guest": "AADSTS50020: User account 'bob@fabrikam.com' from identity provider"
    " 'https://sts.windows.net/0b5e.../' does not exist in tenant 'Contoso' and cannot access the"
    " application.",
    "aadsts90072": "AADSTS90072: User account 'bob@fabrikam.com' from identity provider"
    " 'https://sts.windows.net/x/' does not exist in tenant 'Contoso' and cannot access the"
    " application; the account needs to be added as an external user in the tenant first.",
    "aadsts50034": "AADSTS50034: The user account {EUII Hidden} does not exist in the"
    " 72f988bf directory. To sign into this application, the account must be added to the"
    " directory.",
    "aadsts50057": "AADSTS50057: The user account is disabled.",
    "aadsts50076": "invalid_grant: AADSTS50076: Due to a configuration change made by your"
    " administrator, or because you moved to a new location, you must use multi-factor"
    " authentication to access '00000002-0000-0ff1-ce00-000000000000'.",
    "aadsts50079": "AADSTS50079: Due to a configuration change made by your administrator, or"
    " because you moved to a new location, you must enroll in multi-factor authentication.",
    "aadsts50105": "AADSTS50105: Your administrator has configured the application Odoo"
    " ('x') to block users unless they are specifically granted ('assigned') access to the"
    " application.",
    "aadsts50126": "AADSTS50126: Error validating credentials due to invalid username or password.",
    "aadsts50158": "AADSTS50158: External security challenge not satisfied. User will be"
    " redirected to another page or authentication provider to satisfy additional"
    " authentication challenges.",
    "aadsts50173": "invalid_grant: AADSTS50173: The provided grant has expired due to it being"
    " revoked, a fresh auth token is needed. The user might have changed or reset their"
    " password.",
    "aadsts50194": "AADSTS50194: Application 'x'(Odoo) is not configured as a multi-tenant"
    " application. Usage of the /common endpoint is not supported for such applications"
    " created after '10/15/2018'.",
    "aadsts53003": "AADSTS53003: Access has been blocked by Conditional Access policies. The"
    " access policy does not allow token issuance.",
    "aadsts65001": "AADSTS65001: The user or administrator has not consented to use the"
    " application with ID 'x' named 'Odoo'. Send an interactive authorization request for this"
    " user and resource.",
    "aadsts65004": "access_denied: AADSTS65004: User declined to consent to access the app.",
    "aadsts90094": "AADSTS90094: The grant requires admin permission.",
    "aadsts500011": "AADSTS500011: The resource principal named https://outlook.office.com was"
    " not found in the tenant named Contoso. This can happen if the application has not been"
    " installed by the administrator of the tenant.",
    "aadsts700016": "AADSTS700016: Application with identifier 'x' was not found in the"
    " directory 'Contoso'.",
    "aadsts700025": "AADSTS700025: Client is public so neither 'client_assertion' nor"
    " 'client_secret' should be presented.",
    "aadsts700082": "invalid_grant: AADSTS700082: The refresh token has expired due to"
    " inactivity. The token was issued on 2025-06-01 and was inactive for 90.00:00:00.",
    "aadsts7000215": "An error occurred when fetching the access token. AADSTS7000215: Invalid"
    " client secret provided. Ensure the secret being sent in the request is the client secret"
    " value, not the client secret ID.",
    "aadsts7000222": "AADSTS7000222: The provided client secret keys for app 'x' are expired.",
    "aadsts7000112": "unauthorized_client: AADSTS7000112: Application 'x'(Odoo) is disabled.",
    "aadsts70000": "invalid_grant: AADSTS70000: The request was denied because one or more"
    " scopes requested are unauthorized or expired.",
    "aadsts70011": "invalid_scope: AADSTS70011: The provided value for the input parameter"
    " 'scope' is not valid.",
    "aadsts900144": "invalid_request: AADSTS900144: The request body must contain the following"
    " parameter: 'client_id'.",
    "unauthorized-client-consumers": "unauthorized_client: The client does not exist or is not"
    " enabled for consumers. If you are the application developer, configure a new application"
    " through the App Registrations in the Azure Portal.",
    "unauthorized-client": "unauthorized_client: The client does not exist or is not allowed"
    " for this grant type.",
    "invalid-client": "{'error': 'invalid_client', 'error_description': 'Client"
    " authentication failed.'}",
    "invalid-grant": "{'error': 'invalid_grant', 'error_description': 'The refresh token is"
    " invalid.'}",
}

STACKS = [
    StackFacts(
        audience,
        admin_consent,
        assignment_required,
        tenant,
        CLIENT,
        ("info@example.com",),
        "https://erp.example.com",
    )
    for audience, admin_consent, assignment_required, tenant in itertools.product(
        SignInAudience, (False, True), (False, True), (TENANT, None)
    )
]
MY_ORG = StackFacts(SignInAudience.MY_ORG, tenant_id=TENANT, client_id=CLIENT)
MULTI = StackFacts(SignInAudience.MULTIPLE_ORGS, tenant_id=TENANT, client_id=CLIENT)
PERSONAL = StackFacts(SignInAudience.ORGS_AND_PERSONAL, tenant_id=TENANT, client_id=CLIENT)


def test_the_table_is_complete_and_sourced() -> None:
    keys = [e.key for e in ENTRIES]
    assert len(keys) == len(set(keys)) and len(keys) >= 30
    assert set(keys) == set(EXAMPLES), set(keys) ^ set(EXAMPLES)
    for entry in ENTRIES:
        assert entry.source.startswith("https://"), entry.key
        assert entry.cause and entry.advice, entry.key


@pytest.mark.parametrize("key", list(EXAMPLES))
def test_each_entry_is_recognised_from_its_real_text(key: str) -> None:
    entry = next(e for e in ENTRIES if e.key == key)
    found = match(EXAMPLES[key])
    assert entry in found, [e.key for e in found]
    # Only this entry's code is claimed; nothing else in the reply is read as another failure.
    assert [e.code for e in found].count(entry.code) == 1
    for stack in STACKS:
        diagnosis = next(d for d in diagnose(EXAMPLES[key], stack) if d.entry is entry)
        assert diagnosis.fix and "{" not in diagnosis.fix and "}" not in diagnosis.fix


@pytest.mark.parametrize(
    ("entry", "stack"),
    [
        pytest.param(
            e,
            s,
            id=f"{e.key}-{s.audience}-{'consent' if s.admin_consent else 'noconsent'}"
            f"-{'assign' if s.assignment_required else 'open'}-{'t' if s.tenant_id else 'x'}",
        )
        for e in ENTRIES
        for s in STACKS
        if e.facts or len(e.advice) > 1
    ],
)
def test_no_advice_contradicts_the_stack(entry, stack) -> None:  # type: ignore[no-untyped-def]
    fix = next(d.fix for d in diagnose(EXAMPLES[entry.key], stack) if d.entry is entry)
    assert contradictions(fix, stack) == []


def test_the_contradiction_check_can_fail() -> None:
    assert contradictions("set app.signInAudience to AzureADMultipleOrgs", MULTI)
    assert contradictions(
        "or set app.adminConsent: true and `pulumi up`",
        StackFacts(SignInAudience.MY_ORG, admin_consent=True),
    )
    assert contradictions("use https://login.microsoftonline.com/common/oauth2/v2.0/", MY_ORG)
    assert contradictions("delete the system parameter microsoft_outlook.endpoint", MY_ORG)
    assert contradictions(
        "add the user to assignments.users",
        StackFacts(SignInAudience.MY_ORG, assignment_required=False),
    )
    assert not contradictions("set app.signInAudience to AzureADMultipleOrgs", MY_ORG)


# ------------------------------------------------------------------ the whole reply is read


def _only(text: str, stack: StackFacts) -> tuple[str, str]:
    (diagnosis,) = diagnose(text, stack)
    return diagnosis.entry.key if diagnosis.entry else diagnosis.code, diagnosis.fix


def test_5_7_139_variants_are_told_apart() -> None:
    basic = _only(EXAMPLES["smtp-basic-auth-disabled"], MY_ORG)
    tenant = _only(EXAMPLES["smtp-auth-disabled-tenant"], MY_ORG)
    mailbox = _only(EXAMPLES["smtp-auth-disabled-mailbox"], MY_ORG)
    assert basic[0] == "smtp-basic-auth-disabled" and "Outlook OAuth" in basic[1]
    assert "Set-CASMailbox" not in basic[1]  # the password server is the problem, not SMTP AUTH
    assert tenant[0] == "smtp-auth-disabled-tenant" and "Set-TransportConfig" in tenant[1]
    assert mailbox[0] == "smtp-auth-disabled-mailbox" and "Set-CASMailbox" in mailbox[1]
    assert "Set-TransportConfig" not in mailbox[1]


def test_the_server_is_named_when_known() -> None:
    (diagnosis,) = diagnose(EXAMPLES["smtp-basic-auth-disabled"], MY_ORG, {"server": "Legacy SMTP"})
    assert "(Legacy SMTP)" in diagnosis.fix


def test_send_as_is_known() -> None:
    key, fix = _only(EXAMPLES["smtp-send-as-5.7.60"], MY_ORG)
    assert key == "smtp-send-as-5.7.60"
    assert "mail.users" in fix and "Send As" in fix


def test_personal_account_on_a_multi_org_app_names_the_only_audience_that_admits_it() -> None:
    key, fix = _only(EXAMPLES["aadsts50020-personal"], MULTI)
    assert key == "aadsts50020-personal"
    assert "AzureADandPersonalMicrosoftAccount" in fix and "work" in fix
    assert "set app.signInAudience to AzureADMultipleOrgs" not in fix
    # The guest variant on a single-tenant app may point at AzureADMultipleOrgs.
    assert "AzureADMultipleOrgs" in _only(EXAMPLES["aadsts50020-guest"], MY_ORG)[1]
    # With personal accounts admitted, the authority is the problem: common, never the tenant.
    fix = _only(EXAMPLES["aadsts50020-personal"], PERSONAL)[1]
    assert "/common/" in fix


def test_not_enabled_for_consumers() -> None:
    key, fix = _only(EXAMPLES["unauthorized-client-consumers"], MULTI)
    assert key == "unauthorized-client-consumers"
    assert "AzureADandPersonalMicrosoftAccount" in fix
    assert _only(EXAMPLES["unauthorized-client"], MULTI)[0] == "unauthorized-client"


def test_consent_advice_follows_the_stack() -> None:
    without = StackFacts(
        SignInAudience.MY_ORG, admin_consent=False, tenant_id=TENANT, client_id=CLIENT
    )
    fix = _only(EXAMPLES["aadsts65001"], without)[1]
    assert f"https://login.microsoftonline.com/{TENANT}/adminconsent?client_id={CLIENT}" in fix
    assert "app.adminConsent: true" in fix
    granted = StackFacts(
        SignInAudience.MY_ORG, admin_consent=True, tenant_id=TENANT, client_id=CLIENT
    )
    assert "app.adminConsent: true" not in _only(EXAMPLES["aadsts65001"], granted)[1]


def test_single_tenant_never_gets_the_common_authority() -> None:
    for key in ("aadsts50194", "aadsts700016", "aadsts50020-guest", "aadsts90072"):
        fix = _only(EXAMPLES[key], MY_ORG)[1]
        assert "/common/" not in fix and "'common'" not in fix, key
    assert f"/{TENANT}/oauth2/v2.0/" in _only(EXAMPLES["aadsts50194"], MY_ORG)[1]


def test_tokens_are_whole() -> None:
    assert match("error AADSTS700021 and AADSTS70001") == []
    assert match("5.7.1390 or 15.7.139") == []
    assert [e.key for e in match("AADSTS7000215: Invalid client secret")] == ["aadsts7000215"]
    assert match("") == []


def test_unknown_codes_get_a_generic_line_with_the_raw_code() -> None:
    (diagnosis,) = diagnose("AADSTS9002313: Invalid request. Request is malformed.", MY_ORG)
    assert diagnosis.entry is None and diagnosis.code == "AADSTS9002313"
    assert "AADSTS9002313" in diagnosis.fix and "reference-error-codes" in diagnosis.fix
    assert diagnosis.severity is Status.WARN
    (smtp,) = diagnose(
        "(550, b'5.7.520 Access denied, Your organization does not allow external forwarding.')",
        MY_ORG,
    )
    assert smtp.code == "5.7.520" and "5.7.520" in smtp.fix
    assert diagnose("Connection unexpectedly closed", MY_ORG) == []


def test_entries_declare_the_facts_their_advice_depends_on() -> None:
    for entry in ENTRIES:
        if any(a.audiences is not None for a in entry.advice):
            assert Fact.AUDIENCE in entry.facts, entry.key
        if any(a.admin_consent is not None for a in entry.advice):
            assert Fact.CONSENT in entry.facts, entry.key
        if any(a.assignment_required is not None for a in entry.advice):
            assert Fact.ASSIGNMENTS in entry.facts, entry.key


def test_a_generic_oauth_error_gives_way_to_the_aadsts_code() -> None:
    assert [d.code for d in diagnose(EXAMPLES["aadsts50076"], MY_ORG)] == ["AADSTS50076"]
    assert [d.code for d in diagnose(EXAMPLES["aadsts7000112"], MY_ORG)] == ["AADSTS7000112"]
    assert [d.code for d in diagnose("invalid_grant: AADSTS9999999: new", MY_ORG)] == [
        "AADSTS9999999"
    ]
    assert [d.code for d in diagnose(EXAMPLES["invalid-grant"], MY_ORG)] == ["invalid_grant"]
    assert [d.code for d in diagnose("interaction_required: odd", MY_ORG)] == [
        "interaction_required"
    ]
