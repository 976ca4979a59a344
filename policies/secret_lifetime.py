"""Policy ``secret-max-lifetime``: no client secret lives longer than the configured maximum.

The lifetime runs from ``startDate`` (or from creation, i.e. now, when it is unset: the program
declares none, Entra takes the creation time) to ``endDate`` or ``endDateRelative`` (the azuread
provider's Go duration, e.g. ``4320h``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Final

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from .azuread import APPLICATION_PASSWORD, UNKNOWN, get

MAX_LIFETIME_DAYS: Final = 730

_GO_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|m|s|ms|us|µs|ns)")
_GO_UNITS: Final = {
    "h": 3600.0,
    "m": 60.0,
    "s": 1.0,
    "ms": 1e-3,
    "us": 1e-6,
    "µs": 1e-6,
    "ns": 1e-9,
}


def parse_go_duration(text: str) -> timedelta:
    """Parse the provider's ``endDateRelative`` format, e.g. ``2400h30m``; ValueError if not."""
    if not text or _GO_DURATION.sub("", text) != "":
        raise ValueError(f"not a duration: {text!r}")
    seconds = sum(float(n) * _GO_UNITS[u] for n, u in _GO_DURATION.findall(text))
    return timedelta(seconds=seconds)


def parse_rfc3339(text: str) -> datetime:
    """An RFC 3339 timestamp with its offset; ValueError without one or when malformed."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"no timezone in {text!r}")
    return value


def validate_secret_lifetime(
    args: ResourceValidationArgs, report_violation: ReportViolation
) -> None:
    """An ApplicationPassword's lifetime against ``maxLifetimeDays``; at most one violation."""
    if args.resource_type != APPLICATION_PASSWORD:
        return
    max_days = float(args.get_config().get("maxLifetimeDays", MAX_LIFETIME_DAYS))
    message = _lifetime_problem(args, max_days)
    if message:
        report_violation(message, None)


def _lifetime_problem(args: ResourceValidationArgs, max_days: float) -> str | None:
    start_raw = get(args.props, "startDate")
    end_raw = get(args.props, "endDate")
    relative_raw = get(args.props, "endDateRelative")
    if UNKNOWN in (start_raw, end_raw, relative_raw):
        return None
    if start_raw:
        try:
            start = parse_rfc3339(str(start_raw))
        except ValueError:
            return f"startDate '{start_raw}' is not an RFC 3339 timestamp"
        start_label = "startDate"
    else:
        # Unset startDate: the secret starts when it is created, i.e. now.
        start = datetime.now(UTC)
        start_label = "creation"
    if end_raw:
        try:
            lifetime = parse_rfc3339(str(end_raw)) - start
        except ValueError:
            return f"endDate '{end_raw}' is not an RFC 3339 timestamp"
        end_label = f"endDate {end_raw}"
    elif relative_raw:
        try:
            lifetime = parse_go_duration(str(relative_raw))
        except ValueError:
            return f"endDateRelative '{relative_raw}' is not a duration like '4320h'"
        end_label = f"endDateRelative {relative_raw}"
    else:
        return (
            "no endDate: the secret would get Microsoft's default lifetime; declare an "
            f"endDate at most {_days(max_days)} days after startDate"
        )
    if lifetime <= timedelta(0):
        return f"{end_label} is not after {start_label}"
    if lifetime > timedelta(days=max_days):
        return (
            f"secret lives {_days(lifetime / timedelta(days=1))} days from {start_label} to "
            f"{end_label}; the maximum is {_days(max_days)} days"
        )
    return None


def _days(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


secret_max_lifetime: Final = ResourceValidationPolicy(
    name="secret-max-lifetime",
    description=(
        "No client secret of the app lives longer than the configured maximum, measured "
        "from startDate (or creation) to endDate."
    ),
    validate=validate_secret_lifetime,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=PolicyConfigSchema(
        properties={
            "maxLifetimeDays": {
                "type": "number",
                "exclusiveMinimum": 0,
                "default": MAX_LIFETIME_DAYS,
                "description": "Longest allowed secret lifetime, in days.",
            },
        },
    ),
    remediation_steps=(
        "Shorten the rotation period in the stack config (each slot lives two periods "
        "plus the grace) or raise maxLifetimeDays in the policy pack config if your "
        "organisation allows it."
    ),
)
