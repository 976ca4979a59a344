"""JSON-2 beyond the per-case table (test_transport_errors.py): `--transport json2` where JSON-2
cannot work writes nothing, the CLI option, admin-only methods."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from odoo_outlook.odoo.errors import OdooAccessRights
from odoo_outlook.odoo.sync import sync_target
from tests.fakes.odoo_server import (
    DEFAULT_ADMIN_API_KEY,
    AccessDenied,
    FakeOdoo,
)
from tests.odoo_sync_helpers import (
    APP,
    PASSWORD,
    run_sync_cli,
    spec,
    stack,
)


@pytest.fixture
def odoo() -> Any:
    with FakeOdoo("19.0") as server:
        yield server


@pytest.mark.parametrize("version", ["15.0", "17.0", "18.0"])
def test_json2_on_a_server_without_it_fails_before_any_write(
    version: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with FakeOdoo(version) as odoo:
        code, out, err = run_sync_cli(
            tmp_path,
            stack(odoo.url),
            capsys,
            monkeypatch,
            DEFAULT_ADMIN_API_KEY,
            "--transport",
            "json2",
        )
        assert code == 2
        [line] = err.strip().splitlines()
        assert "offers no JSON-2 API" in line and "--transport xmlrpc" in line
        assert odoo.write_calls() == []
        assert [(c.transport, c.method) for c in odoo.calls] == [("http", "version")]
        assert DEFAULT_ADMIN_API_KEY not in out + err


def test_json2_without_an_api_key_writes_nothing(
    odoo: FakeOdoo,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _, err = run_sync_cli(
        tmp_path, stack(odoo.url), capsys, monkeypatch, PASSWORD, "--transport", "json2"
    )
    assert code == 2 and "JSON-2 takes an API key, never a password" in err
    assert odoo.write_calls() == [] and odoo.count(transport="xmlrpc") == 0
    # The same stack and password over the default transport works.
    code, _, err = run_sync_cli(tmp_path, stack(odoo.url), capsys, monkeypatch, PASSWORD)
    assert code == 0, err


def test_the_cli_option_overrides_the_stack(
    odoo: FakeOdoo,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = stack(odoo.url, transport="json2")
    code, _, err = run_sync_cli(
        tmp_path, raw, capsys, monkeypatch, PASSWORD, "--transport", "xmlrpc"
    )
    assert code == 0, err
    assert odoo.count(transport="json2") == 0 and odoo.count(transport="xmlrpc") > 0


def test_admin_only_method_refused_to_a_valid_key_is_an_access_error(odoo: FakeOdoo) -> None:
    odoo.db().set_module_state("microsoft_outlook", "uninstalled")
    odoo.inject_failure(AccessDenied(), model="ir.module.module", method="button_immediate_install")
    with pytest.raises(OdooAccessRights, match=r"may not button_immediate_install.*HTTP 403"):
        sync_target(spec(stack(odoo.url, transport="json2")), APP, DEFAULT_ADMIN_API_KEY)
