"""The installed `odoo-outlook` entry point, driven as a user drives it (issue 13, kind 1):
usage errors look like click's own and exit 2, no arguments prints the help, `--version`,
`--debug` adds the traceback without changing the exit code; `--help` imports no heavy SDK."""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.paths import ROOT

ENTRY = Path(sys.executable).parent / "odoo-outlook"
EXAMPLE = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())


def run(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("ODOO_", "PULUMI_"))}
    environment.update(env or {})
    assert ENTRY.is_file(), "run `uv pip install -e .` so the console script exists"
    return subprocess.run(
        [str(ENTRY), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "usage", "named"),
    [
        (["plan", "--bogus"], "Usage: odoo-outlook plan [OPTIONS]", r"No such option:? '?--bogus"),
        (["sync", "--jobs", "0"], "Usage: odoo-outlook sync [OPTIONS]", "'--jobs' / '-j'"),
        (
            ["doctor", "--warn-days", "soon"],
            "Usage: odoo-outlook doctor [OPTIONS]",
            "'--warn-days'",
        ),
        (["sync", "--transport", "soap"], "Usage: odoo-outlook sync [OPTIONS]", "'--transport'"),
        (["sync", "--timeout", "0"], "Usage: odoo-outlook sync [OPTIONS]", "'--timeout'"),
        (["plan", "--at"], "", "Option '--at' requires an argument"),
        (["bogus"], "Usage: odoo-outlook [OPTIONS] COMMAND [ARGS]...", "No such command 'bogus'"),
        (["--debug", "plan", "--bogus"], "Usage: odoo-outlook plan [OPTIONS]", "--bogus"),
    ],
)
def test_usage_errors_are_clicks_own_and_exit_2(args: list[str], usage: str, named: str) -> None:
    result = run(*args)
    assert result.returncode == 2, result.stderr
    assert usage in result.stderr
    # click words it "No such option: --x" (8.1) or "No such option '--x'." (8.2+): either.
    assert re.search(
        named if named.startswith("No such option") else re.escape(named), result.stderr
    ), result.stderr
    assert "Error:" in result.stderr
    assert "unexpected" not in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_no_arguments_prints_the_help_and_exits_0() -> None:
    result = run()
    assert result.returncode == 0
    text = result.stdout + result.stderr
    assert "Usage: odoo-outlook [OPTIONS] COMMAND [ARGS]..." in text
    for command in ("plan", "rotate", "sync", "doctor"):
        assert command in text
    assert "unexpected" not in text and "Error" not in text


def test_version() -> None:
    from importlib.metadata import version

    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"odoo-outlook {version('odoo-outlook')}"


def test_debug_adds_the_traceback_and_keeps_exit_2(tmp_path: Path) -> None:
    config = copy.deepcopy(EXAMPLE["config"])
    config["odoo-outlook:secret"]["rotationDays"] = 900
    (tmp_path / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": config}))
    plain = run("plan", "--project-dir", str(tmp_path))
    debug = run("--debug", "plan", "--project-dir", str(tmp_path))
    env_debug = run("plan", "--project-dir", str(tmp_path), env={"ODOO_OUTLOOK_DEBUG": "1"})
    assert plain.returncode == debug.returncode == env_debug.returncode == 2
    assert "Traceback" not in plain.stderr
    assert "error: odoo-outlook:secret.rotationDays" in plain.stderr
    for result in (debug, env_debug):
        assert "Traceback (most recent call last)" in result.stderr
        assert "error: odoo-outlook:secret.rotationDays" in result.stderr


def test_help_imports_no_sdk_and_no_config_model() -> None:
    # The import cost of --help (BENCHMARKS.md measures the time): Graph, azure-identity,
    # Pulumi and the pydantic model load only in the commands that use them.
    probe = (
        "import sys\n"
        "from odoo_outlook.cli import main\n"
        "code = main(['--help'])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'msgraph', 'azure', 'pulumi',"
        " 'pulumi_azuread', 'pydantic', 'kiota_abstractions', 'yaml', 'httpx'})\n"
        "print('HEAVY', heavy, code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert "HEAVY [] 0" in result.stdout, result.stdout + result.stderr


def test_doctor_option_defaults_match_the_library() -> None:
    # The doctor command keeps its defaults as literals so --help imports no SDK.
    from odoo_outlook.commands import doctor
    from odoo_outlook.doctor.run import DEFAULT_WARN_DAYS
    from odoo_outlook.graph.client import DEFAULT_MAX_RETRIES, GRAPH_URL_ENV, MAX_RETRIES_LIMIT

    assert doctor.DEFAULT_WARN_DAYS == DEFAULT_WARN_DAYS
    assert doctor.DEFAULT_GRAPH_RETRIES == DEFAULT_MAX_RETRIES
    assert doctor.GRAPH_RETRIES_LIMIT == MAX_RETRIES_LIMIT
    assert doctor.GRAPH_URL_ENV == GRAPH_URL_ENV


def test_readme_command_table_lists_every_option() -> None:
    import typer.main

    from odoo_outlook.cli import app

    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Commands", 1)[1].split("\n\n", 2)[1]
    rows = {
        line.split("`")[1].split()[1]: line
        for line in table.splitlines()
        if line.startswith("| `odoo-outlook ")
    }
    group = typer.main.get_command(app)
    missing = []
    for name, command in [("", group), *group.commands.items()]:  # type: ignore[attr-defined]
        row = rows.get(name or "[--debug]", "")
        for param in command.params:
            for option in param.opts:
                if option.startswith("--") and option != "--help" and option not in row:
                    missing.append(f"{name or 'odoo-outlook'} {option}")
    assert not missing, missing
