"""`odoo-outlook connect`: each managed server without a refresh token opened in the browser,
one mailbox at a time, waited for, then tested by Odoo's own buttons.

The person running it must be signed in to Odoo as an administrator of the target's database
(Odoo's `/microsoft_outlook/confirm` stores the token for a logged-in administrator only) and
sign in to Microsoft as each mailbox in turn. Progress goes to stderr (a live table on a
terminal, plain lines otherwise); the final table, or JSON with `--json`, to stdout.
Exit 0: every listed mailbox connected and tested; 1: some left (timeout, Ctrl-C); 2: errors.
"""

from __future__ import annotations

from typing import Annotated

import typer

from odoo_outlook.cli_common import (
    AllowInsecureHttpOption,
    JsonOption,
    ProjectDirOption,
    StackOption,
    TargetsOption,
    TransportOption,
    default_project_dir,
    load_stack,
    unique_targets,
)

# The option defaults, kept here so `--help` does not import the run (and with it the config
# model); tests/odoo/test_connect.py checks they equal odoo_outlook.connect_flow's.
DEFAULT_TIMEOUT = 900.0  # seconds, for the whole run
DEFAULT_POLL = 2.0  # seconds between two checks of a server


def connect_command(
    stack: StackOption = "dev",
    project_dir: ProjectDirOption = None,  # type: ignore[assignment]
    targets: TargetsOption = None,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Print each link instead of opening it.")
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, help="Stop waiting after SECONDS in all.")
    ] = DEFAULT_TIMEOUT,
    poll: Annotated[
        float, typer.Option("--poll", min=0.1, help="Seconds between two checks of a server.")
    ] = DEFAULT_POLL,
    as_json: JsonOption = False,
    allow_insecure_http: AllowInsecureHttpOption = False,
    transport: TransportOption = None,
) -> None:
    """Connect each mailbox in one click: open Odoo's own Outlook sign-in link, wait for the
    token, then have Odoo test it. 0 all done, 1 some left, 2 errors."""
    from odoo_outlook.connect_flow import ConnectOptions
    from odoo_outlook.connect_run import run

    config = load_stack(stack, project_dir or default_project_dir()).with_transport(transport)
    options = ConnectOptions(open_browser=not no_browser, timeout=timeout, poll=poll)
    raise typer.Exit(
        run(
            config,
            unique_targets(targets) or [],
            options,
            as_json=as_json,
            allow_insecure_http=allow_insecure_http,
        )
    )


def register(app: typer.Typer) -> None:
    """Add the `connect` command to `app`."""
    app.command("connect")(connect_command)
