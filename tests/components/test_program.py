"""The Pulumi program under mocks: every property of the Microsoft side the issue names."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.paths import example_config
from tests.pulumi_harness import (
    APPLICATION,
    ASSIGNMENT,
    DEPLOYER_OBJECT_ID,
    GRANT,
    GRAPH_APP_ID,
    GRAPH_SCOPE_IDS,
    GRAPH_SP_OBJECT_ID,
    PASSWORD,
    SERVICE_PRINCIPAL,
    TENANT_ID,
    StackMocks,
    object_id_for,
    run_program,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ODOO_SCOPES = [
    "SMTP.Send",
    "IMAP.AccessAsUser.All",
    "User.Read",
    "offline_access",
    "openid",
    "email",
]


def two_targets(audience: str = "AzureADandPersonalMicrosoftAccount") -> dict[str, Any]:
    config = example_config()
    config["odoo-outlook:app"]["signInAudience"] = audience
    config["odoo-outlook:targets"] = [
        {
            "name": "acme-prod",
            "baseUrls": [
                "https://erp.acme.example/",
                "https://acme.odoo.com",
                "https://erp.acme.example",
            ],
            "mail": {"notifications": "notifications@acme.example"},
        },
        {
            "name": "acme-staging",
            "baseUrls": ["https://staging.acme.example", "http://localhost:8069"],
            "mail": {"notifications": "notifications@acme.example"},
        },
    ]
    return config


def scope_ids_declared(run: Any) -> list[str]:
    app = run.one(APPLICATION)
    (graph_access,) = app.inputs["requiredResourceAccesses"]
    assert graph_access["resourceAppId"] == GRAPH_APP_ID
    assert {a["type"] for a in graph_access["resourceAccesses"]} == {"Scope"}
    return [a["id"] for a in graph_access["resourceAccesses"]]


def test_example_stack_declares_the_manual_procedure() -> None:
    run = run_program(example_config(), NOW)
    app = run.one(APPLICATION)
    assert app.inputs["displayName"] == "Odoo"
    assert app.inputs["signInAudience"] == "AzureADandPersonalMicrosoftAccount"
    assert app.inputs["web"]["redirectUris"] == [
        "https://erp.example.com/microsoft_outlook/confirm"
    ]
    assert app.inputs["api"]["requestedAccessTokenVersion"] == 2
    assert app.inputs["owners"] == [
        DEPLOYER_OBJECT_ID,
        object_id_for("user", "it-admin@example.com"),
    ]
    assert scope_ids_declared(run) == [GRAPH_SCOPE_IDS[name] for name in ODOO_SCOPES]

    principal = run.one(SERVICE_PRINCIPAL)
    assert principal.inputs["appRoleAssignmentRequired"] is True
    assert principal.inputs["clientId"] == app.outputs["clientId"]


def test_redirect_uris_for_two_targets_with_several_urls() -> None:
    run = run_program(two_targets(), NOW)
    expected = [
        "https://erp.acme.example/microsoft_outlook/confirm",
        "https://acme.odoo.com/microsoft_outlook/confirm",
        "https://staging.acme.example/microsoft_outlook/confirm",
        "http://localhost:8069/microsoft_outlook/confirm",
    ]
    assert run.one(APPLICATION).inputs["web"]["redirectUris"] == expected
    assert run.outputs["redirectUris"] == expected


@pytest.mark.parametrize(
    ("audience", "token_version"),
    [
        ("AzureADandPersonalMicrosoftAccount", 2),
        ("AzureADMultipleOrgs", None),
        ("AzureADMyOrg", None),
    ],
)
def test_token_version_two_only_when_personal_accounts_are_allowed(
    audience: str, token_version: int | None
) -> None:
    run = run_program(two_targets(audience), NOW)
    app = run.one(APPLICATION)
    assert app.inputs["signInAudience"] == audience
    assert (app.inputs.get("api") or {}).get("requestedAccessTokenVersion") == token_version


def test_scope_ids_follow_what_graph_serves() -> None:
    served = {name: object_id_for("scope", name + "-other-cloud") for name in GRAPH_SCOPE_IDS}
    run = run_program(example_config(), NOW, StackMocks(scope_ids=served))
    assert scope_ids_declared(run) == [served[name] for name in ODOO_SCOPES]
    assert not set(scope_ids_declared(run)) & set(GRAPH_SCOPE_IDS.values())


def test_a_scope_graph_does_not_serve_fails_the_program() -> None:
    served = {k: v for k, v in GRAPH_SCOPE_IDS.items() if k != "IMAP.AccessAsUser.All"}
    with pytest.raises(Exception, match=r"no delegated scope named IMAP\.AccessAsUser\.All"):
        run_program(example_config(), NOW, StackMocks(scope_ids=served))


def test_one_assignment_per_principal_with_default_access() -> None:
    config = example_config()
    group_id = "3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
    config["odoo-outlook:assignments"] = {
        "users": ["alice@example.com", "Alice@example.com", "bob@example.com"],
        "groups": ["Odoo Mail Senders", group_id],
    }
    run = run_program(config, NOW)
    principal_sp = run.one(SERVICE_PRINCIPAL)
    assignments = run.of_type(ASSIGNMENT)
    assert sorted(a.inputs["principalObjectId"] for a in assignments) == sorted(
        [
            object_id_for("user", "alice@example.com"),
            object_id_for("user", "bob@example.com"),
            object_id_for("group", "Odoo Mail Senders"),
            group_id,
        ]
    )
    for assignment in assignments:
        assert assignment.inputs["appRoleId"] == "00000000-0000-0000-0000-000000000000"
        assert assignment.inputs["resourceObjectId"] == principal_sp.outputs["objectId"]
    # A group given by object id is used as is, not looked up.
    looked_up = [args.get("displayName") for token, args in run.invokes if "getGroup" in token]
    assert looked_up == ["Odoo Mail Senders"]


def test_assignment_not_required_when_configured() -> None:
    config = example_config()
    config["odoo-outlook:app"]["assignmentRequired"] = False
    assert (
        run_program(config, NOW).one(SERVICE_PRINCIPAL).inputs["appRoleAssignmentRequired"] is False
    )


def test_consent_grant_only_when_enabled() -> None:
    assert run_program(example_config(), NOW).of_type(GRANT) == []
    config = example_config()
    config["odoo-outlook:app"]["adminConsent"] = True
    run = run_program(config, NOW)
    grant = run.one(GRANT)
    assert grant.inputs["claimValues"] == ODOO_SCOPES
    assert grant.inputs["resourceServicePrincipalObjectId"] == GRAPH_SP_OBJECT_ID
    assert (
        grant.inputs["servicePrincipalObjectId"] == run.one(SERVICE_PRINCIPAL).outputs["objectId"]
    )
    assert "userObjectId" not in grant.inputs  # consent for all users


def test_deployer_owns_the_app_when_no_owner_is_configured() -> None:
    config = example_config()
    del config["odoo-outlook:app"]["owners"]
    run = run_program(config, NOW)
    assert run.one(APPLICATION).inputs["owners"] == [DEPLOYER_OBJECT_ID]
    assert run.one(SERVICE_PRINCIPAL).inputs["owners"] == [DEPLOYER_OBJECT_ID]


def test_deployer_stays_an_owner_next_to_the_configured_owners() -> None:
    # `owners` is the whole owner set: without the deploying identity, the provider would take
    # it off the app it just created, and an identity with Application.ReadWrite.OwnedBy could
    # then not add the client secret (pulumi-azuread Application docs, "API Permissions").
    config = example_config()
    config["odoo-outlook:app"]["owners"] = ["it-admin@example.com", DEPLOYER_OBJECT_ID.upper()]
    run = run_program(config, NOW)
    expected = [DEPLOYER_OBJECT_ID, object_id_for("user", "it-admin@example.com")]
    assert run.one(APPLICATION).inputs["owners"] == expected
    assert run.one(SERVICE_PRINCIPAL).inputs["owners"] == expected


def test_children_are_parented_to_their_components() -> None:
    run = run_program(example_config(), NOW)
    components = {d.type: d for d in run.declared if d.type.startswith("odoo-outlook:")}
    assert set(components) >= {
        "odoo-outlook:app:OutlookAppRegistration",
        "odoo-outlook:secret:RotatingClientSecret",
    }
    for declared in run.declared:
        if declared.type in (APPLICATION, SERVICE_PRINCIPAL, ASSIGNMENT, GRANT):
            assert "odoo-outlook:app:OutlookAppRegistration" in declared.parent
        if declared.type == PASSWORD:
            assert "odoo-outlook:secret:RotatingClientSecret" in declared.parent


@pytest.mark.parametrize(
    ("audience", "endpoint"),
    [
        (
            "AzureADandPersonalMicrosoftAccount",
            "https://login.microsoftonline.com/common/oauth2/v2.0/",
        ),
        ("AzureADMultipleOrgs", "https://login.microsoftonline.com/common/oauth2/v2.0/"),
        ("AzureADMyOrg", f"https://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/"),
    ],
)
def test_all_outputs(audience: str, endpoint: str) -> None:
    run = run_program(two_targets(audience), NOW)
    app = run.one(APPLICATION)
    outputs = run.outputs
    assert outputs["clientId"] == app.outputs["clientId"]
    assert outputs["tenantId"] == TENANT_ID
    assert outputs["applicationObjectId"] == app.outputs["objectId"]
    assert outputs["servicePrincipalObjectId"] == run.one(SERVICE_PRINCIPAL).outputs["objectId"]
    assert outputs["oauthEndpoint"] == endpoint
    assert outputs["adminConsentUrl"] == (
        f"https://login.microsoftonline.com/{TENANT_ID}/adminconsent?client_id="
        f"{app.outputs['clientId']}"
    )
    assert set(outputs) >= {
        "clientSecret",
        "clientSecretKeyId",
        "clientSecretExpiresAt",
        "nextRotationAt",
    }
    assert run.secret_outputs == {"clientSecret"}


def test_program_does_not_mutate_its_config() -> None:
    config = example_config()
    before = copy.deepcopy(config)
    run_program(config, NOW)
    assert config == before


@pytest.mark.parametrize(
    "audience", ["AzureADandPersonalMicrosoftAccount", "AzureADMultipleOrgs", "AzureADMyOrg"]
)
def test_app_is_declared_a_confidential_web_client(audience: str) -> None:
    # Declared even though no stack key sets them, so `pulumi up` repairs a portal change that
    # makes Microsoft refuse Odoo's client secret (AADSTS700025).
    config = two_targets(audience)
    if audience == "AzureADMyOrg":
        config["odoo-outlook:app"]["tenantId"] = TENANT_ID
    app = run_program(config, NOW).one(APPLICATION)
    assert app.inputs["fallbackPublicClientEnabled"] is False
    assert app.inputs["publicClient"] == {"redirectUris": []}
    assert app.inputs["singlePageApplication"] == {"redirectUris": []}
    assert app.inputs["web"]["implicitGrant"] == {
        "accessTokenIssuanceEnabled": False,
        "idTokenIssuanceEnabled": False,
    }
