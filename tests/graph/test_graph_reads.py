"""odoo_outlook.graph driven against the fake Graph server over real HTTP.

The product code is the one that talks to graph.microsoft.com; only the base URL and
the credential are injected."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import CredentialUnavailableError, DefaultAzureCredential

from odoo_outlook.graph import (
    DEFAULT_GRAPH_URL,
    GRAPH_APP_ID,
    GRAPH_URL_ENV,
    GraphAccessError,
    GraphFailure,
    GraphSettings,
    Permission,
    default_credential,
    get_application,
    get_authorization_policy,
    get_service_principal,
    list_app_role_assignments,
    list_application_owners,
    list_delegated_grants,
    open_graph,
    resolve_group,
    resolve_user,
)
from odoo_outlook.graph.permissions import GRAPH_CALL_PERMISSIONS, CallPermissions
from tests.fakes.graph_server import (
    GRAPH_DELEGATED_SCOPES,
    ODOO_SCOPES,
    FakeGraph,
    Seeded,
    StaticTokenCredential,
)

Run = Callable[..., Any]
TOKEN = "test-token-0123456789"  # the conftest credential's token


def graph_error(run: Run, *args: Any, **kwargs: Any) -> GraphAccessError:
    with pytest.raises(GraphAccessError) as caught:
        run(*args, **kwargs)
    error = caught.value
    text = str(error)
    assert TOKEN not in text and TOKEN not in repr(error.args)
    assert "\n" not in text
    return error


# --------------------------------------------------------------------------- healthy reads


def test_get_application(fake_graph: FakeGraph, graph_run: Run) -> None:
    seeded = fake_graph.seed_healthy(sign_in_audience="AzureADandPersonalMicrosoftAccount")
    app = graph_run(get_application, seeded.client_id)
    assert app.client_id == seeded.client_id and app.object_id == seeded.app["id"]
    assert app.display_name == "Odoo Outlook"
    assert app.sign_in_audience == "AzureADandPersonalMicrosoftAccount"
    assert app.requested_access_token_version == 2
    assert app.redirect_uris == ("https://odoo.example.com/microsoft_outlook/confirm",)
    assert app.required_scope_ids() == {GRAPH_DELEGATED_SCOPES[s][0] for s in ODOO_SCOPES}
    [secret] = app.password_credentials
    assert secret.hint == "Ab1" and secret.display_name == "odoo-a"
    assert secret.end is not None and secret.end.tzinfo is not None
    assert secret.end > datetime.now(UTC)
    assert secret.key_id == seeded.app["passwordCredentials"][0]["keyId"]


def test_owners(fake_graph: FakeGraph, graph_run: Run) -> None:
    seeded = fake_graph.seed_healthy(owners=["admin@contoso.com", "ops@contoso.com"])
    owners = graph_run(list_application_owners, seeded.app["id"])
    assert [(o.kind, o.user_principal_name) for o in owners] == [
        ("user", "admin@contoso.com"),
        ("user", "ops@contoso.com"),
    ]


def test_service_principal_and_graph_scopes(fake_graph: FakeGraph, graph_run: Run) -> None:
    seeded = fake_graph.seed_healthy(assignment_required=True)
    sp = graph_run(get_service_principal, seeded.client_id)
    assert (sp.object_id, sp.client_id) == (seeded.sp["id"], seeded.client_id)
    assert sp.app_role_assignment_required is True and sp.account_enabled is True

    graph_sp = graph_run(get_service_principal, GRAPH_APP_ID)
    assert {s.value for s in graph_sp.oauth2_permission_scopes} >= set(ODOO_SCOPES)
    assert any(r.value == "Application.Read.All" for r in graph_sp.app_roles)


def test_assignments_and_grants(fake_graph: FakeGraph, graph_run: Run) -> None:
    seeded = fake_graph.seed_healthy(users=["alice@contoso.com"], groups=["Odoo Mail"])
    assignments = graph_run(list_app_role_assignments, seeded.sp["id"])
    assert {a.principal_id for a in assignments} == {
        seeded.users[0]["id"],
        seeded.groups[0]["id"],
    }
    assert {a.resource_id for a in assignments} == {seeded.sp["id"]}

    [grant] = graph_run(list_delegated_grants, seeded.sp["id"])
    assert grant.client_id == seeded.sp["id"]
    assert grant.consent_type == "AllPrincipals" and grant.principal_id is None
    assert grant.resource_id == fake_graph.graph_sp["id"]
    assert grant.scopes == ODOO_SCOPES
    [request] = fake_graph.calls("/oauth2PermissionGrants")
    assert request.query["$filter"] == f"clientId eq '{seeded.sp['id']}'"


def test_per_user_grants(fake_graph: FakeGraph, graph_run: Run) -> None:
    seeded = fake_graph.seed_healthy(
        users=["a@contoso.com", "b@contoso.com"], consent_type="Principal"
    )
    grants = graph_run(list_delegated_grants, seeded.sp["id"])
    assert {g.principal_id for g in grants} == {u["id"] for u in seeded.users}
    assert {g.consent_type for g in grants} == {"Principal"}


def test_resolve_user_and_group(fake_graph: FakeGraph, graph_run: Run) -> None:
    seeded = fake_graph.seed_healthy(users=["alice@contoso.com"], groups=["Odoo Mail"])
    fake_graph.disable_user("alice@contoso.com")
    by_upn = graph_run(resolve_user, "alice@contoso.com")
    assert by_upn.id == seeded.users[0]["id"]
    assert by_upn.account_enabled is False  # needs $select: not a default property
    assert graph_run(resolve_user, by_upn.id) == by_upn

    group = graph_run(resolve_group, "Odoo Mail")
    assert group.id == seeded.groups[0]["id"]
    assert graph_run(resolve_group, group.id).display_name == "Odoo Mail"


def test_group_name_with_quote_is_escaped(fake_graph: FakeGraph, graph_run: Run) -> None:
    fake_graph.add_group("O'Brien Mail")
    assert graph_run(resolve_group, "O'Brien Mail").display_name == "O'Brien Mail"
    [request] = fake_graph.calls("/groups")
    assert request.query["$filter"] == "displayName eq 'O''Brien Mail'"


# --------------------------------------------------------------------------- paging


def test_paging_is_followed(fake_graph: FakeGraph, graph_run: Run) -> None:
    fake_graph.page_size = 2
    users = [f"user{i}@contoso.com" for i in range(5)]
    seeded = fake_graph.seed_healthy(users=users, consent_type="Principal")
    assignments = graph_run(list_app_role_assignments, seeded.sp["id"])
    assert {a.principal_id for a in assignments} == {u["id"] for u in seeded.users}
    assert len(assignments) == 5
    assert len(fake_graph.calls("/servicePrincipals/*/appRoleAssignedTo")) == 3
    grants = graph_run(list_delegated_grants, seeded.sp["id"])
    assert len(grants) == 5
    pages = fake_graph.calls("/oauth2PermissionGrants")
    assert len(pages) == 3
    assert all(p.query["$filter"] == f"clientId eq '{seeded.sp['id']}'" for p in pages)
    assert [("$skiptoken" in p.query) for p in pages] == [False, True, True]


def test_token_is_not_sent_to_a_foreign_next_link_host(
    fake_graph: FakeGraph, graph_run: Run
) -> None:
    fake_graph.page_size = 1
    seeded = fake_graph.seed_healthy(users=["a@contoso.com", "b@contoso.com"])
    fake_graph.next_link_base = f"http://localhost:{fake_graph.port}/v1.0"
    error = graph_error(graph_run, list_app_role_assignments, seeded.sp["id"])
    assert error.failure is GraphFailure.UNAUTHORIZED
    first, second = fake_graph.calls("/servicePrincipals/*/appRoleAssignedTo")
    assert first.authorized and not second.authorized


# --------------------------------------------------------------------------- errors


@pytest.fixture
def seeded(fake_graph: FakeGraph) -> Seeded:
    return fake_graph.seed_healthy(users=["alice@contoso.com"], groups=["Odoo Mail"])


READS: list[tuple[str, str, Callable[[Seeded], tuple[Any, ...]], CallPermissions]] = [
    # (name, path pattern, args from the seed, the reference row named on 401/403)
    ("get_application", "/applications*", lambda s: (get_application, s.client_id),
     Permission.APPLICATION_READ),
    ("owners", "/applications/*/owners", lambda s: (list_application_owners, s.app["id"]),
     Permission.OWNERS_READ),
    ("get_service_principal", "/servicePrincipals*",
     lambda s: (get_service_principal, s.client_id), Permission.SERVICE_PRINCIPAL_READ),
    ("assignments", "/servicePrincipals/*/appRoleAssignedTo",
     lambda s: (list_app_role_assignments, s.sp["id"]), Permission.ASSIGNMENTS_READ),
    ("grants", "/oauth2PermissionGrants", lambda s: (list_delegated_grants, s.sp["id"]),
     Permission.GRANTS_READ),
    ("user", "/users*", lambda _s: (resolve_user, "alice@contoso.com"), Permission.USER_LIST),
    ("user by id", "/users/*", lambda s: (resolve_user, s.users[0]["id"]), Permission.USER_READ),
    ("group", "/groups*", lambda _s: (resolve_group, "Odoo Mail"), Permission.GROUP_LIST),
    ("group by id", "/groups/*", lambda s: (resolve_group, s.groups[0]["id"]),
     Permission.GROUP_READ),
    ("authorization policy", "/policies/authorizationPolicy",
     lambda _s: (get_authorization_policy,), Permission.POLICY_READ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("pattern", "args", "permission"), [r[1:] for r in READS], ids=[r[0] for r in READS]
)
def test_403_names_the_missing_permission(
    fake_graph: FakeGraph,
    graph_run: Run,
    seeded: Seeded,
    pattern: str,
    args: Callable[[Seeded], tuple[Any, ...]],
    permission: CallPermissions,
) -> None:
    fake_graph.deny(pattern)
    error = graph_error(graph_run, *args(seeded))
    assert error.failure is GraphFailure.FORBIDDEN and error.status == 403
    assert error.code == "Authorization_RequestDenied"
    # The least-privileged permissions of the call's reference page, and the page itself.
    assert permission.hint in str(error) and error.permission == permission.hint
    assert permission.reference in str(error)
    assert "403" in str(error)
    assert len(fake_graph.calls(pattern)) == 1  # a 403 is not retried


def test_permission_table_names_each_reference_pages_least_privileged_permissions() -> None:
    for key, row in GRAPH_CALL_PERMISSIONS.items():
        page = key.replace("user-accountenabled", "user-get")
        assert row.reference == (
            f"https://learn.microsoft.com/en-us/graph/api/{page}?view=graph-rest-1.0"
        )
    # Rows whose delegated and application columns differ on their reference page.
    owners = GRAPH_CALL_PERMISSIONS["application-list-owners"]
    assert (owners.delegated, owners.application) == (
        "Application.Read.All",
        "Application.ReadWrite.OwnedBy",
    )
    assert Permission.USER_LIST.hint == (
        "User.ReadBasic.All (delegated) or User.Read.All (application)"
    )
    assert Permission.GRANTS_READ.hint == "Directory.Read.All (delegated or application)"


@pytest.mark.parametrize(
    ("pattern", "args", "permission"), [r[1:] for r in READS[:3]], ids=[r[0] for r in READS[:3]]
)
def test_401_says_sign_in_again(
    fake_graph: FakeGraph,
    graph_run: Run,
    seeded: Seeded,
    pattern: str,
    args: Callable[[Seeded], tuple[Any, ...]],
    permission: CallPermissions,
) -> None:
    fake_graph.fail(pattern, 401)
    error = graph_error(graph_run, *args(seeded))
    assert error.failure is GraphFailure.UNAUTHORIZED and error.status == 401
    assert "az login" in str(error) and permission.hint in str(error)


def test_404_names_what_is_missing(graph_run: Run) -> None:
    ghost = "11111111-2222-3333-4444-555555555555"
    cases: list[tuple[tuple[Any, ...], str]] = [
        ((get_application, ghost), f"no app registration has client id {ghost}"),
        ((get_service_principal, ghost), f"service principal) exists for app {ghost}"),
        ((list_app_role_assignments, ghost), f"service principal {ghost} does not exist"),
        ((resolve_user, "nobody@contoso.com"), "no user nobody@contoso.com"),
        ((resolve_group, ghost), f"no group {ghost}"),
        ((resolve_group, "No Such Group"), "no group named 'No Such Group'"),
    ]  # fmt: skip
    for args, sentence in cases:
        error = graph_error(graph_run, *args)
        assert error.failure is GraphFailure.NOT_FOUND, args
        assert sentence in str(error)


def test_ambiguous_group_name(fake_graph: FakeGraph, graph_run: Run) -> None:
    first, second = fake_graph.add_group("Sales"), fake_graph.add_group("Sales")
    error = graph_error(graph_run, resolve_group, "Sales")
    assert error.failure is GraphFailure.AMBIGUOUS
    assert first["id"] in str(error) and second["id"] in str(error)


def test_429_then_success_is_retried_by_the_sdk(
    fake_graph: FakeGraph, graph_run: Run, seeded: Seeded, sdk_retry_waits: list[float]
) -> None:
    fake_graph.throttle("/applications*", times=1, retry_after=1)
    app = graph_run(get_application, seeded.client_id)
    assert app.client_id == seeded.client_id
    assert sdk_retry_waits == [1]  # the SDK waited what Retry-After asked
    assert [r.status for r in fake_graph.calls("/applications*")] == [429, 200]
    assert fake_graph.calls("/applications*")[1].headers.get("Retry-Attempt") == "1"


def test_503_exhausting_retries_is_bounded_and_clear(
    fake_graph: FakeGraph, graph_run: Run, seeded: Seeded, sdk_retry_waits: list[float]
) -> None:
    fake_graph.unavailable("/servicePrincipals*", times=None, retry_after=1)
    error = graph_error(graph_run, get_service_principal, seeded.client_id)
    assert error.failure is GraphFailure.THROTTLED and error.status == 503
    assert "try again later" in str(error)
    calls = fake_graph.calls("/servicePrincipals*")
    assert [r.status for r in calls] == [503] * 4  # 1 try + the default 3 retries
    assert [r.headers.get("Retry-Attempt") for r in calls] == [None, "1", "2", "3"]
    assert sdk_retry_waits == [1, 1, 1]


@pytest.mark.usefixtures("seeded")
def test_retries_follow_the_setting(fake_graph: FakeGraph, graph_run: Run) -> None:
    fake_graph.throttle("/policies/authorizationPolicy", times=5, retry_after=1)
    error = graph_error(graph_run, get_authorization_policy, settings=GraphSettings(max_retries=0))
    assert error.failure is GraphFailure.THROTTLED and error.status == 429
    assert len(fake_graph.calls("/policies/authorizationPolicy")) == 1
    with pytest.raises(GraphAccessError, match="max_retries"):
        graph_run(get_authorization_policy, settings=GraphSettings(max_retries=11))


@pytest.mark.usefixtures("seeded")
def test_other_graph_errors_keep_graph_message_one_line(
    fake_graph: FakeGraph, graph_run: Run
) -> None:
    fake_graph.fail("/users*", 400, code="Request_BadRequest", message=f"Bad\nthing Bearer {TOKEN}")
    error = graph_error(graph_run, resolve_user, "alice@contoso.com")
    assert error.failure is GraphFailure.OTHER and "Request_BadRequest" in str(error)
    assert "Bad thing" in str(error)


# --------------------------------------------------------------------------- credentials


class RaisingCredential:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def get_token(self, *_scopes: str, **_kwargs: Any) -> Any:
        raise self.error


def run_with(credential: Any, fake_graph: FakeGraph, read: Any, *args: Any) -> Any:
    async def go() -> Any:
        async with open_graph(GraphSettings(base_url=fake_graph.url), credential) as client:
            return await read(client, *args)

    return asyncio.run(go())


def test_no_credential_says_how_to_sign_in(fake_graph: FakeGraph) -> None:
    credential = RaisingCredential(CredentialUnavailableError("DefaultAzureCredential failed"))
    error = graph_error(run_with, credential, fake_graph, get_authorization_policy)
    assert error.failure is GraphFailure.SIGN_IN
    for hint in ("az login", "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "OIDC"):
        assert hint in str(error)
    assert fake_graph.requests == []  # nothing sent without a token


def test_refused_credential_keeps_only_the_aadsts_code(fake_graph: FakeGraph) -> None:
    secret = "very-secret-client-secret"
    credential = RaisingCredential(
        ClientAuthenticationError(
            f"AADSTS7000215: Invalid client secret provided. Got {secret}\nTrace ID: x"
        )
    )
    error = graph_error(run_with, credential, fake_graph, get_authorization_policy)
    assert error.failure is GraphFailure.SIGN_IN
    assert "AADSTS7000215" in str(error) and secret not in str(error)


def test_token_scope_and_header(
    fake_graph: FakeGraph, graph_run: Run, graph_credential: StaticTokenCredential
) -> None:
    graph_run(get_authorization_policy)
    assert fake_graph.saw_token(TOKEN)
    [request] = fake_graph.requests
    assert request.authorized
    # kiota derives the scope from the URL host (never the port): the same code asks
    # for https://graph.microsoft.com/.default in production.
    assert graph_credential.requests[0][0] == ("http://127.0.0.1/.default",)


def test_tenant_setting_is_passed_to_the_credential(
    graph_run: Run, graph_credential: StaticTokenCredential
) -> None:
    tenant = "0b2d3e4f-0000-4000-8000-000000000001"
    graph_run(get_authorization_policy, settings=GraphSettings(tenant_id=tenant))
    assert graph_credential.requests[0][1]["tenant_id"] == tenant


# --------------------------------------------------------------------------- settings


def test_base_url_resolution() -> None:
    assert GraphSettings().resolved_url({}) == DEFAULT_GRAPH_URL
    env = {GRAPH_URL_ENV: "https://graph.microsoft.us/v1.0/"}
    assert GraphSettings().resolved_url(env) == "https://graph.microsoft.us/v1.0"
    explicit = GraphSettings(base_url="http://localhost:8080/v1.0")
    assert explicit.resolved_url(env) == "http://localhost:8080/v1.0"
    for bad in ("http://graph.example.com/v1.0", "ftp://x/v1.0", "graph.microsoft.com"):
        with pytest.raises(GraphAccessError) as caught:
            GraphSettings(base_url=bad).resolved_url({})
        assert caught.value.failure is GraphFailure.CONFIG


def test_default_credential_never_opens_a_browser() -> None:
    credential = default_credential(DEFAULT_GRAPH_URL, "0b2d3e4f-0000-4000-8000-000000000001")
    try:
        assert isinstance(credential, DefaultAzureCredential)
        kinds = {type(c).__name__ for c in credential.credentials}
        assert "InteractiveBrowserCredential" not in kinds
        assert "AzureCliCredential" in kinds
    finally:
        credential.close()


def test_unreachable_graph(graph_credential: StaticTokenCredential) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again when the block ends

    async def go() -> Any:
        settings = GraphSettings(base_url=f"http://127.0.0.1:{port}/v1.0")
        async with open_graph(settings, graph_credential) as client:
            return await get_authorization_policy(client)

    with pytest.raises(GraphAccessError) as caught:
        asyncio.run(go())
    assert caught.value.failure is GraphFailure.UNREACHABLE
    assert TOKEN not in str(caught.value)
