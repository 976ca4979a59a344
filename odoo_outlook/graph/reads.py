"""The product's Graph reads: one async function per question, frozen values out.

Every function takes the ``GraphServiceClient`` to use (see ``client.py``), follows
``@odata.nextLink`` paging, and raises only :class:`GraphAccessError` on failure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.applications_with_app_id.applications_with_app_id_request_builder import (
    ApplicationsWithAppIdRequestBuilder,
)
from msgraph.generated.groups.groups_request_builder import GroupsRequestBuilder
from msgraph.generated.oauth2_permission_grants.oauth2_permission_grants_request_builder import (
    Oauth2PermissionGrantsRequestBuilder,
)
from msgraph.generated.service_principals_with_app_id.service_principals_with_app_id_request_builder import (  # noqa: E501
    ServicePrincipalsWithAppIdRequestBuilder,
)
from msgraph.generated.users.item.user_item_request_builder import UserItemRequestBuilder
from msgraph.generated.users.users_request_builder import UsersRequestBuilder
from msgraph.graph_service_client import GraphServiceClient

from .errors import GraphAccessError, GraphFailure, Permission, ReadSpec, graph_read
from .models import (
    Application,
    AppManagementPolicy,
    AppRole,
    AppRoleAssignment,
    AuthorizationPolicy,
    CredentialRestriction,
    DelegatedGrant,
    DirectoryObjectRef,
    Group,
    PasswordCredential,
    PermissionClassification,
    PermissionScope,
    RequiredResourceAccess,
    ResourceAccess,
    ServicePrincipal,
    User,
)

_MAX_PAGES = 1000
_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_USER_FIELDS = ["id", "userPrincipalName", "displayName", "mail", "accountEnabled"]


# --------------------------------------------------------------------------- helpers


def _id(value: UUID | str | None) -> str:
    return str(value).lower() if value is not None else ""


def _opt_id(value: UUID | str | None) -> str | None:
    return str(value).lower() if value is not None else None


def _odata_literal(value: str) -> str:
    """A string literal for $filter: single quotes doubled."""
    return "'" + value.replace("'", "''") + "'"


async def _all_pages(builder: Any, config: RequestConfiguration[Any] | None = None) -> list[Any]:
    """Every item of a collection, following @odata.nextLink."""
    page = await builder.get(request_configuration=config)
    items: list[Any] = []
    seen: set[str] = set()
    while page is not None:
        items.extend(page.value or [])
        next_link = page.odata_next_link
        if not next_link or next_link in seen or len(seen) >= _MAX_PAGES:
            break
        seen.add(next_link)
        page = await builder.with_url(next_link).get()
    return items


def _query(builder_cls: Any, **params: Any) -> RequestConfiguration[Any]:
    return RequestConfiguration(query_parameters=builder_cls(**params))


# --------------------------------------------------------------------------- converters


def _password(cred: Any) -> PasswordCredential:
    return PasswordCredential(
        key_id=_id(cred.key_id),
        display_name=cred.display_name,
        hint=cred.hint,
        start=cred.start_date_time,
        end=cred.end_date_time,
    )


def _application(app: Any) -> Application:
    web, api = app.web, app.api
    implicit = web.implicit_grant_settings if web else None
    return Application(
        object_id=_id(app.id),
        client_id=_id(app.app_id),
        display_name=app.display_name,
        sign_in_audience=app.sign_in_audience,
        redirect_uris=tuple(web.redirect_uris or ()) if web else (),
        requested_access_token_version=api.requested_access_token_version if api else None,
        required_resource_access=tuple(
            RequiredResourceAccess(
                resource_app_id=_id(rra.resource_app_id),
                resource_access=tuple(
                    ResourceAccess(id=_id(ra.id), type=ra.type or "")
                    for ra in rra.resource_access or ()
                ),
            )
            for rra in app.required_resource_access or ()
        ),
        password_credentials=tuple(_password(c) for c in app.password_credentials or ()),
        is_fallback_public_client=app.is_fallback_public_client,
        public_client_redirect_uris=tuple(app.public_client.redirect_uris or ())
        if app.public_client
        else (),
        spa_redirect_uris=tuple(app.spa.redirect_uris or ()) if app.spa else (),
        implicit_access_token=implicit.enable_access_token_issuance if implicit else None,
        implicit_id_token=implicit.enable_id_token_issuance if implicit else None,
        disabled_by_microsoft_status=app.disabled_by_microsoft_status,
        created=app.created_date_time,
    )


def _service_principal(sp: Any) -> ServicePrincipal:
    return ServicePrincipal(
        object_id=_id(sp.id),
        client_id=_id(sp.app_id),
        display_name=sp.display_name,
        account_enabled=sp.account_enabled,
        app_role_assignment_required=bool(sp.app_role_assignment_required),
        oauth2_permission_scopes=tuple(
            PermissionScope(
                id=_id(s.id), value=s.value or "", type=s.type, is_enabled=s.is_enabled is not False
            )
            for s in sp.oauth2_permission_scopes or ()
        ),
        app_roles=tuple(
            AppRole(
                id=_id(r.id),
                value=r.value,
                display_name=r.display_name,
                is_enabled=r.is_enabled is not False,
            )
            for r in sp.app_roles or ()
        ),
    )


def _directory_object(obj: Any) -> DirectoryObjectRef:
    kind = (obj.odata_type or "").removeprefix("#microsoft.graph.") or "directoryObject"
    return DirectoryObjectRef(
        id=_id(obj.id),
        kind=kind,
        display_name=getattr(obj, "display_name", None),
        user_principal_name=getattr(obj, "user_principal_name", None),
    )


def _assignment(a: Any) -> AppRoleAssignment:
    created: datetime | None = a.created_date_time
    return AppRoleAssignment(
        id=a.id or "",
        principal_id=_id(a.principal_id),
        resource_id=_id(a.resource_id),
        created=created,
    )


def _grant(g: Any) -> DelegatedGrant:
    return DelegatedGrant(
        id=g.id or "",
        client_id=_id(g.client_id),
        consent_type=g.consent_type or "",
        principal_id=_opt_id(g.principal_id),
        resource_id=_id(g.resource_id),
        scopes=tuple((g.scope or "").split()),
    )


def _user(u: Any) -> User:
    return User(
        id=_id(u.id),
        user_principal_name=u.user_principal_name,
        display_name=u.display_name,
        mail=u.mail,
        account_enabled=u.account_enabled,
    )


def _group(g: Any) -> Group:
    return Group(id=_id(g.id), display_name=g.display_name, mail=g.mail)


# --------------------------------------------------------------------------- reads


def _by_app_id(
    builder: type[ApplicationsWithAppIdRequestBuilder | ServicePrincipalsWithAppIdRequestBuilder],
    client: GraphServiceClient,
    app_id: str,
) -> Any:
    """`GET /applications(appId=…)` / `/servicePrincipals(appId=…)` with a path of its own.

    msgraph-sdk's `client.applications_with_app_id(x)` writes `appId` into the client's own
    `path_parameters` dict and keeps that dict (ApplicationsWithAppIdRequestBuilder.__init__:
    `path_parameters['appId'] = app_id`); the URL is only expanded when the request is sent,
    after the token is awaited. Two such reads in flight share the dict, and one goes out with
    the other's id. A copy per builder keeps each read's id.
    """
    return builder(client.request_adapter, dict(client.path_parameters), app_id)


async def get_application(client: GraphServiceClient, client_id: str) -> Application:
    """The app registration with this client (application) id: GET /applications(appId=…)."""
    read = ReadSpec(
        f"the application with client id {client_id}",
        Permission.APPLICATION_READ,
        missing=f"no app registration has client id {client_id} in this tenant",
    )
    async with graph_read(read):
        app = await _by_app_id(ApplicationsWithAppIdRequestBuilder, client, client_id).get()
    if app is None:
        raise GraphAccessError(
            f"Not found in Microsoft Graph: {read.missing}.", failure=GraphFailure.NOT_FOUND
        )
    return _application(app)


async def list_application_owners(
    client: GraphServiceClient, application_object_id: str
) -> tuple[DirectoryObjectRef, ...]:
    """Owners of an app registration (by its object id): GET /applications/{id}/owners."""
    read = ReadSpec(
        f"the owners of application object {application_object_id}", Permission.OWNERS_READ
    )
    async with graph_read(read):
        owners = await _all_pages(
            client.applications.by_application_id(application_object_id).owners
        )
    return tuple(_directory_object(o) for o in owners)


async def _service_principal_by_app_id(
    client: GraphServiceClient, app_id: str, read: ReadSpec, select: list[str] | None = None
) -> Any:
    config = None
    if select:
        config = _query(
            ServicePrincipalsWithAppIdRequestBuilder.ServicePrincipalsWithAppIdRequestBuilderGetQueryParameters,
            select=select,
        )
    async with graph_read(read):
        builder = _by_app_id(ServicePrincipalsWithAppIdRequestBuilder, client, app_id)
        sp = await builder.get(request_configuration=config)
    if sp is None:
        raise GraphAccessError(
            f"Not found in Microsoft Graph: {read.missing}.", failure=GraphFailure.NOT_FOUND
        )
    return sp


async def get_service_principal(client: GraphServiceClient, app_id: str) -> ServicePrincipal:
    """The enterprise application (service principal) of an app id."""
    read = ReadSpec(
        f"the service principal of app {app_id}",
        Permission.SERVICE_PRINCIPAL_READ,
        missing=f"no enterprise application (service principal) exists for app {app_id}",
    )
    return _service_principal(await _service_principal_by_app_id(client, app_id, read))


async def list_app_role_assignments(
    client: GraphServiceClient, sp_id: str
) -> tuple[AppRoleAssignment, ...]:
    """Users, groups and apps assigned to a service principal: GET …/appRoleAssignedTo."""
    read = ReadSpec(
        f"the users and groups assigned to service principal {sp_id}",
        Permission.ASSIGNMENTS_READ,
        missing=f"service principal {sp_id} does not exist",
    )
    async with graph_read(read):
        items = await _all_pages(
            client.service_principals.by_service_principal_id(sp_id).app_role_assigned_to
        )
    return tuple(_assignment(a) for a in items)


async def list_delegated_grants(
    client: GraphServiceClient, sp_id: str
) -> tuple[DelegatedGrant, ...]:
    """Delegated permission grants (consents) of a client service principal."""
    read = ReadSpec(
        f"the delegated permission grants of service principal {sp_id}", Permission.GRANTS_READ
    )
    config = _query(
        Oauth2PermissionGrantsRequestBuilder.Oauth2PermissionGrantsRequestBuilderGetQueryParameters,
        filter=f"clientId eq {_odata_literal(sp_id)}",
    )
    async with graph_read(read):
        items = await _all_pages(client.oauth2_permission_grants, config)
    return tuple(_grant(g) for g in items)


async def resolve_user(client: GraphServiceClient, upn_or_id: str) -> User:
    """A user by object id (GET /users/{id}) or by user principal name.

    A name is looked up with ``GET /users?$filter=userPrincipalName eq '…'`` (quotes
    doubled), which works for every legal name: the ``/users/{userPrincipalName}`` path
    form answers 400 for a name starting with ``$`` and needs guests' ``#EXT#`` encoded
    (https://learn.microsoft.com/en-us/graph/api/user-get?view=graph-rest-1.0, TIP), while
    ``$filter`` on userPrincipalName (eq) is supported by default
    (https://learn.microsoft.com/en-us/graph/api/user-list?view=graph-rest-1.0).
    ``account_enabled`` is None when Graph returns no value (e.g. the identity holds only
    User.ReadBasic.All). Raises GraphAccessError (NOT_FOUND when no user has that name)."""
    by_id = bool(_GUID.match(upn_or_id))
    read = ReadSpec(
        f"user {upn_or_id}",
        Permission.USER_READ if by_id else Permission.USER_LIST,
        missing=f"no user {upn_or_id} in this tenant",
    )
    if by_id:
        config = _query(
            UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters, select=_USER_FIELDS
        )
        async with graph_read(read):
            user = await client.users.by_user_id(upn_or_id).get(request_configuration=config)
        found = [user] if user is not None else []
    else:
        config = _query(
            UsersRequestBuilder.UsersRequestBuilderGetQueryParameters,
            filter=f"userPrincipalName eq {_odata_literal(upn_or_id)}",
            select=_USER_FIELDS,
        )
        async with graph_read(read):
            found = await _all_pages(client.users, config)
    if not found:
        raise GraphAccessError(
            f"Not found in Microsoft Graph: {read.missing}.", failure=GraphFailure.NOT_FOUND
        )
    return _user(found[0])


async def resolve_group(client: GraphServiceClient, name_or_id: str) -> Group:
    """A group by object id, or by exact display name (which must be unique)."""
    by_id = bool(_GUID.match(name_or_id))
    read = ReadSpec(
        f"group {name_or_id}",
        Permission.GROUP_READ if by_id else Permission.GROUP_LIST,
        missing=f"no group {name_or_id} in this tenant",
    )
    if by_id:
        async with graph_read(read):
            group = await client.groups.by_group_id(name_or_id).get()
        if group is None:
            raise GraphAccessError(
                f"Not found in Microsoft Graph: {read.missing}.", failure=GraphFailure.NOT_FOUND
            )
        return _group(group)
    config = _query(
        GroupsRequestBuilder.GroupsRequestBuilderGetQueryParameters,
        filter=f"displayName eq {_odata_literal(name_or_id)}",
        select=["id", "displayName", "mail"],
    )
    async with graph_read(read):
        found = await _all_pages(client.groups, config)
    return _single_group(name_or_id, (_group(g) for g in found))


def _single_group(name: str, groups: Iterable[Group]) -> Group:
    matches = list(groups)
    if not matches:
        raise GraphAccessError(
            f"Not found in Microsoft Graph: no group named {name!r} in this tenant.",
            failure=GraphFailure.NOT_FOUND,
        )
    if len(matches) > 1:
        ids = ", ".join(g.id for g in matches)
        raise GraphAccessError(
            f"{len(matches)} groups are named {name!r} ({ids}): give the group's object id.",
            failure=GraphFailure.AMBIGUOUS,
        )
    return matches[0]


# --------------------------------------------------------------------------- policies


def _restriction(r: Any) -> CredentialRestriction:
    kind = r.restriction_type
    state = getattr(r, "state", None)
    return CredentialRestriction(
        restriction_type=str(getattr(kind, "value", kind) or ""),
        max_lifetime=r.max_lifetime,
        restrict_for_apps_created_after=r.restrict_for_apps_created_after_date_time,
        state=str(getattr(state, "value", state)) if state is not None else None,
    )


def _app_policy(p: Any, restrictions: Any) -> AppManagementPolicy:
    return AppManagementPolicy(
        id=str(p.id or ""),
        display_name=p.display_name,
        is_enabled=p.is_enabled is not False,
        password_restrictions=tuple(
            _restriction(r) for r in (restrictions.password_credentials or ())
        )
        if restrictions is not None
        else (),
    )


async def get_authorization_policy(client: GraphServiceClient) -> AuthorizationPolicy:
    """The tenant's user-consent setting: GET /policies/authorizationPolicy."""
    read = ReadSpec("the tenant's authorization policy (user consent)", Permission.POLICY_READ)
    async with graph_read(read):
        policy = await client.policies.authorization_policy.get()
    perms = policy.default_user_role_permissions if policy is not None else None
    return AuthorizationPolicy(
        permission_grant_policies_assigned=tuple(
            (perms.permission_grant_policies_assigned or ()) if perms is not None else ()
        )
    )


async def get_default_app_management_policy(client: GraphServiceClient) -> AppManagementPolicy:
    """The tenant default app management policy: GET /policies/defaultAppManagementPolicy."""
    read = ReadSpec("the tenant's default app management policy", Permission.TENANT_APP_POLICY_READ)
    async with graph_read(read):
        policy = await client.policies.default_app_management_policy.get()
    if policy is None:
        raise GraphAccessError(
            "Not found in Microsoft Graph: the tenant's default app management policy.",
            failure=GraphFailure.NOT_FOUND,
        )
    return _app_policy(policy, policy.application_restrictions)


async def list_app_management_policies(
    client: GraphServiceClient, application_object_id: str
) -> tuple[AppManagementPolicy, ...]:
    """App management policies applied to one app registration (by its object id):
    GET /applications/{id}/appManagementPolicies."""
    read = ReadSpec(
        f"the app management policies of application object {application_object_id}",
        Permission.APP_POLICIES_READ,
    )
    async with graph_read(read):
        items = await _all_pages(
            client.applications.by_application_id(application_object_id).app_management_policies
        )
    return tuple(_app_policy(p, p.restrictions) for p in items)


async def list_permission_classifications(
    client: GraphServiceClient, sp_id: str
) -> tuple[PermissionClassification, ...]:
    """Delegated permission classifications of an API's service principal (e.g. Microsoft
    Graph's): GET /servicePrincipals/{id}/delegatedPermissionClassifications."""
    read = ReadSpec(
        f"the delegated permission classifications of service principal {sp_id}",
        Permission.CLASSIFICATIONS_READ,
    )
    async with graph_read(read):
        items = await _all_pages(
            client.service_principals.by_service_principal_id(
                sp_id
            ).delegated_permission_classifications
        )
    return tuple(
        PermissionClassification(
            permission_id=_id(c.permission_id),
            permission_name=c.permission_name,
            classification=str(getattr(c.classification, "value", c.classification) or ""),
        )
        for c in items
    )
