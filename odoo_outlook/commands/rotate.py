"""`odoo-outlook rotate --now`: force a new client secret after a leak."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
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


def rotate_command(
    now: Annotated[
        bool, typer.Option("--now", help="Re-create the secret Odoo holds at the next pulumi up.")
    ] = False,
    up: Annotated[
        bool, typer.Option("--up", help="Then run `pulumi up` (needs the Pulumi CLI).")
    ] = False,
    stack: StackOption = "dev",
    project_dir: ProjectDirOption = None,  # type: ignore[assignment]
) -> None:
    """Force a rotation: records `secret.forcedAt` in the stack, then `pulumi up` applies it."""
    from odoo_outlook.rotation import schedule
    from odoo_outlook.stack_edit import set_stack_value

    if not now:
        raise ConfigError(
            "--now", "rotate only runs on request", "pass --now to force a new client secret"
        )
    directory = project_dir or default_project_dir()
    load_stack(stack, directory)  # refuse to edit a stack that is already invalid
    if up and shutil.which("pulumi") is None:
        raise OdooOutlookError(
            "--up needs the Pulumi CLI, which is not installed (fix: install it, or drop --up"
            " and run `pulumi up` where it is)"
        )
    forced_at = datetime.now(UTC).replace(microsecond=0)
    stamp = forced_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    how = set_stack_value(directory, stack, "secret", "forcedAt", stamp)
    config = load_stack(stack, directory)
    replaced = schedule(config.secret, forced_at).current
    stdout.print(
        f"secret.forcedAt = {stamp} ({how}). The next `pulumi up --stack {stack}` re-creates"
        f" client secret slot {replaced.slot.upper()} (the one Odoo holds), writes the new"
        " secret to Odoo, then deletes the old one; the other slot is left as it is."
    )
    if up:
        _run_pulumi_up(str(directory), stack)
    else:
        stdout.print(f"Run: pulumi up --stack {stack}")


def register(app: typer.Typer) -> None:
    app.command("rotate")(rotate_command)
