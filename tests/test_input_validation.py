"""Values that are not what they claim to be are refused, naming the key and the fix (issue 13,
kind 2): URLs (yarl + idna), e-mails (email-validator), the stack file read strictly, strict
types, secret-only keys, tenant ids, stack outputs, repeated `--target`, `--at`, unreadable
and non-UTF-8 files. Every refusal is one line per problem and exit 2."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from odoo_outlook.cli import main
from odoo_outlook.config import load_stack_file, parse_config, require_secrets
from odoo_outlook.errors import ConfigError, ConfigErrors
from odoo_outlook.stack_outputs import parse_stack_outputs
from odoo_outlook.urls import normalise_email, normalise_url
from tests.fakes.odoo_server import FakeOdoo
from tests.odoo_sync_helpers import CLIENT_ID, run_sync_cli, stack
from tests.paths import ROOT

EXAMPLE = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())
T = "odoo-outlook:targets"


def plan(
    tmp_path: Path, config: dict[str, Any], capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, str, str]:
    (tmp_path / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": config}))
    code = main(["plan", "--project-dir", str(tmp_path), *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def with_base_urls(*urls: str) -> dict[str, Any]:
    config = copy.deepcopy(EXAMPLE["config"])
    config[T][0]["baseUrls"] = list(urls)
    return config


# --------------------------------------------------------------------------- URLs

BAD_URLS = [
    ("https://user:pw@erp.example.com", "credentials"),
    ("https://erp.example.com:99999", "Port out of range"),
    ("https://erp.example.com:abc", "port"),
    ("https://erp.example.com:0", "port 0"),
    ("https://erp example.com", "space"),
    ("https://*.example.com", "wildcard"),
    ("https://erp.example.com.", "trailing dot"),
    ("https://erp.example.com\\odoo", "backslash"),
    ("https://erp.example.com/a/../odoo", "'..' path segment"),
    ("https://erp.example.com/%2e%2e/odoo", "'..' path segment"),
    ("https://erp_1.example.com", "invalid host name"),
    ("erp.example.com", "not an absolute http(s) URL"),
    ("ftp://erp.example.com", "not an absolute http(s) URL"),
    ("https://erp.example.com/?db=x", "query or fragment"),
    ("https://" + "a" * 64 + ".example.com", "invalid host name"),
]


@pytest.mark.parametrize(("url", "problem"), BAD_URLS, ids=[u for u, _ in BAD_URLS])
def test_bad_base_urls_are_refused_naming_the_key(
    url: str, problem: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = plan(tmp_path, with_base_urls("https://ok.example.com", url), capsys)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"error: {T}[0].baseUrls[1]: ")
    assert problem in lines[0]
    assert "fix:" in lines[0]
    assert "pw@" not in err


@pytest.mark.parametrize("url", [u for u, _ in BAD_URLS])
def test_bad_connection_urls_are_refused_too(url: str) -> None:
    config = copy.deepcopy(EXAMPLE["config"])
    config[T][0]["connection"]["url"] = url
    with pytest.raises(ConfigErrors) as caught:
        parse_config(config)
    assert caught.value.errors[0].key == f"{T}[0].connection.url"
    assert "pw@" not in caught.value.message


def test_equivalent_urls_collapse_to_one_redirect_uri(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = with_base_urls(
        "https://erp.example.com",
        "https://ERP.Example.COM:443/",
        "https://bücher.example",
        "https://xn--bcher-kva.example:443",
        "https://erp.example.com:8443/odoo/",
    )
    code, out, err = plan(tmp_path, config, capsys, "--json")
    assert code == 0, err
    assert json.loads(out)["appRegistration"]["redirectUris"] == [
        "https://erp.example.com/microsoft_outlook/confirm",
        "https://xn--bcher-kva.example/microsoft_outlook/confirm",
        "https://erp.example.com:8443/odoo/microsoft_outlook/confirm",
    ]


def test_normalise_url_forms() -> None:
    assert normalise_url("http://LOCALHOST:80/") == "http://localhost"
    assert normalise_url("http://127.0.0.1:8069/odoo/") == "http://127.0.0.1:8069/odoo"
    assert normalise_url("http://[::1]:8069") == "http://[::1]:8069"
    assert normalise_url("https://erp.example.com:80") == "https://erp.example.com:80"


def test_redirect_uri_over_256_characters_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Entra: a redirect URI holds at most 256 characters; ours adds /microsoft_outlook/confirm.
    fits = "https://erp.example.com/" + "p" * (256 - 26 - 24)
    assert len(fits + "/microsoft_outlook/confirm") == 256
    code, _, err = plan(tmp_path, with_base_urls(fits), capsys)
    assert code == 0, err
    code, out, err = plan(tmp_path, with_base_urls(fits + "p"), capsys)
    assert code == 2 and out == ""
    assert f"{T}[0].baseUrls[0]" in err and "257 characters" in err and "256" in err


# --------------------------------------------------------------------------- e-mail


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("a..b@example.com", "two periods in a row"),
        (".alice@example.com", "cannot start with a period"),
        ("a" * 65 + "@example.com", "too long before the @-sign"),
        ("alice@example", "domain"),
        ("alice", "@-sign"),
        ("alice@exa mple.com", "not an e-mail address"),
    ],
)
def test_bad_email_addresses_are_refused(
    address: str, problem: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = copy.deepcopy(EXAMPLE["config"])
    config[T][0]["mail"]["users"][1] = address
    code, out, err = plan(tmp_path, config, capsys)
    assert code == 2 and out == ""
    assert err.startswith(f"error: {T}[0].mail.users[1]: ")
    assert problem in err


def test_email_normalisation() -> None:
    assert normalise_email(" Alice@Example.COM ") == "Alice@example.com"
    assert normalise_email("info@bücher.example") == "info@xn--bcher-kva.example"


# --------------------------------------------------------------------------- strict types


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("odoo-outlook:secret", "rotationDays", True),
        ("odoo-outlook:secret", "graceDays", "14"),
        ("odoo-outlook:app", "assignmentRequired", 1),
        ("odoo-outlook:app", "adminConsent", "yes"),
    ],
)
def test_booleans_are_not_numbers_and_back(
    section: str, key: str, value: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = copy.deepcopy(EXAMPLE["config"])
    config[section][key] = value
    code, _, err = plan(tmp_path, config, capsys)
    assert code == 2
    assert err.startswith(f"error: {section}.{key}: expected ")


def test_timeout_seconds_is_a_positive_number() -> None:
    for bad in (True, 0, "30"):
        config = copy.deepcopy(EXAMPLE["config"])
        config[T][0]["connection"]["timeoutSeconds"] = bad
        with pytest.raises(ConfigErrors, match=r"connection\.timeoutSeconds"):
            parse_config(config)
    config[T][0]["connection"]["timeoutSeconds"] = 2.5
    assert parse_config(config).targets[0].connection.timeout_seconds == 2.5  # type: ignore


# --------------------------------------------------------------------------- tenant


@pytest.mark.parametrize(
    "tenant",
    [
        "{8f2c1a7e-4b9d-4e3a-9c61-2d5f0e7b1a44}",
        "8f2c1a7e4b9d4e3a9c612d5f0e7b1a44",
        "urn:uuid:8f2c1a7e-4b9d-4e3a-9c61-2d5f0e7b1a44",
        "contoso.onmicrosoft.com",
    ],
)
def test_tenant_id_must_be_a_plain_guid(tenant: str) -> None:
    config = copy.deepcopy(EXAMPLE["config"])
    config["azuread:tenantId"] = tenant
    with pytest.raises(ConfigErrors) as caught:
        parse_config(config)
    assert caught.value.errors[0].key == "odoo-outlook:app.tenantId"


def test_single_tenant_app_without_tenant_id_plan_warns_and_sync_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = copy.deepcopy(EXAMPLE["config"])
    del config["azuread:tenantId"]
    config["odoo-outlook:app"]["signInAudience"] = "AzureADMyOrg"
    code, _out, err = plan(tmp_path, config, capsys)
    assert code == 0
    assert err.startswith("warning: odoo-outlook:app.tenantId: ")
    assert "azuread:tenantId" in err and "`sync` refuses" in err
    with FakeOdoo("17.0") as odoo:
        code, _out, err = run_sync_cli(
            tmp_path,
            stack(odoo.url, audience="AzureADMyOrg") | {"app": {"signInAudience": "AzureADMyOrg"}},
            capsys,
            monkeypatch,
            "admin",
        )
        assert code == 2
        assert err.startswith("error: odoo-outlook:app.tenantId: ")
        assert odoo.calls == []


# --------------------------------------------------------------------------- the stack file


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "Pulumi.dev.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


BASE = yaml.safe_dump({"config": EXAMPLE["config"]}, sort_keys=False)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (BASE + "  odoo-outlook:targets: []\n", "written twice"),
        (
            BASE.replace("    rotationDays: 90\n", "    rotationDays: 90\n    rotationDays: 30\n"),
            "'rotationDays' is written twice",
        ),
        (BASE + "  odoo-outlok:secret: {rotationDays: 30}\n", "did you mean odoo-outlook:"),
        (BASE + "  Odoo-Outlook:app: {}\n", "namespace 'Odoo-Outlook'"),
        (BASE.replace("    rotationDays: 90\n", "    rotationDays: 90\n    7: x\n"), "read as int"),
        (
            BASE.replace("    rotationDays: 90\n", "    rotationDays: 90\n    yes: x\n"),
            "read as bool",
        ),
    ],
)
def test_stack_file_is_read_strictly_naming_the_line(
    text: str,
    problem: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write(tmp_path, text)
    code = main(["plan", "--project-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: --stack (Pulumi.dev.yaml) line ")
    assert problem in err
    assert len(err.strip().splitlines()) == 1


def test_duplicate_key_error_names_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "config:\n  a:b: 1\n  a:b: 2\n")
    with pytest.raises(ConfigError) as caught:
        load_stack_file(path)
    assert caught.value.key == "--stack (Pulumi.dev.yaml) line 3"
    assert "first on line 2" in caught.value.problem


def test_other_namespaces_are_left_alone(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "  aws:region: eu-west-1\n  azure-native:location: x\n")
    assert load_stack_file(path).targets[0].name == "erp"


def test_non_utf8_stack_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, BASE.encode() + b"  # caf\xe9\n")
    assert main(["plan", "--project-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "error: --stack (Pulumi.dev.yaml): " in err and "is not UTF-8" in err
    assert f"line {BASE.count(chr(10)) + 1}" in err and "save the file as UTF-8" in err
    assert "unexpected" not in err


def test_unreadable_stack_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, BASE)

    def denied(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    # The tests run as root, for whom chmod 000 changes nothing: refuse the read itself.
    monkeypatch.setattr(Path, "read_bytes", denied)
    assert main(["plan", "--project-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"error: --stack (Pulumi.dev.yaml): {path} cannot be read (permission denied)" in err
    assert "unexpected" not in err


def test_stack_file_that_is_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "Pulumi.dev.yaml").mkdir()
    assert main(["plan", "--project-dir", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


# --------------------------------------------------------------------------- secret-only keys


def test_plain_odoo_password_in_the_stack_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = copy.deepcopy(EXAMPLE["config"])
    config["odoo-outlook:odooPasswords"] = {"erp": "Plain-Text-Pa55"}
    code, out, err = plan(tmp_path, config, capsys)
    assert code == 2 and out == ""
    assert err.startswith("error: odoo-outlook:odooPasswords.erp: is plain text")
    assert "pulumi config set --secret --path 'odooPasswords.erp'" in err
    assert "Plain-Text-Pa55" not in err


def test_plain_odoo_password_in_the_program_is_refused() -> None:
    raw = {"odoo-outlook:odooPasswords": {"erp": "Plain-Text-Pa55"}}
    with pytest.raises(ConfigError) as caught:
        require_secrets(raw, secret_keys=set())
    assert caught.value.key == "odoo-outlook:odooPasswords"
    assert "Plain-Text-Pa55" not in caught.value.message
    require_secrets(raw, secret_keys={"odoo-outlook:odooPasswords"})


def test_the_program_reads_the_engines_secret_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    from components.stack import secret_config_keys

    raw = {"odoo-outlook:odooPasswords": {"erp": "x"}, "odoo-outlook:app": {}}
    monkeypatch.setenv("PULUMI_CONFIG_SECRET_KEYS", '["odoo-outlook:odooPasswords"]')
    assert secret_config_keys(raw) == {"odoo-outlook:odooPasswords"}
    monkeypatch.delenv("PULUMI_CONFIG_SECRET_KEYS")
    assert "odoo-outlook:odooPasswords" not in secret_config_keys(raw)


# --------------------------------------------------------------------------- outputs, options


@pytest.mark.parametrize(
    ("field", "value"),
    [("clientId", "not-a-guid"), ("clientId", "{" + CLIENT_ID + "}"), ("tenantId", "contoso")],
)
def test_outputs_ids_must_be_guids(field: str, value: str) -> None:
    data = {"clientId": CLIENT_ID, "clientSecret": "s3cr3t-value", field: value}
    with pytest.raises(ConfigError) as caught:
        parse_stack_outputs(json.dumps(data), "outputs.json")
    assert caught.value.key == f"--outputs (outputs.json) {field}"


def test_sync_refuses_outputs_with_a_bad_client_id_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeOdoo("17.0") as odoo:
        outputs = tmp_path / "outputs.json"
        monkeypatch.setenv("ODOO_ERP_PASSWORD", "admin")
        from tests.odoo_sync_helpers import write_project

        write_project(tmp_path, stack(odoo.url))
        outputs.write_text(json.dumps({"clientId": "my-app", "clientSecret": "s3cr3t-value"}))
        code = main(["sync", "--project-dir", str(tmp_path), "--outputs", str(outputs)])
        err = capsys.readouterr().err
        assert code == 2
        assert "--outputs" in err and "clientId" in err and "not a GUID" in err
        assert odoo.calls == []


def test_outputs_file_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": EXAMPLE["config"]}))
    outputs = tmp_path / "outputs.json"
    outputs.write_bytes(b'{"clientId": "\xff"}')
    code = main(["sync", "--project-dir", str(tmp_path), "--outputs", str(outputs)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"error: --outputs ({outputs}): " in err and "is not UTF-8" in err


def test_repeated_target_runs_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeOdoo("17.0") as odoo:
        code, out, err = run_sync_cli(
            tmp_path,
            stack(odoo.url),
            capsys,
            monkeypatch,
            "admin",
            "--target",
            "erp",
            "--target",
            "erp",
            "--json",
        )
        assert code == 0, err
        assert [report["target"] for report in json.loads(out)] == ["erp"]
        assert odoo.count(method="authenticate") + odoo.count(method="login") == 1


@pytest.mark.parametrize("at", ["9999-12-31", "0001-01-01", "9999-12-31T23:59:59"])
def test_at_out_of_range_is_one_line(at: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--project-dir", str(ROOT), "--at", at]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --at: {at!r} is outside")
    assert len(err.strip().splitlines()) == 1


def test_outputs_on_stdin_not_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import sys

    (tmp_path / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": EXAMPLE["config"]}))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"clientId": "\xff"}')))
    assert main(["sync", "--project-dir", str(tmp_path), "--outputs", "-"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --outputs (stdin): is not UTF-8 text")


def _program_raw(**changes: Any) -> dict[str, Any]:
    raw = {f"odoo-outlook:{k}": v for k, v in stack("https://erp.example.com").items()}
    raw.update(changes)
    return raw


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        (
            _program_raw(**{"odoo-outlook:odooPasswords": {"erp": "Plain-Text-Pa55"}}),
            "odoo-outlook:odooPasswords",
        ),
        (
            _program_raw(**{"odoo-outlook:app": {"signInAudience": "AzureADMyOrg"}}),
            "odoo-outlook:app.tenantId",
        ),
    ],
)
def test_the_program_refuses_before_declaring_anything(
    raw: dict[str, Any], key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import components.stack as program

    monkeypatch.delenv("PULUMI_CONFIG_SECRET_KEYS", raising=False)
    monkeypatch.setattr(program, "raw_stack_config", lambda: raw)

    def no_build(*_args: Any) -> dict[str, Any]:
        raise AssertionError("resources declared despite invalid config")

    monkeypatch.setattr(program, "build", no_build)
    with pytest.raises(ConfigError) as caught:
        program.run()
    assert caught.value.key == key
    assert "Plain-Text-Pa55" not in caught.value.message


def test_doctor_client_id_option_must_be_a_guid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--project-dir", str(ROOT), "--client-id", "my-app"]) == 2
    assert capsys.readouterr().err.startswith("error: --client-id: 'my-app' is not a GUID")
