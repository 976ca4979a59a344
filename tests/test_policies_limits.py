"""The policy pack enforces Entra's per-audience limits at preview (entra-audience-limits)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from pulumi.runtime.proto import analyzer_pb2 as proto

from policies.odoo_outlook_policies import StackResource, validate_stack
from tests.pulumi_harness import APPLICATION, PASSWORD, ProgramRun, run_program
from tests.test_policies import _servicer, _struct
from tests.test_program import example_config

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
POLICY = "entra-audience-limits"


def stack_of(run: ProgramRun) -> list[StackResource]:
    """What the engine hands the pack: type, inputs, URN and the resource options."""
    return [StackResource(d.type, copy.deepcopy(d.inputs), f"urn:x::{d.name}",
                          d.delete_before_replace)
            for d in run.declared if d.type.startswith("azuread:")]


def _program(audience: str) -> list[StackResource]:
    config = example_config()
    config["odoo-outlook:app"]["signInAudience"] = audience
    return stack_of(run_program(config, NOW))


def _ours(resources: list[StackResource]) -> list[str]:
    return [v.message for v in validate_stack(resources, now=NOW) if v.policy == POLICY]


@pytest.mark.parametrize("audience", ["AzureADMyOrg", "AzureADMultipleOrgs",
                                      "AzureADandPersonalMicrosoftAccount"])
def test_the_program_passes_for_every_audience(audience: str) -> None:
    assert validate_stack(_program(audience), now=NOW) == []


def test_a_create_first_secret_under_the_cap_is_refused() -> None:
    resources = _program("AzureADandPersonalMicrosoftAccount")
    for resource in resources:
        if resource.resource_type == PASSWORD and resource.urn.endswith("-a"):
            resources[resources.index(resource)] = StackResource(
                resource.resource_type, resource.props, resource.urn, False)
    (message,) = _ours(resources)
    assert "odoo-client-secret-a is replaced create-before-delete" in message
    assert "3 client secrets" in message and "at most 2" in message
    # Without a cap the default replacement is fine.
    work = [StackResource(r.resource_type, r.props, r.urn, False)
            for r in _program("AzureADMultipleOrgs")]
    assert _ours(work) == []


def test_a_third_secret_is_refused_with_personal_accounts() -> None:
    resources = _program("AzureADandPersonalMicrosoftAccount")
    extra = next(r for r in resources if r.resource_type == PASSWORD)
    resources.append(StackResource(PASSWORD, extra.props, "urn:x::third", True))
    (message,) = _ours(resources)
    assert message.startswith("3 ApplicationPassword resources on one app: passwordCredentials:")
    assert "at most 2 for signInAudience AzureADandPersonalMicrosoftAccount" in message
    assert _ours([StackResource(r.resource_type, r.props, r.urn, True)
                  for r in _program("AzureADMyOrg")] + [
        StackResource(PASSWORD, extra.props, "urn:x::third", False)]) == []


def _with_permissions(resources: list[StackResource], count: int) -> list[StackResource]:
    out = []
    for r in resources:
        if r.resource_type == APPLICATION:
            props: dict[str, Any] = copy.deepcopy(dict(r.props))
            block = props["requiredResourceAccesses"][0]
            block["resourceAccesses"] = [
                {"id": f"00000000-0000-0000-0000-{i:012d}", "type": "Scope"} for i in range(count)]
            r = StackResource(r.resource_type, props, r.urn, r.delete_before_replace)
        out.append(r)
    return out


def test_more_than_30_permissions_on_one_api_with_personal_accounts() -> None:
    personal = _with_permissions(_program("AzureADandPersonalMicrosoftAccount"), 31)
    (message,) = _ours(personal)
    assert message.startswith("requiredResourceAccess[00000003-0000-0000-c000-000000000000]: 31")
    assert _ours(_with_permissions(_program("AzureADandPersonalMicrosoftAccount"), 30)) == []
    assert _ours(_with_permissions(_program("AzureADMyOrg"), 31)) == []


def test_the_engine_sees_the_resource_options() -> None:
    """AnalyzeStack carries deleteBeforeReplace in each resource's options."""
    resources = _program("AzureADandPersonalMicrosoftAccount")

    def analyze(dbr: bool) -> list[tuple[str, str]]:
        request = proto.AnalyzeStackRequest(resources=[
            proto.AnalyzerResource(
                type=r.resource_type, urn=r.urn, name=str(r.urn).rsplit("::", 1)[-1],
                properties=_struct(r.props),
                options=proto.AnalyzerResourceOptions(
                    deleteBeforeReplace=bool(r.delete_before_replace) and dbr,
                    deleteBeforeReplaceDefined=True),
            )
            for r in resources
        ])
        diagnostics = _servicer(None).AnalyzeStack(request, None).diagnostics
        return [(d.policyName, d.urn) for d in diagnostics]

    assert analyze(True) == []
    assert sorted(analyze(False)) == [(POLICY, "urn:x::odoo-client-secret-a"),
                                      (POLICY, "urn:x::odoo-client-secret-b")]
