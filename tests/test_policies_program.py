"""The policy pack against what the Pulumi program really declares under mocks."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from policies.odoo_outlook_policies import validate_stack
from tests.pulumi_harness import (
    APPLICATION,
    GRAPH_SCOPE_IDS,
    PASSWORD,
    SERVICE_PRINCIPAL,
    ProgramRun,
    run_program,
)
from tests.test_program import example_config

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
AZUREAD = "azuread:"


def declared(run: ProgramRun) -> list[tuple[str, dict[str, Any]]]:
    return [(d.type, copy.deepcopy(d.inputs)) for d in run.declared if d.type.startswith(AZUREAD)]


@pytest.mark.parametrize(
    "variant",
    ["example", "adminConsent", "AzureADMyOrg", "AzureADMultipleOrgs", "noOwners"],
)
def test_every_policy_passes_on_the_program(variant: str) -> None:
    config = example_config()
    if variant == "adminConsent":
        config["odoo-outlook:app"]["adminConsent"] = True
    elif variant.startswith("AzureAD"):
        config["odoo-outlook:app"]["signInAudience"] = variant
    elif variant == "noOwners":
        del config["odoo-outlook:app"]["owners"]
    resources = declared(run_program(config, NOW))
    assert {t for t, _ in resources} >= {APPLICATION, SERVICE_PRINCIPAL, PASSWORD}
    assert validate_stack(resources, now=NOW) == []


def _mutate(resources: list[tuple[str, dict[str, Any]]], type_token: str, change: Any) -> None:
    for resource_type, props in resources:
        if resource_type == type_token:
            change(props)


def _add_access(props: dict[str, Any], entry: dict[str, str]) -> None:
    props["requiredResourceAccesses"][0]["resourceAccesses"].append(entry)


MUTATIONS: list[tuple[str, str, Any, str]] = [
    ("http redirect", APPLICATION,
     lambda p: p["web"]["redirectUris"].append("http://erp.example.com/microsoft_outlook/confirm"),
     "odoo-redirect-uris"),
    ("extra Mail.ReadWrite scope", APPLICATION,
     lambda p: _add_access(p, {"id": GRAPH_SCOPE_IDS["Mail.ReadWrite"], "type": "Scope"}),
     "odoo-graph-scopes"),
    ("application Role permission", APPLICATION,
     lambda p: _add_access(p, {"id": "b633e1c5-b582-4048-a93e-9f11b44c7e96", "type": "Role"}),
     "odoo-graph-scopes"),
    ("assignment not required", SERVICE_PRINCIPAL,
     lambda p: p.update(appRoleAssignmentRequired=False), "sp-assignment-required"),
    ("two-year secret", PASSWORD,
     lambda p: p.update(endDate="2028-11-25T00:00:00Z"), "secret-max-lifetime"),
]


@pytest.mark.parametrize(("case", "type_token", "change", "policy"), MUTATIONS,
                         ids=[m[0] for m in MUTATIONS])
def test_mutated_declaration_gives_exactly_the_expected_violation(
    case: str, type_token: str, change: Any, policy: str
) -> None:
    resources = declared(run_program(example_config(), NOW))
    if type_token == PASSWORD:
        # Only one of the two slots is stretched.
        first = next(props for t, props in resources if t == PASSWORD)
        change(first)
    else:
        _mutate(resources, type_token, change)
    violations = validate_stack(resources, now=NOW)
    assert [v.policy for v in violations] == [policy], violations


def test_forbidden_audience() -> None:
    resources = declared(run_program(example_config(), NOW))
    config = {"allowed-sign-in-audience": {"allowedAudiences": ["AzureADMyOrg",
                                                                "AzureADMultipleOrgs"]}}
    violations = validate_stack(resources, config, now=NOW)
    assert [v.policy for v in violations] == ["allowed-sign-in-audience"]


def test_assignment_not_required_in_config_is_caught() -> None:
    config = example_config()
    config["odoo-outlook:app"]["assignmentRequired"] = False
    violations = validate_stack(declared(run_program(config, NOW)), now=NOW)
    assert [v.policy for v in violations] == ["sp-assignment-required"]
