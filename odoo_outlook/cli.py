"""The `odoo-outlook` command line.

Typer (on click) gives typed options and `--help` for free; rich renders tables and progress.
Expected failures (`OdooOutlookError`) print one line and exit with their code; `--debug`
shows the traceback instead.
"""

from __future__ import annotations

import importlib
import sys
from typing import Annotated

import click
import typer
from rich.text import Text

from odoo_outlook.cli_common import stderr
from odoo_outlook.errors import EXIT_FAIL, OdooOutlookError

COMMAND_MODULES = ("plan", "rotate", "sync", "doctor")

app = typer.Typer(
    name="odoo-outlook",
    help="Microsoft 365 (Outlook) mail for Odoo, as code.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

_state = {"debug": False}


@app.callback()
def _root(
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Show tracebacks for errors.", envvar="ODOO_OUTLOOK_DEBUG"),
    ] = False,
) -> None:
    _state["debug"] = debug
    if debug:
        from odoo_outlook.debug_log import enable_debug_log

        enable_debug_log()


for _name in COMMAND_MODULES:
    try:
        _module = importlib.import_module(f"odoo_outlook.commands.{_name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"odoo_outlook.commands.{_name}":
            raise
        continue
    _module.register(app)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    try:
        result = app(args=argv, standalone_mode=False)
    except OdooOutlookError as exc:
        if _state["debug"]:
            raise
        for line in exc.message.splitlines():
            stderr.print(Text.assemble(("error: ", "red"), line))
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        stderr.print("interrupted")
        return 130
    except Exception as exc:
        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            return EXIT_FAIL
        if isinstance(exc, click.exceptions.Abort):
            return EXIT_FAIL
        if _state["debug"]:
            raise
        stderr.print(
            Text.assemble(
                ("error: ", "red"),
                f"unexpected {type(exc).__name__}: {exc}",
                " (run again with --debug for the traceback)",
            )
        )
        return EXIT_FAIL
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
