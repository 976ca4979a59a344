"""Shared helpers for the Odoo export tests: stack config, spec, CLI runs against a FakeOdoo."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
import yaml

from odoo_outlook.config import parse_config
from odoo_outlook.desired import OdooTargetSpec, target_spec
from odoo_outlook.odoo.changes import AppCredentials

CLIENT_ID = "3f1c2b7a-5d4e-4f60-8a9b-1c2d3e4f5a6b"
CLIENT_SECRET = "Qz8~sEcReT-vAlUe-0123456789abcdefXYZ"
PASSWORD = "admin"
TENANT = "8f2c1a7e-4b9d-4e3a-9c61-2d5f0e7b1a44"
APP = AppCredentials(CLIENT_ID, CLIENT_SECRET)
FAKE_BASE = "http://localhost:8069"


def stack(
    url: str,
    *,
    mode: str = "generic",
    users: tuple[str, ...] = (),
    incoming: tuple[str, ...] = (),
    base_urls: tuple[str, ...] = (FAKE_BASE,),
    audience: str | None = None,
    login: str = "admin",
    database: str = "odoo",
    **connection: Any,
) -> dict[str, Any]:
    mail: dict[str, Any] = {"mode": mode, "notifications": "notifications@example.com"}
    if users:
        mail["users"] = list(users)
    if incoming:
        mail["incoming"] = list(incoming)
    raw: dict[str, Any] = {
        "targets": [
            {
                "name": "erp",
                "baseUrls": list(base_urls),
                "connection": {
                    "url": url,
                    "database": database,
                    "login": login,
                    "passwordEnv": "ODOO_ERP_PASSWORD",
                    **connection,
                },
                "mail": mail,
            }
        ],
    }
    if audience:
        raw["app"] = {"signInAudience": audience, "tenantId": TENANT}
    return raw


def spec(raw: dict[str, Any]) -> OdooTargetSpec:
    config = parse_config(raw)
    return target_spec(config, config.targets[0])


def write_project(tmp_path: Path, raw: dict[str, Any]) -> Path:
    document = {"config": {f"odoo-outlook:{k}": v for k, v in raw.items()}}
    (tmp_path / "Pulumi.dev.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    outputs = tmp_path / "outputs.json"
    outputs.write_text(
        json.dumps(
            {
                "clientId": CLIENT_ID,
                "clientSecret": CLIENT_SECRET,
                "tenantId": TENANT,
                "oauthEndpoint": "https://login.microsoftonline.com/common/oauth2/v2.0/",
            }
        ),
        encoding="utf-8",
    )
    return outputs


def cli_args(tmp_path: Path, *extra: str) -> list[str]:
    return [
        "sync",
        "--stack",
        "dev",
        "--project-dir",
        str(tmp_path),
        "--outputs",
        str(tmp_path / "outputs.json"),
        *extra,
    ]


def free_port() -> int:
    """A loopback port nothing listens on (for the "unreachable" cases)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_sync_cli(
    tmp_path: Path,
    raw: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    credential: str | None,
    *extra: str,
) -> tuple[int, str, str]:
    """`odoo-outlook sync` on the stack `raw`, the target's password or key in its env var."""
    from odoo_outlook.cli import main

    if credential is None:
        monkeypatch.delenv("ODOO_ERP_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("ODOO_ERP_PASSWORD", credential)
    write_project(tmp_path, raw)
    code = main(cli_args(tmp_path, *extra))
    out = capsys.readouterr()
    return code, out.out, out.err
