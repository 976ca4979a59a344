"""Stack configuration: valid input normalised, invalid input refused with the key and the fix."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from odoo_outlook.cli import main
from odoo_outlook.config import SignInAudience, parse_config
from tests.paths import ROOT

EXAMPLE = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())

Mutation = Callable[[dict[str, Any]], None]


def _target(c: dict[str, Any]) -> dict[str, Any]:
    return c["odoo-outlook:targets"][0]


def _set(path: list[Any], value: Any) -> Mutation:
    def mutate(config: dict[str, Any]) -> None:
        node: Any = config
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return mutate


def _delete(key: str) -> Mutation:
    return lambda config: config.pop(key)


T = "odoo-outlook:targets"
INVALID: list[tuple[str, Mutation, str]] = [
    (
        "http redirect on a public host",
        _set([T, 0, "baseUrls", 0], "http://erp.example.com"),
        "odoo-outlook:targets[0].baseUrls[0]",
    ),
    (
        "unknown audience",
        _set(["odoo-outlook:app", "signInAudience"], "AzureADEveryone"),
        "odoo-outlook:app.signInAudience",
    ),
    ("empty targets", _set([T], []), "odoo-outlook:targets"),
    ("no targets at all", _delete(T), "odoo-outlook:targets"),
    (
        "duplicate mailbox",
        _set([T, 0, "mail", "users", 1], "notifications@example.com"),
        "odoo-outlook:targets[0].mail.users",
    ),
    (
        "malformed e-mail",
        _set([T, 0, "mail", "users", 1], "bob(at)example.com"),
        "odoo-outlook:targets[0].mail.users[1]",
    ),
    ("unknown top-level key", _set(["odoo-outlook:colour"], "blue"), "odoo-outlook:colour"),
    (
        "misspelt nested key",
        _set(["odoo-outlook:app", "displayname"], "Odoo"),
        "odoo-outlook:app.displayname",
    ),
    (
        "wrong type: number",
        _set(["odoo-outlook:secret", "rotationDays"], "ninety"),
        "odoo-outlook:secret.rotationDays",
    ),
    (
        "wrong type: boolean",
        _set(["odoo-outlook:app", "assignmentRequired"], "maybe"),
        "odoo-outlook:app.assignmentRequired",
    ),
    (
        "wrong type: list",
        _set([T, 0, "baseUrls"], "https://erp.example.com"),
        "odoo-outlook:targets[0].baseUrls",
    ),
    (
        "secret outlives the maximum",
        _set(["odoo-outlook:secret", "rotationDays"], 200),
        "odoo-outlook:secret.rotationDays",
    ),
    (
        "maximum above Entra's 24 months",
        _set(["odoo-outlook:secret", "maxLifetimeDays"], 1000),
        "odoo-outlook:secret.maxLifetimeDays",
    ),
    (
        "plain password in config",
        _set([T, 0, "connection", "password"], "hunter2"),
        "odoo-outlook:targets[0].connection.password",
    ),
    ("target name not a slug", _set([T, 0, "name"], "ERP Prod"), "odoo-outlook:targets[0].name"),
    (
        "duplicate target names",
        lambda c: c[T].append(copy.deepcopy(c[T][0])),
        "odoo-outlook:targets",
    ),
    (
        "redirect URI given as base URL",
        _set([T, 0, "baseUrls", 0], "https://erp.example.com/microsoft_outlook/confirm"),
        "odoo-outlook:targets[0].baseUrls[0]",
    ),
    (
        "tenant id not a GUID",
        _set(["odoo-outlook:app", "tenantId"], "contoso"),
        "odoo-outlook:app.tenantId",
    ),
    (
        "perUser without users",
        _set([T, 0, "mail", "users"], []),
        "odoo-outlook:targets[0].mail.users",
    ),
    (
        "password for an unknown target",
        _set(["odoo-outlook:odooPasswords"], {"crm": {"secure": "v1:AAAA"}}),
        "odoo-outlook:odooPasswords",
    ),
    (
        "unknown transport",
        _set([T, 0, "connection", "transport"], "soap"),
        "odoo-outlook:targets[0].connection.transport",
    ),
    (
        "forcedAt not a timestamp",
        _set(["odoo-outlook:secret", "forcedAt"], "yesterday"),
        "odoo-outlook:secret.forcedAt",
    ),
    (
        "user not an e-mail nor an object id",
        _set(["odoo-outlook:assignments", "users"], ["bob"]),
        "odoo-outlook:assignments.users[0]",
    ),
    (
        "base URL not a URL",
        _set([T, 0, "baseUrls", 0], "erp.example.com"),
        "odoo-outlook:targets[0].baseUrls[0]",
    ),
    (
        "Odoo API over plain http",
        _set([T, 0, "connection", "url"], "http://10.1.2.3:8069"),
        "odoo-outlook:targets[0].connection.url",
    ),
]


def test_plain_http_api_allowed_when_asked() -> None:
    config = copy.deepcopy(EXAMPLE["config"])
    _target(config)["connection"] |= {"url": "http://10.1.2.3:8069/", "allowInsecureHttp": True}
    assert parse_config(config).targets[0].odoo_url == "http://10.1.2.3:8069"


def write_stack(tmp_path: Path, config: dict[str, Any], name: str = "case") -> Path:
    path = tmp_path / f"Pulumi.{name}.yaml"
    path.write_text(yaml.safe_dump({"config": config}))
    return path


@pytest.mark.parametrize(("case", "mutate", "key"), INVALID, ids=[c[0] for c in INVALID])
def test_invalid_configuration_exits_2_naming_the_key(
    case: str, mutate: Mutation, key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = copy.deepcopy(EXAMPLE["config"])
    mutate(config)
    write_stack(tmp_path, config)
    code = main(["plan", "--stack", "case", "--project-dir", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 2, case
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert any(line.startswith(f"error: {key}: ") for line in lines), captured.err
    assert all("fix:" in line for line in lines), captured.err
    assert "Traceback" not in captured.err


def test_invalid_yaml_and_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "Pulumi.broken.yaml").write_text("config:\n  odoo-outlook:app: [\n")
    assert main(["plan", "--stack", "broken", "--project-dir", str(tmp_path)]) == 2
    assert "not valid YAML at line" in capsys.readouterr().err
    assert main(["plan", "--stack", "absent", "--project-dir", str(tmp_path)]) == 2
    assert "Pulumi.absent.yaml does not exist" in capsys.readouterr().err


def test_debug_shows_the_traceback_and_keeps_the_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = copy.deepcopy(EXAMPLE["config"])
    config["odoo-outlook:app"]["signInAudience"] = "Nobody"
    write_stack(tmp_path, config)
    assert main(["--debug", "plan", "--stack", "case", "--project-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert "signInAudience" in err


def test_base_urls_are_normalised_and_deduplicated() -> None:
    config = copy.deepcopy(EXAMPLE["config"])
    _target(config)["baseUrls"] = [
        "https://ERP.example.com/",
        "https://erp.example.com",
        " https://erp.example.com/odoo/ ",
        "http://127.0.0.1:8069/",
    ]
    parsed = parse_config(config)
    assert parsed.targets[0].base_urls == [
        "https://erp.example.com",
        "https://erp.example.com/odoo",
        "http://127.0.0.1:8069",
    ]


def test_defaults_follow_the_manual() -> None:
    parsed = parse_config(
        {
            T: [
                {
                    "name": "erp",
                    "baseUrls": ["https://erp.example.com"],
                    "mail": {"notifications": "notifications@example.com"},
                }
            ]
        }
    )
    assert parsed.app.display_name == "Odoo"
    assert parsed.app.sign_in_audience is SignInAudience.ORGS_AND_PERSONAL
    assert parsed.app.assignment_required is True
    assert parsed.secret.display_name == "Odoo Fetchmail"
    assert parsed.secret.rotation_days == 90
    assert parsed.targets[0].password_env == "ODOO_ERP_PASSWORD"


def test_provider_tenant_is_the_app_tenant() -> None:
    parsed = parse_config(EXAMPLE["config"])
    assert parsed.app.tenant_id == EXAMPLE["config"]["azuread:tenantId"]


def test_encrypted_values_stay_masked(tmp_path: Path) -> None:
    config = copy.deepcopy(EXAMPLE["config"])
    config["odoo-outlook:odooPasswords"] = {"erp": {"secure": "v1:AAAAbase64ciphertext=="}}
    write_stack(tmp_path, config)
    from odoo_outlook.config import ENCRYPTED, load_stack_file

    parsed = load_stack_file(tmp_path / "Pulumi.case.yaml")
    assert parsed.odoo_passwords["erp"].get_secret_value() == ENCRYPTED
    assert "v1:AAAA" not in repr(parsed)
