"""The pulumi-azuread resources the pack reads: type tokens and unknown-aware property access.

Properties arrive as the pulumi-azuread schema's camelCase names. During ``pulumi preview`` a
value that depends on another resource's output is unknown: ``pulumi_policy``'s proxy raises
``UnknownValueError`` when it is read, and a raw sentinel string may sit inside a list. ``get``
and ``items`` turn both into ``UNKNOWN`` so a validator skips that value, never guesses it, and
still checks the rest of the resource.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

# Resource type tokens (pulumi-azuread schema names).
APPLICATION: Final = "azuread:index/application:Application"
SERVICE_PRINCIPAL: Final = "azuread:index/servicePrincipal:ServicePrincipal"
APPLICATION_PASSWORD: Final = "azuread:index/applicationPassword:ApplicationPassword"
DELEGATED_GRANT: Final = (
    "azuread:index/servicePrincipalDelegatedPermissionGrant:"
    "ServicePrincipalDelegatedPermissionGrant"
)

# JSON-schema pattern of an Entra object / application id, for the config schemas.
UUID_PATTERN: Final = (
    "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)

_UNKNOWN_SENTINELS: Final = frozenset(
    {
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_STRING_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_OBJECT_VALUE,
    }
)


class _Unknown:
    """Marker for a value that cannot be known during preview."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()


def _is_unknown_raw(value: Any) -> bool:
    return isinstance(value, str) and value in _UNKNOWN_SENTINELS


def get(props: Any, key: str) -> Any:
    """``props[key]``: None when absent (or ``props`` is no mapping), ``UNKNOWN`` when unknown.

    ``props`` is a plain mapping or ``pulumi_policy``'s unknown-checking proxy; ``UNKNOWN`` in
    gives ``UNKNOWN`` out, so nested reads chain: ``get(get(props, "api"), "...")``.
    """
    if props is UNKNOWN or props is None or not isinstance(props, Mapping):
        return UNKNOWN if props is UNKNOWN or _is_unknown_raw(props) else None
    try:
        value = props.get(key)
    except UnknownValueError:
        return UNKNOWN
    return UNKNOWN if _is_unknown_raw(value) else value


def items(value: Any) -> list[Any]:
    """The elements of a list property, each a value or ``UNKNOWN``; [] for anything else."""
    if value is None or value is UNKNOWN or isinstance(value, str | bytes | Mapping):
        return []
    if not isinstance(value, Sequence):
        return []
    out: list[Any] = []
    for index in range(len(value)):
        try:
            item = value[index]
        except UnknownValueError:
            item = UNKNOWN
        out.append(UNKNOWN if _is_unknown_raw(item) else item)
    return out


def as_int(value: Any) -> int | None:
    """``value`` as an int (protobuf sends every number as a float), None when it is not one."""
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None
