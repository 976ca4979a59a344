"""The policy pack against what the Pulumi program really declares under mocks."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.paths import example_config
from tests.policy_harness import Res, analyze
from tests.pulumi_harness import (
    APPLICATION,
    GRAPH_SCOPE_IDS,
    PASSWORD,
    SERVICE_PRINCIPAL,
    ProgramRun,
    run_program,
)

# The program dates its secrets from `now` and the pack measures them from the real clock.
NOW = datetime.now(UTC)
AZUREAD = "azuread:"


def declared(run: ProgramRun) -> list[Res]:
    """The azuread resources as the engine hands them to the pack: inputs, name, options."""
    return [
        Res(d.type, copy.deepcopy(d.inputs), d.name, d.delete_before_replace)
        for d in run.declared
        if d.type.startswith(AZUREAD)
    ]


def violations(resources: list[Res], config: dict[str, dict[str, Any]] | None = None) -> list[str]:
    """The policies the engine would report on these resources in a preview, in order."""
    return [name for name, _, _ in analyze(resources, config)]


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
    assert {r.type for r in resources} >= {APPLICATION, SERVICE_PRINCIPAL, PASSWORD}
    assert violations(resources) == []


def _mutate(resources: list[Res], type_token: str, change: Any) -> None:
    for resource in resources:
        if resource.type == type_token:
            change(resource.props)


def _add_access(props: dict[str, Any], entry: dict[str, str]) -> None:
    props["requiredResourceAccesses"][0]["resourceAccesses"].append(entry)


MUTATIONS: list[tuple[str, str, Any, str]] = [
    (
        "http redirect",
        APPLICATION,
        lambda p: p["web"]["redirectUris"].append(
            "http://erp.example.com/microsoft_outlook/confirm"
        ),
        "odoo-redirect-uris",
    ),
    (
        "extra Mail.ReadWrite scope",
        APPLICATION,
        lambda p: _add_access(p, {"id": GRAPH_SCOPE_IDS["Mail.ReadWrite"], "type": "Scope"}),
        "odoo-graph-scopes",
    ),
    (
        "application Role permission",
        APPLICATION,
        lambda p: _add_access(p, {"id": "b633e1c5-b582-4048-a93e-9f11b44c7e96", "type": "Role"}),
        "odoo-graph-scopes",
    ),
    (
        "assignment not required",
        SERVICE_PRINCIPAL,
        lambda p: p.update(appRoleAssignmentRequired=False),
        "sp-assignment-required",
    ),
    (
        "two-year secret",
        PASSWORD,
        lambda p: p.update(endDate=(NOW + timedelta(days=731)).strftime("%Y-%m-%dT%H:%M:%SZ")),
        "secret-max-lifetime",
    ),
]


@pytest.mark.parametrize(
    ("_case", "type_token", "change", "policy"), MUTATIONS, ids=[m[0] for m in MUTATIONS]
)
def test_mutated_declaration_gives_exactly_the_expected_violation(
    _case: str, type_token: str, change: Any, policy: str
) -> None:
    resources = declared(run_program(example_config(), NOW))
    if type_token == PASSWORD:
        # Only one of the two slots is stretched.
        first = next(r.props for r in resources if r.type == PASSWORD)
        change(first)
    else:
        _mutate(resources, type_token, change)
    assert violations(resources) == [policy]


def test_forbidden_audience() -> None:
    resources = declared(run_program(example_config(), NOW))
    config = {
        "allowed-sign-in-audience": {"allowedAudiences": ["AzureADMyOrg", "AzureADMultipleOrgs"]}
    }
    assert violations(resources, config) == ["allowed-sign-in-audience"]


def test_assignment_not_required_in_config_is_caught() -> None:
    config = example_config()
    config["odoo-outlook:app"]["assignmentRequired"] = False
    assert violations(declared(run_program(config, NOW))) == ["sp-assignment-required"]
