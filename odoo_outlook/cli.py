"""The `odoo-outlook` command line.

Typer (on click) gives typed options and `--help` for free; rich renders tables and progress.
Usage errors (unknown option, bad value) are click's own: usage line, the option named, exit 2.
Expected failures (`OdooOutlookError`) print one line and exit with their code; `--debug`
adds the traceback and never changes the exit code. Each command module is imported
explicitly; the heavy libraries (Microsoft Graph, azure-identity, Pulumi) are imported only
inside the commands that use them, so `--help` starts fast.
"""

from __future__ import annotations

import sys
import traceback
from typing import Annotated

import typer

# typer < 0.26 (the range in pyproject.toml) parses with click itself, so usage errors are
# click's own exceptions.
from click import exceptions as _click_exceptions
from rich.text import Text

from odoo_outlook.cli_common import stderr
from odoo_outlook.commands import connect, doctor, plan, rotate, sync
from odoo_outlook.errors import EXIT_FAIL, EXIT_OK, OdooOutlookError

ClickException = _click_exceptions.ClickException
NoArgsIsHelp: type[BaseException] | tuple[()] = getattr(_click_exceptions, "NoArgsIsHelpError", ())

app = typer.Typer(
    name="odoo-outlook",
    help="Microsoft 365 (Outlook) mail for Odoo, as code.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Plain click help: typer's rich help panels import rich.markdown and friends (~0.15 s).
    rich_markup_mode=None,
)

_state = {"debug": False}


def package_version() -> str:
    """The installed distribution's version, or 'unknown' when run from a bare source tree."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("odoo-outlook")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"odoo-outlook {package_version()}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            help="Add the traceback to errors (exit codes stay the same).",
            envvar="ODOO_OUTLOOK_DEBUG",
        ),
    ] = False,
    show_version: Annotated[  # noqa: ARG001 - typer declares --version from it; the callback acts
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", is_eager=True, callback=_show_version
        ),
    ] = False,
) -> None:
    _state["debug"] = debug
    from odoo_outlook.debug_log import set_debug_log

    set_debug_log(debug)  # per run: an earlier `main(["--debug", ...])` in this process ends


for _module in (plan, rotate, sync, connect, doctor):
    _module.register(app)


def _traceback() -> None:
    stderr.print(traceback.format_exc(), markup=False, highlight=False, end="")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code.

    0 ok, 1 warnings only (doctor), 2 failure or bad input (click's usage errors included),
    130 interrupted. `--debug` prints the traceback first; the code is the same either way.
    """
    _state["debug"] = False
    try:
        result = app(args=argv, prog_name="odoo-outlook", standalone_mode=False)
    except OdooOutlookError as exc:
        if _state["debug"]:
            _traceback()
        for line in exc.message.splitlines():
            stderr.print(Text.assemble(("error: ", "red"), line))
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except NoArgsIsHelp as exc:  # `odoo-outlook` alone: the help is the answer, not an error
        exc.show()  # type: ignore[attr-defined]
        return EXIT_OK
    except ClickException as exc:
        exc.show()
        return exc.exit_code
    except (KeyboardInterrupt, typer.Abort):
        stderr.print("interrupted")
        return 130
    except Exception as exc:
        if _state["debug"]:
            _traceback()
        stderr.print(
            Text.assemble(
                ("error: ", "red"),
                f"unexpected {type(exc).__name__}: {exc}",
                "" if _state["debug"] else " (run again with --debug for the traceback)",
            )
        )
        return EXIT_FAIL
    return result if isinstance(result, int) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
