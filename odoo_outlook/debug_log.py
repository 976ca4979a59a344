"""`--debug` output: the tool's own log records (e.g. a retried Odoo call) on stderr."""

from __future__ import annotations

import logging

from rich.text import Text

LOGGER = "odoo_outlook"


class _StderrHandler(logging.Handler):
    """Writes through the CLI's stderr console (thread-safe, follows a redirected stderr)."""

    def emit(self, record: logging.LogRecord) -> None:
        from odoo_outlook.cli_common import stderr

        stderr.print(Text.assemble(("debug: ", "dim"), self.format(record)), soft_wrap=True)


def set_debug_log(on: bool) -> None:
    """Show the `odoo_outlook.*` loggers' DEBUG records on stderr, or stop showing them: set
    per command-line run, so one `--debug` run does not leave later runs in the same process
    (a library caller, a test) printing debug lines."""
    logger = logging.getLogger(LOGGER)
    ours = [h for h in logger.handlers if isinstance(h, _StderrHandler)]
    if not on:
        for handler in ours:
            logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
        return
    logger.setLevel(logging.DEBUG)
    if not ours:
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(name)s [%(threadName)s]: %(message)s"))
        logger.addHandler(handler)
