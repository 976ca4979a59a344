"""Setting one stack config value, through the Pulumi CLI when present, else in the file itself.

The file edit is a line edit, so the user's comments and layout survive; the result is parsed
and validated before it replaces the file, so a failed edit writes nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import yaml

from odoo_outlook.config import NAMESPACE, parse_config
from odoo_outlook.errors import ConfigError, OdooOutlookError


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def set_nested_value(text: str, section: str, key: str, value: str) -> str:
    """Set `config.<NAMESPACE>:<section>.<key>` in block-style stack YAML, keeping the rest."""
    lines = text.splitlines(keepends=True)
    header = re.compile(rf"^(\s*){re.escape(NAMESPACE)}:{re.escape(section)}:\s*(#.*)?$")
    rendered = yaml.safe_dump(value, default_style='"').strip().removesuffix("\n...")
    for index, line in enumerate(lines):
        match = header.match(line.rstrip("\n"))
        if not match:
            continue
        parent = len(match.group(1))
        end = index + 1
        child_indent: int | None = None
        while end < len(lines):
            if _is_content(lines[end]):
                if _indent(lines[end]) <= parent:
                    break
                child_indent = child_indent or _indent(lines[end])
                if _indent(lines[end]) == child_indent and lines[end].strip().startswith(
                    f"{key}:"
                ):
                    lines[end] = f"{' ' * child_indent}{key}: {rendered}\n"
                    return "".join(lines)
            end += 1
        indent = child_indent or parent + 2
        lines.insert(index + 1, f"{' ' * indent}{key}: {rendered}\n")
        return "".join(lines)
    for index, line in enumerate(lines):
        if re.match(r"^config:\s*(#.*)?$", line.rstrip("\n")):
            child = next(
                (_indent(candidate) for candidate in lines[index + 1:] if _is_content(candidate)),
                2,
            )
            pad = " " * child
            lines[index + 1:index + 1] = [
                f"{pad}{NAMESPACE}:{section}:\n",
                f"{pad}  {key}: {rendered}\n",
            ]
            return "".join(lines)
    raise ValueError("no block-style `config:` mapping")


def _config_of(text: str) -> dict[str, Any]:
    return (yaml.safe_load(text) or {}).get("config") or {}


def edit_stack_file(path: Path, section: str, key: str, value: str) -> None:
    """Set the value in the file, or raise without touching it."""
    original = path.read_text(encoding="utf-8")
    try:
        updated = set_nested_value(original, section, key, value)
    except ValueError:
        raise ConfigError(
            f"{NAMESPACE}:{section}.{key}",
            f"cannot edit {path.name} (flow-style or unusual YAML)",
            f"run `pulumi config set --path {section}.{key} {value}`",
        ) from None
    new_config = _config_of(updated)
    expected = _config_of(original)
    expected.setdefault(f"{NAMESPACE}:{section}", {})
    expected[f"{NAMESPACE}:{section}"] = {**(expected[f"{NAMESPACE}:{section}"] or {}),
                                          key: value}
    if new_config != expected:
        raise OdooOutlookError(
            f"{path.name}: editing {section}.{key} would change other settings; nothing written"
            f" (fix: run `pulumi config set --path {section}.{key} {value}`)"
        )
    parse_config(new_config)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as temp:
        temp.write(updated)
    os.replace(temp_name, path)


def set_stack_value(
    project_dir: Path, stack: str, section: str, key: str, value: str
) -> str:
    """Set a value with `pulumi config set --path` when the CLI exists; returns how it was set."""
    pulumi = shutil.which("pulumi")
    if pulumi:
        result = subprocess.run(
            [pulumi, "config", "set", "--stack", stack, "--path", f"{section}.{key}", value],
            cwd=project_dir, capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            reason = (result.stderr.strip().splitlines() or ["no output"])[-1]
            raise OdooOutlookError(f"pulumi config set failed: {reason}")
        return "pulumi config set"
    edit_stack_file(project_dir / f"Pulumi.{stack}.yaml", section, key, value)
    return f"edited Pulumi.{stack}.yaml"
