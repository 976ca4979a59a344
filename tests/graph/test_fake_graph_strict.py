"""The fake Graph refuses and answers the way Microsoft Graph does (one test per rule).

Each rule is cited in tests/fakes/graph_server.py next to its code; these tests keep the
fake strict, so product code that passes against it is valid against graph.microsoft.com.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.fakes.graph_server import FakeGraph, Seeded

AUTH = {"Authorization": "Bearer not-a-real-token"}
EVENTUAL = {**AUTH, "ConsistencyLevel": "eventual"}
SEVEN_DIGITS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$")


def get(graph: FakeGraph, path: str, headers: dict[str, str] = AUTH, **params: str) -> Any:
    return httpx.get(graph.url + path, params=params or None, headers=headers, timeout=5)


def error(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()["error"]
    assert set(body) == {"code", "message", "innerError"}
    return response.status_code, body["code"], body["message"]


@pytest.fixture
def seeded(fake_graph: FakeGraph) -> Seeded:
    return fake_graph.seed_healthy(users=["alice@contoso.com", "$svc-mail@contoso.com"])


# --------------------------------------------------------------------------- refusals


@pytest.mark.usefixtures("seeded")
def test_user_path_form_refuses_a_name_starting_with_dollar(fake_graph: FakeGraph) -> None:
    status, code, message = error(get(fake_graph, "/users/%24svc-mail%40contoso.com"))
    assert (status, code) == (400, "BadRequest")
    assert "$svc-mail@contoso.com" in message
    by_key = get(fake_graph, "/users('%24svc-mail%40contoso.com')")
    assert by_key.status_code == 200
    assert by_key.json()["userPrincipalName"] == "$svc-mail@contoso.com"
    assert get(fake_graph, "/users/alice%40contoso.com").status_code == 200


def test_search_needs_consistency_level(fake_graph: FakeGraph, seeded: Seeded) -> None:
    search = '"displayName:Odoo"'
    status, code, message = error(get(fake_graph, "/applications", **{"$search": search}))
    assert (status, code) == (400, "Request_UnsupportedQuery")
    assert message == (
        "Request with $search query parameter only works through MSGraph with a special "
        "request header: 'ConsistencyLevel: eventual'"
    )
    found = get(fake_graph, "/applications", EVENTUAL, **{"$search": search})
    assert [a["id"] for a in found.json()["value"]] == [seeded.app["id"]]


@pytest.mark.parametrize(
    ("expression", "operator_text"),
    [
        ("endsWith(userPrincipalName,'@contoso.com')", "Operator 'endsWith' is not supported"),
        ("userPrincipalName ne 'alice@contoso.com'", "Filter operator 'NotEqualsMatch'"),
        ("not(userPrincipalName eq 'alice@contoso.com')", "Operator 'Not' is not supported"),
    ],
)
@pytest.mark.usefixtures("seeded")
def test_advanced_filter_needs_consistency_level_and_count(
    fake_graph: FakeGraph, expression: str, operator_text: str
) -> None:
    for headers, params in (
        (AUTH, {"$filter": expression}),
        (AUTH, {"$filter": expression, "$count": "true"}),
        (EVENTUAL, {"$filter": expression}),
    ):
        status, code, message = error(get(fake_graph, "/users", headers, **params))
        assert (status, code) == (400, "Request_UnsupportedQuery")
        assert message.startswith(operator_text)
    if expression.startswith("not"):
        return  # refused without the header; the fake does not evaluate `not` itself
    advanced = get(fake_graph, "/users", EVENTUAL, **{"$filter": expression, "$count": "true"})
    assert advanced.status_code == 200 and advanced.json()["@odata.count"] >= 1


@pytest.mark.usefixtures("seeded")
def test_count_segment_needs_consistency_level_and_count_param_is_ignored_without(
    fake_graph: FakeGraph,
) -> None:
    assert error(get(fake_graph, "/users/$count")) == (
        400,
        "Request_BadRequest",
        "$count is not currently supported.",
    )
    counted = get(fake_graph, "/users/$count", EVENTUAL)
    assert counted.status_code == 200 and counted.text == str(len(fake_graph.users))
    assert counted.headers["Content-Type"].startswith("text/plain")
    ignored = get(fake_graph, "/users", **{"$count": "true"})
    assert ignored.status_code == 200 and "@odata.count" not in ignored.json()
    honoured = get(fake_graph, "/users", EVENTUAL, **{"$count": "true"})
    assert honoured.json()["@odata.count"] == len(fake_graph.users)


@pytest.mark.parametrize(
    ("path", "type_name"),
    [
        ("/users/alice%40contoso.com", "microsoft.graph.user"),
        ("/users", "microsoft.graph.user"),
        ("/applications", "microsoft.graph.application"),
        ("/oauth2PermissionGrants", "microsoft.graph.oAuth2PermissionGrant"),
    ],
)
@pytest.mark.usefixtures("seeded")
def test_unknown_select_property_is_refused(
    fake_graph: FakeGraph, path: str, type_name: str
) -> None:
    status, code, message = error(get(fake_graph, path, **{"$select": "id,accountEnabld"}))
    assert (status, code) == (400, "BadRequest")
    assert message == (
        "Parsing OData Select and Expand failed: Could not find a property named "
        f"'accountEnabld' on type '{type_name}'."
    )
    assert get(fake_graph, path, **{"$select": "id"}).status_code == 200


def test_filter_on_a_single_entity_is_refused(fake_graph: FakeGraph, seeded: Seeded) -> None:
    for path in (
        f"/applications/{seeded.app['id']}",
        f"/servicePrincipals(appId='{seeded.client_id}')",
        f"/users/{seeded.users[0]['id']}",
    ):
        status, code, message = error(get(fake_graph, path, **{"$filter": "id eq 'x'"}))
        assert (status, code) == (400, "Request_BadRequest"), path
        assert message.endswith(": $filter")


@pytest.mark.parametrize("top", ["1000", "0", "ten"])
@pytest.mark.usefixtures("seeded")
def test_top_outside_1_to_999_is_refused(fake_graph: FakeGraph, top: str) -> None:
    assert error(get(fake_graph, "/users", **{"$top": top})) == (
        400,
        "Request_UnsupportedQuery",
        f"Invalid page size specified: '{top}'. Must be between 1 and 999 inclusive.",
    )
    assert get(fake_graph, "/users", **{"$top": "999"}).status_code == 200


# --------------------------------------------------------------------------- answers


def test_dates_have_seven_fractional_digits(fake_graph: FakeGraph, seeded: Seeded) -> None:
    app = get(fake_graph, f"/applications/{seeded.app['id']}").json()
    assert SEVEN_DIGITS.match(app["createdDateTime"])
    for cred in app["passwordCredentials"]:
        assert SEVEN_DIGITS.match(cred["startDateTime"]) and SEVEN_DIGITS.match(cred["endDateTime"])
    assigned = get(fake_graph, f"/servicePrincipals/{seeded.sp['id']}/appRoleAssignedTo")
    assert all(SEVEN_DIGITS.match(a["createdDateTime"]) for a in assigned.json()["value"])


def test_owners_the_caller_cannot_read_come_back_with_limited_information(
    fake_graph: FakeGraph, seeded: Seeded
) -> None:
    robot = fake_graph.add_service_principal("0a0b0c0d-0000-4000-8000-00000000abcd")
    fake_graph.add_owner(seeded.app, robot)
    fake_graph.unreadable_types = {"servicePrincipal"}
    url: str | None = f"{fake_graph.url}/applications/{seeded.app['id']}/owners"
    owners: list[dict[str, Any]] = []
    while url:
        body = httpx.get(url, headers=AUTH, timeout=5).json()
        owners += body["value"]
        url = body.get("@odata.nextLink")
    user, limited = owners
    assert user["userPrincipalName"] == "admin@contoso.com"
    assert limited == {"@odata.type": "#microsoft.graph.servicePrincipal", "id": robot["id"]}


def test_basic_profile_only_leaves_account_enabled_null(
    fake_graph: FakeGraph, seeded: Seeded
) -> None:
    fake_graph.basic_profile_only = True
    user = get(fake_graph, "/users/alice%40contoso.com", **{"$select": "id,accountEnabled"})
    assert user.json()["accountEnabled"] is None and user.json()["id"] == seeded.users[0]["id"]


def test_503_comes_without_retry_after_unless_asked(fake_graph: FakeGraph) -> None:
    fake_graph.unavailable("/organization")
    plain = get(fake_graph, "/organization")
    assert plain.status_code == 503 and "Retry-After" not in plain.headers
    assert error(plain)[1] == "serviceNotAvailable"
    fake_graph.unavailable("/organization", retry_after=5)
    assert get(fake_graph, "/organization").headers["Retry-After"] == "5"
    fake_graph.throttle("/organization")
    assert get(fake_graph, "/organization").headers["Retry-After"] == "1"


COLLECTIONS = [
    "/applications",
    "/servicePrincipals",
    "/users",
    "/groups",
    "/oauth2PermissionGrants",
    "/applications/{app}/owners",
    "/servicePrincipals/{sp}/appRoleAssignedTo",
]


@pytest.mark.parametrize("template", COLLECTIONS)
def test_every_collection_is_paged_with_next_link(fake_graph: FakeGraph, template: str) -> None:
    seeded = fake_graph.seed_healthy(
        users=["a@contoso.com", "b@contoso.com", "c@contoso.com"],
        groups=["G1", "G2", "G3"],
        owners=["o1@contoso.com", "o2@contoso.com", "o3@contoso.com"],
        consent_type="Principal",
    )
    for n in range(2):
        fake_graph.add_application(f"Other {n}")
        fake_graph.add_service_principal(f"11111111-2222-4333-8444-55555555555{n}")
    path = template.format(app=seeded.app["id"], sp=seeded.sp["id"])
    url: str | None = fake_graph.url + path
    pages: list[list[Any]] = []
    while url:
        body = httpx.get(url, headers=AUTH, timeout=5).json()
        pages.append(body["value"])
        url = body.get("@odata.nextLink")
        if url:
            assert url.startswith(fake_graph.url + path + "?") and "$skiptoken=" in url
    assert len(pages) >= 2 and all(len(p) <= fake_graph.page_size for p in pages)
    ids = [item["id"] for page in pages for item in page]
    assert len(ids) == len(set(ids))
