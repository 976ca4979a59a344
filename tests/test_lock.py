"""The lock file and its pip exports agree with the ranges in pyproject.toml.

``uv.lock`` records the ranges it was resolved from (``[package.metadata] requires-dist`` of
the project itself); ``requirements.txt`` (read by ``pulumi install`` and the pip fallback of
``tools/install.sh``) and ``requirements-dev.txt`` are ``uv export`` of that lock. Editing
pyproject.toml without ``make lock`` fails here, with or without uv on the machine; when uv is
installed, ``uv lock --check --offline`` (uv's own staleness check) runs as well.
"""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tomllib
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.paths import ROOT

PROJECT = "odoo-outlook"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)")


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _lock() -> dict[str, Any]:
    return tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))


def _lock_packages() -> dict[str, dict[str, Any]]:
    return {canonicalize_name(p["name"]): p for p in _lock()["package"]}


def _declared() -> set[tuple[str, str, str]]:
    """pyproject's requirements as (name, specifier, extra) with normalised spelling."""
    project = _pyproject()["project"]
    found = {
        (canonicalize_name(r.name), str(r.specifier), "")
        for r in map(Requirement, project["dependencies"])
    }
    for extra, requirements in project.get("optional-dependencies", {}).items():
        found |= {
            (canonicalize_name(r.name), str(r.specifier), extra)
            for r in map(Requirement, requirements)
        }
    return found


def _locked_ranges() -> set[tuple[str, str, str]]:
    """uv.lock's record of the ranges it was resolved from, same shape as ``_declared``."""
    found = set()
    for entry in _lock_packages()[PROJECT]["metadata"]["requires-dist"]:
        marker = entry.get("marker", "")
        extra = re.fullmatch(r"extra == '([^']+)'", marker)
        assert marker == "" or extra, f"unexpected marker in uv.lock: {marker}"
        specifier = str(Requirement(f"x{entry.get('specifier', '')}").specifier)
        found.add((canonicalize_name(entry["name"]), specifier, extra.group(1) if extra else ""))
    return found


def _closure(extras: tuple[str, ...]) -> dict[str, str]:
    """Every package uv.lock installs for the project with ``extras``: name -> version."""
    packages = _lock_packages()
    root = packages[PROJECT]
    todo = list(root.get("dependencies", []))
    for extra in extras:
        todo += root["optional-dependencies"][extra]
    seen: dict[str, str] = {}
    while todo:
        dep = todo.pop()
        name = canonicalize_name(dep["name"])
        package = packages[name]
        for extra in dep.get("extra", []):
            todo += package.get("optional-dependencies", {}).get(extra, [])
        if name in seen:
            continue
        seen[name] = package["version"]
        todo += package.get("dependencies", [])
    return seen


def _pins(name: str) -> dict[str, str]:
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    pins = {}
    for line in lines:
        match = PIN.match(line)
        if match:
            pins[canonicalize_name(match.group(1))] = match.group(2)
    assert "-e ." in lines, f"{name} must install the project itself (-e .)"
    return pins


def test_lock_was_resolved_from_the_ranges_in_pyproject() -> None:
    declared, locked = _declared(), _locked_ranges()
    assert declared == locked, (
        "uv.lock is out of date with pyproject.toml: run `make lock`\n"
        f"only in pyproject.toml: {sorted(declared - locked)}\n"
        f"only in uv.lock: {sorted(locked - declared)}"
    )


def test_every_locked_version_is_inside_its_declared_range() -> None:
    packages = _lock_packages()
    for name, specifier, _extra in _declared():
        version = packages[name]["version"]
        assert Version(version) in Requirement(f"x{specifier}").specifier, (name, version)


@pytest.mark.parametrize(
    ("export", "extras"),
    [("requirements.txt", ()), ("requirements-dev.txt", ("dev",))],
)
def test_pip_exports_pin_exactly_what_the_lock_installs(
    export: str, extras: tuple[str, ...]
) -> None:
    assert _pins(export) == _closure(extras), f"{export} is stale: run `make lock`"


def test_runtime_export_leaves_the_test_tools_out() -> None:
    runtime, dev = _pins("requirements.txt"), _pins("requirements-dev.txt")
    for tool in ("pytest", "ruff", "pulumi-policy", "check-jsonschema"):
        assert tool in dev and tool not in runtime, tool


def _product_imports() -> set[str]:
    """Top-level third-party modules imported by the product (package, components, program)."""
    files = [ROOT / "__main__.py"]
    for folder in ("odoo_outlook", "components"):
        files += sorted((ROOT / folder).rglob("*.py"))
    modules: set[str] = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    own = {"odoo_outlook", "components", "__future__"}
    return {m for m in modules - own if m not in sys.stdlib_module_names}


def test_runtime_lock_provides_every_module_the_product_imports() -> None:
    """`make plan` installs only the runtime lock: a module that reaches the product only
    through a test tool (click came with check-jsonschema) would break a fresh `make plan`."""
    runtime = _closure(())
    by_module = importlib.metadata.packages_distributions()
    missing = {}
    for module in sorted(_product_imports()):
        distributions = {canonicalize_name(d) for d in by_module.get(module, [])}
        if not distributions & runtime.keys():
            missing[module] = sorted(distributions) or "not installed"
    assert not missing, f"imported by the product but not in the runtime lock: {missing}"


def _uv() -> str | None:
    if os.environ.get("UV"):
        return shutil.which(os.environ["UV"])
    return shutil.which("uv") or shutil.which("uv", path=str(ROOT / ".tools" / "uv" / "bin"))


def test_uv_agrees_the_lock_is_current() -> None:
    uv = _uv()
    if uv is None:
        pytest.skip("uv is not installed (the pip fallback): the checks above cover the lock")
    result = subprocess.run(
        [uv, "lock", "--check", "--offline"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
