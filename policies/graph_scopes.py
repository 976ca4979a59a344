"""Policy ``odoo-graph-scopes``: only the delegated Microsoft Graph scopes Odoo needs.

Odoo's ``microsoft_outlook`` module signs in as the mailbox user, so the app needs delegated
scopes only, and only on Microsoft Graph; scopes are compared by their published id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from .azuread import APPLICATION, DELEGATED_GRANT, UNKNOWN, UUID_PATTERN, get, items

MICROSOFT_GRAPH_APP_ID: Final = "00000003-0000-0000-c000-000000000000"

# Microsoft Graph's published *delegated* permission ids for the scopes Odoo's
# `microsoft_outlook` module uses. Source: Microsoft Graph permissions
# reference, "All permissions and IDs" (microsoft-graph-docs
# concepts/includes/permissions-ids.md). This is the default of the
# `allowedScopes` config key and is not repeated anywhere else in the pack.
GRAPH_DELEGATED_SCOPES: Final[Mapping[str, str]] = {
    "SMTP.Send": "258f6531-6087-4cc4-bb90-092c5fb3ed3f",
    "IMAP.AccessAsUser.All": "652390e4-393a-48de-9484-05f9b1212954",
    "User.Read": "e1fe6dd8-ba31-4d61-89e7-88639da4683d",
    "offline_access": "7427e0e9-2fba-42fe-b0c0-848c9e6a8182",
    "openid": "37f7f235-527c-4136-accd-4a02d197296e",
    "email": "64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0",
}


def validate_graph_scopes(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """An Application's requiredResourceAccesses, or a delegated grant's claimValues."""
    config = args.get_config()
    allowed: Mapping[str, str] = config.get("allowedScopes", GRAPH_DELEGATED_SCOPES)
    if args.resource_type == DELEGATED_GRANT:
        for claim in items(get(args.props, "claimValues")):
            if claim is not UNKNOWN and str(claim) not in allowed:
                report_violation(
                    f"delegated permission grant consents to '{claim}', which Odoo does not need "
                    f"(allowed: {', '.join(allowed)})",
                    None,
                )
        return
    if args.resource_type != APPLICATION:
        return
    graph_id = str(config.get("graphAppId", MICROSOFT_GRAPH_APP_ID)).lower()
    other_resources = {str(r).lower() for r in config.get("allowedOtherResourceAppIds", [])}
    allowed_ids = {str(i).lower() for i in allowed.values()}
    for block in items(get(args.props, "requiredResourceAccesses")):
        if block is UNKNOWN:
            continue
        resource = get(block, "resourceAppId")
        for access in items(get(block, "resourceAccesses")):
            if access is UNKNOWN:
                continue
            message = _access_problem(
                resource,
                get(access, "type"),
                get(access, "id"),
                graph_id,
                allowed_ids,
                other_resources,
                allowed,
            )
            if message:
                report_violation(message, None)


def _access_problem(
    resource: Any,
    kind: Any,
    ident: Any,
    graph_id: str,
    allowed_ids: set[str],
    other_resources: set[str],
    allowed: Mapping[str, str],
) -> str | None:
    """The violation of one requested permission ``ident`` of ``kind`` on ``resource``."""
    if kind is UNKNOWN or ident is UNKNOWN:
        return None
    if kind == "Role":
        return (
            f"application permission (Role) '{ident}' requested on resource "
            f"'{resource}'; Odoo signs in as the mailbox user and needs none"
        )
    if resource is UNKNOWN:
        return None
    if str(resource).lower() == graph_id:
        if str(ident).lower() not in allowed_ids:
            return (
                f"delegated scope '{ident}' on Microsoft Graph is not one Odoo needs "
                f"(allowed: {', '.join(allowed)})"
            )
        return None
    if str(resource).lower() not in other_resources:
        return (
            f"delegated scope '{ident}' requested on resource '{resource}'; "
            "Odoo only needs Microsoft Graph"
        )
    return None


odoo_graph_scopes: Final = ResourceValidationPolicy(
    name="odoo-graph-scopes",
    description=(
        "The app requests only the delegated Microsoft Graph scopes Odoo needs (SMTP.Send, "
        "IMAP.AccessAsUser.All, User.Read, offline_access, openid, email), compared by "
        "scope id, and no application (Role) permission on any resource."
    ),
    validate=validate_graph_scopes,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=PolicyConfigSchema(
        properties={
            "allowedScopes": {
                "type": "object",
                "additionalProperties": {"type": "string", "pattern": UUID_PATTERN},
                "default": dict(GRAPH_DELEGATED_SCOPES),
                "description": (
                    "Delegated Microsoft Graph scopes allowed, name -> published scope id."
                ),
            },
            "graphAppId": {
                "type": "string",
                "pattern": UUID_PATTERN,
                "default": MICROSOFT_GRAPH_APP_ID,
                "description": "Application (client) id of Microsoft Graph.",
            },
            "allowedOtherResourceAppIds": {
                "type": "array",
                "items": {"type": "string", "pattern": UUID_PATTERN},
                "default": [],
                "description": (
                    "Other APIs on which delegated scopes may be requested (none by default)."
                ),
            },
        },
    ),
    remediation_steps=(
        "Remove the extra entry from requiredResourceAccesses (and from any delegated "
        "permission grant's claimValues). Odoo signs in as the mailbox user, so it never "
        "needs application permissions. If Microsoft ever publishes a new id, override "
        "allowedScopes in the policy pack config rather than the program."
    ),
)
