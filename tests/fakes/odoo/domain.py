"""Evaluation of Odoo search domains (prefix notation) against plain dicts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

OPERATORS = {
    "=",
    "!=",
    "<>",
    "in",
    "not in",
    "like",
    "ilike",
    "not like",
    "not ilike",
    "=like",
    "=ilike",
    ">",
    "<",
    ">=",
    "<=",
    "child_of",
    "parent_of",
}

Getter = Callable[[dict[str, Any], str], Any]


def normalize(domain: Sequence[Any]) -> list[Any]:
    """Add the implicit '&' operators, as odoo.osv.expression.normalize_domain."""
    result: list[Any] = []
    expected = 1
    for token in domain:
        if expected == 0:
            result[0:0] = ["&"]
            expected = 1
        if isinstance(token, (list, tuple)):
            expected -= 1
            result.append(tuple(token))
        else:
            expected += 1 if token in ("&", "|") else 0
            result.append(token)
    return result


def leaves(domain: Sequence[Any]) -> list[tuple[Any, ...]]:
    return [tuple(t) for t in domain if isinstance(t, (list, tuple))]


def _like(value: Any, pattern: Any, *, ci: bool, raw: bool) -> bool:
    if value in (False, None):
        return False
    text, pat = str(value), str(pattern)
    if ci:
        text, pat = text.lower(), pat.lower()
    if not raw:
        return pat in text
    import re

    regex = "^" + re.escape(pat).replace("%", ".*").replace("_", ".") + "$"
    return re.match(regex, text, re.S) is not None


def _compare(value: Any, op: str, target: Any) -> bool:
    if isinstance(value, (list, tuple)) and op in ("=", "!=", "in", "not in"):
        # x2many: true when any related id matches
        ids = set(value)
        if op in ("in", "not in"):
            hit = bool(ids & set(target or []))
        else:
            hit = (not ids) if target is False else target in ids
        return hit if op in ("=", "in") else not hit
    if op == "=":
        return value == target or (target is False and value in (None, False, ""))
    if op in ("!=", "<>"):
        return not _compare(value, "=", target)
    if op == "in":
        return value in (target or []) or (False in (target or []) and value in (None, False))
    if op == "not in":
        return not _compare(value, "in", target)
    if op in ("like", "ilike", "not like", "not ilike"):
        hit = _like(value, target, ci="ilike" in op, raw=False)
        return not hit if op.startswith("not") else hit
    if op in ("=like", "=ilike"):
        return _like(value, target, ci=op == "=ilike", raw=True)
    if value in (None, False) or target in (None, False):
        return False
    try:
        return {
            ">": value > target,
            "<": value < target,
            ">=": value >= target,
            "<=": value <= target,
        }[op]
    except TypeError:
        return False


def matches(domain: Sequence[Any], record: dict[str, Any], get: Getter) -> bool:
    """Evaluate a normalized domain on one record."""
    stack: list[bool] = []
    for token in reversed(domain):
        if token == "&":
            a, b = stack.pop(), stack.pop()  # both popped: `pop() and pop()` would not be
            stack.append(a and b)
        elif token == "|":
            a, b = stack.pop(), stack.pop()
            stack.append(a or b)
        elif token == "!":
            stack.append(not stack.pop())
        elif isinstance(token, tuple) and len(token) == 3:
            fname, op, target = token
            if fname in (1, 0, True, False) and op == "=":  # TRUE_LEAF / FALSE_LEAF
                stack.append(fname == target)
                continue
            stack.append(_compare(get(record, fname), op, target))
        else:
            raise ValueError(f"Invalid leaf {token!r}")
    return all(stack)
