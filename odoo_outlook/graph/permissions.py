"""The least-privileged Graph permissions of each call the product makes, as data.

One row per Graph API reference page: the "Least privileged permissions" column of its
Permissions table, for delegated (work or school account) and application access. Error
messages name these (never a broader permission) and link the page, so a 401/403 says
exactly what to grant. Keep a row in step with its page when the page changes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CallPermissions:
    """Least-privileged permissions for one Graph call, from its reference page."""

    call: str  # e.g. "GET /applications(appId='{appId}')"
    reference: str  # the learn.microsoft.com API reference page (v1.0)
    delegated: str  # least privileged, delegated (work or school account)
    application: str  # least privileged, application (app-only)

    @property
    def hint(self) -> str:
        """e.g. "Application.Read.All (delegated or application)"."""
        if self.delegated == self.application:
            return f"{self.delegated} (delegated or application)"
        return f"{self.delegated} (delegated) or {self.application} (application)"

    def __str__(self) -> str:
        return self.hint


def _page(name: str) -> str:
    return f"https://learn.microsoft.com/en-us/graph/api/{name}?view=graph-rest-1.0"


GRAPH_CALL_PERMISSIONS: dict[str, CallPermissions] = {
    "application-get": CallPermissions(
        "GET /applications(appId='{appId}')",
        _page("application-get"),
        "Application.Read.All",
        "Application.Read.All",
    ),
    "application-list-owners": CallPermissions(
        "GET /applications/{id}/owners",
        _page("application-list-owners"),
        "Application.Read.All",
        "Application.ReadWrite.OwnedBy",
    ),
    "serviceprincipal-get": CallPermissions(
        "GET /servicePrincipals(appId='{appId}')",
        _page("serviceprincipal-get"),
        "Application.Read.All",
        "Application.Read.All",
    ),
    "serviceprincipal-list-approleassignedto": CallPermissions(
        "GET /servicePrincipals/{id}/appRoleAssignedTo",
        _page("serviceprincipal-list-approleassignedto"),
        "Application.Read.All",
        "Application.Read.All",
    ),
    "oauth2permissiongrant-list": CallPermissions(
        "GET /oauth2PermissionGrants?$filter=clientId eq '{id}'",
        _page("oauth2permissiongrant-list"),
        "Directory.Read.All",
        "Directory.Read.All",
    ),
    "user-get": CallPermissions(
        "GET /users/{id}",
        _page("user-get"),
        "User.ReadBasic.All",
        "User.Read.All",
    ),
    "user-list": CallPermissions(
        "GET /users?$filter=userPrincipalName eq '{upn}'",
        _page("user-list"),
        "User.ReadBasic.All",
        "User.Read.All",
    ),
    # Reading accountEnabled: the user-get page's "Permissions for specific scenarios"
    # (User.ReadBasic.All covers the basic profile only; accountEnabled then comes back null).
    "user-accountenabled": CallPermissions(
        "GET /users?$select=accountEnabled",
        _page("user-get"),
        "User.Read.All",
        "User.Read.All",
    ),
    "group-get": CallPermissions(
        "GET /groups/{id}",
        _page("group-get"),
        "GroupMember.Read.All",
        "GroupMember.Read.All",
    ),
    "group-list": CallPermissions(
        "GET /groups?$filter=displayName eq '{name}'",
        _page("group-list"),
        "GroupMember.Read.All",
        "GroupMember.Read.All",
    ),
    "authorizationpolicy-get": CallPermissions(
        "GET /policies/authorizationPolicy",
        _page("authorizationpolicy-get"),
        "Policy.Read.All",
        "Policy.Read.All",
    ),
    "tenantappmanagementpolicy-get": CallPermissions(
        "GET /policies/defaultAppManagementPolicy",
        _page("tenantappmanagementpolicy-get"),
        "Policy.Read.All",
        "Policy.Read.All",
    ),
    "application-list-appmanagementpolicies": CallPermissions(
        "GET /applications/{id}/appManagementPolicies",
        _page("application-list-appmanagementpolicies"),
        "Policy.Read.All",
        "Policy.Read.All",
    ),
    "serviceprincipal-list-delegatedpermissionclassifications": CallPermissions(
        "GET /servicePrincipals/{id}/delegatedPermissionClassifications",
        _page("serviceprincipal-list-delegatedpermissionclassifications"),
        "Application.Read.All",
        "Application.Read.All",
    ),
}
