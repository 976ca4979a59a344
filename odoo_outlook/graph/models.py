"""Small frozen values the Graph reads return (no msgraph-sdk object leaks out).

Ids are lower-case strings; datetimes are timezone-aware (UTC)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# The well-known ids are written once, in the desired state; re-exported here for Graph readers.
from odoo_outlook.desired import DEFAULT_ACCESS_ROLE_ID as DEFAULT_ACCESS_ROLE_ID
from odoo_outlook.desired import MICROSOFT_GRAPH_APP_ID

GRAPH_APP_ID = MICROSOFT_GRAPH_APP_ID  # re-exported under the graph package's name


@dataclass(frozen=True)
class ResourceAccess:
    """Graph `resourceAccess`: one permission id an app requests, delegated (`Scope`) or
    application (`Role`)."""

    id: str
    type: str  # "Scope" (delegated) or "Role" (application)


@dataclass(frozen=True)
class RequiredResourceAccess:
    """Graph `requiredResourceAccess`: the permissions an app requests on one API
    (`resourceAppId`)."""

    resource_app_id: str
    resource_access: tuple[ResourceAccess, ...]


@dataclass(frozen=True)
class PasswordCredential:
    """Graph `passwordCredential` (client secret) as listed on an application: keyId,
    description, `hint` (the first characters of the value, never the value), start and end
    (aware datetimes, UTC).
    """

    key_id: str
    display_name: str | None
    hint: str | None  # first characters of the secret value
    start: datetime | None
    end: datetime | None


@dataclass(frozen=True)
class Application:
    """Graph v1.0 `application` (the app registration), with the properties the doctor reads;
    Graph's property name is in the comment where it differs.
    """

    object_id: str
    client_id: str  # appId
    display_name: str | None
    sign_in_audience: str | None
    redirect_uris: tuple[str, ...]  # web.redirectUris
    requested_access_token_version: int | None  # api.requestedAccessTokenVersion
    required_resource_access: tuple[RequiredResourceAccess, ...]
    password_credentials: tuple[PasswordCredential, ...]
    # Properties no stack key sets but that change how Microsoft treats Odoo's sign-in.
    is_fallback_public_client: bool | None = None  # isFallbackPublicClient
    public_client_redirect_uris: tuple[str, ...] = ()  # publicClient.redirectUris
    spa_redirect_uris: tuple[str, ...] = ()  # spa.redirectUris
    implicit_access_token: bool | None = None  # web.implicitGrantSettings.enableAccessTokenIssuance
    implicit_id_token: bool | None = None  # web.implicitGrantSettings.enableIdTokenIssuance
    disabled_by_microsoft_status: str | None = None  # disabledByMicrosoftStatus
    created: datetime | None = None  # createdDateTime

    def required_scope_ids(self, resource_app_id: str = GRAPH_APP_ID) -> frozenset[str]:
        """Delegated permission ids the app requests on one API (Graph by default)."""
        return frozenset(
            access.id
            for rra in self.required_resource_access
            if rra.resource_app_id == resource_app_id
            for access in rra.resource_access
            if access.type == "Scope"
        )


@dataclass(frozen=True)
class DirectoryObjectRef:
    """A Graph directory object (an owner): id, kind from `@odata.type`, names."""

    id: str
    kind: str  # "user", "servicePrincipal", "group", ... (from @odata.type)
    display_name: str | None
    user_principal_name: str | None = None


@dataclass(frozen=True)
class PermissionScope:
    """Graph `permissionScope`: a delegated permission an API publishes
    (`oauth2PermissionScopes`)."""

    id: str
    value: str
    type: str | None  # "User" or "Admin"
    is_enabled: bool


@dataclass(frozen=True)
class AppRole:
    """Graph `appRole`: a role an API or app publishes for assignment."""

    id: str
    value: str | None
    display_name: str | None
    is_enabled: bool


@dataclass(frozen=True)
class ServicePrincipal:
    """Graph v1.0 `servicePrincipal` (the enterprise application), with the properties the doctor
    reads."""

    object_id: str
    client_id: str  # appId
    display_name: str | None
    account_enabled: bool | None
    app_role_assignment_required: bool
    oauth2_permission_scopes: tuple[PermissionScope, ...]
    app_roles: tuple[AppRole, ...]


@dataclass(frozen=True)
class AppRoleAssignment:
    """Graph `appRoleAssignment`: a user, group or service principal assigned to an app."""

    id: str
    principal_id: str
    resource_id: str
    created: datetime | None


@dataclass(frozen=True)
class DelegatedGrant:
    """Graph `oAuth2PermissionGrant`: delegated scopes consented for a client on an API."""

    id: str
    client_id: str  # object id of the client service principal
    consent_type: str  # "AllPrincipals" (admin consent) or "Principal"
    principal_id: str | None  # the user, for consent_type "Principal"
    resource_id: str  # object id of the API's service principal
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class User:
    """Graph `user`, with the properties the doctor reads (`accountEnabled` needs User.Read.All)."""

    id: str
    user_principal_name: str | None
    display_name: str | None
    mail: str | None
    account_enabled: bool | None


@dataclass(frozen=True)
class Group:
    """Graph `group`, with the properties the doctor reads."""

    id: str
    display_name: str | None
    mail: str | None


@dataclass(frozen=True)
class AuthorizationPolicy:
    """The tenant's authorizationPolicy, as far as user consent goes."""

    # defaultUserRolePermissions.permissionGrantPoliciesAssigned, e.g.
    # "ManagePermissionGrantsForSelf.microsoft-user-default-legacy"
    permission_grant_policies_assigned: tuple[str, ...]


@dataclass(frozen=True)
class CredentialRestriction:
    """One passwordCredentialConfiguration of an app management policy."""

    restriction_type: str  # "passwordLifetime", "passwordAddition", ...
    max_lifetime: timedelta | None  # Graph's ISO 8601 duration ("P90D"), parsed
    restrict_for_apps_created_after: datetime | None
    state: str | None = None  # "enabled" / "disabled" (None: enabled)

    @property
    def enforced(self) -> bool:
        """Whether the restriction applies (`state` missing or `enabled`)."""
        return (self.state or "enabled").lower() == "enabled"


@dataclass(frozen=True)
class AppManagementPolicy:
    """The tenant default (defaultAppManagementPolicy) or a policy applied to an app."""

    id: str
    display_name: str | None
    is_enabled: bool
    password_restrictions: tuple[CredentialRestriction, ...]


@dataclass(frozen=True)
class PermissionClassification:
    """A delegated permission an administrator classified (servicePrincipal
    delegatedPermissionClassifications): "low" admits it under the low-impact user-consent
    policy."""

    permission_id: str
    permission_name: str | None
    classification: str  # "low", "medium", "high"
