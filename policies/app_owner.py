"""Policy ``app-has-owner`` (stack policy, advisory): somebody answers for the app registration."""

from __future__ import annotations

from typing import Final

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from .azuread import APPLICATION, UNKNOWN, as_int, get, items

MIN_OWNERS: Final = 1


def validate_app_owners(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Each Application of the stack lists at least ``minOwners`` owners; reported on its URN."""
    minimum = as_int(args.get_config().get("minOwners", MIN_OWNERS)) or 1
    for resource in args.resources:
        if resource.resource_type != APPLICATION:
            continue
        owners = get(resource.props, "owners")
        if owners is UNKNOWN:
            continue
        known = items(owners)
        if any(o is UNKNOWN for o in known):
            continue
        if len(known) < minimum:
            report_violation(
                f"the app registration has {len(known)} owner(s), fewer than {minimum}; "
                "nobody is accountable for its secrets and consent",
                resource.urn,
            )


app_has_owner: Final = StackValidationPolicy(
    name="app-has-owner",
    description="The app registration has at least one owner who answers for it.",
    validate=validate_app_owners,
    enforcement_level=EnforcementLevel.ADVISORY,
    config_schema=PolicyConfigSchema(
        properties={
            "minOwners": {
                "type": "integer",
                "minimum": 1,
                "default": MIN_OWNERS,
                "description": "Minimum number of owners.",
            },
        },
    ),
    remediation_steps=(
        "List at least one user (or the deploying service principal) in the "
        "Application's owners, e.g. from the stack config's owners key."
    ),
)
