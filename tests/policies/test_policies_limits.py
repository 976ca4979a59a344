"""The policy pack enforces Entra's per-audience limits at preview (entra-audience-limits),
against what the Pulumi program really declares under mocks."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from policies.audience_limits import validate_audience_limits
from tests.paths import example_config
from tests.policy_harness import Res, analyze, collect, stack_args
from tests.pulumi_harness import APPLICATION, PASSWORD, ProgramRun, run_program

# The program dates its secrets from `now` and the pack measures them from the real clock.
NOW = datetime.now(UTC)
POLICY = "entra-audience-limits"
APP_OBJECT_ID = "9c1f4a3e-0d7b-4e55-8a2c-6b3f1e9d0a12"


def stack_of(run: ProgramRun) -> list[Res]:
    """What the engine hands the pack: type, inputs, name and the resource options."""
    return [
        Res(d.type, copy.deepcopy(d.inputs), d.name, d.delete_before_replace)
        for d in run.declared
        if d.type.startswith("azuread:")
    ]


def _program(audience: str) -> list[Res]:
    config = example_config()
    config["odoo-outlook:app"]["signInAudience"] = audience
    return stack_of(run_program(config, NOW))


def _ours(resources: list[Res]) -> list[str]:
    return [message for message, _ in collect(validate_audience_limits, stack_args(resources))]


def _with_option(
    resources: list[Res], delete_before_replace: bool | None, name_suffix: str = ""
) -> list[Res]:
    return [
        Res(r.type, r.props, r.name, delete_before_replace)
        if r.type == PASSWORD and r.name.endswith(name_suffix)
        else r
        for r in resources
    ]


@pytest.mark.parametrize(
    "audience", ["AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount"]
)
def test_the_program_passes_for_every_audience(audience: str) -> None:
    assert analyze(_program(audience)) == []


def test_a_create_first_secret_under_the_cap_is_refused() -> None:
    resources = _with_option(_program("AzureADandPersonalMicrosoftAccount"), False, "-a")
    secret_a = next(r for r in resources if r.type == PASSWORD and r.name.endswith("-a"))
    assert collect(validate_audience_limits, stack_args(resources)) == [
        (
            f"ApplicationPassword {secret_a.urn} is replaced create-before-delete: at its next"
            " rotation the app would briefly hold 3 client secrets, Entra accepts at most 2 for"
            " signInAudience AzureADandPersonalMicrosoftAccount (Microsoft identity platform,"
            " 'Validation differences by supported account types (signInAudience)'); declare it"
            " with delete_before_replace=True",
            secret_a.urn,
        )
    ]
    # An option the engine did not report is not a create-first replacement.
    assert _ours(_with_option(_program("AzureADandPersonalMicrosoftAccount"), None)) == []
    # Without a cap the default replacement is fine.
    assert _ours(_with_option(_program("AzureADMultipleOrgs"), False)) == []


def test_a_third_secret_is_refused_with_personal_accounts() -> None:
    resources = _program("AzureADandPersonalMicrosoftAccount")
    extra = next(r for r in resources if r.type == PASSWORD)
    app = next(r for r in resources if r.type == APPLICATION)
    resources.append(Res(PASSWORD, extra.props, "third", True))
    assert collect(validate_audience_limits, stack_args(resources)) == [
        (
            "3 ApplicationPassword resources on one app: passwordCredentials: 3 client secrets,"
            " Entra accepts at most 2 for signInAudience AzureADandPersonalMicrosoftAccount"
            " (Microsoft identity platform, 'Validation differences by supported account types"
            " (signInAudience)')",
            app.urn,
        )
    ]
    work = [*_program("AzureADMyOrg"), Res(PASSWORD, extra.props, "third", False)]
    assert _ours(work) == []


def test_with_several_apps_secrets_count_for_the_app_their_application_id_names() -> None:
    personal = {"signInAudience": "AzureADandPersonalMicrosoftAccount", "objectId": APP_OBJECT_ID}
    other = {
        "signInAudience": "AzureADandPersonalMicrosoftAccount",
        "objectId": "0b7e4c1d-2a3f-4e5d-8c9b-1a2b3c4d5e6f",
    }
    mine = {"applicationId": f"/applications/{APP_OBJECT_ID}"}
    resources = [
        Res(APPLICATION, personal, "mine"),
        Res(APPLICATION, other, "other"),
        *(Res(PASSWORD, mine, f"s{i}", True) for i in range(3)),
    ]
    assert collect(validate_audience_limits, stack_args(resources)) == [
        (
            "3 ApplicationPassword resources on one app: passwordCredentials: 3 client secrets,"
            " Entra accepts at most 2 for signInAudience AzureADandPersonalMicrosoftAccount"
            " (Microsoft identity platform, 'Validation differences by supported account types"
            " (signInAudience)')",
            resources[0].urn,
        )
    ]


def _with_permissions(resources: list[Res], count: int, apis: int = 1) -> list[Res]:
    out = []
    for r in resources:
        if r.type == APPLICATION:
            props: dict[str, Any] = copy.deepcopy(dict(r.props))
            props["requiredResourceAccesses"] = [
                {
                    "resourceAppId": f"00000003-0000-0000-c000-{api:012d}",
                    "resourceAccesses": [
                        {"id": f"00000000-0000-0000-0000-{i:012d}", "type": "Scope"}
                        for i in range(count)
                    ],
                }
                for api in range(apis)
            ]
            r = Res(r.type, props, r.name, r.delete_before_replace)
        out.append(r)
    return out


def test_more_than_30_permissions_on_one_api_with_personal_accounts() -> None:
    personal = _with_permissions(_program("AzureADandPersonalMicrosoftAccount"), 31)
    app = next(r for r in personal if r.type == APPLICATION)
    assert collect(validate_audience_limits, stack_args(personal)) == [
        (
            "requiredResourceAccess[00000003-0000-0000-c000-000000000000]: 31 permissions on one"
            " API, Entra accepts at most 30 for signInAudience AzureADandPersonalMicrosoftAccount"
            " (Microsoft identity platform, 'Validation differences by supported account types"
            " (signInAudience)')",
            app.urn,
        )
    ]
    assert _ours(_with_permissions(_program("AzureADandPersonalMicrosoftAccount"), 30)) == []
    assert _ours(_with_permissions(_program("AzureADMyOrg"), 31)) == []


def test_totals_and_api_counts_follow_the_audience() -> None:
    # 7 APIs x 29 = 203 permissions: over 200 with personal accounts, within 400 otherwise.
    personal = _ours(_with_permissions(_program("AzureADandPersonalMicrosoftAccount"), 29, 7))
    assert [m.split(",")[0] for m in personal] == [
        "requiredResourceAccess: 203 permissions over all APIs"
    ]
    assert _ours(_with_permissions(_program("AzureADMyOrg"), 29, 7)) == []
    # 51 APIs with 8 each: too many APIs and 408 permissions over all, whatever the audience.
    work = _ours(_with_permissions(_program("AzureADMyOrg"), 8, 51))
    assert [m.split(",")[0] for m in work] == [
        "requiredResourceAccess: 51 APIs",
        "requiredResourceAccess: 408 permissions over all APIs",
    ]


def test_an_unknown_audience_is_left_to_the_other_rules() -> None:
    resources = [
        Res(APPLICATION, {"signInAudience": "NotAnAudience", "requiredResourceAccesses": []}),
        *(Res(PASSWORD, {}, f"s{i}", False) for i in range(3)),
    ]
    assert _ours(resources) == []


def test_the_engine_sees_the_resource_options() -> None:
    """AnalyzeStack carries deleteBeforeReplace in each resource's options."""
    resources = _program("AzureADandPersonalMicrosoftAccount")
    secrets = sorted(r.urn for r in resources if r.type == PASSWORD)
    assert analyze(resources) == []
    found = analyze(_with_option(resources, False))
    assert sorted((name, urn) for name, _, urn in found) == [(POLICY, urn) for urn in secrets]
