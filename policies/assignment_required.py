"""Policy ``sp-assignment-required``: only assigned mailboxes may sign in to the Odoo app."""

from __future__ import annotations

from typing import Final

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from .azuread import SERVICE_PRINCIPAL, UNKNOWN, get


def validate_assignment_required(
    args: ResourceValidationArgs, report_violation: ReportViolation
) -> None:
    """A ServicePrincipal's appRoleAssignmentRequired is true (unset = the provider's false)."""
    if args.resource_type != SERVICE_PRINCIPAL:
        return
    value = get(args.props, "appRoleAssignmentRequired")
    if value is UNKNOWN or value is True:
        return
    shown = "unset (provider default false)" if value is None else repr(value)
    report_violation(
        f"appRoleAssignmentRequired is {shown}; every user of the tenant could "
        "consent to the Odoo app",
        None,
    )


sp_assignment_required: Final = ResourceValidationPolicy(
    name="sp-assignment-required",
    description=(
        "The Odoo app's service principal requires user assignment "
        "(appRoleAssignmentRequired = true), so only assigned mailboxes can sign in."
    ),
    validate=validate_assignment_required,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        "Set app_role_assignment_required=True on the ServicePrincipal and assign the "
        "Odoo mailbox users (or a group) with an AppRoleAssignment."
    ),
)
