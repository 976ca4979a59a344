"""Policy ``entra-audience-limits`` (stack policy): Entra's per-audience limits at every instant.

The limits are ``odoo_outlook.entra_limits`` (Microsoft identity platform, "Validation
differences by supported account types (signInAudience)"): permissions per API, in all, and the
number of APIs; with personal Microsoft accounts also at most two client secrets, which must hold
inside a replacement too, so a create-before-delete replacement of a secret is refused when the
app already holds as many as it may.
"""

from __future__ import annotations

from typing import Final

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from odoo_outlook.entra_limits import SOURCE, app_breaches, limits_for, secret_breach

from .azuread import APPLICATION, APPLICATION_PASSWORD, UNKNOWN, get, items


def validate_audience_limits(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Permission limits of each Application, then the client-secret limits of the stack."""
    apps = [r for r in args.resources if r.resource_type == APPLICATION]
    passwords = [r for r in args.resources if r.resource_type == APPLICATION_PASSWORD]
    for app in apps:
        for message in _permission_breaches(app):
            report_violation(message, app.urn)
    for app in apps:
        _check_secrets(
            app, passwords if len(apps) == 1 else _passwords_of(app, passwords), report_violation
        )


def _permission_breaches(app: PolicyResource) -> list[str]:
    """Permissions per API, in all, and the number of APIs for the app's audience."""
    audience = get(app.props, "signInAudience")
    if audience is UNKNOWN:
        return []
    counts: dict[str, int] = {}
    for block in items(get(app.props, "requiredResourceAccesses")):
        resource = get(block, "resourceAppId") if block is not UNKNOWN else UNKNOWN
        name = "(unknown until apply)" if resource is UNKNOWN or resource is None else str(resource)
        counts[name] = counts.get(name, 0) + len(items(get(block, "resourceAccesses")))
    try:
        breaches = app_breaches(audience, 0, counts)
    except KeyError:  # not an Entra audience: allowed-sign-in-audience's violation
        return []
    return [b.message() for b in breaches]


def _passwords_of(app: PolicyResource, passwords: list[PolicyResource]) -> list[PolicyResource]:
    """The ApplicationPasswords whose known applicationId names ``app``'s object id."""
    object_id = get(app.props, "objectId")
    return [
        p
        for p in passwords
        if isinstance(object_id, str)
        and str(get(p.props, "applicationId") or "").endswith(object_id)
    ]


def _check_secrets(
    app: PolicyResource, mine: list[PolicyResource], report_violation: ReportViolation
) -> None:
    """The app's client secrets against its audience's cap, also inside a replacement."""
    audience = get(app.props, "signInAudience")
    if audience is UNKNOWN:
        return
    try:
        cap = limits_for(audience).password_credentials
    except KeyError:
        return
    if cap is None:
        return
    breach = secret_breach(audience, len(mine))
    if breach is not None:
        report_violation(
            f"{len(mine)} ApplicationPassword resources on one app: " + breach.message(), app.urn
        )
    if len(mine) + 1 > cap:
        for password in mine:
            if password.opts is not None and password.opts.delete_before_replace is False:
                report_violation(
                    f"ApplicationPassword {password.urn or ''} is replaced create-before-"
                    f"delete: at its next rotation the app would briefly hold"
                    f" {len(mine) + 1} client secrets, Entra accepts at most {cap} for"
                    f" signInAudience {audience} ({SOURCE}); declare it with"
                    " delete_before_replace=True",
                    password.urn,
                )


entra_audience_limits: Final = StackValidationPolicy(
    name="entra-audience-limits",
    description=(
        "The app stays within Entra's documented limits for its sign-in audience at every "
        "instant: with personal Microsoft accounts at most two client secrets (also inside "
        "a replacement, so the secrets are replaced delete-before-create), at most 30 "
        "permissions per API and 200 in all; at most 50 APIs and 400 permissions otherwise."
    ),
    validate=validate_audience_limits,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        "Declare each ApplicationPassword with delete_before_replace=True and at most two "
        "of them when the app admits personal accounts (the stack's two rotation slots do), "
        "request fewer permissions, or use a work-or-school-only audience. Source: Microsoft "
        "identity platform, 'Validation differences by supported account types "
        "(signInAudience)'."
    ),
)
