"""The CrossGuard policy pack against the example stack and against mutations.

Resource properties are written the way the policy engine sends them: the
pulumi-azuread schema's camelCase names. Each case runs three ways:

* the plain entry point ``validate_resource(resource_type, props, config)``;
* the real ``pulumi_policy`` objects via their analyzer servicer, fed a
  protobuf request exactly as the Pulumi engine sends one (config included),
  so the adapters, the config schema and the unknown-value proxy are covered.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import jsonschema
import pytest
from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2 as proto
from pulumi_policy import (
    EnforcementLevel,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationPolicy,
)
from pulumi_policy.policy import PolicyCustomTimeouts, _PolicyAnalyzerServicer
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from policies.odoo_outlook_policies import (
    APPLICATION,
    APPLICATION_PASSWORD,
    DELEGATED_GRANT,
    GRAPH_DELEGATED_SCOPES,
    MICROSOFT_GRAPH_APP_ID,
    POLICIES,
    POLICY_NAMES,
    SERVICE_PRINCIPAL,
    Violation,
    build_policies,
    get_spec,
    parse_go_duration,
    run_policy,
    validate_resource,
    validate_stack,
)

NOW = datetime(2025, 11, 25, 12, 0, tzinfo=UTC)
APP_ROLE_ASSIGNMENT = "azuread:index/appRoleAssignment:AppRoleAssignment"

# Ids from Microsoft's permissions reference, written out here on purpose: the
# test must not derive the expectation from the table under test.
SCOPE_IDS = {
    "SMTP.Send": "258f6531-6087-4cc4-bb90-092c5fb3ed3f",
    "IMAP.AccessAsUser.All": "652390e4-393a-48de-9484-05f9b1212954",
    "User.Read": "e1fe6dd8-ba31-4d61-89e7-88639da4683d",
    "offline_access": "7427e0e9-2fba-42fe-b0c0-848c9e6a8182",
    "openid": "37f7f235-527c-4136-accd-4a02d197296e",
    "email": "64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0",
}
MAIL_READWRITE_DELEGATED = "024d486e-b451-40bb-833d-3e66d98c5c73"
MAIL_SEND_APPLICATION_ROLE = "b633e1c5-b582-4048-a93e-9f11b44c7e96"
OWNER = "5f1c2d7e-8b4a-4c3e-9a61-2f0d9e7b1c44"
APP_OBJECT_ID = "9c1f4a3e-0d7b-4e55-8a2c-6b3f1e9d0a12"


# --------------------------------------------------------------------------
# The example stack, as the engine would send it.
# --------------------------------------------------------------------------
def example_application() -> dict[str, Any]:
    return {
        "displayName": "Odoo Outlook mail (dev)",
        "signInAudience": "AzureADandPersonalMicrosoftAccount",
        "api": {"requestedAccessTokenVersion": 2},
        "web": {
            "redirectUris": [
                "https://odoo.example.com/microsoft_outlook/confirm",
                "http://localhost:8069/microsoft_outlook/confirm",
            ],
            "implicitGrant": {
                "accessTokenIssuanceEnabled": False,
                "idTokenIssuanceEnabled": False,
            },
        },
        "requiredResourceAccesses": [
            {
                "resourceAppId": MICROSOFT_GRAPH_APP_ID,
                "resourceAccesses": [
                    {"id": scope_id, "type": "Scope"} for scope_id in SCOPE_IDS.values()
                ],
            }
        ],
        "owners": [OWNER],
        "preventDuplicateNames": True,
    }


def example_service_principal() -> dict[str, Any]:
    return {
        "clientId": "4a7d2c1b-3e5f-4a6b-8c9d-0e1f2a3b4c5d",
        "appRoleAssignmentRequired": True,
        "owners": [OWNER],
    }


def example_assignment() -> dict[str, Any]:
    return {
        "appRoleId": "00000000-0000-0000-0000-000000000000",
        "principalObjectId": "1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b",
        "resourceObjectId": "7b6a5948-3726-4150-8f9e-a0b1c2d3e4f5",
    }


def example_grant() -> dict[str, Any]:
    return {
        "servicePrincipalObjectId": "7b6a5948-3726-4150-8f9e-a0b1c2d3e4f5",
        "resourceServicePrincipalObjectId": "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f",
        "claimValues": list(SCOPE_IDS),
    }


def example_passwords() -> list[dict[str, Any]]:
    # Rotation period 90 days: each slot lives 2P + a 14-day grace = 194 days.
    return [
        {
            "applicationId": f"/applications/{APP_OBJECT_ID}",
            "displayName": "odoo-outlook slot A (epoch 111)",
            "startDate": "2025-09-01T00:00:00Z",
            "endDate": "2026-03-14T00:00:00Z",
            "rotateWhenChanged": {"epoch": "111"},
        },
        {
            "applicationId": f"/applications/{APP_OBJECT_ID}",
            "displayName": "odoo-outlook slot B (epoch 112)",
            "startDate": "2025-10-16T00:00:00Z",
            "endDate": "2026-04-28T00:00:00Z",
            "rotateWhenChanged": {"epoch": "112"},
        },
    ]


def example_stack() -> list[tuple[str, dict[str, Any]]]:
    return [
        (APPLICATION, example_application()),
        (SERVICE_PRINCIPAL, example_service_principal()),
        (APP_ROLE_ASSIGNMENT, example_assignment()),
        (DELEGATED_GRANT, example_grant()),
        *((APPLICATION_PASSWORD, p) for p in example_passwords()),
    ]


# --------------------------------------------------------------------------
# Helpers driving the real pulumi_policy machinery.
# --------------------------------------------------------------------------
def _struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(dict(value))
    return s


def _servicer(config: Mapping[str, Mapping[str, Any]] | None) -> _PolicyAnalyzerServicer:
    servicer = _PolicyAnalyzerServicer(
        "odoo-outlook-policies", "0.1.0", build_policies(), EnforcementLevel.MANDATORY
    )
    # The engine always sends every policy's config, with its enforcement level.
    request = proto.ConfigureAnalyzerRequest()
    for spec in POLICIES:
        level = {
            EnforcementLevel.ADVISORY: proto.ADVISORY,
            EnforcementLevel.MANDATORY: proto.MANDATORY,
        }[spec.enforcement_level]
        request.policyConfig[spec.name].CopyFrom(
            proto.PolicyConfig(
                enforcementLevel=level, properties=_struct((config or {}).get(spec.name, {}))
            )
        )
    servicer.Configure(request, None)
    return servicer


def engine_violations(
    resource_type: str,
    props: Mapping[str, Any],
    config: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[tuple[str, str]]:
    """(policy name, message) pairs reported through Analyze + AnalyzeStack."""
    servicer = _servicer(config)
    urn = f"urn:pulumi:dev::odoo-outlook::{resource_type}::res"
    request = proto.AnalyzeRequest(type=resource_type, urn=urn, name="res")
    request.properties.CopyFrom(_struct(props))
    diagnostics = list(servicer.Analyze(request, None).diagnostics)
    stack_request = proto.AnalyzeStackRequest(
        resources=[
            proto.AnalyzerResource(
                type=resource_type, urn=urn, name="res", properties=_struct(props)
            )
        ]
    )
    diagnostics += list(servicer.AnalyzeStack(stack_request, None).diagnostics)
    return [(d.policyName, d.message) for d in diagnostics]


def plain_violations(
    resource_type: str,
    props: Mapping[str, Any],
    config: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[tuple[str, str]]:
    return [(v.policy, v.message) for v in validate_resource(resource_type, props, config, now=NOW)]


RUNNERS = pytest.mark.parametrize(
    "run", [plain_violations, engine_violations], ids=["plain", "engine"]
)


# --------------------------------------------------------------------------
# The pack itself.
# --------------------------------------------------------------------------
def test_pack_declares_the_seven_documented_policies() -> None:
    assert POLICY_NAMES == (
        "odoo-redirect-uris",
        "odoo-graph-scopes",
        "sp-assignment-required",
        "secret-max-lifetime",
        "allowed-sign-in-audience",
        "app-has-owner",
        "entra-audience-limits",
    )
    policies = {p.name: p for p in build_policies()}
    for spec in POLICIES:
        policy = policies[spec.name]
        assert policy.description and policy.remediation_steps
        assert policy.enforcement_level == spec.enforcement_level
    assert policies["app-has-owner"].enforcement_level == EnforcementLevel.ADVISORY
    assert isinstance(policies["app-has-owner"], StackValidationPolicy)
    assert isinstance(policies["entra-audience-limits"], StackValidationPolicy)
    stack = {"app-has-owner", "entra-audience-limits"}
    others = [p for name, p in policies.items() if name not in stack]
    assert all(isinstance(p, ResourceValidationPolicy) for p in others)
    assert all(p.enforcement_level == EnforcementLevel.MANDATORY for p in others)


def test_config_schema_defaults_are_valid_and_reach_the_engine() -> None:
    info = _servicer(None).GetAnalyzerInfo(None, None)
    published = {p.name: p for p in info.policies}
    assert set(published) == set(POLICY_NAMES)
    for spec in POLICIES:
        for key, schema in spec.config_properties.items():
            jsonschema.Draft7Validator.check_schema(dict(schema))
            jsonschema.validate(schema["default"], dict(schema))
            assert key in published[spec.name].configSchema.properties
        assert published[spec.name].remediation_steps == spec.remediation


def test_graph_scope_table_is_microsofts_published_ids_in_one_place() -> None:
    assert dict(GRAPH_DELEGATED_SCOPES) == SCOPE_IDS
    assert get_spec("odoo-graph-scopes").defaults()["allowedScopes"] == SCOPE_IDS


# --------------------------------------------------------------------------
# The example stack passes.
# --------------------------------------------------------------------------
def test_example_stack_has_no_violation() -> None:
    assert validate_stack(example_stack(), now=NOW) == []


@RUNNERS
@pytest.mark.parametrize(
    ("resource_type", "props"), example_stack(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_each_example_resource_passes(run: Any, resource_type: str, props: dict[str, Any]) -> None:
    assert run(resource_type, props) == []


# --------------------------------------------------------------------------
# Mutations: each gives exactly one violation of exactly one policy.
# --------------------------------------------------------------------------
def _app(**changes: Any) -> dict[str, Any]:
    app = example_application()
    app.update(changes)
    return app


def _with_access(extra: dict[str, str]) -> dict[str, Any]:
    app = example_application()
    app["requiredResourceAccesses"][0]["resourceAccesses"].append(extra)
    return app


def _password(**changes: Any) -> dict[str, Any]:
    password = example_passwords()[0]
    password.update(changes)
    return password


def _sp(**changes: Any) -> dict[str, Any]:
    sp = example_service_principal()
    sp.update(changes)
    return sp


MUTATIONS: list[tuple[str, str, dict[str, Any], dict[str, Any], str, str]] = [
    (
        "http-redirect-on-public-host",
        APPLICATION,
        _app(web={"redirectUris": ["http://odoo.example.com/microsoft_outlook/confirm"]}),
        {},
        "odoo-redirect-uris",
        "http on a public host",
    ),
    (
        "redirect-not-odoo-route",
        APPLICATION,
        _app(web={"redirectUris": ["https://odoo.example.com/auth/callback"]}),
        {},
        "odoo-redirect-uris",
        "/microsoft_outlook/confirm",
    ),
    (
        "extra-mail-readwrite-scope",
        APPLICATION,
        _with_access({"id": MAIL_READWRITE_DELEGATED, "type": "Scope"}),
        {},
        "odoo-graph-scopes",
        MAIL_READWRITE_DELEGATED,
    ),
    (
        "application-role-permission",
        APPLICATION,
        _with_access({"id": MAIL_SEND_APPLICATION_ROLE, "type": "Role"}),
        {},
        "odoo-graph-scopes",
        "application permission (Role)",
    ),
    (
        "grant-consents-extra-claim",
        DELEGATED_GRANT,
        {**example_grant(), "claimValues": [*SCOPE_IDS, "Mail.ReadWrite"]},
        {},
        "odoo-graph-scopes",
        "Mail.ReadWrite",
    ),
    (
        "assignment-not-required",
        SERVICE_PRINCIPAL,
        _sp(appRoleAssignmentRequired=False),
        {},
        "sp-assignment-required",
        "appRoleAssignmentRequired is False",
    ),
    (
        "assignment-unset",
        SERVICE_PRINCIPAL,
        {k: v for k, v in example_service_principal().items() if k != "appRoleAssignmentRequired"},
        {},
        "sp-assignment-required",
        "provider default false",
    ),
    (
        # Two calendar years across 29 February 2028: 731 days.
        "two-year-secret",
        APPLICATION_PASSWORD,
        _password(startDate="2027-05-01T00:00:00Z", endDate="2029-05-01T00:00:00Z"),
        {},
        "secret-max-lifetime",
        "731 days",
    ),
    (
        "secret-without-end-date",
        APPLICATION_PASSWORD,
        {k: v for k, v in example_passwords()[0].items() if k != "endDate"},
        {},
        "secret-max-lifetime",
        "no endDate",
    ),
    (
        "short-limit-configured",
        APPLICATION_PASSWORD,
        _password(),
        {"secret-max-lifetime": {"maxLifetimeDays": 90}},
        "secret-max-lifetime",
        "maximum is 90 days",
    ),
    (
        "audience-configured-out",
        APPLICATION,
        _app(),
        {"allowed-sign-in-audience": {"allowedAudiences": ["AzureADMyOrg", "AzureADMultipleOrgs"]}},
        "allowed-sign-in-audience",
        "'AzureADandPersonalMicrosoftAccount' is not allowed",
    ),
    (
        "personal-accounts-without-v2-tokens",
        APPLICATION,
        _app(api={"requestedAccessTokenVersion": 1}),
        {},
        "allowed-sign-in-audience",
        "requestedAccessTokenVersion = 2",
    ),
    (
        "no-owners",
        APPLICATION,
        _app(owners=[]),
        {},
        "app-has-owner",
        "0 owner(s)",
    ),
    (
        "owners-unset",
        APPLICATION,
        {k: v for k, v in example_application().items() if k != "owners"},
        {},
        "app-has-owner",
        "0 owner(s)",
    ),
]


@RUNNERS
@pytest.mark.parametrize(
    ("case", "resource_type", "props", "config", "policy", "fragment"),
    MUTATIONS,
    ids=[m[0] for m in MUTATIONS],
)
def test_mutation_gives_exactly_one_expected_violation(
    run: Any,
    case: str,
    resource_type: str,
    props: dict[str, Any],
    config: dict[str, dict[str, Any]],
    policy: str,
    fragment: str,
) -> None:
    violations = run(resource_type, copy.deepcopy(props), config)
    assert [name for name, _ in violations] == [policy], violations
    assert fragment in violations[0][1]


def test_mutated_stack_reports_each_violation_once() -> None:
    stack = example_stack()
    stack[0] = (APPLICATION, _app(owners=[]))
    stack[1] = (SERVICE_PRINCIPAL, _sp(appRoleAssignmentRequired=False))
    assert [v.policy for v in validate_stack(stack, now=NOW)] == [
        "app-has-owner",
        "sp-assignment-required",
    ]


def test_disabled_policy_is_skipped_by_the_entry_point() -> None:
    config = {"app-has-owner": {"enforcementLevel": "disabled"}}
    assert validate_resource(APPLICATION, _app(owners=[]), config) == []


# --------------------------------------------------------------------------
# Edges of individual rules.
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("uri", "ok"),
    [
        ("https://odoo.example.com/microsoft_outlook/confirm", True),
        ("https://erp.example.com/odoo/microsoft_outlook/confirm", True),
        ("http://127.0.0.1:8069/microsoft_outlook/confirm", True),
        ("http://localhost/microsoft_outlook/confirm", True),
        ("http://10.0.0.5/microsoft_outlook/confirm", False),
        ("https://odoo.example.com/microsoft_outlook/confirm?x=1", False),
        ("ftp://odoo.example.com/microsoft_outlook/confirm", False),
        ("https:///microsoft_outlook/confirm", False),
    ],
)
def test_redirect_uri_rule(uri: str, ok: bool) -> None:
    violations = run_policy(
        get_spec("odoo-redirect-uris"), APPLICATION, _app(web={"redirectUris": [uri]})
    )
    assert (violations == []) is ok, violations


def test_redirect_rule_also_covers_other_platforms() -> None:
    app = _app(singlePageApplication={"redirectUris": ["https://spa.example.com/"]})
    assert [v.policy for v in validate_resource(APPLICATION, app)] == ["odoo-redirect-uris"]


def test_delegated_scope_on_another_api_needs_configuration() -> None:
    exchange = "00000002-0000-0ff1-ce00-000000000000"
    app = example_application()
    app["requiredResourceAccesses"].append(
        {
            "resourceAppId": exchange,
            "resourceAccesses": [{"id": SCOPE_IDS["SMTP.Send"], "type": "Scope"}],
        }
    )
    assert [v.policy for v in validate_resource(APPLICATION, app)] == ["odoo-graph-scopes"]
    config = {"odoo-graph-scopes": {"allowedOtherResourceAppIds": [exchange]}}
    assert validate_resource(APPLICATION, app, config) == []


def test_scope_ids_compare_case_insensitively() -> None:
    app = example_application()
    for access in app["requiredResourceAccesses"][0]["resourceAccesses"]:
        access["id"] = access["id"].upper()
    assert validate_resource(APPLICATION, app) == []


def test_secret_of_exactly_the_maximum_passes() -> None:
    password = _password(startDate="2025-01-01T00:00:00Z", endDate="2027-01-01T00:00:00Z")
    assert validate_resource(APPLICATION_PASSWORD, password) == []  # 730 days


def test_secret_without_start_date_is_measured_from_creation() -> None:
    base = {k: v for k, v in example_passwords()[0].items() if k != "startDate"}
    ok = {**base, "endDate": "2027-11-25T12:00:00Z"}  # 730 days after NOW
    too_long = {**base, "endDate": "2027-11-26T12:00:00Z"}
    assert validate_resource(APPLICATION_PASSWORD, ok, now=NOW) == []
    assert [v.policy for v in validate_resource(APPLICATION_PASSWORD, too_long, now=NOW)] == [
        "secret-max-lifetime"
    ]


def test_relative_end_date_is_understood() -> None:
    assert parse_go_duration("2400h30m").total_seconds() == 2400 * 3600 + 30 * 60
    base = {k: v for k, v in example_passwords()[0].items() if k != "endDate"}
    assert validate_resource(APPLICATION_PASSWORD, {**base, "endDateRelative": "4320h"}) == []
    long = validate_resource(APPLICATION_PASSWORD, {**base, "endDateRelative": "17544h"})
    assert [v.policy for v in long] == ["secret-max-lifetime"]


def test_config_numbers_arrive_as_floats_from_the_engine() -> None:
    # protobuf Struct has only doubles: 730 arrives as 730.0.
    config = {"secret-max-lifetime": {"maxLifetimeDays": 730.0}}
    assert engine_violations(APPLICATION_PASSWORD, example_passwords()[0], config) == []


def test_unset_audience_means_provider_default_my_org() -> None:
    app = {k: v for k, v in example_application().items() if k != "signInAudience"}
    config = {"allowed-sign-in-audience": {"allowedAudiences": ["AzureADMultipleOrgs"]}}
    messages = validate_resource(APPLICATION, app, config)
    assert [v.policy for v in messages] == ["allowed-sign-in-audience"]
    assert "'AzureADMyOrg'" in messages[0].message


# --------------------------------------------------------------------------
# Unknown values during preview: skipped, never fatal.
# --------------------------------------------------------------------------
def _unknown_app() -> dict[str, Any]:
    app = _app(owners=UNKNOWN_STRING_VALUE, signInAudience=UNKNOWN_STRING_VALUE)
    app["web"]["redirectUris"].append(UNKNOWN_STRING_VALUE)
    app["requiredResourceAccesses"].append(UNKNOWN_STRING_VALUE)
    app["requiredResourceAccesses"][0]["resourceAccesses"].append(
        {"id": UNKNOWN_STRING_VALUE, "type": "Scope"}
    )
    return app


UNKNOWN_CASES = [
    (APPLICATION, _unknown_app()),
    (APPLICATION, _app(requiredResourceAccesses=UNKNOWN_STRING_VALUE, web=UNKNOWN_STRING_VALUE)),
    (SERVICE_PRINCIPAL, _sp(appRoleAssignmentRequired=UNKNOWN_STRING_VALUE)),
    (APPLICATION_PASSWORD, _password(endDate=UNKNOWN_STRING_VALUE)),
    (APPLICATION_PASSWORD, _password(startDate=UNKNOWN_STRING_VALUE)),
    (DELEGATED_GRANT, {**example_grant(), "claimValues": UNKNOWN_STRING_VALUE}),
]


@RUNNERS
@pytest.mark.parametrize(("resource_type", "props"), UNKNOWN_CASES)
def test_unknown_values_are_skipped(run: Any, resource_type: str, props: dict[str, Any]) -> None:
    # No violation and no "can't run policy during preview" diagnostic either.
    assert run(resource_type, props) == []


def test_known_parts_are_still_checked_next_to_unknown_ones() -> None:
    app = _unknown_app()
    app["web"]["redirectUris"].append("http://odoo.example.com/microsoft_outlook/confirm")
    assert [name for name, _ in engine_violations(APPLICATION, app)] == ["odoo-redirect-uris"]


def test_resource_policy_called_directly_with_real_args() -> None:
    """The shape the lead's mocks test can reuse: ResourceValidationArgs + a collector."""
    policy = next(p for p in build_policies() if p.name == "odoo-graph-scopes")
    assert isinstance(policy, ResourceValidationPolicy)
    args = ResourceValidationArgs(
        resource_type=APPLICATION,
        props=unknown_checking_proxy(
            _with_access({"id": MAIL_SEND_APPLICATION_ROLE, "type": "Role"})
        ),
        urn="urn:pulumi:dev::odoo-outlook::azuread:index/application:Application::app",
        name="app",
        opts=PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None),
        provider=None,
        config=None,
    )
    reported: list[tuple[str, str | None]] = []
    policy.validate(args, lambda message, urn=None: reported.append((message, urn)))
    assert len(reported) == 1
    assert MAIL_SEND_APPLICATION_ROLE in reported[0][0]


def test_violation_type_is_small_and_comparable() -> None:
    assert Violation("a", "b") == Violation("a", "b")


@pytest.mark.parametrize(
    ("audience", "count", "ok"),
    [
        ("AzureADandPersonalMicrosoftAccount", 100, True),
        ("AzureADandPersonalMicrosoftAccount", 101, False),
        ("AzureADMultipleOrgs", 101, True),
        ("AzureADMyOrg", 256, True),
        ("AzureADMyOrg", 257, False),
    ],
)
def test_redirect_uri_count_limit_follows_the_audience(audience: str, count: int,
                                                         ok: bool) -> None:
    # Entra caps redirect URIs per platform: 100 with personal accounts, 256 otherwise; the
    # azuread provider itself refuses more than 100 for personal audiences at preview.
    uris = [f"https://odoo{i}.example.com/microsoft_outlook/confirm" for i in range(count)]
    app = _app(signInAudience=audience, web={"redirectUris": uris})
    found = run_policy(get_spec("odoo-redirect-uris"), APPLICATION, app)
    assert (found == []) is ok, found
