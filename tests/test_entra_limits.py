"""Entra's per-audience limits, checked before deploy: config validation and `plan`."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from odoo_outlook.cli import main
from odoo_outlook.config import parse_config
from odoo_outlook.declared import describe_stack, limit_breaches
from odoo_outlook.desired import desired_state
from odoo_outlook.entra_limits import LIMITS, app_breaches, limits_for, secret_breach
from odoo_outlook.errors import ConfigErrors
from tests.paths import example_config

NOW = datetime(2026, 11, 25, tzinfo=UTC)


def test_limits_are_the_documented_table() -> None:
    # "Validation differences by supported account types (signInAudience)" and "Redirect URI
    # (reply URL) restrictions": two secrets, 100 redirect URIs, 30 permissions per API and 200
    # in all with personal accounts; no secret cap, 256 redirect URIs and 400 permissions else.
    personal = [
        limits_for(a) for a in ("AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount")
    ]
    work = [limits_for(a) for a in ("AzureADMyOrg", "AzureADMultipleOrgs")]
    assert {
        (x.password_credentials, x.redirect_uris, x.permissions_per_resource, x.permissions_total)
        for x in personal
    } == {(2, 100, 30, 200)}
    assert {
        (x.password_credentials, x.redirect_uris, x.permissions_per_resource, x.permissions_total)
        for x in work
    } == {(None, 256, None, 400)}
    assert limits_for(None) is LIMITS["AzureADMyOrg"]  # the provider's default audience
    assert {x.required_resource_apps for x in LIMITS.values()} == {50}


def test_breaches_name_the_key_and_the_source() -> None:
    found = app_breaches("AzureADandPersonalMicrosoftAccount", 101, {"Microsoft Graph": 31})
    assert [b.key for b in found] == ["web.redirectUris", "requiredResourceAccess[Microsoft Graph]"]
    assert "Redirect URI (reply URL) restrictions" in found[0].message()
    assert "Validation differences by supported account types" in found[1].message()
    assert app_breaches("AzureADMyOrg", 256, {"Microsoft Graph": 31}) == []
    assert [b.key for b in app_breaches("AzureADMyOrg", 257, {})] == ["web.redirectUris"]
    apis = {f"api{i}": 1 for i in range(51)}
    assert [b.what for b in app_breaches("AzureADMyOrg", 1, apis, other_tenant_resources=11)] == [
        "APIs",
        "APIs from other tenants",
    ]
    total = [
        b.what
        for b in app_breaches(
            "AzureADandPersonalMicrosoftAccount", 1, {f"api{i}": 25 for i in range(9)}
        )
    ]
    assert total == ["permissions over all APIs"]  # 225 > 200, each API under 30
    assert secret_breach("AzureADandPersonalMicrosoftAccount", 3) is not None
    assert secret_breach("AzureADandPersonalMicrosoftAccount", 2) is None
    assert secret_breach("AzureADMultipleOrgs", 40) is None


def _with_base_urls(count: int, audience: str) -> dict[str, Any]:
    config = example_config()
    config["odoo-outlook:app"]["signInAudience"] = audience
    config["odoo-outlook:targets"][0]["baseUrls"] = [
        f"https://erp{i}.example.com" for i in range(count)
    ]
    return config


def test_config_refuses_more_redirect_uris_than_the_audience_allows() -> None:
    with pytest.raises(ConfigErrors) as caught:
        parse_config(_with_base_urls(101, "AzureADandPersonalMicrosoftAccount"))
    (error,) = caught.value.errors
    assert error.key == "odoo-outlook:targets"
    assert "101 redirect URIs (web.redirectUris)" in error.problem
    assert "at most 100" in error.problem
    assert parse_config(_with_base_urls(100, "AzureADandPersonalMicrosoftAccount"))
    # Work-or-school audiences accept up to 256.
    assert parse_config(_with_base_urls(256, "AzureADMyOrg"))
    with pytest.raises(ConfigErrors, match="at most 256"):
        parse_config(_with_base_urls(257, "AzureADMultipleOrgs"))


def test_repeated_base_urls_across_targets_count_once() -> None:
    config = _with_base_urls(100, "AzureADandPersonalMicrosoftAccount")
    second = dict(config["odoo-outlook:targets"][0], name="erp-copy")
    second.pop("connection")
    config["odoo-outlook:targets"].append(second)
    assert len(desired_state(parse_config(config), NOW).app.redirect_uris) == 100


def test_plan_reports_the_limits_and_refuses_a_breach() -> None:
    state = desired_state(parse_config(example_config()), NOW)
    limits = describe_stack(state, "dev")["entraLimits"]
    assert limits["passwordCredentials"] == {
        "limit": 2,
        "atMostAtAnyInstant": 2,
        "replacement": "delete-before-create",
    }
    assert limits["redirectUris"] == {"declared": 1, "limit": 100}
    assert limits["permissionsPerResource"]["limit"] == 30
    assert limits["breaches"] == []
    # 31 delegated permissions on Microsoft Graph: over the per-API limit for personal accounts.
    many = dataclasses.replace(
        state, app=dataclasses.replace(state.app, scopes=tuple(f"Scope{i}" for i in range(31)))
    )
    assert [b.key for b in limit_breaches(many)] == ["requiredResourceAccess[Microsoft Graph]"]
    work = dataclasses.replace(
        many,
        app=dataclasses.replace(
            many.app, sign_in_audience=type(state.app.sign_in_audience)("AzureADMyOrg")
        ),
    )
    assert limit_breaches(work) == []


def test_plan_command_exits_2_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _with_base_urls(101, "AzureADandPersonalMicrosoftAccount")
    (tmp_path / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": config}))
    assert main(["plan", "--stack", "dev", "--project-dir", str(tmp_path), "--json"]) == 2
    err = capsys.readouterr().err
    assert "odoo-outlook:targets" in err and "at most 100" in err
    config = _with_base_urls(3, "AzureADandPersonalMicrosoftAccount")
    (tmp_path / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": config}))
    assert main(["plan", "--stack", "dev", "--project-dir", str(tmp_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["entraLimits"]["redirectUris"]["declared"] == 3
