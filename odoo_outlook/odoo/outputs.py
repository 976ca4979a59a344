"""The app credentials sync writes to Odoo, taken from the stack outputs."""

from __future__ import annotations

from odoo_outlook.errors import ConfigError
from odoo_outlook.odoo.changes import AppCredentials
from odoo_outlook.stack_outputs import HOW, read_stack_outputs


def read_app_credentials(source: str | None) -> AppCredentials:
    """`source` is a file name or "-" for stdin; the secret must be readable (--show-secrets)."""
    if source is None:
        raise ConfigError(
            "--outputs",
            "is required",
            f"`{HOW} > outputs.json` then pass --outputs outputs.json (or - for stdin)",
        )
    outputs = read_stack_outputs(source)
    if outputs.client_id is None or outputs.client_secret is None:
        raise ConfigError(
            f"--outputs ({'stdin' if source == '-' else source})",
            "has no readable clientSecret",
            f"add --show-secrets: `{HOW}`",
        )
    return AppCredentials(client_id=outputs.client_id, client_secret=outputs.client_secret)
