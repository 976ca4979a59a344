"""`doctor` with no Azure credential at all: one line saying none was found and how to sign
in, not azure-identity's chain report once per Graph call."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from azure.core.exceptions import ClientAuthenticationError

from odoo_outlook.graph.errors import SIGN_IN_HELP, sign_in_error
from tests.fakes.odoo_server import FakeOdoo
from tests.odoo_sync_helpers import CLIENT_ID, stack, write_project

ENTRY = Path(sys.executable).parent / "odoo-outlook"


def test_doctor_without_credentials_says_so_once(tmp_path: Path) -> None:
    with FakeOdoo("17.0") as odoo:
        write_project(tmp_path, stack(odoo.url))
        (tmp_path / "outputs.json").write_text(json.dumps({"clientId": CLIENT_ID}))
        environment = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AZURE_", "ODOO_", "PULUMI_", "IDENTITY_", "MSI_"))
        }
        environment |= {
            # Developer credentials only (Azure CLI, azd, PowerShell, VS Code): none is on this
            # PATH, and no managed-identity endpoint is probed (no network beyond loopback).
            "AZURE_TOKEN_CREDENTIALS": "dev",
            "PATH": str(ENTRY.parent),
            "HOME": str(tmp_path),
            "ODOO_ERP_PASSWORD": "admin",
        }
        result = subprocess.run(
            [
                str(ENTRY),
                "doctor",
                "--project-dir",
                str(tmp_path),
                "--outputs",
                str(tmp_path / "outputs.json"),
                "--json",
            ],
            capture_output=True,
            text=True,
            env=environment,
            timeout=120,
            check=False,
        )
    assert result.returncode == 2, result.stderr
    assert "DefaultAzureCredential failed" not in result.stderr
    assert "Attempted credentials" not in result.stderr
    checks = json.loads(result.stdout)["checks"]
    azure = [c for c in checks if c["scope"] == "azure" and c["status"] == "fail"]
    assert len(azure) == 1, azure
    assert azure[0]["detail"].startswith("No Azure credential found to call Microsoft Graph")
    assert "refused or" not in azure[0]["detail"]


def test_refused_credential_still_says_refused() -> None:
    refused = ClientAuthenticationError(
        "DefaultAzureCredential failed to retrieve a token from the included credentials.\n"
        "AzureCliCredential: AADSTS700082: The refresh token has expired"
    )
    error = sign_in_error(refused)
    assert "AADSTS700082" in error.message and "refused or has expired" in error.message
    missing = ClientAuthenticationError(
        "DefaultAzureCredential failed to retrieve a token from the included credentials.\n"
        "Attempted credentials:\n\tAzureCliCredential: Azure CLI not found on path"
    )
    assert sign_in_error(missing).message == (
        f"No Azure credential found to call Microsoft Graph: {SIGN_IN_HELP}."
    )
