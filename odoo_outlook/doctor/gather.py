"""The Graph half's I/O: every read the Azure checks need, concurrently, failures kept.

A failed read becomes `Read(error=...)` carrying `GraphAccessError`'s one-line message (a
401/403 names the Graph permission the caller lacks, a 404 the missing object; 429/503 were
already retried by msgraph-sdk's bounded RetryHandler). Nothing here raises for a Graph error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

from msgraph.graph_service_client import GraphServiceClient

from odoo_outlook.config import is_object_id
from odoo_outlook.desired import MICROSOFT_GRAPH_APP_ID, AppRegistrationSpec
from odoo_outlook.doctor.azure_checks import AzureFacts, Principal, Read
from odoo_outlook.graph import (
    AppManagementPolicy,
    AppRoleAssignment,
    AuthorizationPolicy,
    DelegatedGrant,
    DirectoryObjectRef,
    GraphAccessError,
    GraphFailure,
    PermissionClassification,
    ServicePrincipal,
    get_application,
    get_authorization_policy,
    get_default_app_management_policy,
    get_service_principal,
    list_app_management_policies,
    list_app_role_assignments,
    list_application_owners,
    list_delegated_grants,
    list_permission_classifications,
    resolve_group,
    resolve_user,
)

T = TypeVar("T")


async def _read(call: Awaitable[T]) -> Read[T]:
    try:
        return Read(value=await call)
    except GraphAccessError as exc:
        return Read(error=exc.message, missing=exc.failure is GraphFailure.NOT_FOUND)


async def _user(client: GraphServiceClient, name: str) -> Principal:
    read = await _read(resolve_user(client, name))
    user = read.value
    return Principal(
        "user",
        name,
        Read(value=user.id) if user else Read(error=read.error, missing=read.missing),
        user.account_enabled if user else None,
    )


async def _group(client: GraphServiceClient, name: str) -> Principal:
    read = await _read(resolve_group(client, name))
    group = read.value
    return Principal(
        "group",
        name,
        Read(value=group.id) if group else Read(error=read.error, missing=read.missing),
    )


async def _owner(client: GraphServiceClient, name: str) -> Principal:
    """A configured owner: an object id as is (it may be a service principal, as the
    deploying identity often is), a UPN resolved like an assigned user."""
    if is_object_id(name):
        return Principal("owner", name, Read(value=name.lower()))
    user = await _user(client, name)
    return Principal("owner", name, user.read, user.enabled)


async def gather_azure(
    client: GraphServiceClient, client_id: str, spec: AppRegistrationSpec
) -> AzureFacts:
    """Read everything the Azure checks need, concurrently; never raises for a Graph error.

    `client_id` is the app registration's appId (a GUID); `spec` the declared registration
    (its owners, users, groups and admin-consent choice decide which reads run). When the
    application itself cannot be read, only that failure is returned.
    """
    app, sp, graph_sp = await asyncio.gather(
        _read(get_application(client, client_id)),
        _read(get_service_principal(client, client_id)),
        _read(get_service_principal(client, MICROSOFT_GRAPH_APP_ID)),
    )
    if not app.ok:
        # Not there, or not readable: the other reads would only repeat the same failure.
        return AzureFacts(client_id, app)
    assert app.value is not None
    owner_reads = _read_owners(client, app.value.object_id, spec)
    policy_reads = _read_policies(client, app.value.object_id, graph_sp, spec)
    if sp.value is None:
        (owners, owner_principals), policies = await asyncio.gather(owner_reads, policy_reads)
        assignments: Read[tuple[AppRoleAssignment, ...]] = Read()
        grants: Read[tuple[DelegatedGrant, ...]] = Read()
        principals: tuple[Principal, ...] = ()
    else:
        (
            (owners, owner_principals),
            policies,
            (assignments, grants, principals),
        ) = await asyncio.gather(
            owner_reads, policy_reads, _read_assignees(client, sp.value.object_id, spec)
        )
    authorization, default_policy, app_policies, classifications = policies
    return AzureFacts(
        client_id,
        app,
        sp,
        graph_sp,
        assignments,
        grants,
        principals,
        owners,
        owner_principals,
        authorization=authorization,
        default_policy=default_policy,
        app_policies=app_policies,
        classifications=classifications,
    )


async def _read_owners(
    client: GraphServiceClient, app_object_id: str, spec: AppRegistrationSpec
) -> tuple[Read[tuple[DirectoryObjectRef, ...]], tuple[Principal, ...]]:
    owners, principals = await asyncio.gather(
        _read(list_application_owners(client, app_object_id)),
        asyncio.gather(*(_owner(client, o) for o in spec.owners)),
    )
    return owners, tuple(principals)


async def _read_policies(
    client: GraphServiceClient,
    app_object_id: str,
    graph_sp: Read[ServicePrincipal],
    spec: AppRegistrationSpec,
) -> tuple[
    Read[AuthorizationPolicy],
    Read[AppManagementPolicy],
    Read[tuple[AppManagementPolicy, ...]],
    Read[tuple[PermissionClassification, ...]],
]:
    # Skipped under admin consent: user consent and classifications do not matter then.
    authorization: Awaitable[Read[AuthorizationPolicy]] = (
        _read(get_authorization_policy(client)) if not spec.admin_consent else _none()
    )
    classifications: Awaitable[Read[tuple[PermissionClassification, ...]]] = (
        _read(list_permission_classifications(client, graph_sp.value.object_id))
        if not spec.admin_consent and graph_sp.value is not None
        else _none()
    )
    return await asyncio.gather(
        authorization,
        _read(get_default_app_management_policy(client)),
        _read(list_app_management_policies(client, app_object_id)),
        classifications,
    )


async def _read_assignees(
    client: GraphServiceClient, sp_id: str, spec: AppRegistrationSpec
) -> tuple[
    Read[tuple[AppRoleAssignment, ...]], Read[tuple[DelegatedGrant, ...]], tuple[Principal, ...]
]:
    assignments, grants, principals = await asyncio.gather(
        _read(list_app_role_assignments(client, sp_id)),
        # Read with or without admin consent: grants tell whether users can connect.
        _read(list_delegated_grants(client, sp_id)),
        asyncio.gather(
            *(_user(client, u) for u in spec.users), *(_group(client, g) for g in spec.groups)
        ),
    )
    return assignments, grants, tuple(principals)


async def _none() -> Read[Any]:
    """A read skipped on purpose (its check does not apply)."""
    return Read()
