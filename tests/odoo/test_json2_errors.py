"""Every failure over JSON-2 through the CLI: exit code 2, one line naming the HTTP status and
Odoo's error, no traceback, no key; `--transport json2` where JSON-2 cannot work writes nothing."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from odoo_outlook.cli import main
from odoo_outlook.odoo import OdooAccessRights, sync_target
from tests.fakes.odoo_server import (
    DEFAULT_ADMIN_API_KEY,
    DEFAULT_DEMO_API_KEY,
    AccessDenied,
    FakeOdoo,
    UserError,
)
from tests.odoo_sync_helpers import (
    APP,
    CLIENT_SECRET,
    PASSWORD,
    cli_args,
    free_port,
    run_sync_cli,
    spec,
    stack,
    write_project,
)

WRONG_KEY = "0badc0de" * 5


@pytest.fixture
def odoo() -> Any:
    with FakeOdoo("19.0") as server:
        yield server


# case: (texts the one line must hold)
CASES: dict[str, tuple[str, ...]] = {
    "unreachable": ("connection refused",),
    "unknown-database": ("does not exist", "HTTP 404"),
    "bad-key": ("rejected login 'admin'", "HTTP 401 Invalid apikey", "API key"),
    "password-not-key": ("rejected login", "HTTP 401", "not shaped like an Odoo API key",
                         "--transport xmlrpc"),
    "access-rights": ("user 'demo' may not", "HTTP 403", "Administration"),
    "user-error": ("refused to load", "Nope, said Odoo.", "HTTP 422"),
    "server-error": ("ValueError", "Invalid field 'x'", "HTTP 500"),
    "no-credential": ("export ODOO_ERP_PASSWORD",),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_error_is_one_line_exit_2_without_secrets(
        case: str, odoo: FakeOdoo, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    url, credential, kwargs = odoo.url, DEFAULT_ADMIN_API_KEY, {}
    if case == "unreachable":
        url = f"http://127.0.0.1:{free_port()}"
    elif case == "unknown-database":
        kwargs = {"database": "nope"}
    elif case == "bad-key":
        credential = WRONG_KEY
    elif case == "password-not-key":
        credential = PASSWORD
    elif case == "access-rights":
        kwargs, credential = {"login": "demo"}, DEFAULT_DEMO_API_KEY
    elif case == "user-error":
        odoo.inject_failure(UserError("Nope, said Odoo."), model="ir.mail_server",
                            method="load")
    elif case == "server-error":
        odoo.inject_failure(ValueError("Invalid field 'x' on model 'ir.mail_server'"),
                            model="ir.mail_server", method="load")
    elif case == "no-credential":
        credential = None  # type: ignore[assignment]
    code, out, err = run_sync_cli(tmp_path, stack(url, transport="json2", **kwargs), capsys,
                          monkeypatch, credential)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for text in CASES[case]:
        assert text in lines[0], lines[0]
    assert "Traceback" not in err and "File \"" not in err
    everything = out + err + caplog.text
    assert CLIENT_SECRET not in everything
    if credential:
        assert credential not in everything
    assert odoo.count(transport="xmlrpc") == 0
    if case not in ("user-error", "server-error"):
        assert odoo.write_calls() == []


@pytest.mark.parametrize("version", ["15.0", "17.0", "18.0"])
def test_json2_on_a_server_without_it_fails_before_any_write(
        version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeOdoo(version) as odoo:
        code, out, err = run_sync_cli(tmp_path, stack(odoo.url), capsys, monkeypatch,
                              DEFAULT_ADMIN_API_KEY, "--transport", "json2")
        assert code == 2
        [line] = err.strip().splitlines()
        assert "offers no JSON-2 API" in line and "--transport xmlrpc" in line
        assert odoo.write_calls() == []
        assert [(c.transport, c.method) for c in odoo.calls] == [("http", "version")]
        assert DEFAULT_ADMIN_API_KEY not in out + err


def test_json2_without_an_api_key_writes_nothing(
        odoo: FakeOdoo, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run_sync_cli(tmp_path, stack(odoo.url), capsys, monkeypatch, PASSWORD,
                          "--transport", "json2")
    assert code == 2 and "JSON-2 takes an API key, never a password" in err
    assert odoo.write_calls() == [] and odoo.count(transport="xmlrpc") == 0
    # The same stack and password over the default transport works.
    code, _, err = run_sync_cli(tmp_path, stack(odoo.url), capsys, monkeypatch, PASSWORD)
    assert code == 0, err


def test_the_cli_option_overrides_the_stack(
        odoo: FakeOdoo, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    raw = stack(odoo.url, transport="json2")
    code, _, err = run_sync_cli(tmp_path, raw, capsys, monkeypatch, PASSWORD,
                                "--transport", "xmlrpc")
    assert code == 0, err
    assert odoo.count(transport="json2") == 0 and odoo.count(transport="xmlrpc") > 0


def test_admin_only_method_refused_to_a_valid_key_is_an_access_error(odoo: FakeOdoo) -> None:
    odoo.db().set_module_state("microsoft_outlook", "uninstalled")
    odoo.inject_failure(AccessDenied(), model="ir.module.module",
                        method="button_immediate_install")
    with pytest.raises(OdooAccessRights, match=r"may not button_immediate_install.*HTTP 403"):
        sync_target(spec(stack(odoo.url, transport="json2")), APP, DEFAULT_ADMIN_API_KEY)


def test_key_and_secret_never_appear_anywhere(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with FakeOdoo("19.0") as odoo:
        raw = stack(odoo.url, mode="perUser", users=("alice@example.com",),
                    incoming=("catchall@example.com",), transport="json2")
        texts = []
        for extra in (("--dry-run",), (), ("--json",), ("--dry-run", "--json")):
            code, out, err = run_sync_cli(tmp_path, raw, capsys, monkeypatch, DEFAULT_ADMIN_API_KEY,
                                  *extra)
            assert code == 0, err
            texts.append(out + err)
        # A failure whose Odoo text echoes the key and the secret is redacted too.
        odoo.inject_failure(UserError(f"bad value {CLIENT_SECRET} / {DEFAULT_ADMIN_API_KEY}"),
                            model="ir.config_parameter", method="write")
        write_project(tmp_path, raw)
        rotated = (tmp_path / "outputs.json").read_text().replace(CLIENT_SECRET, "other-secret")
        (tmp_path / "outputs.json").write_text(rotated)
        code = main(cli_args(tmp_path))
        captured = capsys.readouterr()
        assert code == 2 and "HTTP 422" in captured.err
        texts.append(captured.out + captured.err)
    everything = "\n".join(texts) + caplog.text
    assert CLIENT_SECRET not in everything
    assert DEFAULT_ADMIN_API_KEY not in everything
