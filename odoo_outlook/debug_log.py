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


def enable_debug_log() -> None:
    """Show the `odoo_outlook.*` loggers' DEBUG records on stderr (once per process)."""
    logger = logging.getLogger(LOGGER)
    logger.setLevel(logging.DEBUG)
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(name)s [%(threadName)s]: %(message)s"))
        logger.addHandler(handler)
