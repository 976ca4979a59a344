"""Each policy's validator called directly, as pulumi_policy calls it: the edges of every rule.

The arguments are pulumi_policy's own ``ResourceValidationArgs`` / ``StackValidationArgs`` with
the properties behind its unknown-checking proxy; ``collect`` records what the validator reports.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.app_owner import validate_app_owners
from policies.assignment_required import validate_assignment_required
from policies.azuread import (
    APPLICATION,
    APPLICATION_PASSWORD,
    DELEGATED_GRANT,
    SERVICE_PRINCIPAL,
)
from policies.graph_scopes import validate_graph_scopes
from policies.redirect_uris import validate_redirect_uris
from policies.secret_lifetime import parse_go_duration, validate_secret_lifetime
from policies.sign_in_audience import validate_sign_in_audience
from tests.policies.examples import (
    MAIL_READWRITE_DELEGATED,
    SCOPE_IDS,
    example_application,
    example_grant,
    example_passwords,
)
from tests.policy_harness import Res, collect, resource_args, stack_args


def _app(**changes: Any) -> dict[str, Any]:
    return {**example_application(), **changes}


def messages(
    validate: Any, resource_type: str, props: dict[str, Any], config: dict[str, Any] | None = None
) -> list[str]:
    return [m for m, _ in collect(validate, resource_args(resource_type, props, config))]


# ---------------------------------------------------------------- odoo-redirect-uris
@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("https://odoo.example.com/microsoft_outlook/confirm", None),
        ("https://erp.example.com/odoo/microsoft_outlook/confirm", None),
        ("http://127.0.0.1:8069/microsoft_outlook/confirm", None),
        ("http://localhost/microsoft_outlook/confirm", None),
        ("http://10.0.0.5/microsoft_outlook/confirm", "uses http on a public host"),
        (
            "https://odoo.example.com/microsoft_outlook/confirm?x=1",
            "must not carry a query string or fragment",
        ),
        (
            "https://odoo.example.com/microsoft_outlook/confirm#x",
            "must not carry a query string or fragment",
        ),
        (
            "ftp://odoo.example.com/microsoft_outlook/confirm",
            "uses scheme 'ftp'; only https is allowed",
        ),
        ("https:///microsoft_outlook/confirm", "has no host"),
        ("https://[::1/microsoft_outlook/confirm", "is not a valid URL"),
    ],
)
def test_redirect_uri_rule(uri: str, problem: str | None) -> None:
    found = messages(validate_redirect_uris, APPLICATION, _app(web={"redirectUris": [uri]}))
    if problem is None:
        assert found == []
    else:
        (message,) = found
        assert message.startswith(f"web.redirectUris: '{uri}' ") and problem in message


@pytest.mark.parametrize("platform", ["singlePageApplication", "publicClient"])
def test_redirect_rule_also_covers_the_other_platforms(platform: str) -> None:
    app = _app(**{platform: {"redirectUris": ["https://spa.example.com/"]}})
    assert messages(validate_redirect_uris, APPLICATION, app) == [
        f"{platform}.redirectUris: 'https://spa.example.com/' does not end in "
        "'/microsoft_outlook/confirm' (Odoo's Outlook confirmation route)"
    ]


def test_redirect_rule_options_are_configurable() -> None:
    app = _app(web={"redirectUris": ["http://odoo.internal/odoo/confirm"]})
    config = {"requiredPathSuffix": "/odoo/confirm", "loopbackHosts": ["odoo.internal"]}
    assert messages(validate_redirect_uris, APPLICATION, app, config) == []
    assert messages(validate_redirect_uris, APPLICATION, example_application(), config) == [
        "web.redirectUris: 'https://odoo.example.com/microsoft_outlook/confirm' does not end in "
        "'/odoo/confirm' (Odoo's Outlook confirmation route)",
        "web.redirectUris: 'http://localhost:8069/microsoft_outlook/confirm' uses http on a "
        "public host; only https is allowed (http only for loopback: odoo.internal)",
    ]


@pytest.mark.parametrize(
    ("audience", "count", "limit"),
    [
        ("AzureADandPersonalMicrosoftAccount", 100, None),
        ("AzureADandPersonalMicrosoftAccount", 101, 100),
        ("AzureADMultipleOrgs", 101, None),
        ("AzureADMyOrg", 256, None),
        ("AzureADMyOrg", 257, 256),
        (None, 257, 256),  # unset: the provider default AzureADMyOrg
        ("NotAnAudience", 300, None),  # allowed-sign-in-audience's violation, not this one's
        (UNKNOWN_STRING_VALUE, 300, None),
    ],
)
def test_redirect_uri_count_limit_follows_the_audience(
    audience: str | None, count: int, limit: int | None
) -> None:
    # Entra caps redirect URIs per platform: 100 with personal accounts, 256 otherwise; the
    # azuread provider itself refuses more than 100 for personal audiences at preview.
    uris = [f"https://odoo{i}.example.com/microsoft_outlook/confirm" for i in range(count)]
    app = _app(signInAudience=audience, web={"redirectUris": uris})
    expected = (
        []
        if limit is None
        else [
            f"web.redirectUris: {count} URIs, Entra accepts at most {limit} per platform for "
            f"signInAudience '{audience or 'AzureADMyOrg'}'"
        ]
    )
    assert messages(validate_redirect_uris, APPLICATION, app) == expected


# ---------------------------------------------------------------- odoo-graph-scopes
EXCHANGE = "00000002-0000-0ff1-ce00-000000000000"


def test_delegated_scope_on_another_api_needs_configuration() -> None:
    app = example_application()
    app["requiredResourceAccesses"].append(
        {
            "resourceAppId": EXCHANGE,
            "resourceAccesses": [{"id": SCOPE_IDS["SMTP.Send"], "type": "Scope"}],
        }
    )
    assert messages(validate_graph_scopes, APPLICATION, app) == [
        f"delegated scope '{SCOPE_IDS['SMTP.Send']}' requested on resource '{EXCHANGE}'; "
        "Odoo only needs Microsoft Graph"
    ]
    config = {"allowedOtherResourceAppIds": [EXCHANGE.upper()]}
    assert messages(validate_graph_scopes, APPLICATION, app, config) == []


def test_a_role_is_refused_even_on_an_allowed_other_api() -> None:
    app = example_application()
    app["requiredResourceAccesses"].append(
        {"resourceAppId": EXCHANGE, "resourceAccesses": [{"id": "x", "type": "Role"}]}
    )
    config = {"allowedOtherResourceAppIds": [EXCHANGE]}
    assert messages(validate_graph_scopes, APPLICATION, app, config) == [
        f"application permission (Role) 'x' requested on resource '{EXCHANGE}'; Odoo signs in "
        "as the mailbox user and needs none"
    ]


def test_scope_ids_compare_case_insensitively() -> None:
    app = example_application()
    for access in app["requiredResourceAccesses"][0]["resourceAccesses"]:
        access["id"] = access["id"].upper()
    assert messages(validate_graph_scopes, APPLICATION, app) == []


def test_allowed_scopes_and_graph_app_id_are_configurable() -> None:
    app = example_application()
    app["requiredResourceAccesses"][0]["resourceAccesses"].append(
        {"id": MAIL_READWRITE_DELEGATED, "type": "Scope"}
    )
    grant = {**example_grant(), "claimValues": [*SCOPE_IDS, "Mail.ReadWrite"]}
    wider = {"allowedScopes": {**SCOPE_IDS, "Mail.ReadWrite": MAIL_READWRITE_DELEGATED}}
    assert messages(validate_graph_scopes, APPLICATION, app, wider) == []
    assert messages(validate_graph_scopes, DELEGATED_GRANT, grant, wider) == []
    # Another graphAppId: the real Graph's scopes become "another API".
    other = {"graphAppId": "11111111-1111-1111-1111-111111111111"}
    assert len(messages(validate_graph_scopes, APPLICATION, example_application(), other)) == 6


def test_other_resource_types_are_not_checked_for_scopes() -> None:
    assert messages(validate_graph_scopes, SERVICE_PRINCIPAL, {"claimValues": ["x"]}) == []


# ---------------------------------------------------------------- sp-assignment-required
@pytest.mark.parametrize(("value", "found"), [(True, False), (False, True), ("true", True)])
def test_assignment_required_must_be_true(value: Any, found: bool) -> None:
    reported = messages(
        validate_assignment_required, SERVICE_PRINCIPAL, {"appRoleAssignmentRequired": value}
    )
    assert bool(reported) is found
    assert (
        messages(validate_assignment_required, APPLICATION, {"appRoleAssignmentRequired": False})
        == []
    )


# ---------------------------------------------------------------- secret-max-lifetime
def _password(**changes: Any) -> dict[str, Any]:
    return {**example_passwords()[0], **changes}


def _rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_secret_of_exactly_the_maximum_passes() -> None:
    password = _password(startDate="2025-01-01T00:00:00Z", endDate="2027-01-01T00:00:00Z")
    assert messages(validate_secret_lifetime, APPLICATION_PASSWORD, password) == []  # 730 days
    assert messages(
        validate_secret_lifetime, APPLICATION_PASSWORD, password, {"maxLifetimeDays": 729.5}
    ) == [
        "secret lives 730 days from startDate to endDate 2027-01-01T00:00:00Z; the maximum is "
        "729.5 days"
    ]


def test_secret_without_start_date_is_measured_from_creation() -> None:
    # No startDate: Entra starts the secret when it is created, i.e. now (the real clock).
    now = datetime.now(UTC)
    base = {k: v for k, v in example_passwords()[0].items() if k != "startDate"}
    ok = {**base, "endDate": _rfc3339(now + timedelta(days=729))}
    too_long = {**base, "endDate": _rfc3339(now + timedelta(days=731))}
    past = {**base, "endDate": _rfc3339(now - timedelta(days=1))}
    assert messages(validate_secret_lifetime, APPLICATION_PASSWORD, ok) == []
    (message,) = messages(validate_secret_lifetime, APPLICATION_PASSWORD, too_long)
    assert message.startswith("secret lives 73") and "days from creation to endDate" in message
    assert messages(validate_secret_lifetime, APPLICATION_PASSWORD, past) == [
        f"endDate {past['endDate']} is not after creation"
    ]


def test_relative_end_date_is_understood() -> None:
    assert parse_go_duration("2400h30m").total_seconds() == 2400 * 3600 + 30 * 60
    base = {k: v for k, v in example_passwords()[0].items() if k != "endDate"}
    assert (
        messages(
            validate_secret_lifetime, APPLICATION_PASSWORD, {**base, "endDateRelative": "4320h"}
        )
        == []
    )
    assert messages(
        validate_secret_lifetime, APPLICATION_PASSWORD, {**base, "endDateRelative": "17544h"}
    ) == ["secret lives 731 days from startDate to endDateRelative 17544h; the maximum is 730 days"]
    assert messages(
        validate_secret_lifetime, APPLICATION_PASSWORD, {**base, "endDateRelative": "two years"}
    ) == ["endDateRelative 'two years' is not a duration like '4320h'"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"startDate": "2025-09-01T00:00:00"},
            "startDate '2025-09-01T00:00:00' is not an RFC 3339 timestamp",
        ),
        ({"endDate": "next spring"}, "endDate 'next spring' is not an RFC 3339 timestamp"),
        (
            {"endDate": "2025-09-01T00:00:00Z"},
            "endDate 2025-09-01T00:00:00Z is not after startDate",
        ),
    ],
)
def test_malformed_or_backwards_dates_are_violations(changes: dict[str, str], message: str) -> None:
    assert messages(validate_secret_lifetime, APPLICATION_PASSWORD, _password(**changes)) == [
        message
    ]


# ---------------------------------------------------------------- allowed-sign-in-audience
def test_unset_audience_means_provider_default_my_org() -> None:
    app = {k: v for k, v in example_application().items() if k != "signInAudience"}
    config = {"allowedAudiences": ["AzureADMultipleOrgs"]}
    assert messages(validate_sign_in_audience, APPLICATION, app, config) == [
        "signInAudience 'AzureADMyOrg' is not allowed here (allowed: AzureADMultipleOrgs)"
    ]


def test_personal_accounts_only_is_not_allowed_by_default_and_needs_v2_tokens() -> None:
    app = _app(signInAudience="PersonalMicrosoftAccount", api={})
    assert messages(validate_sign_in_audience, APPLICATION, app) == [
        "signInAudience 'PersonalMicrosoftAccount' is not allowed here (allowed: AzureADMyOrg, "
        "AzureADMultipleOrgs, AzureADandPersonalMicrosoftAccount)",
        "signInAudience 'PersonalMicrosoftAccount' requires api.requestedAccessTokenVersion = 2 "
        "(declared: None)",
    ]
    unknown = _app(api={"requestedAccessTokenVersion": UNKNOWN_STRING_VALUE})
    assert messages(validate_sign_in_audience, APPLICATION, unknown) == []
    work = _app(signInAudience="AzureADMyOrg", api={})
    assert messages(validate_sign_in_audience, APPLICATION, work) == []


# ---------------------------------------------------------------- app-has-owner
def test_owners_are_counted_per_app_and_reported_on_its_urn() -> None:
    one_owner = Res(APPLICATION, example_application(), "app")
    others = Res(SERVICE_PRINCIPAL, {"owners": []}, "sp")
    assert collect(validate_app_owners, stack_args([one_owner, others])) == []
    assert collect(validate_app_owners, stack_args([one_owner, others], {"minOwners": 2.0})) == [
        (
            "the app registration has 1 owner(s), fewer than 2; nobody is accountable for its "
            "secrets and consent",
            one_owner.urn,
        )
    ]


def test_owners_not_known_yet_are_skipped() -> None:
    partly = Res(APPLICATION, _app(owners=[UNKNOWN_STRING_VALUE]), "app")
    assert collect(validate_app_owners, stack_args([partly], {"minOwners": 2})) == []
