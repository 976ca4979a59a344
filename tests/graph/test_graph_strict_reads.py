"""The product's Graph reads against the strict fake: what real Graph does, they survive.

Every collection is paged (the conftest fake pages by 2), so each read here spans several
pages; user names that the /users/{upn} path form cannot carry resolve; throttling and
limited-information answers come out as clear messages or values."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from odoo_outlook.graph import (
    GraphAccessError,
    GraphFailure,
    GraphSettings,
    get_application,
    list_app_role_assignments,
    list_application_owners,
    list_delegated_grants,
    resolve_group,
    resolve_user,
)
from odoo_outlook.graph.errors import retry_after_seconds
from tests.fakes.graph_server import FakeGraph

Run = Callable[..., Any]

HARD_NAMES = [
    "$svc-mail@contoso.com",  # the /users/{upn} path form answers 400 (user-get TIP)
    "alice_fabrikam.com#EXT#@contoso.onmicrosoft.com",  # a guest (B2B) user
    "o'brien@contoso.com",  # a quote, doubled in the $filter literal
    "a+b&c=d@contoso.com",  # query-string metacharacters
]


def failure(run: Run, *args: Any, **kwargs: Any) -> GraphAccessError:
    with pytest.raises(GraphAccessError) as caught:
        run(*args, **kwargs)
    assert "\n" not in str(caught.value)
    return caught.value


@pytest.mark.parametrize("upn", HARD_NAMES)
def test_every_legal_user_principal_name_resolves(
    fake_graph: FakeGraph, graph_run: Run, upn: str
) -> None:
    for n in range(3):  # other users, so a wrong filter would show
        fake_graph.add_user(f"user{n}@contoso.com")
    wanted = fake_graph.add_user(upn)
    user = graph_run(resolve_user, upn)
    assert (user.id, user.user_principal_name, user.account_enabled) == (wanted["id"], upn, True)
    [call] = fake_graph.calls("/users*")
    assert call.path == "/users" and call.status == 200
    assert call.query["$filter"] == "userPrincipalName eq '" + upn.replace("'", "''") + "'"


def test_object_ids_are_still_read_by_id(fake_graph: FakeGraph, graph_run: Run) -> None:
    wanted = fake_graph.add_user("bob@contoso.com")
    assert graph_run(resolve_user, wanted["id"]).user_principal_name == "bob@contoso.com"
    [call] = fake_graph.calls("/users*")
    assert call.path == f"/users/{wanted['id']}" and "$filter" not in call.query


def test_unknown_name_is_not_found(graph_run: Run) -> None:
    error = failure(graph_run, resolve_user, "$nobody@contoso.com")
    assert error.failure is GraphFailure.NOT_FOUND
    assert "no user $nobody@contoso.com" in str(error)


def test_basic_profile_only_gives_no_account_enabled(fake_graph: FakeGraph, graph_run: Run) -> None:
    fake_graph.add_user("alice@contoso.com")
    fake_graph.basic_profile_only = True
    user = graph_run(resolve_user, "alice@contoso.com")
    assert user.account_enabled is None and user.user_principal_name == "alice@contoso.com"


def test_owners_across_pages_with_limited_information(
    fake_graph: FakeGraph, graph_run: Run
) -> None:
    seeded = fake_graph.seed_healthy(owners=[f"owner{n}@contoso.com" for n in range(3)])
    robots = [
        fake_graph.add_service_principal(f"0a0b0c0d-0000-4000-8000-00000000000{n}")
        for n in range(2)
    ]
    for robot in robots:
        fake_graph.add_owner(seeded.app, robot)
    fake_graph.unreadable_types = {"servicePrincipal"}
    owners = graph_run(list_application_owners, seeded.app["id"])
    assert len(fake_graph.calls("/applications/*/owners")) == 3  # 5 owners, pages of 2
    assert [o.user_principal_name for o in owners[:3]] == [
        f"owner{n}@contoso.com" for n in range(3)
    ]
    assert [(o.id, o.kind, o.display_name) for o in owners[3:]] == [
        (r["id"], "servicePrincipal", None) for r in robots
    ]


def test_assignments_and_grants_across_pages(fake_graph: FakeGraph, graph_run: Run) -> None:
    users = [f"user{n}@contoso.com" for n in range(5)]
    seeded = fake_graph.seed_healthy(users=users, groups=["G1", "G2"], consent_type="Principal")
    assignments = graph_run(list_app_role_assignments, seeded.sp["id"])
    assert {a.principal_id for a in assignments} == {
        p["id"] for p in [*seeded.users, *seeded.groups]
    }
    assert len(fake_graph.calls("/servicePrincipals/*/appRoleAssignedTo")) == 4  # 7 by 2
    grants = graph_run(list_delegated_grants, seeded.sp["id"])
    assert {g.principal_id for g in grants} == {u["id"] for u in seeded.users}
    assert len(fake_graph.calls("/oauth2PermissionGrants")) == 3  # 5 by 2
    assert all(a.created is not None and a.created.tzinfo for a in assignments)


def test_group_look_ups_across_pages(fake_graph: FakeGraph, graph_run: Run) -> None:
    same = [fake_graph.add_group("Mail Senders") for _ in range(3)]
    fake_graph.add_group("Other")
    error = failure(graph_run, resolve_group, "Mail Senders")
    assert error.failure is GraphFailure.AMBIGUOUS
    assert all(g["id"] in str(error) for g in same)  # the third is on page 2
    assert len(fake_graph.calls("/groups")) == 2
    quoted = fake_graph.add_group("Bob's Group")
    assert graph_run(resolve_group, "Bob's Group").id == quoted["id"]
    assert graph_run(resolve_group, quoted["id"]).display_name == "Bob's Group"


def test_seven_digit_dates_are_parsed(fake_graph: FakeGraph, graph_run: Run) -> None:
    seeded = fake_graph.seed_healthy()
    end = datetime(2026, 11, 29, 10, 0, 0, 123456, tzinfo=UTC)
    fake_graph.add_password(seeded.app, hint="Zz9", end=end)
    raw = seeded.app["passwordCredentials"][-1]["endDateTime"]
    assert raw.startswith("2026-11-29T10:00:00.123456") and len(raw) == len(
        "2026-11-29T10:00:00.1234567Z"
    )
    app = graph_run(get_application, seeded.client_id)
    assert app.password_credentials[-1].end == end


def test_retry_after_beyond_the_policy_says_how_long_graph_asked(
    fake_graph: FakeGraph, graph_run: Run, sdk_retry_waits: list[float]
) -> None:
    seeded = fake_graph.seed_healthy()
    fake_graph.throttle("/applications*", times=1, retry_after=300)
    error = failure(graph_run, get_application, seeded.client_id)
    assert error.failure is GraphFailure.THROTTLED and error.status == 429
    assert "asked to wait 300 seconds (about 5 minutes) (Retry-After)" in str(error)
    assert "longer than the 180 seconds the retry policy waits at most" in str(error)
    assert "no retry was made" in str(error)
    assert len(fake_graph.calls("/applications*")) == 1  # the SDK did not wait 5 minutes
    assert sdk_retry_waits == []


def test_exhausted_retries_say_what_graph_asked(
    fake_graph: FakeGraph, graph_run: Run, sdk_retry_waits: list[float]
) -> None:
    seeded = fake_graph.seed_healthy()
    fake_graph.throttle("/applications*", times=2, retry_after=1)
    error = failure(
        graph_run, get_application, seeded.client_id, settings=GraphSettings(max_retries=1)
    )
    assert "Graph asked to wait 1 seconds each time" in str(error)
    assert len(fake_graph.calls("/applications*")) == 2
    assert sdk_retry_waits == [1]


def test_503_without_retry_after_backs_off_then_says_so(
    fake_graph: FakeGraph, graph_run: Run, sdk_retry_waits: list[float]
) -> None:
    seeded = fake_graph.seed_healthy()
    fake_graph.unavailable("/applications*", times=None)  # no Retry-After
    error = failure(
        graph_run, get_application, seeded.client_id, settings=GraphSettings(max_retries=1)
    )
    assert error.failure is GraphFailure.THROTTLED and error.status == 503
    assert "exponential backoff (Graph sent no Retry-After)" in str(error)
    calls = fake_graph.calls("/applications*")
    assert [c.status for c in calls] == [503, 503]
    assert len(sdk_retry_waits) == 1 and sdk_retry_waits[0] > 0  # a back-off pause was made


def test_retry_after_parsing() -> None:
    now = datetime(2026, 11, 29, 10, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("Sun, 29 Nov 2026 10:05:00 GMT", now) == 300
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
