"""Every failure class over both transports through the CLI: exit code 2, one line naming the
cause (over JSON-2 also the HTTP status and Odoo's error), no traceback, no secret; and the
secrets in every output mode over both transports."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from odoo_outlook.cli import main
from odoo_outlook.odoo.sync import sync_target
from tests.fakes.odoo_server import DEFAULT_ADMIN_API_KEY, DEFAULT_DEMO_API_KEY, FakeOdoo, UserError
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

# transport: (Odoo version, the admin's credential, a wrong one, the demo user's)
TRANSPORTS: dict[str, tuple[str, str, str, str]] = {
    "xmlrpc": ("17.0", PASSWORD, "wrong-password-123", "demo"),
    "json2": ("19.0", DEFAULT_ADMIN_API_KEY, "0badc0de" * 5, DEFAULT_DEMO_API_KEY),
}
# case: texts the one line must hold, per transport (a transport missing: not its case)
CASES: dict[str, dict[str, tuple[str, ...]]] = {
    "unreachable": {"xmlrpc": ("connection refused",), "json2": ("connection refused",)},
    "unknown-database": {"xmlrpc": ("does not exist",), "json2": ("does not exist", "HTTP 404")},
    "bad-credentials": {
        "xmlrpc": ("rejected login",),
        "json2": ("rejected login 'admin'", "HTTP 401 Invalid apikey", "API key"),
    },
    "access-rights": {
        "xmlrpc": ("may not",),
        "json2": ("user 'demo' may not", "HTTP 403", "Administration"),
    },
    "user-error": {
        "xmlrpc": ("refused to load",),
        "json2": ("refused to load", "Nope, said Odoo.", "HTTP 422"),
    },
    "server-error": {
        "xmlrpc": ("ValueError",),
        "json2": ("ValueError", "Invalid field 'x'", "HTTP 500"),
    },
    # The stack config already refuses it; the client refuses it too (test_odoo_errors.py).
    "insecure-http": {"xmlrpc": ("http",)},
    "no-credential": {
        "xmlrpc": ("export ODOO_ERP_PASSWORD",),
        "json2": ("export ODOO_ERP_PASSWORD",),
    },
    "password-not-key": {
        "json2": (
            "rejected login",
            "HTTP 401",
            "not shaped like an Odoo API key",
            "--transport xmlrpc",
        )
    },
}
PAIRS = [(t, c) for c in sorted(CASES) for t in TRANSPORTS if t in CASES[c]]


@pytest.mark.parametrize(("transport", "case"), PAIRS, ids=[f"{t}-{c}" for t, c in PAIRS])
def test_each_error_is_one_line_exit_2_without_secrets(
    transport: str,
    case: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    version, credential, wrong, demo = TRANSPORTS[transport]
    with FakeOdoo(version) as odoo:
        url, kwargs, secret = odoo.url, {}, credential
        if case == "unreachable":
            url = f"http://127.0.0.1:{free_port()}"
        elif case == "unknown-database":
            kwargs = {"database": "nope"}
        elif case == "bad-credentials":
            secret = wrong
        elif case == "access-rights":
            kwargs, secret = {"login": "demo"}, demo
            odoo.db().set_module_state("microsoft_outlook", "installed")
        elif case in ("user-error", "server-error"):
            failure: Any = (
                UserError("Nope, said Odoo.")
                if case == "user-error"
                else ValueError("Invalid field 'x' on model 'ir.mail_server'")
            )
            odoo.inject_failure(failure, model="ir.mail_server", method="load")
        elif case == "insecure-http":
            url = "http://odoo.example.com"
        elif case == "no-credential":
            secret = None  # type: ignore[assignment]
        elif case == "password-not-key":
            secret = PASSWORD
        code, out, err = run_sync_cli(
            tmp_path, stack(url, transport=transport, **kwargs), capsys, monkeypatch, secret
        )
        assert code == 2
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        for text in CASES[case][transport]:
            assert text in lines[0], lines[0]
        assert "Traceback" not in err and 'File "' not in err
        everything = out + err + caplog.text
        assert CLIENT_SECRET not in everything
        if secret:
            assert secret not in everything.replace("demo@", "")
        if transport == "json2":
            assert odoo.count(transport="xmlrpc") == 0
        if case not in ("user-error", "server-error"):
            assert odoo.write_calls() == []


# transport: (Odoo version, FakeOdoo options, the admin's credential, stack options, a text the
# refused write's one line holds besides)
LEAK_CASES: dict[str, tuple[str, dict[str, Any], str, dict[str, Any], str]] = {
    "xmlrpc": (
        "16.0",
        {"admin_password": "S3cure-Odoo-Pa55word"},
        "S3cure-Odoo-Pa55word",
        {},
        "refused",
    ),
    "json2": ("19.0", {}, DEFAULT_ADMIN_API_KEY, {"transport": "json2"}, "HTTP 422"),
}


@pytest.mark.parametrize("transport", sorted(LEAK_CASES))
def test_secrets_never_appear_anywhere(
    transport: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The client secret and the Odoo password or API key, in every output mode, and in an
    Odoo failure whose text echoes them (CLI line, exception text and repr, debug log)."""
    caplog.set_level(logging.DEBUG)
    version, server_options, credential, stack_options, failure_text = LEAK_CASES[transport]
    with FakeOdoo(version, **server_options) as odoo:
        raw = stack(
            odoo.url,
            mode="perUser",
            users=("alice@example.com",),
            incoming=("catchall@example.com",),
            **stack_options,
        )
        texts = []
        for extra in (("--dry-run",), (), ("--json",), ("--dry-run", "--json")):
            code, out, err = run_sync_cli(tmp_path, raw, capsys, monkeypatch, credential, *extra)
            assert code == 0, err
            texts.append(out + err)
        assert "microsoft_outlook_client_secret" in texts[0]
        # A failure whose Odoo text echoes the secret and the credential is redacted too.
        odoo.inject_failure(
            UserError(f"bad value {CLIENT_SECRET} / {credential}"),
            model="ir.config_parameter",
            method="write",
        )
        monkeypatch.setenv("ODOO_ERP_PASSWORD", credential)
        write_project(tmp_path, raw)
        rotated = (tmp_path / "outputs.json").read_text().replace(CLIENT_SECRET, "other-secret")
        (tmp_path / "outputs.json").write_text(rotated)
        code = main(cli_args(tmp_path))
        captured = capsys.readouterr()
        assert code == 2 and failure_text in captured.err, captured.err
        texts.append(captured.out + captured.err)
        try:
            sync_target(spec(raw), APP, credential)
        except Exception as exc:
            texts.append(str(exc) + repr(exc))
    everything = "\n".join(texts) + caplog.text
    assert CLIENT_SECRET not in everything
    assert credential not in everything
