"""`odoo-outlook doctor` end to end: the CLI against the fake Graph and the fake Odoo.

The credential is azure-identity's own: `DefaultAzureCredential` narrowed by its documented
`AZURE_TOKEN_CREDENTIALS=AzureCliCredential` to the Azure CLI credential, which runs `az
account get-access-token`; a stub `az` on PATH prints a token. No product seam, no test-only
branch. The Graph base URL is the documented `ODOO_OUTLOOK_GRAPH_URL`. The environment
(fixtures `env`, `azure_cli`) is in doctor_env.py, served by conftest.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from odoo_outlook.doctor.model import SYNC
from tests.doctor.doctor_env import (
    BASE_URL,
    CLI_TOKEN,
    CLIENT_ID,
    ENDPOINT_PARAM,
    ODOO_PASSWORD,
    REDIRECT_URI,
    SECRET_A,
    SECRET_B,
    TENANT_ENDPOINT,
    TENANT_ID,
    Env,
    _iso,
    synced_odoo,
)
from tests.fakes.graph_server import GRAPH_APP_ROLES

# --------------------------------------------------------------------------- healthy


def test_healthy_setup_is_all_ok_exit_0(env: Env, azure_cli: Path) -> None:
    result = env.run()
    assert result.code == 0, result.checks("fail") | result.checks("warn")
    checks = result.checks()
    assert {c["status"] for c in checks.values()} == {"ok"}
    for key in (
        "azure/app registration",
        "azure/sign-in audience",
        "azure/redirect URIs",
        "azure/client type",
        "azure/implicit grant",
        "azure/API permissions",
        "azure/app owners",
        "azure/enterprise application",
        "azure/assignment required",
        "azure/assigned user alice@contoso.com",
        "azure/assigned group Odoo Users",
        "azure/admin consent",
        "azure/stack secret",
        "erp/odoo connection",
        "erp/Outlook module",
        "erp/client id",
        "erp/client secret",
        "erp/authority",
        "erp/web.base.url",
        "erp/outgoing server notifications@example.com",
        "erp/token outgoing notifications@example.com",
        "erp/incoming server catchall@example.com",
        "erp/token incoming catchall@example.com",
        "erp/catch-all domain",
        "erp/default From",
        "erp/failed mail",
    ):
        assert key in checks, key
    assert len([k for k in checks if k.startswith("azure/client secret ")]) == 2
    assert result.data["exitCode"] == 0
    # The token came from azure-identity's Azure CLI credential.
    assert env.graph.saw_token(CLI_TOKEN)
    # One `az account get-access-token` for the whole run, not one per Graph request.
    assert azure_cli.read_text().count("get-access-token") == 1


def test_table_output_has_status_and_fix_columns(env: Env) -> None:
    env.db.set_param("web.base.url.freeze", False)
    result = env.run(as_json=False)
    assert result.code == 1
    assert "odoo-outlook doctor: app" in result.out
    for word in ("scope", "check", "status", "detail", "fix", "web.base.url", "warn"):
        assert word in result.out
    assert "exit code 1" in result.out


# --------------------------------------------------------------------------- Azure, broken


def _unassign(env: Env, kind: str) -> None:
    principal = env.seeded.users[0] if kind == "user" else env.seeded.groups[0]
    env.graph.unassign(CLIENT_ID, principal["id"])


def _add_role(env: Env) -> None:
    rra = env.graph.application(CLIENT_ID)["requiredResourceAccess"][0]
    rra["resourceAccess"].append({"id": GRAPH_APP_ROLES["User.Read.All"], "type": "Role"})


def _set_app(env: Env, **properties: Any) -> None:
    env.graph.application(CLIENT_ID).update(properties)


def _set_implicit(env: Env, **settings: bool) -> None:
    env.graph.application(CLIENT_ID)["web"]["implicitGrantSettings"].update(settings)


def _remove_owners(env: Env) -> None:
    env.graph.owners[env.seeded.app["id"]] = []


AZURE_BREAKS: dict[str, tuple[Callable[[Env], None], str, str, str]] = {
    # scenario: (break it, check key, status, text in detail or fix)
    "app missing": (
        lambda e: e.graph.delete_application(CLIENT_ID),
        "azure/app registration",
        "fail",
        "no app registration has client id",
    ),
    "audience": (
        lambda e: e.graph.set_sign_in_audience(CLIENT_ID, "AzureADMultipleOrgs"),
        "azure/sign-in audience",
        "fail",
        "the stack wants AzureADMyOrg",
    ),
    "redirect uri": (
        lambda e: e.graph.set_redirect_uris(CLIENT_ID, ["https://x.test/c"]),
        "azure/redirect URIs",
        "fail",
        "AADSTS50011",
    ),
    "scope": (
        lambda e: e.graph.remove_required_scope(CLIENT_ID, "SMTP.Send"),
        "azure/API permissions",
        "fail",
        "SMTP.Send",
    ),
    "extra role": (_add_role, "azure/application permissions", "warn", "User.Read.All"),
    "service principal": (
        lambda e: e.graph.delete_service_principal(CLIENT_ID),
        "azure/enterprise application",
        "fail",
        "no enterprise application",
    ),
    "assignment not required": (
        lambda e: e.graph.set_assignment_required(CLIENT_ID, False),
        "azure/assignment required",
        "fail",
        "the stack wants yes",
    ),
    "user unassigned": (
        lambda e: _unassign(e, "user"),
        "azure/assigned user alice@contoso.com",
        "fail",
        "AADSTS50105",
    ),
    "group unassigned": (
        lambda e: _unassign(e, "group"),
        "azure/assigned group Odoo Users",
        "fail",
        "not assigned",
    ),
    "user gone": (
        lambda e: e.graph.delete_user("alice@contoso.com"),
        "azure/assigned user alice@contoso.com",
        "fail",
        "no user alice@contoso.com",
    ),
    "user disabled": (
        lambda e: e.graph.disable_user("alice@contoso.com"),
        "azure/assigned user alice@contoso.com",
        "warn",
        "disabled",
    ),
    "consent scope revoked": (
        lambda e: e.graph.revoke_scope(CLIENT_ID, "IMAP.AccessAsUser.All"),
        "azure/admin consent",
        "fail",
        "adminconsent?client_id=",
    ),
    "no consent": (
        lambda e: e.graph.delete_grants(CLIENT_ID),
        "azure/admin consent",
        "fail",
        "AADSTS65001",
    ),
    "no owner": (_remove_owners, "azure/app owners", "warn", "has no owner"),
    # Entra settings no stack key sets, which break Odoo's code redemption all the same.
    "fallback public client": (
        lambda e: _set_app(e, isFallbackPublicClient=True),
        "azure/client type",
        "fail",
        "AADSTS700025",
    ),
    "confirm URL as public client": (
        lambda e: _set_app(e, publicClient={"redirectUris": [REDIRECT_URI]}),
        "azure/client type",
        "fail",
        "publicClient.redirectUris",
    ),
    "confirm URL as SPA": (
        lambda e: _set_app(e, spa={"redirectUris": [REDIRECT_URI]}),
        "azure/client type",
        "fail",
        "AADSTS9002327",
    ),
    "undeclared SPA URI": (
        lambda e: _set_app(e, spa={"redirectUris": ["https://spa.example.com/"]}),
        "azure/client type",
        "warn",
        "https://spa.example.com/",
    ),
    "implicit grant": (
        lambda e: _set_implicit(e, enableIdTokenIssuance=True),
        "azure/implicit grant",
        "warn",
        "ID tokens",
    ),
    "disabled by Microsoft": (
        lambda e: _set_app(
            e, disabledByMicrosoftStatus="DisabledDueToViolationOfServicesAgreement"
        ),
        "azure/app registration",
        "fail",
        "disabled by Microsoft",
    ),
}


@pytest.mark.parametrize("scenario", list(AZURE_BREAKS))
def test_each_azure_check_fails_when_broken(env: Env, scenario: str) -> None:
    breaks, key, status, text = AZURE_BREAKS[scenario]
    breaks(env)
    result = env.run()
    check = result.check(key)
    assert check["status"] == status, check
    assert text in check["detail"] + (check["fix"] or "")
    assert check["fix"]
    assert result.code == (2 if status == "fail" else 1)
    # The Odoo side is still checked.
    assert result.check("erp/odoo connection")["status"] == "ok"


def test_configured_owners(env: Env) -> None:
    """`app.owners` by UPN (resolved like assigned users) or object id: each must be an owner."""
    admin = env.seeded.owners[0]
    bob = env.graph.add_user("bob@contoso.com")
    robot = env.graph.add_service_principal("0a0b0c0d-0000-4000-8000-00000000abcd")
    env.graph.add_owner(env.seeded.app, robot)
    env.write_stack(owners=("admin@contoso.com", robot["id"]))
    healthy = env.run()
    assert healthy.code == 0, healthy.checks("fail") | healthy.checks("warn")
    assert healthy.check("azure/app owner admin@contoso.com")["detail"] == f"owner ({admin['id']})"
    assert healthy.check(f"azure/app owner {robot['id']}")["status"] == "ok"
    assert "2 owner(s)" in healthy.check("azure/app owners")["detail"]

    env.write_stack(owners=("admin@contoso.com", "bob@contoso.com", "carol@contoso.com"))
    result = env.run()
    missing = result.check("azure/app owner bob@contoso.com")
    assert missing["status"] == "warn"
    assert missing["detail"] == f"{bob['id']} is not an owner of the app registration"
    assert "pulumi up" in missing["fix"]
    unknown = result.check("azure/app owner carol@contoso.com")
    assert unknown["status"] == "warn" and "no user carol@contoso.com" in unknown["detail"]
    assert result.check("azure/app owner admin@contoso.com")["status"] == "ok"
    assert result.code == 1

    _remove_owners(env)
    nobody = env.run()
    assert nobody.check("azure/app owners")["status"] == "warn"
    assert nobody.check("azure/app owner admin@contoso.com")["status"] == "warn"
    assert nobody.code == 1


# --------------------------------------------------------------------------- secrets


def test_secret_hint_mismatch_fails_without_showing_either(env: Env) -> None:
    env.db.set_param("microsoft_outlook_client_secret", "Mm~3-some-other-secret-value")
    result = env.run()
    check = result.check("erp/client secret")
    assert check["status"] == "fail"
    assert "none of the app's 2 secrets" in check["detail"]
    assert "AADSTS7000215" in check["detail"]
    assert "Mm~" not in result.out
    assert result.code == 2


def test_odoo_holding_the_older_valid_secret_warns(env: Env) -> None:
    env.db.set_param("microsoft_outlook_client_secret", SECRET_A)
    result = env.run()
    check = result.check("erp/client secret")
    assert check["status"] == "warn"
    assert "not the newest secret the stack outputs" in check["detail"]
    assert result.code == 1


def test_stack_output_secret_that_is_no_app_secret_fails(env: Env) -> None:
    env.outputs.write_text(json.dumps({"clientId": CLIENT_ID, "clientSecret": "Ww~1-gone"}))
    result = env.run()
    assert result.check("azure/stack secret")["status"] == "fail"
    assert "Ww~1-gone" not in result.out


def test_held_secret_expiring_within_warn_days_warns(env: Env) -> None:
    env.credential(SECRET_B[:3])["endDateTime"] = _iso(
        datetime.now(UTC) + timedelta(days=10, hours=1)
    )
    env.credential(SECRET_A[:3])["endDateTime"] = _iso(
        datetime.now(UTC) + timedelta(days=5, hours=1)
    )
    result = env.run()
    expiring = [c for k, c in result.checks().items() if k.startswith("azure/client secret ")]
    assert {c["status"] for c in expiring} == {"warn"}
    assert any("expires in 10 days" in c["detail"] for c in expiring)
    assert result.check("erp/client secret")["status"] == "warn"
    assert result.code == 1
    # A shorter window: nothing to warn about.
    quiet = env.run("--warn-days", "3")
    assert quiet.code == 0, quiet.checks("warn")


def test_unused_older_slot_expiring_soon_is_fine(env: Env) -> None:
    env.credential(SECRET_A[:3])["endDateTime"] = _iso(datetime.now(UTC) + timedelta(days=12))
    result = env.run()
    older = next(
        c for k, c in result.checks().items() if k.startswith("azure/client secret 'odoo-a'")
    )
    assert older["status"] == "ok"
    assert "newer secret replaced it" in older["detail"]
    assert result.code == 0


def test_expired_secrets_fail(env: Env) -> None:
    env.graph.expire_secrets(CLIENT_ID)
    result = env.run()
    assert result.check("azure/client secrets")["status"] == "fail"
    assert "AADSTS7000222" in result.check("erp/client secret")["detail"]
    assert result.code == 2


def test_no_secret_at_all_fails(env: Env) -> None:
    env.graph.remove_secrets(CLIENT_ID)
    result = env.run()
    assert result.check("azure/client secrets")["detail"] == (
        "the app registration has no client secret"
    )
    assert result.code == 2


# --------------------------------------------------------------------------- Odoo, broken


def _endpoint(value: str | bool) -> Callable[[Env], None]:
    return lambda e: e.db.set_param(ENDPOINT_PARAM, value)


def _server_port(env: Env) -> None:
    server_id = env.server_ids("ir.mail_server")[0]
    env.db.tables["ir.mail_server"][server_id]["smtp_port"] = 25


def _archive_incoming(env: Env) -> None:
    env.db.tables["fetchmail.server"][env.server_ids("fetchmail.server")[0]]["active"] = False


def _disconnect(env: Env) -> None:
    server_id = env.server_ids("ir.mail_server")[0]
    env.db.tables["ir.mail_server"][server_id]["microsoft_outlook_refresh_token"] = False


def _unlink_alias_domain(env: Env) -> None:
    for company in env.db.tables["res.company"].values():
        company["alias_domain_id"] = False


def _alias_domain_values(**values: str) -> Callable[[Env], None]:
    def change(env: Env) -> None:
        for record in env.db.tables["mail.alias.domain"].values():
            record.update(values)

    return change


def _from_filter(value: str) -> Callable[[Env], None]:
    def change(env: Env) -> None:
        server_id = env.server_ids("ir.mail_server")[0]
        env.db.tables["ir.mail_server"][server_id]["from_filter"] = value

    return change


ODOO_BREAKS: dict[str, tuple[Callable[[Env], None], str, str, str]] = {
    "client id": (
        lambda e: e.db.set_param("microsoft_outlook_client_id", "0000-other"),
        "erp/client id",
        "fail",
        "AADSTS700016",
    ),
    "client secret unset": (
        lambda e: e.db.set_param("microsoft_outlook_client_secret", False),
        "erp/client secret",
        "fail",
        "is not set",
    ),
    "authority unset": (_endpoint(False), "erp/authority", "fail", "AADSTS50194"),
    "authority common": (
        _endpoint("https://login.microsoftonline.com/common/oauth2/v2.0/"),
        "erp/authority",
        "fail",
        TENANT_ENDPOINT,
    ),
    "authority other tenant": (
        _endpoint(
            "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/oauth2/v2.0/"
        ),
        "erp/authority",
        "fail",
        TENANT_ENDPOINT,
    ),
    "base url": (
        lambda e: e.db.set_param("web.base.url", "http://localhost:8069"),
        "erp/web.base.url",
        "fail",
        "AADSTS50011",
    ),
    "base url not frozen": (
        lambda e: e.db.set_param("web.base.url.freeze", False),
        "erp/web.base.url",
        "warn",
        "web.base.url.freeze",
    ),
    "server differs": (
        _server_port,
        "erp/outgoing server notifications@example.com",
        "fail",
        "smtp_port is 25, wanted 587",
    ),
    "server archived": (
        _archive_incoming,
        "erp/incoming server catchall@example.com",
        "fail",
        "archived",
    ),
    "token not connected": (
        _disconnect,
        "erp/token outgoing notifications@example.com",
        "warn",
        "/web?db=odoo#id=",
    ),
    "alias domain unlinked": (
        _unlink_alias_domain,
        "erp/catch-all domain",
        "fail",
        "odoo-outlook sync",
    ),
    "alias domain default From": (
        _alias_domain_values(default_from="noreply"),
        "erp/catch-all domain",
        "fail",
        "Odoo would send mail From noreply@example.com, which the Outlook servers' From filters",
    ),
    "alias domain bounce alias": (
        _alias_domain_values(bounce_alias="mailer-daemon"),
        "erp/catch-all domain",
        "fail",
        "bounce_alias is",
    ),
    "default From not filtered": (
        _from_filter("someone@example.com"),
        "erp/default From",
        "fail",
        "generic configuration",
    ),
}


@pytest.mark.parametrize("scenario", list(ODOO_BREAKS))
def test_each_odoo_check_fails_when_broken(env: Env, scenario: str) -> None:
    breaks, key, status, text = ODOO_BREAKS[scenario]
    breaks(env)
    result = env.run()
    check = result.check(key)
    assert check["status"] == status, check
    assert text in check["detail"] + (check["fix"] or ""), check
    assert result.code == (2 if status == "fail" else 1)


def test_default_from_follows_the_alias_domain(env: Env) -> None:
    _alias_domain_values(default_from="noreply")(env)
    result = env.run()
    check = result.check("erp/default From")
    assert check["status"] == "fail"
    assert check["detail"].startswith("noreply@example.com is not matched by the From filter")
    # A From filter on the whole domain covers any default From of that domain.
    _from_filter("example.com")(env)
    assert env.run().check("erp/default From")["status"] == "ok"


@pytest.mark.parametrize("version", ["15.0", "16.0"])
def test_catchall_parameters_before_17(
    env: Env, fake_odoo: Callable[..., Any], version: str
) -> None:
    db = synced_odoo(env, fake_odoo, version)
    healthy = env.run()
    assert healthy.check("erp/catch-all domain")["status"] == "ok", healthy.checks("fail")
    assert "mail.catchall.domain example.com" in healthy.check("erp/catch-all domain")["detail"]
    assert healthy.check("erp/default From")["status"] == "ok"

    db.set_param("mail.catchall.alias", "postmaster")
    renamed = env.run()  # the sync would write it back: a failed check, mail still routed
    assert renamed.check("erp/catch-all domain")["status"] == "fail"
    assert (
        "mail.catchall.alias is 'postmaster', wanted 'catchall'"
        in (renamed.check("erp/catch-all domain")["detail"])
    )
    assert renamed.check("erp/default From")["status"] == "ok"
    assert renamed.code == 2

    db.set_param("mail.catchall.domain", "other.example.org")
    moved = env.run()
    check = moved.check("erp/catch-all domain")
    assert check["status"] == "fail"
    assert "Odoo would send mail From notifications@other.example.org" in check["detail"]
    assert "odoo-outlook sync" in check["fix"]
    assert moved.check("erp/default From")["status"] == "fail"
    assert moved.code == 2


def test_token_warning_links_the_server_form(env: Env) -> None:
    _disconnect(env)
    check = env.run().check("erp/token outgoing notifications@example.com")
    assert check["fix"].startswith(
        f"run `odoo-outlook connect`, or open {BASE_URL}/web?db=odoo#id="
    )
    assert "model=ir.mail_server" in check["fix"]
    assert 'click "Connect your Outlook account"' in check["fix"]


def test_multitenant_app_wants_no_tenant_authority(env: Env) -> None:
    env.write_stack(audience="AzureADMultipleOrgs")
    env.graph.set_sign_in_audience(CLIENT_ID, "AzureADMultipleOrgs")
    tenant_bound = env.run().check("erp/authority")
    assert tenant_bound["status"] == "fail"
    # The sync set it (single-tenant before), so the sync removes it; nothing else is deleted.
    assert tenant_bound["fix"].startswith(SYNC) and ENDPOINT_PARAM in tenant_bound["fix"]
    env.db.set_param(ENDPOINT_PARAM, False)
    assert env.run().check("erp/authority")["status"] == "ok"


def test_fresh_odoo_without_sync(env: Env, fake_odoo: Callable[..., Any]) -> None:
    fresh = fake_odoo("16.0", admin_password=ODOO_PASSWORD, base_url=BASE_URL)
    fresh.db("odoo").set_param("web.base.url.freeze", "True")
    fresh.db("odoo").seed(
        "ir.mail_server",
        {
            "name": "Old SMTP",
            "smtp_host": "smtp.example.com",
            "smtp_user": "notifications@example.com",
            "from_filter": "notifications@example.com",
        },
    )
    env.write_stack(url=fresh.url)
    result = env.run()
    assert result.check("erp/Outlook module")["status"] == "fail"
    assert result.check("erp/client id")["status"] == "fail"
    assert result.check("erp/client secret")["status"] == "fail"
    rival = result.check("erp/outgoing server notifications@example.com")
    assert "not created by odoo-outlook" in rival["detail"]
    assert result.check("erp/incoming server catchall@example.com")["detail"].startswith("no ")
    assert result.code == 2


def test_unreachable_odoo_still_checks_azure(env: Env) -> None:
    env.write_stack(url="http://127.0.0.1:9")
    result = env.run()
    assert result.check("erp/odoo connection")["status"] == "fail"
    assert "cannot reach Odoo" in result.check("erp/odoo connection")["detail"]
    assert result.check("azure/app registration")["status"] == "ok"
    assert result.code == 2


def test_wrong_odoo_password_fails_without_showing_it(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ODOO_ERP_PASSWORD", "Wrong-Pa55-Value")
    result = env.run()
    assert "rejected login 'admin'" in result.check("erp/odoo connection")["detail"]
    assert "Wrong-Pa55-Value" not in result.out + result.err


def test_missing_odoo_password_names_the_variable(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ODOO_ERP_PASSWORD")
    check = env.run().check("erp/odoo connection")
    assert check["fix"] == "export ODOO_ERP_PASSWORD"


# --------------------------------------------------------------------------- failed mail

MAIL_ERRORS = {
    "535 5.7.139": (
        "(535, b'5.7.139 Authentication unsuccessful, SmtpClientAuthentication is"
        " disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled')",
        "Set-TransportConfig -SmtpClientAuthenticationDisabled $false",
    ),
    "AADSTS7000215": (
        "An error occurred when fetching the access token. AADSTS7000215: Invalid"
        " client secret provided.",
        "odoo-outlook rotate --now",
    ),
    "AADSTS50011": (
        "AADSTS50011: The redirect URI 'http://localhost:8069/microsoft_outlook/"
        "confirm' specified in the request does not match",
        BASE_URL,
    ),
    "AADSTS65001": (
        "AADSTS65001: The user or administrator has not consented to use the application",
        f"https://login.microsoftonline.com/{TENANT_ID}/adminconsent?client_id={CLIENT_ID}",
    ),
    "AADSTS700016": (
        "AADSTS700016: Application with identifier 'x' was not found in the directory",
        TENANT_ENDPOINT,
    ),
    "AADSTS50020": (
        "AADSTS50020: User account 'bob@fabrikam.com' from identity provider does"
        " not exist in tenant",
        "AzureADMultipleOrgs",
    ),
}


@pytest.mark.parametrize("code", list(MAIL_ERRORS))
def test_each_microsoft_error_in_failed_mail_maps_to_its_fix(env: Env, code: str) -> None:
    reason, fix_text = MAIL_ERRORS[code]
    env.db.seed_failed_mail(failure_reason=reason)
    env.db.seed_failed_mail(failure_reason=reason)
    result = env.run()
    check = result.check(f"erp/failed mail {code}")
    assert check["status"] == "fail"
    assert check["detail"].startswith("2 mail(s) since ")
    assert fix_text in check["fix"], check
    assert "bob@fabrikam.com" not in result.out  # the raw failure text is never printed
    assert result.code == 2


def test_unknown_and_old_failures(env: Env) -> None:
    old = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%d %H:%M:%S")
    env.db.seed_failed_mail(failure_reason="AADSTS7000215: old news", date=old)
    env.db.seed_failed_mail(failure_reason="Connection unexpectedly closed")
    result = env.run()
    assert "erp/failed mail AADSTS7000215" not in result.checks()
    assert result.check("erp/failed mail")["status"] == "warn"
    assert result.code == 1
    assert "erp/failed mail AADSTS7000215" in env.run("--mail-days", "40").checks()


# --------------------------------------------------------------------------- Graph errors


def test_graph_401_names_the_permission_and_odoo_goes_on(env: Env) -> None:
    env.graph.fail("/applications*", 401, times=None)
    result = env.run()
    check = result.check("azure/app registration")
    assert check["status"] == "fail"
    assert "Application.Read.All" in check["detail"]
    assert result.check("erp/client id")["status"] == "ok"
    assert result.check("erp/client secret")["status"] == "warn"  # not comparable now
    assert result.code == 2


@pytest.mark.parametrize(
    ("pattern", "key", "permission"),
    [
        ("/applications*", "azure/app registration", "Application.Read.All"),
        ("/applications/*/owners", "azure/app owners", "Application.Read.All"),
        (
            "/servicePrincipals/*/appRoleAssignedTo",
            "azure/assigned users and groups",
            "Application.Read.All",
        ),
        ("/oauth2PermissionGrants", "azure/admin consent", "Directory.Read.All"),
        ("/users*", "azure/assigned user alice@contoso.com", "User.Read.All"),
        ("/groups", "azure/assigned group Odoo Users", "GroupMember.Read.All"),
    ],
)
def test_graph_403_names_the_missing_permission(
    env: Env, pattern: str, key: str, permission: str
) -> None:
    env.graph.deny(pattern)
    result = env.run()
    check = result.check(key)
    assert check["status"] == "fail"
    assert permission in check["detail"]
    assert result.check("erp/odoo connection")["status"] == "ok"
    assert result.code == 2


def test_graph_404_says_the_app_is_missing(env: Env) -> None:
    result = env.run("--client-id", "0f0f0f0f-0000-4000-8000-000000000000")
    check = result.check("azure/app registration")
    assert (
        "no app registration has client id 0f0f0f0f-0000-4000-8000-000000000000"
        in (check["detail"])
    )
    assert "erp/client id" in result.checks()
    assert result.code == 2


def test_graph_429_is_retried_then_ok(env: Env, sdk_retry_waits: list[float]) -> None:
    env.graph.throttle("/applications*", times=1, retry_after=1)
    result = env.run()
    assert result.code == 0, result.checks("fail")
    statuses = [r.status for r in env.graph.calls("/applications*")]
    assert statuses[:2] == [429, 200]
    assert sdk_retry_waits == [1]


def test_graph_503_exhausted_is_a_failed_check(env: Env, sdk_retry_waits: list[float]) -> None:
    env.graph.unavailable("/applications*", times=None, retry_after=1)
    result = env.run("--graph-retries", "1")
    check = result.check("azure/app registration")
    assert "kept answering 503" in check["detail"]
    assert len(env.graph.calls("/applications*")) == 2
    assert sdk_retry_waits == [1]
    assert result.check("erp/odoo connection")["status"] == "ok"
    assert result.code == 2


def test_no_azure_credential_is_a_failed_check(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    result = env.run()
    check = result.check("azure/app registration")
    assert "No Azure credential" in check["detail"] or "sign-in" in check["detail"]
    assert result.code == 2


def test_tenant_option_reaches_the_azure_cli(env: Env, azure_cli: Path) -> None:
    assert env.run("--tenant", TENANT_ID).code == 0
    assert f"--tenant {TENANT_ID}" in azure_cli.read_text()


# --------------------------------------------------------------------------- CLI input


def test_client_id_needs_an_option_or_outputs(env: Env) -> None:
    result = env.run(outputs=False)
    assert result.code == 2
    assert "--client-id" in result.err and "--outputs" in result.err


def test_client_id_option_alone_is_enough(env: Env) -> None:
    result = env.run("--client-id", CLIENT_ID, outputs=False)
    assert result.code == 0, result.checks("fail") | result.checks("warn")
    assert "azure/stack secret" not in result.checks()


def test_outputs_from_stdin(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    # A real stdin: text over bytes (the reader decodes the bytes itself, strictly as UTF-8).
    stdin = io.TextIOWrapper(io.BytesIO(env.outputs.read_bytes()), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stdin)
    assert env.run("--outputs", "-", outputs=False).code == 0


def test_outputs_without_client_id_is_an_error(env: Env) -> None:
    env.outputs.write_text(json.dumps({"clientSecret": "[secret]"}))
    result = env.run()
    assert result.code == 2
    assert "has no clientId" in result.err


def test_unknown_target_is_an_error(env: Env) -> None:
    result = env.run("--target", "nope")
    assert result.code == 2
    assert "no target named 'nope'" in result.err


# --------------------------------------------------------------------------- strict Graph


def test_doctor_traffic_is_valid_for_graph_for_every_legal_name(env: Env) -> None:
    """Names the /users/{upn} path form cannot carry, one item per page: every request the
    doctor sends is one the strict fake (Graph's rules) accepts, and every check is ok."""
    env.graph.page_size = 1
    odd = ["$svc-mail@contoso.com", "alice_fabrikam.com#EXT#@contoso.onmicrosoft.com"]
    for upn in odd:
        env.graph.assign(env.seeded.sp, env.graph.add_user(upn))
    owner = env.graph.add_user("$owner@contoso.com")
    env.graph.add_owner(env.seeded.app, owner)
    env.write_stack(owners=('"$owner@contoso.com"',))
    stack = env.project / "Pulumi.dev.yaml"
    names = ", ".join(f'"{u}"' for u in ["alice@contoso.com", *odd])
    stack.write_text(stack.read_text().replace("users: [alice@contoso.com]", f"users: [{names}]"))
    env.graph.clear_log()
    result = env.run()
    assert result.code == 0, result.checks("fail") | result.checks("warn")
    for upn in odd:
        assert result.check(f"azure/assigned user {upn}")["status"] == "ok"
    assert result.check("azure/app owner $owner@contoso.com")["status"] == "ok"
    assert {r.status for r in env.graph.requests} == {200}
    assert not [r for r in env.graph.requests if r.path.startswith("/users/$")]
    assert len(env.graph.calls("/servicePrincipals/*/appRoleAssignedTo")) >= 4  # paged


def test_account_enabled_unknown_is_said_not_taken_as_enabled(env: Env) -> None:
    env.graph.basic_profile_only = True
    result = env.run()
    check = result.check("azure/assigned user alice@contoso.com")
    assert check["status"] == "warn"
    assert "could not tell whether the account is enabled" in check["detail"]
    assert "User.Read.All" in check["fix"] and "learn.microsoft.com" in check["fix"]
    assert result.code == 1


def test_graph_retry_after_beyond_the_policy_is_reported(env: Env) -> None:
    env.graph.throttle("/applications*", times=None, retry_after=600)
    result = env.run()
    check = result.check("azure/app registration")
    assert check["status"] == "fail"
    assert "asked to wait 600 seconds (about 10 minutes) (Retry-After)" in check["detail"]
    assert len(env.graph.calls("/applications*")) == 1


def test_owner_the_doctor_cannot_read_is_still_recognised(env: Env) -> None:
    robot = env.graph.add_service_principal("0a0b0c0d-0000-4000-8000-00000000abcd")
    env.graph.add_owner(env.seeded.app, robot)
    env.graph.unreadable_types = {"servicePrincipal"}
    env.write_stack(owners=(robot["id"],))
    result = env.run()
    assert result.check(f"azure/app owner {robot['id']}")["status"] == "ok"
    assert robot["id"] in result.check("azure/app owners")["detail"]


def test_failed_mail_names_the_password_server(env: Env) -> None:
    legacy = env.db.seed(
        "ir.mail_server",
        {
            "name": "Legacy SMTP",
            "smtp_host": "smtp.office365.com",
            "smtp_port": 587,
            "smtp_authentication": "login",
            "smtp_user": "old@example.com",
        },
    )
    env.db.seed_failed_mail(
        mail_server_id=legacy,
        failure_reason=(
            "(535, b'5.7.139 Authentication unsuccessful, basic authentication is disabled."
            " [PR3P195CA0012.EURP195.PROD.OUTLOOK.COM]')"
        ),
    )
    check = env.run().check("erp/failed mail 535 5.7.139")
    assert check["status"] == "fail"
    assert "(Legacy SMTP)" in check["fix"] and "Outlook OAuth" in check["fix"]
    assert "Set-CASMailbox" not in check["fix"]
