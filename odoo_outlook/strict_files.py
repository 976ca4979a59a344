"""Reading the user's files strictly: every problem is one `ConfigError` naming file and line.

`read_text` turns a missing, unreadable or non-UTF-8 file into an error with the fix.
`load_yaml` is PyYAML's safe loader with three more refusals, because YAML itself would
silently lose or bend data: a key written twice in one mapping (YAML keeps the last, so a
whole `odoo-outlook:targets` could vanish), a key that is not a string (`1:`, `yes:`, `null:`),
and a config key in a namespace that looks like a misspelt `odoo-outlook` (`odoo-outlok:`),
which Pulumi would hand to no one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from odoo_outlook.errors import ConfigError

# A namespace this close to ours (Levenshtein distance, case-insensitive) is a typo of it.
NAMESPACE_TYPO_DISTANCE = 2


def read_text(path: Path, key: str, fix_missing: str) -> str:
    """The file's text (UTF-8), or ConfigError naming `key` (the file or option) and the fix."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(key, f"{path} does not exist", fix_missing) from None
    except IsADirectoryError:
        raise ConfigError(key, f"{path} is a directory, not a file", fix_missing) from None
    except PermissionError:
        raise ConfigError(
            key,
            f"{path} cannot be read (permission denied)",
            "give your user read access, e.g. `chmod u+r`",
        ) from None
    except OSError as exc:
        raise ConfigError(
            key, f"{path} cannot be read ({exc.strerror or exc})", "check the file and the disk"
        ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(
            key,
            f"{path} is not UTF-8 text (byte {exc.start + 1}, line {line})",
            "save the file as UTF-8",
        ) from None


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions)."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


def looks_like(namespace: str, ours: str) -> bool:
    """A namespace that is not `ours` but a typo of it (`odoo-outlok`, `Odoo-Outlook`)."""
    if namespace == ours:
        return False
    return edit_distance(namespace.lower(), ours.lower()) <= NAMESPACE_TYPO_DISTANCE


# libyaml's parser when PyYAML was built with it: several times faster on a large fleet's stack
# file (1,000 targets: 0.2 s against 1.2 s); the checks below are the same on both.
_BASE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_BASE_LOADER):  # type: ignore[valid-type,misc]
    """SafeLoader refusing duplicate and non-string keys, and namespaces close to ours."""

    namespace = ""
    source = ""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            line = key_node.start_mark.line + 1
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise ConfigError(
                    f"{self.source} line {line}",
                    f"key {key_node.value!r} is read as {type(key).__name__}, not text",
                    'quote it, e.g. "' + str(key_node.value) + '": ...',
                )
            if key in seen:
                raise ConfigError(
                    f"{self.source} line {line}",
                    f"key {key!r} is written twice (first on line {seen[key]}); YAML would keep"
                    " only the last",
                    "merge the two into one",
                )
            seen[key] = line
            namespace, sep, _name = key.partition(":")
            if sep and self.namespace and looks_like(namespace, self.namespace):
                raise ConfigError(
                    f"{self.source} line {line}",
                    f"key {key!r} is in namespace {namespace!r}, which no one reads",
                    f"did you mean {self.namespace}:{_name}?",
                )
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def load_yaml(text: str, source: str, namespace: str = "") -> Any:
    """Parse YAML strictly; `source` (e.g. `--stack (Pulumi.dev.yaml)`) heads every error.

    Raises ConfigError naming the line for invalid YAML, a duplicate or non-string key, and a
    `<ns>:<key>` whose `<ns>` is a typo of `namespace`.
    """
    loader_class = type("Loader", (_StrictLoader,), {"namespace": namespace, "source": source})
    loader = loader_class(text)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise ConfigError(
            source, f"is not valid YAML{where}: {problem}", "fix the YAML syntax"
        ) from None
    finally:
        loader.dispose()
