"""The stack outputs `sync` and `doctor` read (`pulumi stack output --json --show-secrets`):
clientId, and when present clientSecret and tenantId. Doctor needs no secret; sync does."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from odoo_outlook.errors import ConfigError
from odoo_outlook.strict_files import read_text

HOW = "pulumi stack output --json --show-secrets"


@dataclass(frozen=True)
class StackOutputs:
    """The values read from `pulumi stack output --json --show-secrets` (secret hidden from
    repr)."""

    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    tenant_id: str | None = None


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    # Without --show-secrets Pulumi prints "[secret]" in place of the value.
    if isinstance(value, str) and value.strip() and value != "[secret]":
        return value.strip()
    return None


def parse_stack_outputs(text: str, source: str) -> StackOutputs:
    """The stack outputs in `text` (JSON object); `source` names it in errors.

    A `[secret]` placeholder (no `--show-secrets`) counts as missing. Raises `ConfigError` for
    text that is not a JSON object, without `clientId`, or with a clientId/tenantId that is no
    GUID.
    """
    key = f"--outputs ({source})"
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            key, f"is not JSON (line {exc.lineno})", f"create it with `{HOW}`"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(key, "is not a JSON object", f"create it with `{HOW}`")
    outputs = StackOutputs(
        _text(data, "clientId"), _text(data, "clientSecret"), _text(data, "tenantId")
    )
    if outputs.client_id is None:
        raise ConfigError(key, "has no clientId", f"create it with `{HOW}`")
    # Imported here: the configuration model is not needed to start the command line.
    from odoo_outlook.config import is_object_id

    for name, value in (("clientId", outputs.client_id), ("tenantId", outputs.tenant_id)):
        if value is not None and not is_object_id(value):
            raise ConfigError(
                f"{key} {name}",
                f"{value[:40]!r} is not a GUID",
                f"use the file `{HOW}` writes for this stack",
            )
    return outputs


def read_stack_outputs(source: str) -> StackOutputs:
    """`source` is a file name, or "-" for stdin. Raises ConfigError naming `--outputs` for a
    missing, unreadable or non-UTF-8 file, bad JSON, or a clientId/tenantId that is no GUID."""
    if source == "-":
        data = sys.stdin.buffer.read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError(
                "--outputs (stdin)",
                f"is not UTF-8 text (byte {exc.start + 1})",
                f"pipe `{HOW}` into it",
            ) from None
        return parse_stack_outputs(text, "stdin")
    text = read_text(Path(source), f"--outputs ({source})", f"create it with `{HOW} > {source}`")
    return parse_stack_outputs(text, source)
