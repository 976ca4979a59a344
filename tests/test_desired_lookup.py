"""Looking a target up by name: the stack config and the desired state answer the same way,
so a command can go from `--target` straight to the declared state."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from odoo_outlook.config import parse_config
from odoo_outlook.desired import desired_state, target_specs
from odoo_outlook.errors import ConfigError
from tests.odoo_sync_helpers import stack

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _two_targets() -> dict[str, object]:
    raw = stack("https://erp.example.com", base_urls=("https://erp.example.com",))
    other = {**raw["targets"][0], "name": "shop", "baseUrls": ["https://shop.example.com"]}
    other["connection"] = {**other["connection"], "database": "shop"}
    raw["targets"] = [raw["targets"][0], other]
    return raw


def test_desired_state_finds_a_target_by_name() -> None:
    state = desired_state(parse_config(_two_targets()), NOW)
    assert state.target("shop").name == "shop"
    assert state.target("shop").connection.database == "shop"  # type: ignore[union-attr]


def test_unknown_name_is_the_same_error_from_config_and_desired_state() -> None:
    config = parse_config(_two_targets())
    with pytest.raises(ConfigError) as from_config:
        config.target("nope")
    with pytest.raises(ConfigError) as from_state:
        desired_state(config, NOW).target("nope")
    assert from_state.value.message == from_config.value.message
    wanted = "--target: no target named 'nope' (fix: use one of erp, shop)"
    assert from_state.value.message == wanted


def test_target_specs_follow_the_names_given_or_the_stack_order() -> None:
    config = parse_config(_two_targets())
    assert [s.name for s in target_specs(config)] == ["erp", "shop"]
    assert [s.name for s in target_specs(config, ["shop", "erp"])] == ["shop", "erp"]
    assert target_specs(config, ["shop"]) == [desired_state(config, NOW).target("shop")]
    with pytest.raises(ConfigError, match="no target named 'nope'"):
        target_specs(config, ["erp", "nope"])
