"""The doctor's test environment: a healthy app in the fake Graph and a synced, connected fake
Odoo, the CLI run against both, and the values that must never be shown (shared by the tests in
this folder through conftest.py, and by the secret canary test).

The credential is azure-identity's own: `DefaultAzureCredential` narrowed by its documented
`AZURE_TOKEN_CREDENTIALS=AzureCliCredential` to the Azure CLI credential, which runs `az
account get-access-token`; a stub `az` on PATH prints a token. No product seam, no test-only
branch. The Graph base URL is the documented `ODOO_OUTLOOK_GRAPH_URL`.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from odoo_outlook.cli import main
from odoo_outlook.config import load_stack_file
from odoo_outlook.desired import desired_state
from odoo_outlook.odoo.changes import AppCredentials
from odoo_outlook.odoo.sync import sync_target
from tests.fakes.graph_server import FakeGraph, Seeded

CLIENT_ID = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b"
TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
SECRET_A = "Qx~7hGdA.older-slot-secret-value-AAAA"
SECRET_B = "Zk~9pLmB.newer-slot-secret-value-BBBB"
ODOO_PASSWORD = "Odoo-Pa55word-Xyz"
CLI_TOKEN = "az-cli-access-token-7f3e9d"
REFRESH_TOKEN = "outlook-refresh-token-5b1c"
ACCESS_TOKEN = "outlook-access-token-8a2d"
BASE_URL = "https://odoo.example.com"
REDIRECT_URI = f"{BASE_URL}/microsoft_outlook/confirm"
ENDPOINT_PARAM = "microsoft_outlook.endpoint"  # 17.0+
TENANT_ENDPOINT = f"https://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/"
NEVER_SHOWN = (
    SECRET_A,
    SECRET_B,
    SECRET_A[:3],
    SECRET_B[:3],
    ODOO_PASSWORD,
    CLI_TOKEN,
    REFRESH_TOKEN,
    ACCESS_TOKEN,
)

STACK = """\
config:
  odoo-outlook:app:
    displayName: Odoo Outlook
    signInAudience: {audience}
    tenantId: {tenant}
    adminConsent: true
  odoo-outlook:assignments:
    users: [alice@contoso.com]
    groups: [Odoo Users]
  odoo-outlook:targets:
    - name: erp
      baseUrls: [{base_url}]
      connection: {{url: "{url}", database: odoo, login: admin}}
      mail:
        notifications: notifications@example.com
        incoming: [catchall@example.com]
"""


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def data(self) -> dict[str, Any]:
        assert self.out, f"exit {self.code}, stderr: {self.err}"
        return json.loads(self.out)

    def checks(self, status: str | None = None) -> dict[str, dict[str, Any]]:
        """`scope/name` -> check, from the JSON output."""
        return {
            f"{c['scope']}/{c['name']}": c
            for c in self.data["checks"]
            if status is None or c["status"] == status
        }

    def check(self, key: str) -> dict[str, Any]:
        found = self.checks()
        assert key in found, f"{key} not in {sorted(found)}"
        return found[key]


@dataclass
class Env:
    graph: FakeGraph
    odoo: Any
    seeded: Seeded
    project: Path
    capsys: pytest.CaptureFixture[str]
    caplog: pytest.LogCaptureFixture
    outputs: Path
    seen: list[str] = field(default_factory=list)

    @property
    def db(self) -> Any:
        return self.odoo.db("odoo")

    def write_stack(
        self,
        audience: str = "AzureADMyOrg",
        tenant: str = TENANT_ID,
        url: str | None = None,
        owners: tuple[str, ...] = (),
    ) -> None:
        text = STACK.format(
            audience=audience, tenant=tenant, base_url=BASE_URL, url=url or self.odoo.url
        )
        if owners:
            text = text.replace(
                "    adminConsent: true\n",
                f"    adminConsent: true\n    owners: [{', '.join(owners)}]\n",
            )
        (self.project / "Pulumi.dev.yaml").write_text(text)

    def run(self, *args: str, outputs: bool = True, as_json: bool = True) -> Result:
        argv = ["doctor", "--project-dir", str(self.project), *args]
        if outputs:
            argv += ["--outputs", str(self.outputs)]
        if as_json:
            argv.append("--json")
        self.capsys.readouterr()
        code = main(argv)
        captured = self.capsys.readouterr()
        self.seen += [captured.out, captured.err, self.caplog.text]
        return Result(code, captured.out, captured.err)

    def server_ids(self, model: str) -> list[int]:
        return sorted(r["id"] for r in self.db.records(model))

    def credential(self, hint: str) -> dict[str, Any]:
        app = self.graph.application(CLIENT_ID)
        return next(c for c in app["passwordCredentials"] if c["hint"] == hint)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def azure_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stub `az` answering `az account get-access-token` like the Azure CLI does."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "az.log"
    script = bin_dir / "az"
    expires = int(time.time()) + 3600
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> "{log}"\n'
        f'printf \'%s\' \'{{"accessToken": "{CLI_TOKEN}", "expires_on": {expires},'
        f' "tenant": "{TENANT_ID}", "tokenType": "Bearer"}}\'\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "AzureCliCredential")
    for name in (
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_TENANT_ID",
        "AZURE_FEDERATED_TOKEN_FILE",
        "AZURE_USERNAME",
    ):
        monkeypatch.delenv(name, raising=False)
    return log


def _connect_all(db: Any) -> None:
    for model in ("ir.mail_server", "fetchmail.server"):
        for record in db.records(model):
            db.connect_outlook(
                model, record["id"], refresh_token=REFRESH_TOKEN, access_token=ACCESS_TOKEN
            )
    for record in db.records("fetchmail.server"):
        db.tables["fetchmail.server"][record["id"]]["state"] = "done"


@pytest.fixture
def env(
    fake_graph: FakeGraph,
    fake_odoo: Callable[..., Any],
    azure_cli: Path,  # noqa: ARG001 - a fixture cannot use usefixtures: puts the fake az on PATH
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> Iterator[Env]:
    """A healthy setup: the app as the stack wants it, Odoo synced, every server connected."""
    caplog.set_level(logging.DEBUG)
    seeded = fake_graph.seed_healthy(
        client_id=CLIENT_ID,
        redirect_uris=[f"{BASE_URL}/microsoft_outlook/confirm"],
        users=["alice@contoso.com"],
        groups=["Odoo Users"],
        secret_hints=(SECRET_A[:3], SECRET_B[:3]),
    )
    older = fake_graph.application(CLIENT_ID)["passwordCredentials"][0]
    older["endDateTime"] = _iso(datetime.now(UTC) + timedelta(days=100))
    odoo = fake_odoo("17.0", admin_password=ODOO_PASSWORD, base_url=BASE_URL)
    odoo.db("odoo").set_param("web.base.url.freeze", "True")
    monkeypatch.setenv("ODOO_OUTLOOK_GRAPH_URL", fake_graph.url)
    monkeypatch.setenv("ODOO_ERP_PASSWORD", ODOO_PASSWORD)
    outputs = tmp_path / "outputs.json"
    outputs.write_text(
        json.dumps({"clientId": CLIENT_ID, "clientSecret": SECRET_B, "tenantId": TENANT_ID})
    )
    project = tmp_path / "project"
    project.mkdir()
    environment = Env(fake_graph, odoo, seeded, project, capsys, caplog, outputs)
    environment.write_stack()
    config = load_stack_file(project / "Pulumi.dev.yaml")
    spec = desired_state(config, datetime.now(UTC)).targets[0]
    report = sync_target(spec, AppCredentials(CLIENT_ID, SECRET_B), ODOO_PASSWORD)
    assert report.ok, report.conflicts
    _connect_all(odoo.db("odoo"))
    yield environment
    # Whatever a test did, nothing secret was ever printed or logged.
    everything = "\n".join(environment.seen)
    for value in NEVER_SHOWN:
        assert value not in everything, f"{value[:3]}... leaked"


def synced_odoo(env: Env, fake_odoo: Callable[..., Any], version: str) -> Any:
    """The env's stack synced into a fresh Odoo of another version, every server connected."""
    odoo = fake_odoo(version, admin_password=ODOO_PASSWORD, base_url=BASE_URL)
    odoo.db("odoo").set_param("web.base.url.freeze", "True")
    env.write_stack(url=odoo.url)
    config = load_stack_file(env.project / "Pulumi.dev.yaml")
    spec = desired_state(config, datetime.now(UTC)).targets[0]
    assert sync_target(spec, AppCredentials(CLIENT_ID, SECRET_B), ODOO_PASSWORD).ok
    _connect_all(odoo.db("odoo"))
    return odoo.db("odoo")
