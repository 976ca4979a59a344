"""The CrossGuard policy pack: its declaration, the example stack, one mutation per rule.

Resource properties are written the way the policy engine sends them: the pulumi-azuread
schema's camelCase names. The pack-wide cases run two ways: every policy of the pack called
directly with pulumi_policy's argument bags (``direct``), and pulumi_policy's real analyzer
servicer fed protobuf requests exactly as the Pulumi engine sends them (``engine``), so the
config schema, the enforcement levels and the unknown-value proxy are covered.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import jsonschema
import pytest
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.azuread import APPLICATION, APPLICATION_PASSWORD, DELEGATED_GRANT, SERVICE_PRINCIPAL
from policies.graph_scopes import GRAPH_DELEGATED_SCOPES, MICROSOFT_GRAPH_APP_ID
from tests.policies.examples import (
    MAIL_READWRITE_DELEGATED,
    MAIL_SEND_APPLICATION_ROLE,
    SCOPE_IDS,
    example_application,
    example_grant,
    example_passwords,
    example_service_principal,
    example_stack,
)
from tests.policy_harness import (
    Res,
    analyze,
    analyzer,
    collect,
    pack_declaration,
    pack_policies,
    resource_args,
    stack_args,
)


def as_resources(stack: list[tuple[str, dict[str, Any]]]) -> list[Res]:
    return [Res(t, props, f"r{i}", True) for i, (t, props) in enumerate(stack)]


# --------------------------------------------------------------------------
# The two ways of running every policy of the pack on one resource.
# --------------------------------------------------------------------------
def direct(
    resource_type: str,
    props: Mapping[str, Any],
    config: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    proxy: bool = True,
) -> list[tuple[str, str]]:
    """Every policy's validator, called with the argument bag pulumi_policy would build
    (``proxy=False``: with the plain properties instead of its unknown-checking proxy)."""
    found: list[tuple[str, str]] = []
    for policy in pack_policies():
        own = (config or {}).get(policy.name)
        args = (
            resource_args(resource_type, props, own, proxy=proxy)
            if isinstance(policy, ResourceValidationPolicy)
            else stack_args([Res(resource_type, props)], own, proxy=proxy)
        )
        found += [(policy.name, message) for message, _ in collect(policy.validate, args)]
    return found


def direct_plain_props(
    resource_type: str,
    props: Mapping[str, Any],
    config: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[tuple[str, str]]:
    return direct(resource_type, props, config, proxy=False)


def engine(
    resource_type: str,
    props: Mapping[str, Any],
    config: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[tuple[str, str]]:
    """(policy, message) pairs the analyzer reports through Analyze + AnalyzeStack."""
    return [(name, message) for name, message, _ in analyze([Res(resource_type, props)], config)]


RUNNERS = pytest.mark.parametrize("run", [direct, engine], ids=["direct", "engine"])


# --------------------------------------------------------------------------
# The pack itself.
# --------------------------------------------------------------------------
def test_pack_declares_the_seven_documented_policies() -> None:
    declaration = pack_declaration()
    assert declaration["name"] == "odoo-outlook-policies"
    assert declaration["enforcement_level"] == EnforcementLevel.MANDATORY
    policies = {p.name: p for p in pack_policies()}
    assert list(policies) == [
        "odoo-redirect-uris",
        "odoo-graph-scopes",
        "sp-assignment-required",
        "secret-max-lifetime",
        "allowed-sign-in-audience",
        "app-has-owner",
        "entra-audience-limits",
    ]
    for policy in policies.values():
        assert policy.description and policy.remediation_steps
    stack = {"app-has-owner", "entra-audience-limits"}
    assert all(isinstance(policies[name], StackValidationPolicy) for name in stack)
    others = [p for name, p in policies.items() if name not in stack]
    assert all(isinstance(p, ResourceValidationPolicy) for p in others)
    assert policies["app-has-owner"].enforcement_level == EnforcementLevel.ADVISORY
    assert all(
        p.enforcement_level == EnforcementLevel.MANDATORY
        for name, p in policies.items()
        if name != "app-has-owner"
    )


EXPECTED_CONFIG_KEYS = {
    "odoo-redirect-uris": {"requiredPathSuffix", "loopbackHosts"},
    "odoo-graph-scopes": {"allowedScopes", "graphAppId", "allowedOtherResourceAppIds"},
    "sp-assignment-required": set(),
    "secret-max-lifetime": {"maxLifetimeDays"},
    "allowed-sign-in-audience": {"allowedAudiences"},
    "app-has-owner": {"minOwners"},
    "entra-audience-limits": set(),
}


def test_config_schema_defaults_are_valid_and_reach_the_engine() -> None:
    info = analyzer().GetAnalyzerInfo(None, None)
    published = {p.name: p for p in info.policies}
    for policy in pack_policies():
        properties = policy.config_schema.properties if policy.config_schema else {}
        assert set(properties) == EXPECTED_CONFIG_KEYS[policy.name]
        for key, schema in properties.items():
            jsonschema.Draft7Validator.check_schema(dict(schema))
            jsonschema.validate(schema["default"], dict(schema))
            assert key in published[policy.name].configSchema.properties
        assert published[policy.name].remediation_steps == policy.remediation_steps


def test_graph_scope_table_is_microsofts_published_ids_in_one_place() -> None:
    assert dict(GRAPH_DELEGATED_SCOPES) == SCOPE_IDS
    policy = next(p for p in pack_policies() if p.name == "odoo-graph-scopes")
    assert policy.config_schema is not None
    assert policy.config_schema.properties["allowedScopes"]["default"] == SCOPE_IDS


# --------------------------------------------------------------------------
# The example stack passes.
# --------------------------------------------------------------------------
def test_example_stack_has_no_violation() -> None:
    assert analyze(as_resources(example_stack())) == []


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
        "web.redirectUris: 'http://odoo.example.com/microsoft_outlook/confirm' uses http on a "
        "public host; only https is allowed (http only for loopback: 127.0.0.1, localhost)",
    ),
    (
        "redirect-not-odoo-route",
        APPLICATION,
        _app(web={"redirectUris": ["https://odoo.example.com/auth/callback"]}),
        {},
        "odoo-redirect-uris",
        "web.redirectUris: 'https://odoo.example.com/auth/callback' does not end in "
        "'/microsoft_outlook/confirm' (Odoo's Outlook confirmation route)",
    ),
    (
        "extra-mail-readwrite-scope",
        APPLICATION,
        _with_access({"id": MAIL_READWRITE_DELEGATED, "type": "Scope"}),
        {},
        "odoo-graph-scopes",
        f"delegated scope '{MAIL_READWRITE_DELEGATED}' on Microsoft Graph is not one Odoo needs "
        "(allowed: SMTP.Send, IMAP.AccessAsUser.All, User.Read, offline_access, openid, email)",
    ),
    (
        "application-role-permission",
        APPLICATION,
        _with_access({"id": MAIL_SEND_APPLICATION_ROLE, "type": "Role"}),
        {},
        "odoo-graph-scopes",
        f"application permission (Role) '{MAIL_SEND_APPLICATION_ROLE}' requested on resource "
        f"'{MICROSOFT_GRAPH_APP_ID}'; Odoo signs in as the mailbox user and needs none",
    ),
    (
        "grant-consents-extra-claim",
        DELEGATED_GRANT,
        {**example_grant(), "claimValues": [*SCOPE_IDS, "Mail.ReadWrite"]},
        {},
        "odoo-graph-scopes",
        "delegated permission grant consents to 'Mail.ReadWrite', which Odoo does not need "
        "(allowed: SMTP.Send, IMAP.AccessAsUser.All, User.Read, offline_access, openid, email)",
    ),
    (
        "assignment-not-required",
        SERVICE_PRINCIPAL,
        _sp(appRoleAssignmentRequired=False),
        {},
        "sp-assignment-required",
        "appRoleAssignmentRequired is False; every user of the tenant could consent to the "
        "Odoo app",
    ),
    (
        "assignment-unset",
        SERVICE_PRINCIPAL,
        {k: v for k, v in example_service_principal().items() if k != "appRoleAssignmentRequired"},
        {},
        "sp-assignment-required",
        "appRoleAssignmentRequired is unset (provider default false); every user of the tenant "
        "could consent to the Odoo app",
    ),
    (
        # Two calendar years across 29 February 2028: 731 days.
        "two-year-secret",
        APPLICATION_PASSWORD,
        _password(startDate="2027-05-01T00:00:00Z", endDate="2029-05-01T00:00:00Z"),
        {},
        "secret-max-lifetime",
        "secret lives 731 days from startDate to endDate 2029-05-01T00:00:00Z; the maximum is "
        "730 days",
    ),
    (
        "secret-without-end-date",
        APPLICATION_PASSWORD,
        {k: v for k, v in example_passwords()[0].items() if k != "endDate"},
        {},
        "secret-max-lifetime",
        "no endDate: the secret would get Microsoft's default lifetime; declare an endDate at "
        "most 730 days after startDate",
    ),
    (
        "short-limit-configured",
        APPLICATION_PASSWORD,
        _password(),
        {"secret-max-lifetime": {"maxLifetimeDays": 90}},
        "secret-max-lifetime",
        "secret lives 194 days from startDate to endDate 2026-03-14T00:00:00Z; the maximum is "
        "90 days",
    ),
    (
        "audience-configured-out",
        APPLICATION,
        _app(),
        {"allowed-sign-in-audience": {"allowedAudiences": ["AzureADMyOrg", "AzureADMultipleOrgs"]}},
        "allowed-sign-in-audience",
        "signInAudience 'AzureADandPersonalMicrosoftAccount' is not allowed here (allowed: "
        "AzureADMyOrg, AzureADMultipleOrgs)",
    ),
    (
        "personal-accounts-without-v2-tokens",
        APPLICATION,
        _app(api={"requestedAccessTokenVersion": 1}),
        {},
        "allowed-sign-in-audience",
        "signInAudience 'AzureADandPersonalMicrosoftAccount' requires "
        "api.requestedAccessTokenVersion = 2 (declared: 1",  # 1 direct, 1.0 from protobuf
    ),
    (
        "no-owners",
        APPLICATION,
        _app(owners=[]),
        {},
        "app-has-owner",
        "the app registration has 0 owner(s), fewer than 1; nobody is accountable for its "
        "secrets and consent",
    ),
    (
        "owners-unset",
        APPLICATION,
        {k: v for k, v in example_application().items() if k != "owners"},
        {},
        "app-has-owner",
        "the app registration has 0 owner(s), fewer than 1",
    ),
]


@RUNNERS
@pytest.mark.parametrize(
    ("_case", "resource_type", "props", "config", "policy", "message"),
    MUTATIONS,
    ids=[m[0] for m in MUTATIONS],
)
def test_mutation_gives_exactly_one_expected_violation(
    run: Any,
    _case: str,
    resource_type: str,
    props: dict[str, Any],
    config: dict[str, dict[str, Any]],
    policy: str,
    message: str,
) -> None:
    violations = run(resource_type, copy.deepcopy(props), config)
    assert [name for name, _ in violations] == [policy], violations
    # The engine shows the policy's description, a newline, then the message.
    assert message in violations[0][1]


def test_mutated_stack_reports_each_violation_once_on_its_resource() -> None:
    stack = as_resources(example_stack())
    stack[0] = Res(APPLICATION, _app(owners=[]), "app", True)
    stack[1] = Res(SERVICE_PRINCIPAL, _sp(appRoleAssignmentRequired=False), "sp", True)
    found = [(name, urn) for name, _, urn in analyze(stack)]
    # Resource policies report on the resource being analysed (the engine adds its URN).
    assert found == [("sp-assignment-required", ""), ("app-has-owner", stack[0].urn)]


def test_a_disabled_policy_is_not_run_by_the_engine() -> None:
    config = {"app-has-owner": {"enforcementLevel": "disabled"}}
    assert engine(APPLICATION, _app(owners=[]), config) == []


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
    (
        APPLICATION_PASSWORD,
        {
            **{k: v for k, v in _password().items() if k != "endDate"},
            "endDateRelative": UNKNOWN_STRING_VALUE,
        },
    ),
    (DELEGATED_GRANT, {**example_grant(), "claimValues": UNKNOWN_STRING_VALUE}),
]


@pytest.mark.parametrize(
    "run", [direct, direct_plain_props, engine], ids=["direct", "plain-props", "engine"]
)
@pytest.mark.parametrize(("resource_type", "props"), UNKNOWN_CASES)
def test_unknown_values_are_skipped(run: Any, resource_type: str, props: dict[str, Any]) -> None:
    # No violation and no "can't run policy during preview" diagnostic either; a validator
    # handed the plain properties recognises pulumi_policy's raw unknown sentinels too.
    assert run(resource_type, props) == []


def test_known_parts_are_still_checked_next_to_unknown_ones() -> None:
    app = _unknown_app()
    app["web"]["redirectUris"].append("http://odoo.example.com/microsoft_outlook/confirm")
    assert [name for name, _ in engine(APPLICATION, app)] == ["odoo-redirect-uris"]


def test_config_numbers_arrive_as_floats_from_the_engine() -> None:
    # protobuf Struct has only doubles: 730 arrives as 730.0, 2 as 2.0.
    config = {"secret-max-lifetime": {"maxLifetimeDays": 730.0}, "app-has-owner": {"minOwners": 2}}
    assert engine(APPLICATION_PASSWORD, example_passwords()[0], config) == []
    assert [name for name, _ in engine(APPLICATION, example_application(), config)] == [
        "app-has-owner"
    ]
