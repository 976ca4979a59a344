"""A canary secret fed through every input never shows in any output (issue 13, kind 3).

Inputs: the Odoo password (environment), an Odoo API key (environment, JSON-2), the client
secret (outputs file), a stack secret (`secure:` value), credentials in a URL, and Odoo error
texts of every length around the 300-character cut, over XML-RPC faults and JSON-2 errors.
Outputs: plan (table, --json, --debug), sync (table, --json, --dry-run, errors, --debug) and
doctor (table, --json). A leak is any 6 consecutive characters of a canary.
"""

from __future__ import annotations

import json
import xmlrpc.client
from pathlib import Path
from typing import Any

import pytest
import yaml

from odoo_outlook.cli import main
from odoo_outlook.masking import MASK, clean, mask
from odoo_outlook.odoo.errors import ErrorContext
from tests.doctor.doctor_env import ODOO_PASSWORD, Env, azure_cli, env  # noqa: F401 (fixtures)
from tests.fakes.odoo_server import FakeOdoo, UserError
from tests.odoo_sync_helpers import CLIENT_ID, TENANT, stack

PASSWORD = "CnRy-9f3Qz7Lk2Wx5-PaSsWd"
API_KEY = "c0ffee00c0ffee00c0ffee00c0ffee00deadbeef"  # Odoo's format: 40 hex digits
CLIENT_SECRET = "CnRy~Sec.8Gh2Jk4Lm6Np8Qr"
CIPHERTEXT = "v1:CnRyCiPhErTeXt0123456789=="
CANARIES = (PASSWORD, API_KEY, CLIENT_SECRET, CIPHERTEXT)
CUT = 300  # odoo_outlook.odoo.errors._MAX_DETAIL


def leaks(text: str, canaries: tuple[str, ...] = CANARIES) -> list[str]:
    """Every 6-character piece of a canary found in `text`."""
    return [c[i : i + 6] for c in canaries for i in range(len(c) - 5) if c[i : i + 6] in text]


def test_leaks_finds_a_cut_secret() -> None:
    assert leaks("... " + PASSWORD[:7] + "...")
    assert not leaks("nothing " + MASK)


# --------------------------------------------------------------------------- one function


def test_mask_before_cut_for_every_position_of_the_secret() -> None:
    for offset in range(CUT + 5):
        text = "x" * offset + PASSWORD + " tail"
        assert not leaks(clean(text, [PASSWORD], CUT)), offset
        assert len(clean(text, [PASSWORD], CUT)) <= CUT


def test_mask_longest_first_and_across_whitespace() -> None:
    assert mask("a PaSsWd-long b", ["PaSsWd", "PaSsWd-long"]) == f"a {MASK} b"
    # Folding whitespace happens after masking, so a secret with a newline still goes whole.
    assert clean("see: pass\nword!", ["pass\nword"]) == f"see: {MASK}!"


@pytest.mark.parametrize(
    "name",
    [
        "odoo.exceptions.UserError",
        "odoo.exceptions.AccessError",
        "odoo.exceptions.ValidationError",
        "psycopg2.DataError",
        "builtins.ValueError",
    ],
)
def test_odoo_error_texts_of_every_length_are_masked(name: str) -> None:
    context = ErrorContext("https://erp.example.com", "odoo", "admin", [PASSWORD, CLIENT_SECRET])
    for offset in range(CUT + 5):
        for secret in (PASSWORD, CLIENT_SECRET):
            message = "y" * offset + secret + " and more text after the secret"
            error = context.from_odoo_exception(name, message, "write ir.config_parameter")
            assert not leaks(error.message), (name, offset, error.message)


def test_xmlrpc_faults_of_every_length_are_masked() -> None:
    context = ErrorContext("https://erp.example.com", "odoo", "admin", [PASSWORD])
    for offset in range(CUT + 5):
        body = "z" * offset + PASSWORD
        for fault in (
            xmlrpc.client.Fault(2, body),  # UserError: bare message
            xmlrpc.client.Fault(4, body),  # AccessError
            xmlrpc.client.Fault(
                1, f'Traceback (most recent call last):\n  File "x", line 1\nValueError: {body}\n'
            ),
        ):
            error = context.from_fault(fault, "write")
            assert not leaks(error.message), (offset, fault.faultCode, error.message)


# --------------------------------------------------------------------------- end to end


def project(tmp_path: Path, odoo_url: str, *, transport: str = "xmlrpc") -> Path:
    raw = stack(odoo_url, transport=transport)
    config: dict[str, Any] = {f"odoo-outlook:{k}": v for k, v in raw.items()}
    config["odoo-outlook:odooPasswords"] = {"erp": {"secure": CIPHERTEXT}}
    (tmp_path / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": config}))
    outputs = tmp_path / "outputs.json"
    outputs.write_text(
        json.dumps({"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET, "tenantId": TENANT})
    )
    return outputs


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize(
    ("version", "transport", "credential"),
    [
        ("17.0", "xmlrpc", PASSWORD),
        ("19.0", "json2", API_KEY),
    ],
)
def test_every_sync_and_plan_output_mode_is_clean(
    version: str,
    transport: str,
    credential: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ODOO_ERP_PASSWORD", credential)
    kwargs = {"admin_api_key": API_KEY} if transport == "json2" else {"admin_password": PASSWORD}
    texts: list[str] = []
    with FakeOdoo(version, **kwargs) as odoo:
        outputs = project(tmp_path, odoo.url, transport=transport)
        base = ["--project-dir", str(tmp_path)]
        sync = ["sync", *base, "--outputs", str(outputs)]
        for extra in ([], ["--json"]):
            code, text = run(capsys, "plan", *base, *extra)
            assert code == 0, text
            texts.append(text)
        for extra in (["--dry-run"], ["--dry-run", "--json"], [], ["--json"]):
            code, text = run(capsys, *sync, *extra)
            assert code == 0, text
            texts.append(text)
        # Odoo errors echoing the secrets, the secret straddling the cut at every position
        # around it (the message is prefixed by Odoo's own words, so try a range).
        for offset in range(CUT - len(PASSWORD) - 40, CUT + 2, 3):
            for secret in (credential, CLIENT_SECRET):
                odoo.inject_failure(
                    UserError("w" * offset + secret), model="ir.config_parameter", times=1
                )
                for debug in ([], ["--debug"]):
                    monkeypatch.setenv("ODOO_ERP_PASSWORD", credential)
                    code, text = run(capsys, *debug, *sync, "--dry-run")
                    texts.append(text)
                    odoo.inject_failure(
                        UserError("w" * offset + secret), model="ir.config_parameter", times=1
                    )
                code, text = run(capsys, *sync, "--json")
                assert code == 2
                texts.append(text)
    assert any("refused" in t for t in texts)
    found = leaks("\n".join(texts))
    assert not found, found[:5]


def test_credentials_in_a_url_are_never_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = stack(f"https://admin:{PASSWORD}@erp.example.com")
    config = {f"odoo-outlook:{k}": v for k, v in raw.items()}
    config["odoo-outlook:targets"][0]["baseUrls"] = [f"https://bot:{PASSWORD}@odoo.example.com"]
    (tmp_path / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": config}))
    texts = []
    for extra in ([], ["--json"], ["--debug"]):
        code, text = run(capsys, "plan", "--project-dir", str(tmp_path), *extra)
        assert code == 2
        texts.append(text)
    joined = "\n".join(texts)
    assert "holds credentials" in joined
    assert not leaks(joined), leaks(joined)


def test_doctor_output_modes_are_clean(env: Env) -> None:  # noqa: F811 (fixture)
    canary = (ODOO_PASSWORD,)
    for offset in range(CUT - len(ODOO_PASSWORD) - 40, CUT + 2, 7):
        env.odoo.inject_failure(
            UserError("q" * offset + ODOO_PASSWORD), model="ir.module.module", times=2
        )
        for as_json in (True, False):
            result = env.run(as_json=as_json)
            assert result.code == 2
            text = result.out + result.err
            assert not leaks(text, canary), (offset, leaks(text, canary))
