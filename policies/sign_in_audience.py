"""Policy ``allowed-sign-in-audience``: an allowed account type, v2 tokens with personal ones."""

from __future__ import annotations

from typing import Final

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from odoo_outlook.entra_limits import AUDIENCES, DEFAULT_AUDIENCE, PERSONAL_AUDIENCES

from .azuread import APPLICATION, UNKNOWN, as_int, get

ALLOWED_AUDIENCES: Final = (
    "AzureADMyOrg",
    "AzureADMultipleOrgs",
    "AzureADandPersonalMicrosoftAccount",
)


def validate_sign_in_audience(
    args: ResourceValidationArgs, report_violation: ReportViolation
) -> None:
    """An Application's signInAudience (unset = AzureADMyOrg) and, for personal accounts,
    api.requestedAccessTokenVersion."""
    if args.resource_type != APPLICATION:
        return
    audience = get(args.props, "signInAudience")
    if audience is UNKNOWN:
        return
    audience = audience or DEFAULT_AUDIENCE
    allowed = [str(a) for a in args.get_config().get("allowedAudiences", ALLOWED_AUDIENCES)]
    if audience not in allowed:
        report_violation(
            f"signInAudience '{audience}' is not allowed here (allowed: {', '.join(allowed)})",
            None,
        )
    if audience in PERSONAL_AUDIENCES:
        version = get(get(args.props, "api"), "requestedAccessTokenVersion")
        if version is not UNKNOWN and as_int(version) != 2:
            report_violation(
                f"signInAudience '{audience}' requires api.requestedAccessTokenVersion = 2 "
                f"(declared: {version!r})",
                None,
            )


allowed_sign_in_audience: Final = ResourceValidationPolicy(
    name="allowed-sign-in-audience",
    description=(
        "The app's sign-in audience is one of the allowed account types; personal "
        "Microsoft accounts also require access token version 2."
    ),
    validate=validate_sign_in_audience,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=PolicyConfigSchema(
        properties={
            "allowedAudiences": {
                "type": "array",
                "items": {"type": "string", "enum": list(AUDIENCES)},
                "minItems": 1,
                "default": list(ALLOWED_AUDIENCES),
                "description": "Sign-in audiences the app may declare.",
            },
        },
    ),
    remediation_steps=(
        "Change the audience in the stack config to an allowed one, or widen "
        "allowedAudiences in the policy pack config. With personal accounts, set "
        "api.requested_access_token_version=2."
    ),
)
