"""What the tests share about the repository: its root (tests sit one or two folders below
it) and the example stack's configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent


def example_config() -> dict[str, Any]:
    """The `config:` mapping of the example stack, Pulumi.dev.yaml (a fresh copy each call)."""
    config: dict[str, Any] = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())["config"]
    return config
