"""The app credentials from `pulumi stack output --json --show-secrets` (a file or stdin)."""

from __future__ import annotations

import json
from typing import Any

from odoo_outlook.errors import ConfigError
from odoo_outlook.odoo.diff import AppCredentials

HOW = "pulumi stack output --json --show-secrets > outputs.json"


def parse_outputs(text: str, source: str) -> AppCredentials:
    key = f"--outputs ({source})"
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(key, f"is not JSON (line {exc.lineno})", f"create it with `{HOW}`"
                          ) from None
    if not isinstance(data, dict):
        raise ConfigError(key, "is not a JSON object", f"create it with `{HOW}`")
    client_id, secret = data.get("clientId"), data.get("clientSecret")
    if not isinstance(client_id, str) or not client_id:
        raise ConfigError(key, "has no clientId", f"create it with `{HOW}`")
    if not isinstance(secret, str) or not secret or secret == "[secret]":
        raise ConfigError(key, "has no readable clientSecret",
                          f"add --show-secrets: `{HOW}`")
    return AppCredentials(client_id=client_id, client_secret=secret)
