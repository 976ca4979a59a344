"""What every command shares: the stack to read, the consoles, and secret masking."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from odoo_outlook.fleet import MAX_JOBS
from odoo_outlook.transport_kind import TransportKind

if TYPE_CHECKING:
    from odoo_outlook.config import StackConfig

# Off a terminal (CI logs, pipes) rich would wrap tables at 80 columns; logs read better wider.
_PIPE_WIDTH = 160


def _console(stderr: bool = False) -> Console:
    console = Console(stderr=stderr, soft_wrap=True, highlight=False)
    if not console.is_terminal:
        console = Console(stderr=stderr, soft_wrap=True, highlight=False, width=_PIPE_WIDTH)
    return console


# stdout carries results (tables, JSON); stderr carries errors and progress.
stdout = _console()
stderr = _console(stderr=True)

StackOption = Annotated[
    str,
    typer.Option(
        "--stack",
        "-s",
        envvar="PULUMI_STACK",
        help="Stack name: reads Pulumi.<stack>.yaml in the project directory.",
    ),
]
ProjectDirOption = Annotated[
    Path,
    typer.Option(
        "--project-dir",
        envvar="ODOO_OUTLOOK_PROJECT_DIR",
        help="Directory holding Pulumi.yaml and the stack files.",
        file_okay=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]

# Options of the commands that reach Odoo (sync, doctor).
TargetsOption = Annotated[
    list[str] | None,
    typer.Option("--target", "-t", help="Only this Odoo target (repeatable); default all."),
]
AllowInsecureHttpOption = Annotated[
    bool, typer.Option("--allow-insecure-http", help="Allow http:// to a non-loopback Odoo.")
]
JobsOption = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        max=MAX_JOBS,
        help="Odoo targets handled at the same time (default: min(16, targets)).",
    ),
]
TimeoutOption = Annotated[
    float | None,
    typer.Option(
        "--timeout",
        min=0.1,
        max=3600,
        help="Seconds one call to Odoo may take before the tool gives up; overrides"
        " targets[].connection.timeoutSeconds (default 60).",
    ),
]
TransportOption = Annotated[
    TransportKind | None,
    typer.Option(
        "--transport",
        case_sensitive=False,
        help="Odoo API: xmlrpc, json2 (Odoo 19+, API key) or auto; overrides"
        " targets[].connection.transport (default xmlrpc). See docs/transports.md.",
    ),
]


def unique_targets(names: list[str] | None) -> list[str]:
    """`--target` values without repeats, in the order given (`-t erp -t erp` runs erp once)."""
    return list(dict.fromkeys(names or ()))


def default_project_dir() -> Path:
    """`$ODOO_OUTLOOK_PROJECT_DIR`, else the current directory (absolute)."""
    return Path(os.environ.get("ODOO_OUTLOOK_PROJECT_DIR", ".")).resolve()


def load_stack(stack: str, project_dir: Path) -> StackConfig:
    # Imported here: the configuration model (pydantic) is not needed for `--help`.
    """The validated config of `Pulumi.<stack>.yaml` in `project_dir`; raises `ConfigError`."""
    from odoo_outlook.config import load_stack_file, stack_file

    return load_stack_file(stack_file(stack, project_dir))
