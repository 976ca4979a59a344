"""tools/install.sh: `make plan` installs the runtime lock, `make test` the dev lock, with uv
(bootstrapped from the package index when missing) or plain pip as the fallback.

The real script runs under bash with stub ``python3`` and ``uv`` executables on PATH that
record their arguments, so no package index is contacted; the stubs do what the real tools do
to the file system (``pip install --target DIR uv`` leaves ``DIR/bin/uv``, ``python -m venv
DIR`` leaves ``DIR/bin/python``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.paths import ROOT

SCRIPT = ROOT / "tools" / "install.sh"

UV_STUB = """#!/bin/bash
echo "uv $* | env=$UV_PROJECT_ENVIRONMENT" >> "$STUB_LOG"
if [ "$1" = venv ]; then
    venv="${@: -1}"
    mkdir -p "$venv/bin" && printf '#!/bin/sh\n' > "$venv/bin/python" && chmod +x "$venv/bin/python"
fi
[ "$1" = --version ] && echo "uv 0.0.0-stub"
exit 0
"""

PYTHON_STUB = """#!/bin/bash
echo "python $*" >> "$STUB_LOG"
if [ "$1 $2" = "-m venv" ]; then
    mkdir -p "$3/bin" && cp "$0" "$3/bin/python"
elif [ "$1 $2 $3" = "-m pip install" ]; then
    target=""
    prev=""
    for arg in "$@"; do [ "$prev" = --target ] && target="$arg"; prev="$arg"; done
    if [ -n "$target" ]; then
        [ "$STUB_INDEX" = up ] || { echo "ERROR: no index" >&2; exit 1; }
        mkdir -p "$target/bin" && cp "$STUB_UV" "$target/bin/uv" && chmod +x "$target/bin/uv"
    fi
fi
exit 0
"""


@pytest.fixture()
def sandbox(tmp_path: Path) -> Path:
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    (stubs / "uv.template").write_text(UV_STUB, encoding="utf-8")
    (stubs / "python3").write_text(PYTHON_STUB, encoding="utf-8")
    (stubs / "python3").chmod(0o755)
    (tmp_path / "with-uv").mkdir()
    shutil.copy(stubs / "uv.template", tmp_path / "with-uv" / "uv")
    (tmp_path / "with-uv" / "uv").chmod(0o755)
    return tmp_path


def _run(
    sandbox: Path, what: str, *, uv_on_path: bool, index: str = "up"
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    path = [str(sandbox / "stubs"), "/usr/bin", "/bin"]
    if uv_on_path:
        path.insert(0, str(sandbox / "with-uv"))
    log = sandbox / "calls.log"
    log.write_text("", encoding="utf-8")
    result = subprocess.run(
        ["bash", str(SCRIPT), what],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={
            "PATH": ":".join(path),
            "PYTHON": "python3",
            "VENV": str(sandbox / "venv"),
            "UV_BOOTSTRAP_DIR": str(sandbox / "boot"),
            "UV_VERSION": "9.9.9",
            "STUB_LOG": str(log),
            "STUB_UV": str(sandbox / "stubs" / "uv.template"),
            "STUB_INDEX": index,
        },
    )
    return result, log.read_text(encoding="utf-8").splitlines()


def test_plan_installs_only_the_runtime_lock_with_uv(sandbox: Path) -> None:
    result, calls = _run(sandbox, "runtime", uv_on_path=True)
    assert result.returncode == 0, result.stderr
    (sync,) = [c for c in calls if c.startswith("uv sync")]
    assert sync == f"uv sync --locked --python python3 --inexact | env={sandbox / 'venv'}"
    assert "--extra" not in sync
    assert not any(c.startswith("python") for c in calls)  # uv was there: no pip at all
    # pip inside the new venv, for `pulumi install` (toolchain pip) and requirements.txt
    assert calls[1] == f"uv venv --seed --python python3 {sandbox / 'venv'} | env="
    # an existing venv is reused
    _result, calls = _run(sandbox, "runtime", uv_on_path=True)
    assert not any(c.startswith("uv venv") for c in calls)
    assert "setup: runtime dependencies from uv.lock" in result.stderr


def test_test_installs_the_dev_extra_from_the_same_lock(sandbox: Path) -> None:
    result, calls = _run(sandbox, "dev", uv_on_path=True)
    assert result.returncode == 0, result.stderr
    (sync,) = [c for c in calls if c.startswith("uv sync")]
    assert sync == f"uv sync --locked --python python3 --extra dev | env={sandbox / 'venv'}"


def test_missing_uv_is_installed_from_the_package_index(sandbox: Path) -> None:
    result, calls = _run(sandbox, "dev", uv_on_path=False)
    assert result.returncode == 0, result.stderr
    boot = sandbox / "boot"
    assert calls[0] == (
        f"python -m pip install --disable-pip-version-check --target {boot}.partial uv==9.9.9"
    )
    assert (boot / "bin" / "uv").is_file() and not Path(f"{boot}.partial").exists()
    assert f"uv sync --locked --python python3 --extra dev | env={sandbox / 'venv'}" in calls
    assert "setup: uv not found: installing uv==9.9.9 from the package index" in result.stderr
    # the next run finds the bootstrapped uv and does not install it again
    _result, calls = _run(sandbox, "runtime", uv_on_path=False)
    assert not any(c.startswith("python") for c in calls)


@pytest.mark.parametrize(
    ("what", "export"), [("runtime", "requirements.txt"), ("dev", "requirements-dev.txt")]
)
def test_without_uv_pip_installs_the_exported_lock(sandbox: Path, what: str, export: str) -> None:
    result, calls = _run(sandbox, what, uv_on_path=False, index="down")
    assert result.returncode == 0, result.stderr
    assert not (sandbox / "boot").exists()
    assert f"python -m venv {sandbox / 'venv'}" in calls
    # stderr is not a terminal here: pip's progress bar is off, its per-package lines stay
    assert calls[-1] == (
        f"python -m pip install --disable-pip-version-check --progress-bar off -r {export}"
    )
    assert "setup: could not install uv; falling back to pip" in result.stderr
    assert f"pip install -r {export}" in result.stderr


def test_unknown_target_is_refused(sandbox: Path) -> None:
    result, calls = _run(sandbox, "everything", uv_on_path=True)
    assert result.returncode == 2
    assert "usage: tools/install.sh runtime|dev" in result.stderr
    assert calls == []


@pytest.mark.parametrize(
    ("target", "installs"),
    [("plan", "runtime"), ("test", "dev"), ("install", "runtime"), ("install-dev", "dev")],
)
def test_make_targets_install_what_they_need(tmp_path: Path, target: str, installs: str) -> None:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    result = subprocess.run(
        [make, "-n", target, f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    installs_run = [line for line in result.stdout.splitlines() if "tools/install.sh" in line]
    assert installs_run == [f"tools/install.sh {installs}"]


WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
MAKE_INSTALL = re.compile(r"^\s*make (?:[\w-]+ )*(?:install-dev|test)\b", re.MULTILINE)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_workflow_job_installs_through_make_from_the_lock(path: Path) -> None:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    for name, job in workflow["jobs"].items():
        runs = "\n".join(str(step.get("run", "")) for step in job["steps"])
        assert MAKE_INSTALL.search(runs), f"{path.name}: job {name} does not run make install-dev"
        for other in ("pip install", "uv pip", "uv sync", "-m venv"):
            assert other not in runs, f"{path.name}: job {name} installs around the lock: {other}"


def test_ci_entry_point_installs_through_make_test() -> None:
    commands = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert commands[-1] == "make test"
    assert not any(re.search(r"\b(pip|uv|venv)\b", c) for c in commands), commands
