"""Tenant policies the doctor reads through Microsoft Graph (the fake, over real HTTP): user
consent before anyone clicks "Connect your Outlook account", and client secret lifetime caps."""

from __future__ import annotations

import json
import urllib.request
from datetime import timedelta
from typing import Any

import pytest

from odoo_outlook.config import parse_config
from odoo_outlook.doctor import DoctorOptions, run_doctor
from odoo_outlook.doctor.model import Check, Report, Status
from odoo_outlook.graph import (
    GraphSettings,
    get_authorization_policy,
    get_default_app_management_policy,
    list_app_management_policies,
    list_permission_classifications,
)
from tests.fakes.graph_server import (
    GRAPH_DELEGATED_SCOPES,
    USER_CONSENT_LEGACY,
    USER_CONSENT_LOW,
    USER_CONSENT_RECOMMENDED,
    FakeGraph,
    Seeded,
    StaticTokenCredential,
)

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BASE = "https://odoo.example.com"


def _config(
    *, admin_consent: bool = False, rotation: int = 90, grace: int = 14, max_days: int | None = None
) -> Any:
    secret: dict[str, Any] = {"rotationDays": rotation, "graceDays": grace}
    if max_days is not None:
        secret["maxLifetimeDays"] = max_days
    return parse_config(
        {
            "odoo-outlook:app": {
                "signInAudience": "AzureADMyOrg",
                "tenantId": TENANT,
                "adminConsent": admin_consent,
            },
            "odoo-outlook:secret": secret,
            "odoo-outlook:targets": [
                {"name": "erp", "baseUrls": [BASE], "mail": {"notifications": "n@example.com"}}
            ],
        }
    )


def _seed(graph: FakeGraph, *, granted: bool = False) -> Seeded:
    seeded = graph.seed_healthy(redirect_uris=[f"{BASE}/microsoft_outlook/confirm"], users=[])
    if not granted:
        graph.delete_grants(seeded.client_id)
    return seeded


def _doctor(graph: FakeGraph, seeded: Seeded, **config: Any) -> Report:
    return run_doctor(
        _config(**config),
        DoctorOptions(client_id=seeded.client_id, graph=GraphSettings(base_url=graph.url)),
        credential=StaticTokenCredential("policy-token"),
    )


def _check(report: Report, name: str) -> Check:
    found = [c for c in report.checks if c.name == name]
    assert found, [c.name for c in report.checks]
    return found[0]


# ------------------------------------------------------------------ Graph's JSON shapes


def _get(graph: FakeGraph, path: str) -> dict[str, Any]:
    request = urllib.request.Request(graph.url + path, headers={"Authorization": "Bearer t"})
    with urllib.request.urlopen(request, timeout=10) as response:  # 127.0.0.1 only
        return dict(json.load(response))


def test_the_fake_serves_the_policies_in_graphs_shape(fake_graph: FakeGraph) -> None:
    seeded = _seed(fake_graph)
    policy = _get(fake_graph, "/policies/authorizationPolicy")
    assert policy["@odata.context"].endswith("$metadata#policies/authorizationPolicy/$entity")
    assert policy["id"] == "authorizationPolicy"
    assert (
        USER_CONSENT_LEGACY
        in policy["defaultUserRolePermissions"]["permissionGrantPoliciesAssigned"]
    )
    fake_graph.set_password_lifetime("P90D", created_after="2019-01-01T00:00:00Z")
    default = _get(fake_graph, "/policies/defaultAppManagementPolicy")
    assert default["id"] == "00000000-0000-0000-0000-000000000000" and default["isEnabled"]
    assert default["applicationRestrictions"]["passwordCredentials"] == [
        {
            "restrictionType": "passwordLifetime",
            "state": "enabled",
            "maxLifetime": "P90D",
            "restrictForAppsCreatedAfterDateTime": "2019-01-01T00:00:00Z",
        }
    ]
    fake_graph.apply_app_management_policy(seeded.client_id, "P30D")
    applied = _get(fake_graph, f"/applications/{seeded.app['id']}/appManagementPolicies")
    assert applied["@odata.context"].endswith("$metadata#appManagementPolicies")
    assert applied["value"][0]["restrictions"]["passwordCredentials"][0]["maxLifetime"] == ("P30D")


def test_the_graph_reads_parse_the_policies(fake_graph: FakeGraph, graph_run: Any) -> None:
    seeded = _seed(fake_graph)
    fake_graph.set_user_consent(USER_CONSENT_LOW)
    fake_graph.set_password_lifetime("P1Y")
    fake_graph.apply_app_management_policy(seeded.client_id, "P4DT12H")
    consent = graph_run(get_authorization_policy)
    assert consent.permission_grant_policies_assigned[0] == USER_CONSENT_LOW
    (restriction,) = graph_run(get_default_app_management_policy).password_restrictions
    assert restriction.max_lifetime == timedelta(days=365) and restriction.enforced
    (applied,) = graph_run(list_app_management_policies, seeded.app["id"])
    assert applied.password_restrictions[0].max_lifetime == timedelta(days=4, hours=12)


# ------------------------------------------------------------------ consent before the click


@pytest.mark.parametrize(
    ("policies", "status", "words"),
    [
        ((USER_CONSENT_LEGACY,), Status.OK, "may consent"),
        ((USER_CONSENT_LOW,), Status.WARN, "low-impact"),
        ((USER_CONSENT_RECOMMENDED,), Status.WARN, "low-impact"),
        ((), Status.WARN, "may not consent"),
        (("ManagePermissionGrantsForSelf.contoso-custom",), Status.WARN, "custom policy"),
    ],
    ids=["allow", "restrict-low", "restrict-recommended", "forbid", "custom"],
)
def test_user_consent_setting(
    fake_graph: FakeGraph, policies: tuple[str, ...], status: Status, words: str
) -> None:
    seeded = _seed(fake_graph)
    fake_graph.set_user_consent(*policies)
    check = _check(_doctor(fake_graph, seeded), "user consent")
    assert check.status is status, check
    assert words in check.detail
    if status is Status.WARN:
        url = (
            f"https://login.microsoftonline.com/{TENANT}/adminconsent?client_id={seeded.client_id}"
        )
        assert url in (check.fix or "")
        assert "Connect your Outlook account" in (check.fix or "")


def test_an_existing_admin_grant_is_enough(fake_graph: FakeGraph) -> None:
    seeded = _seed(fake_graph, granted=True)
    fake_graph.set_user_consent()
    check = _check(_doctor(fake_graph, seeded), "user consent")
    assert check.status is Status.OK and "already consented" in check.detail


def test_consent_is_not_read_when_the_stack_grants_it(fake_graph: FakeGraph) -> None:
    seeded = _seed(fake_graph, granted=True)
    report = _doctor(fake_graph, seeded, admin_consent=True)
    assert "user consent" not in [c.name for c in report.checks]
    assert fake_graph.calls("/policies/authorizationPolicy") == []


def test_unreadable_policy_names_policy_read_all(fake_graph: FakeGraph) -> None:
    seeded = _seed(fake_graph)
    fake_graph.deny("/policies/*")
    report = _doctor(fake_graph, seeded)
    for name in ("user consent", "secret lifetime policy"):
        check = _check(report, name)
        assert check.status is Status.WARN and "Policy.Read.All" in check.detail


# ------------------------------------------------------------------ secret lifetime


def test_no_cap_is_ok(fake_graph: FakeGraph) -> None:
    seeded = _seed(fake_graph, granted=True)
    check = _check(_doctor(fake_graph, seeded), "secret lifetime policy")
    assert check.status is Status.OK and "no tenant cap" in check.detail


def test_a_tenant_cap_below_the_declared_lifetime_fails_with_the_settings(
    fake_graph: FakeGraph,
) -> None:
    seeded = _seed(fake_graph, granted=True)
    fake_graph.set_password_lifetime("P90D")
    report = _doctor(fake_graph, seeded)  # 2 x 90 + 14 = 194 days
    check = _check(report, "secret lifetime policy")
    assert check.status is Status.FAIL and report.exit_code == 2
    assert "194 days" in check.detail and "CredentialInvalidLifetimeAsPerAppPolicy" in (
        check.detail
    )
    assert check.fix == (
        "set secret.maxLifetimeDays: 90 and secret.rotationDays: 38 (or less), then `pulumi up`"
    )
    # Following the fix makes the check pass.
    fixed = _check(_doctor(fake_graph, seeded, rotation=38, max_days=90), "secret lifetime policy")
    assert fixed.status is Status.OK


def test_a_cap_the_lifetime_fits_asks_only_for_max_lifetime_days(fake_graph: FakeGraph) -> None:
    seeded = _seed(fake_graph, granted=True)
    fake_graph.set_password_lifetime("P1Y")
    check = _check(_doctor(fake_graph, seeded), "secret lifetime policy")
    assert check.status is Status.WARN and check.fix and "maxLifetimeDays: 365" in check.fix
    assert (
        _check(_doctor(fake_graph, seeded, max_days=365), "secret lifetime policy").status
        is Status.OK
    )


@pytest.mark.parametrize(
    "change",
    [
        {"created_after": "2099-01-01T00:00:00Z"},  # only for apps created later
        {"enabled": False},  # the tenant default policy is off
        {"state": "disabled"},  # the restriction is off
    ],
)
def test_caps_that_do_not_apply(fake_graph: FakeGraph, change: dict[str, Any]) -> None:
    seeded = _seed(fake_graph, granted=True)
    fake_graph.set_password_lifetime("P30D", **change)
    assert _check(_doctor(fake_graph, seeded), "secret lifetime policy").status is Status.OK


def test_a_policy_applied_to_the_app_takes_precedence(fake_graph: FakeGraph) -> None:
    seeded = _seed(fake_graph, granted=True)
    fake_graph.set_password_lifetime("P730D")
    fake_graph.apply_app_management_policy(seeded.client_id, "P60D", display_name="Odoo apps")
    check = _check(_doctor(fake_graph, seeded), "secret lifetime policy")
    assert check.status is Status.FAIL and "'Odoo apps'" in check.detail
    assert "secret.rotationDays: 23" in (check.fix or "")


def test_low_impact_consent_follows_the_tenants_classifications(fake_graph: FakeGraph) -> None:
    seeded = _seed(fake_graph)
    fake_graph.set_user_consent(USER_CONSENT_LOW)
    for name in ("User.Read", "offline_access", "openid", "email"):
        fake_graph.classify_permission(name, "low")
    check = _check(_doctor(fake_graph, seeded), "user consent")
    assert check.status is Status.WARN
    assert "SMTP.Send, IMAP.AccessAsUser.All are not classified low" in check.detail
    fake_graph.classify_permission("SMTP.Send", "low")
    fake_graph.classify_permission("IMAP.AccessAsUser.All", "low")
    check = _check(_doctor(fake_graph, seeded), "user consent")
    assert check.status is Status.OK and "classified all of" in check.detail
    assert fake_graph.calls(
        f"/servicePrincipals/{fake_graph.graph_sp['id']}/delegatedPermissionClassifications"
    )


def test_the_classifications_read(fake_graph: FakeGraph, graph_run: Any) -> None:
    fake_graph.classify_permission("User.Read", "low")
    (item,) = graph_run(list_permission_classifications, fake_graph.graph_sp["id"])
    assert (item.permission_name, item.classification) == ("User.Read", "low")
    assert item.permission_id == GRAPH_DELEGATED_SCOPES["User.Read"][0]
