"""The fake Graph server itself: JSON shapes, paging, filters, faults, request log."""

from __future__ import annotations

import httpx
import pytest

from tests.fakes.graph_server import (
    DEFAULT_ACCESS_ROLE_ID,
    GRAPH_APP_ID,
    GRAPH_DELEGATED_SCOPES,
    ODOO_SCOPES,
    FakeGraph,
)

AUTH = {"Authorization": "Bearer not-a-real-token"}


def get(graph: FakeGraph, path: str, **params: str) -> httpx.Response:
    return httpx.get(graph.url + path, params=params or None, headers=AUTH, timeout=5)


def test_url_is_loopback_v1_and_server_stops() -> None:
    graph = FakeGraph().start()
    url = graph.url
    assert url.startswith("http://127.0.0.1:") and url.endswith("/v1.0")
    assert get(graph, "/organization").status_code == 200
    graph.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/organization", headers=AUTH, timeout=2)


def test_application_shapes(fake_graph: FakeGraph) -> None:
    seeded = fake_graph.seed_healthy()
    by_key = get(fake_graph, f"/applications(appId='{seeded.client_id}')").json()
    assert by_key["@odata.context"].endswith("/$metadata#applications/$entity")
    for key in ("id", "appId", "displayName", "signInAudience", "publisherDomain"):
        assert key in by_key
    assert by_key["web"]["redirectUris"] == ["https://odoo.example.com/microsoft_outlook/confirm"]
    assert "requestedAccessTokenVersion" in by_key["api"]
    [rra] = by_key["requiredResourceAccess"]
    assert rra["resourceAppId"] == GRAPH_APP_ID
    assert {ra["id"] for ra in rra["resourceAccess"]} == {
        GRAPH_DELEGATED_SCOPES[name][0] for name in ODOO_SCOPES
    }
    [cred] = by_key["passwordCredentials"]
    assert set(cred) == {
        "customKeyIdentifier",
        "displayName",
        "endDateTime",
        "hint",
        "keyId",
        "secretText",
        "startDateTime",
    }
    assert cred["secretText"] is None and cred["endDateTime"].endswith("Z")

    by_id = get(fake_graph, f"/applications/{by_key['id']}").json()
    assert by_id["appId"] == seeded.client_id
    listed = get(fake_graph, "/applications", **{"$filter": f"appId eq '{seeded.client_id}'"})
    body = listed.json()
    assert body["@odata.context"].endswith("/$metadata#applications")
    assert [a["id"] for a in body["value"]] == [by_key["id"]]
    assert "@odata.nextLink" not in body

    owners = get(fake_graph, f"/applications/{by_key['id']}/owners").json()["value"]
    assert owners[0]["@odata.type"] == "#microsoft.graph.user"
    assert owners[0]["userPrincipalName"] == "admin@contoso.com"


def test_service_principals_and_graph_scopes(fake_graph: FakeGraph) -> None:
    seeded = fake_graph.seed_healthy()
    sp = get(fake_graph, f"/servicePrincipals(appId='{seeded.client_id}')").json()
    assert sp["appRoleAssignmentRequired"] is True and sp["id"] == seeded.sp["id"]
    graph_sp = get(
        fake_graph,
        f"/servicePrincipals(appId='{GRAPH_APP_ID}')",
        **{"$select": "id,oauth2PermissionScopes"},
    ).json()
    assert set(graph_sp) == {"@odata.context", "id", "oauth2PermissionScopes"}
    scopes = {s["value"]: s["id"] for s in graph_sp["oauth2PermissionScopes"]}
    assert scopes["SMTP.Send"] == "258f6531-6087-4cc4-bb90-092c5fb3ed3f"
    assert scopes["IMAP.AccessAsUser.All"] == "652390e4-393a-48de-9484-05f9b1212954"
    listed = get(fake_graph, "/servicePrincipals", **{"$filter": f"appId eq '{GRAPH_APP_ID}'"})
    assert [s["appId"] for s in listed.json()["value"]] == [GRAPH_APP_ID]


def test_assignments_grants_users_groups_org(fake_graph: FakeGraph) -> None:
    seeded = fake_graph.seed_healthy(users=["alice@contoso.com"], groups=["Mail Senders"])
    assigned = get(fake_graph, f"/servicePrincipals/{seeded.sp['id']}/appRoleAssignedTo").json()
    assert assigned["@odata.context"].endswith(
        f"servicePrincipals('{seeded.sp['id']}')/appRoleAssignedTo"
    )
    kinds = {(a["principalType"], a["principalDisplayName"]) for a in assigned["value"]}
    assert kinds == {("User", "Alice"), ("Group", "Mail Senders")}
    assert {a["appRoleId"] for a in assigned["value"]} == {DEFAULT_ACCESS_ROLE_ID}

    grants = get(
        fake_graph, "/oauth2PermissionGrants", **{"$filter": f"clientId eq '{seeded.sp['id']}'"}
    ).json()["value"]
    assert len(grants) == 1
    assert grants[0]["consentType"] == "AllPrincipals" and grants[0]["principalId"] is None
    assert grants[0]["resourceId"] == fake_graph.graph_sp["id"]
    assert grants[0]["scope"].split() == list(ODOO_SCOPES)

    user = get(fake_graph, "/users/alice%40contoso.com").json()
    assert user["userPrincipalName"] == "alice@contoso.com"
    assert "accountEnabled" not in user  # not a default property: needs $select
    selected = get(fake_graph, f"/users/{user['id']}", **{"$select": "id,accountEnabled"}).json()
    assert selected["accountEnabled"] is True

    groups = get(fake_graph, "/groups", **{"$filter": "displayName eq 'Mail Senders'"}).json()
    assert [g["displayName"] for g in groups["value"]] == ["Mail Senders"]
    org = get(fake_graph, "/organization").json()["value"]
    assert org[0]["id"] == fake_graph.tenant_id


def test_paging_with_next_link(fake_graph: FakeGraph) -> None:
    upns = [f"user{i}@contoso.com" for i in range(5)]
    seeded = fake_graph.seed_healthy(users=upns)
    url = f"{fake_graph.url}/servicePrincipals/{seeded.sp['id']}/appRoleAssignedTo?$top=2"
    seen: list[str] = []
    pages = 0
    while url:
        body = httpx.get(url, headers=AUTH, timeout=5).json()
        seen += [a["principalDisplayName"] for a in body["value"]]
        url = body.get("@odata.nextLink")
        pages += 1
        if url:
            assert url.startswith(fake_graph.url) and "$skiptoken=" in url
    assert pages == 3 and len(seen) == 5


def test_errors_have_graph_body(fake_graph: FakeGraph) -> None:
    missing = get(fake_graph, "/users/nobody%40contoso.com")
    assert missing.status_code == 404
    error = missing.json()["error"]
    assert error["code"] == "Request_ResourceNotFound"
    assert "nobody@contoso.com" in error["message"]
    assert set(error["innerError"]) == {"date", "request-id", "client-request-id"}

    no_token = httpx.get(fake_graph.url + "/organization", timeout=5)
    assert no_token.status_code == 401
    assert no_token.json()["error"]["code"] == "InvalidAuthenticationToken"

    bad_filter = get(fake_graph, "/applications", **{"$filter": "appId gt 'x'"})
    assert bad_filter.status_code == 400


def test_fault_injection_counts_down(fake_graph: FakeGraph) -> None:
    fake_graph.deny("/organization", times=1)
    fake_graph.throttle("/organization", times=1, retry_after=7)
    denied = get(fake_graph, "/organization")
    assert denied.status_code == 403
    assert denied.json()["error"] == {
        "code": "Authorization_RequestDenied",
        "message": "Insufficient privileges to complete the operation.",
        "innerError": denied.json()["error"]["innerError"],
    }
    throttled = get(fake_graph, "/organization")
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "7"
    assert get(fake_graph, "/organization").status_code == 200

    fake_graph.unavailable("/groups*", times=None, retry_after=0)
    for _ in range(3):
        response = get(fake_graph, "/groups")
        assert response.status_code == 503 and response.headers["Retry-After"] == "0"
    fake_graph.clear_faults()
    assert get(fake_graph, "/groups").status_code == 200


def test_request_log_never_keeps_token_values(fake_graph: FakeGraph) -> None:
    get(fake_graph, "/organization", **{"$select": "id"})
    httpx.get(fake_graph.url + "/organization", timeout=5)
    first, second = fake_graph.requests
    assert (first.method, first.path, first.query, first.authorized) == (
        "GET",
        "/organization",
        {"$select": "id"},
        True,
    )
    assert second.authorized is False and second.status == 401
    assert "not-a-real-token" not in repr(fake_graph.requests)
    assert all("authorization" not in {k.lower() for k in r.headers} for r in fake_graph.requests)
    assert fake_graph.saw_token("not-a-real-token")
    assert fake_graph.calls("/organization") == [first, second]


def test_mutators_break_things(fake_graph: FakeGraph) -> None:
    seeded = fake_graph.seed_healthy(users=["alice@contoso.com", "bob@contoso.com"])
    cid = seeded.client_id
    fake_graph.set_redirect_uris(cid, ["http://localhost:8069/microsoft_outlook/confirm"])
    fake_graph.set_sign_in_audience(cid, "AzureADandPersonalMicrosoftAccount")
    fake_graph.set_token_version(cid, None)
    fake_graph.remove_required_scope(cid, "SMTP.Send")
    fake_graph.expire_secrets(cid)
    app = get(fake_graph, f"/applications(appId='{cid}')").json()
    assert app["web"]["redirectUris"] == ["http://localhost:8069/microsoft_outlook/confirm"]
    assert app["signInAudience"] == "AzureADandPersonalMicrosoftAccount"
    assert app["api"]["requestedAccessTokenVersion"] is None
    ids = {ra["id"] for ra in app["requiredResourceAccess"][0]["resourceAccess"]}
    assert GRAPH_DELEGATED_SCOPES["SMTP.Send"][0] not in ids

    fake_graph.unassign(cid, fake_graph.user("bob@contoso.com")["id"])
    fake_graph.revoke_scope(cid, "IMAP.AccessAsUser.All")
    fake_graph.set_assignment_required(cid, False)
    fake_graph.disable_user("alice@contoso.com")
    sp_id = seeded.sp["id"]
    assigned = get(fake_graph, f"/servicePrincipals/{sp_id}/appRoleAssignedTo").json()["value"]
    assert [a["principalDisplayName"] for a in assigned] == ["Alice"]
    grants = get(
        fake_graph, "/oauth2PermissionGrants", **{"$filter": f"clientId eq '{sp_id}'"}
    ).json()
    assert "IMAP.AccessAsUser.All" not in grants["value"][0]["scope"].split()
    alice = get(fake_graph, "/users/alice%40contoso.com", **{"$select": "accountEnabled"}).json()
    assert alice["accountEnabled"] is False

    fake_graph.delete_service_principal(cid)
    assert get(fake_graph, f"/servicePrincipals(appId='{cid}')").status_code == 404
    fake_graph.delete_application(cid)
    assert get(fake_graph, f"/applications(appId='{cid}')").status_code == 404


def test_per_user_consent_seed(fake_graph: FakeGraph) -> None:
    seeded = fake_graph.seed_healthy(
        users=["a@contoso.com", "b@contoso.com"], consent_type="Principal"
    )
    assert [g["consentType"] for g in seeded.grants] == ["Principal", "Principal"]
    assert {g["principalId"] for g in seeded.grants} == {u["id"] for u in seeded.users}
