"""How a secret is shown anywhere (tables, JSON, diffs, errors, progress): never its value.

`mask` is the product's one masking function; every text that may hold a secret (an Odoo
error, a Graph error, a doctor detail, a fleet line) goes through `clean`, which masks
*first* and only then folds to one line and cuts to length: cutting first would leave the
head of a secret that straddles the cut, which no later mask could recognise.
"""

from __future__ import annotations

from collections.abc import Iterable

MASK = "********"
# Shorter values (an empty password, "a") would mask ordinary words; nothing that short is a
# credential the tool handles (Entra secrets are 40 characters, Odoo API keys 40 hex digits).
MIN_SECRET_LENGTH = 3


def mask(text: str, secrets: Iterable[str | None]) -> str:
    """`text` with every occurrence of each secret (at least MIN_SECRET_LENGTH characters)
    replaced by MASK; the longest secrets first, so one that contains another goes whole."""
    values = sorted(
        {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True
    )
    for value in values:
        text = text.replace(value, MASK)
    return text


def one_line(text: str) -> str:
    """Whitespace runs (newlines included) folded to single spaces."""
    return " ".join(text.split())


def cut(text: str, limit: int, ellipsis: str = "...") -> str:
    """At most `limit` characters, `ellipsis` marking a cut. Call it on masked text only."""
    return text if len(text) <= limit else text[: limit - len(ellipsis)] + ellipsis


def clean(
    text: str, secrets: Iterable[str | None] = (), limit: int | None = None, ellipsis: str = "..."
) -> str:
    """Mask, then fold to one line, then cut to `limit` characters (None: no cut)."""
    line = one_line(mask(text, list(secrets)))
    return line if limit is None else cut(line, limit, ellipsis)
