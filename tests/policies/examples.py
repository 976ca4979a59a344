"""The example stack as the policy engine sends it (the pulumi-azuread schema's camelCase
names), shared by the policy tests."""

from __future__ import annotations

from typing import Any

from policies.azuread import APPLICATION, APPLICATION_PASSWORD, DELEGATED_GRANT, SERVICE_PRINCIPAL
from policies.graph_scopes import MICROSOFT_GRAPH_APP_ID
from tests.pulumi_harness import GRAPH_SCOPE_IDS

APP_ROLE_ASSIGNMENT = "azuread:index/appRoleAssignment:AppRoleAssignment"

# Ids from Microsoft's permissions reference as the tests' stand-in tenant serves them
# (tests/pulumi_harness.py), never from the pack's table under test.
SCOPE_IDS = {
    name: GRAPH_SCOPE_IDS[name]
    for name in (
        "SMTP.Send",
        "IMAP.AccessAsUser.All",
        "User.Read",
        "offline_access",
        "openid",
        "email",
    )
}
MAIL_READWRITE_DELEGATED = GRAPH_SCOPE_IDS["Mail.ReadWrite"]
MAIL_SEND_APPLICATION_ROLE = "b633e1c5-b582-4048-a93e-9f11b44c7e96"
OWNER = "5f1c2d7e-8b4a-4c3e-9a61-2f0d9e7b1c44"
APP_OBJECT_ID = "9c1f4a3e-0d7b-4e55-8a2c-6b3f1e9d0a12"


# --------------------------------------------------------------------------
# The example stack, as the engine would send it.
# --------------------------------------------------------------------------
def example_application() -> dict[str, Any]:
    return {
        "displayName": "Odoo Outlook mail (dev)",
        "signInAudience": "AzureADandPersonalMicrosoftAccount",
        "api": {"requestedAccessTokenVersion": 2},
        "web": {
            "redirectUris": [
                "https://odoo.example.com/microsoft_outlook/confirm",
                "http://localhost:8069/microsoft_outlook/confirm",
            ],
            "implicitGrant": {
                "accessTokenIssuanceEnabled": False,
                "idTokenIssuanceEnabled": False,
            },
        },
        "requiredResourceAccesses": [
            {
                "resourceAppId": MICROSOFT_GRAPH_APP_ID,
                "resourceAccesses": [
                    {"id": scope_id, "type": "Scope"} for scope_id in SCOPE_IDS.values()
                ],
            }
        ],
        "owners": [OWNER],
        "preventDuplicateNames": True,
    }


def example_service_principal() -> dict[str, Any]:
    return {
        "clientId": "4a7d2c1b-3e5f-4a6b-8c9d-0e1f2a3b4c5d",
        "appRoleAssignmentRequired": True,
        "owners": [OWNER],
    }


def example_assignment() -> dict[str, Any]:
    return {
        "appRoleId": "00000000-0000-0000-0000-000000000000",
        "principalObjectId": "1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b",
        "resourceObjectId": "7b6a5948-3726-4150-8f9e-a0b1c2d3e4f5",
    }


def example_grant() -> dict[str, Any]:
    return {
        "servicePrincipalObjectId": "7b6a5948-3726-4150-8f9e-a0b1c2d3e4f5",
        "resourceServicePrincipalObjectId": "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f",
        "claimValues": list(SCOPE_IDS),
    }


def example_passwords() -> list[dict[str, Any]]:
    # Rotation period 90 days: each slot lives 2P + a 14-day grace = 194 days.
    return [
        {
            "applicationId": f"/applications/{APP_OBJECT_ID}",
            "displayName": "odoo-outlook slot A (epoch 111)",
            "startDate": "2025-09-01T00:00:00Z",
            "endDate": "2026-03-14T00:00:00Z",
            "rotateWhenChanged": {"epoch": "111"},
        },
        {
            "applicationId": f"/applications/{APP_OBJECT_ID}",
            "displayName": "odoo-outlook slot B (epoch 112)",
            "startDate": "2025-10-16T00:00:00Z",
            "endDate": "2026-04-28T00:00:00Z",
            "rotateWhenChanged": {"epoch": "112"},
        },
    ]


def example_stack() -> list[tuple[str, dict[str, Any]]]:
    return [
        (APPLICATION, example_application()),
        (SERVICE_PRINCIPAL, example_service_principal()),
        (APP_ROLE_ASSIGNMENT, example_assignment()),
        (DELEGATED_GRANT, example_grant()),
        *((APPLICATION_PASSWORD, p) for p in example_passwords()),
    ]
