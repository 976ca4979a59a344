"""`odoo-outlook rotate --now`: force a new client secret after a leak."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from odoo_outlook.cli_common import (
    ProjectDirOption,
    StackOption,
    default_project_dir,
    load_stack,
    stdout,
)
from odoo_outlook.errors import ConfigError, OdooOutlookError


def _run_pulumi_up(project_dir: str, stack: str) -> None:
    # The Automation API drives the installed Pulumi CLI; without it there is nothing to drive.
    from pulumi import automation

    selected = automation.select_stack(stack_name=stack, work_dir=project_dir)
    selected.up(on_output=lambda line: stdout.print(line, markup=False, end=""))


def _last_next_rotation_at(outputs: str | None, project_dir: str, stack: str) -> datetime | None:
    """`nextRotationAt` of the last `pulumi up`: from --outputs FILE, else the Pulumi CLI."""
    if outputs is not None:
        path = Path(outputs)
        if not path.is_file():
            raise ConfigError(
                f"--outputs ({outputs})",
                "does not exist",
                f"create it with `pulumi stack output --json > {outputs}`",
            )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            raise ConfigError(
                f"--outputs ({outputs})",
                "is not JSON",
                f"create it with `pulumi stack output --json > {outputs}`",
            ) from None
    elif shutil.which("pulumi") is not None:
        result = subprocess.run(
            ["pulumi", "stack", "output", "--json", "--stack", stack],
            cwd=project_dir,
            capture_output=True,
            text=True,
            check=False,
        )
        try:
            data = json.loads(result.stdout) if result.returncode == 0 else {}
        except json.JSONDecodeError:
            data = {}
    else:
        return None
    value = data.get("nextRotationAt") if isinstance(data, dict) else None
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def rotate_command(
    now: Annotated[
        bool, typer.Option("--now", help="Re-create the secret Odoo holds at the next pulumi up.")
    ] = False,
    up: Annotated[
        bool, typer.Option("--up", help="Then run `pulumi up` (needs the Pulumi CLI).")
    ] = False,
    display_name: Annotated[
        str | None,
        typer.Option(
            "--display-name", help="Also change secret.displayName (applied by this rotation)."
        ),
    ] = None,
    outputs: Annotated[
        str | None,
        typer.Option(
            "--outputs",
            help="`pulumi stack output --json` of the last"
            " up (tells which slot Odoo holds); default: ask the Pulumi CLI.",
        ),
    ] = None,
    stack: StackOption = "dev",
    project_dir: ProjectDirOption = None,  # type: ignore[assignment]
) -> None:
    """Force a rotation: records `secret.forcedAt` in the stack, then `pulumi up` applies it."""
    from odoo_outlook.rotation import held_slot
    from odoo_outlook.stack_edit import set_stack_values

    if not now:
        raise ConfigError(
            "--now", "rotate only runs on request", "pass --now to force a new client secret"
        )
    directory = project_dir or default_project_dir()
    before = load_stack(stack, directory)  # refuse to edit a stack that is already invalid
    if up and shutil.which("pulumi") is None:
        raise OdooOutlookError(
            "--up needs the Pulumi CLI, which is not installed (fix: install it, or drop --up"
            " and run `pulumi up` where it is)"
        )
    forced_at = datetime.now(UTC).replace(microsecond=0)
    stamp = forced_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    if display_name is not None and not 1 <= len(display_name.strip()) <= 80:
        raise ConfigError(
            "--display-name", "must be 1 to 80 characters", "give a shorter description"
        )
    # The slot Odoo holds now, by the schedule so far (earlier forced rotations included): the
    # restarted schedule needs it, and the next forcedAt would overwrite the earlier one.
    last = _last_next_rotation_at(outputs, str(directory), stack)
    leaked = held_slot(before.secret, forced_at, last)
    if last is None:
        stdout.print(
            "No stack outputs of the last `pulumi up`: assuming it ran after the latest"
            " scheduled rotation (pass --outputs FILE to be sure)."
        )
    values = {"forcedSlot": leaked, "forcedAt": stamp}
    if display_name is not None:
        # Only with a forced restart: a plain edit would replace both slots in one run, the one
        # Odoo holds first (README "Client secret rotation").
        values = {"displayName": display_name.strip(), **values}
    how = set_stack_values(directory, stack, "secret", values)
    other = "B" if leaked == "a" else "A"
    stdout.print(
        f"secret.forcedAt = {stamp}, secret.forcedSlot = {leaked} ({how}). The next `pulumi up"
        f" --stack {stack}` re-creates client secret slot {other} first and writes it to Odoo,"
        f" then re-creates slot {leaked.upper()} (the one Odoo held, possibly leaked); the"
        " schedule restarts from forcedAt."
    )
    if up:
        _run_pulumi_up(str(directory), stack)
    else:
        stdout.print(f"Run: pulumi up --stack {stack}")


def register(app: typer.Typer) -> None:
    """Add the `rotate` command to `app`."""
    app.command("rotate")(rotate_command)
