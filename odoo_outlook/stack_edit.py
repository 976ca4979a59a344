"""Setting stack config values (all or none): with `pulumi config set --path` when the Pulumi CLI is
installed, else by editing `Pulumi.<stack>.yaml` with ruamel.yaml's round-trip mode.

ruamel.yaml (not a hand-written line editor) keeps the user's comments, key order, quotes
and, with the indentation measured from the file, its layout. The edited text is parsed
back and compared with the original plus the new values, then validated; only then it
replaces the file, atomically, with the file's own permission bits, owner and group. Any
doubt writes nothing and prints the exact `pulumi config set` command instead.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError as RuamelError

from odoo_outlook.config import NAMESPACE, parse_config
from odoo_outlook.errors import ConfigError, OdooOutlookError

_DASH = re.compile(r"^(\s*)- ")


def pulumi_command(stack: str, section: str, values: Mapping[str, str]) -> str:
    """The exact command(s) that set the values with the Pulumi CLI."""
    return " && ".join(
        f"pulumi config set --stack {stack} --path {section}.{key} {value}"
        for key, value in values.items()
    )


def _indentation(text: str) -> tuple[int, int, int]:
    """(mapping, sequence, offset) indents of the file, as ruamel.yaml's `indent()` takes
    them; Pulumi's own layout (2, 4, 2) when the file shows none."""
    lines = [
        line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    mapping = (
        next((len(line) - len(line.lstrip(" ")) for line in lines[1:] if line.startswith(" ")), 2)
        or 2
    )
    offset = 2
    for index, line in enumerate(lines):
        match = _DASH.match(line)
        if match and index:
            parent = lines[index - 1]
            offset = max(0, len(match.group(1)) - (len(parent) - len(parent.lstrip(" "))))
            break
    return mapping, offset + 2, offset


def _round_trip() -> YAML:
    editor = YAML(typ="rt")
    editor.preserve_quotes = True
    editor.width = 4096  # never re-wrap the user's long lines
    return editor


def set_nested_values(text: str, section: str, values: Mapping[str, str]) -> str:
    """Set each `config.<NAMESPACE>:<section>.<key>` in stack YAML, keeping everything else.

    Raises ValueError when the text has no `config:` mapping to put it in.
    """
    editor = _round_trip()
    editor.indent(*_indentation(text))
    try:
        document = editor.load(text)
    except RuamelError as exc:
        raise ValueError(f"not YAML ruamel.yaml can edit: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("config"), dict):
        raise ValueError("no `config:` mapping")
    config = document["config"]
    name = f"{NAMESPACE}:{section}"
    if config.get(name) is None:
        config[name] = {}
    if not isinstance(config[name], dict):
        raise ValueError(f"{name} is not a mapping")
    config[name].update(values)
    out = io.StringIO()
    editor.dump(document, out)
    return out.getvalue()


def _config_of(text: str) -> dict[str, Any]:
    return (yaml.safe_load(text) or {}).get("config") or {}


def _replace_keeping_mode_and_owner(path: Path, text: str) -> None:
    """Write `text` to `path` atomically with the file's mode, owner and group."""
    status = path.stat()
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as temp:
            temp.write(text)
        os.chmod(temp_name, status.st_mode & 0o7777)
        if (os.stat(temp_name).st_uid, os.stat(temp_name).st_gid) != (status.st_uid, status.st_gid):
            try:
                os.chown(temp_name, status.st_uid, status.st_gid)
            except PermissionError:
                # Someone else's file we may write but not re-own: edit it in place instead,
                # so its owner and group stay.
                os.unlink(temp_name)
                with path.open("r+", encoding="utf-8") as target:
                    target.write(text)
                    target.truncate()
                return
        os.replace(temp_name, path)
    except BaseException:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
        raise


def edit_stack_file(path: Path, stack: str, section: str, values: Mapping[str, str]) -> None:
    """Set the values in the file in one write, or raise (with the `pulumi config set`
    commands) without touching it."""
    command = pulumi_command(stack, section, values)
    keys = ", ".join(f"{section}.{key}" for key in values)
    original = path.read_text(encoding="utf-8")
    try:
        updated = set_nested_values(original, section, values)
    except ValueError as exc:
        raise ConfigError(
            f"{NAMESPACE}:{keys}", f"cannot edit {path.name} ({exc})", f"run `{command}`"
        ) from None
    new_config = _config_of(updated)
    expected = _config_of(original)
    expected[f"{NAMESPACE}:{section}"] = {
        **(expected.get(f"{NAMESPACE}:{section}") or {}),
        **values,
    }
    if new_config != expected:
        raise OdooOutlookError(
            f"{path.name}: editing {keys} would change other settings; nothing written"
            f" (fix: run `{command}`)"
        )
    parse_config(new_config)
    _replace_keeping_mode_and_owner(path, updated)


def set_stack_values(project_dir: Path, stack: str, section: str, values: Mapping[str, str]) -> str:
    """Set values with `pulumi config set --path` when the CLI exists (one call per key, in
    order), else in one edit of the stack file; returns how they were set."""
    pulumi = shutil.which("pulumi")
    if pulumi:
        for key, value in values.items():
            result = subprocess.run(
                [pulumi, "config", "set", "--stack", stack, "--path", f"{section}.{key}", value],
                cwd=project_dir,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                reason = (result.stderr.strip().splitlines() or ["no output"])[-1]
                raise OdooOutlookError(f"pulumi config set failed: {reason}")
        return "pulumi config set"
    edit_stack_file(project_dir / f"Pulumi.{stack}.yaml", stack, section, values)
    command = pulumi_command(stack, section, values)
    return f"edited Pulumi.{stack}.yaml with ruamel.yaml, as `{command}` would"
