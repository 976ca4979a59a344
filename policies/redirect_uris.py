"""Policy ``odoo-redirect-uris``: https redirect URIs ending in Odoo's confirmation route.

Also Entra's cap on redirect URIs per platform for the app's audience (100 with personal
Microsoft accounts, 256 otherwise; Microsoft identity platform, "Redirect URI (reply URL)
restrictions", read from ``odoo_outlook.entra_limits``).
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlsplit

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from odoo_outlook.entra_limits import DEFAULT_AUDIENCE, limits_for

from .azuread import APPLICATION, UNKNOWN, get, items

REQUIRED_PATH_SUFFIX: Final = "/microsoft_outlook/confirm"
LOOPBACK_HOSTS: Final = ("localhost", "127.0.0.1")
PLATFORMS: Final = ("web", "singlePageApplication", "publicClient")


def validate_redirect_uris(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Every redirect URI of an Application on every platform; one violation per bad URI."""
    if args.resource_type != APPLICATION:
        return
    config = args.get_config()
    suffix = str(config.get("requiredPathSuffix", REQUIRED_PATH_SUFFIX))
    loopback = {str(h).lower() for h in config.get("loopbackHosts", LOOPBACK_HOSTS)}
    audience = get(args.props, "signInAudience")
    limit = _redirect_uri_limit(audience)
    for platform in PLATFORMS:
        uris = items(get(get(args.props, platform), "redirectUris"))
        if limit is not None and len(uris) > limit:
            report_violation(
                f"{platform}.redirectUris: {len(uris)} URIs, Entra accepts at most {limit} per "
                f"platform for signInAudience '{audience or DEFAULT_AUDIENCE}'",
                None,
            )
        for uri in uris:
            if uri is UNKNOWN:
                continue
            problem = redirect_problem(str(uri), suffix, loopback)
            if problem:
                report_violation(f"{platform}.redirectUris: '{uri}' {problem}", None)


def _redirect_uri_limit(audience: Any) -> int | None:
    """Entra's cap per platform for ``audience``; None when unknown or not an Entra audience
    (an unknown audience is allowed-sign-in-audience's violation)."""
    if audience is UNKNOWN:
        return None
    try:
        return limits_for(audience).redirect_uris
    except KeyError:
        return None


def redirect_problem(uri: str, suffix: str, loopback: set[str]) -> str | None:
    """What is wrong with one redirect URI (the end of the violation message), or None."""
    try:
        parts = urlsplit(uri)
        host = (parts.hostname or "").lower()
    except ValueError:
        return "is not a valid URL"
    if not host:
        return "has no host"
    if parts.scheme == "http":
        if host not in loopback:
            return (
                "uses http on a public host; only https is allowed "
                f"(http only for loopback: {', '.join(sorted(loopback))})"
            )
    elif parts.scheme != "https":
        return f"uses scheme '{parts.scheme}'; only https is allowed"
    if parts.query or parts.fragment:
        return "must not carry a query string or fragment"
    if not parts.path.endswith(suffix):
        return f"does not end in '{suffix}' (Odoo's Outlook confirmation route)"
    return None


odoo_redirect_uris: Final = ResourceValidationPolicy(
    name="odoo-redirect-uris",
    description=(
        "Redirect URIs of the Odoo Outlook app use https (plain http only on a loopback "
        "host) and end in Odoo's /microsoft_outlook/confirm route."
    ),
    validate=validate_redirect_uris,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=PolicyConfigSchema(
        properties={
            "requiredPathSuffix": {
                "type": "string",
                "minLength": 1,
                "default": REQUIRED_PATH_SUFFIX,
                "description": "Path every redirect URI must end with.",
            },
            "loopbackHosts": {
                "type": "array",
                "items": {"type": "string"},
                "default": list(LOOPBACK_HOSTS),
                "description": "Hosts on which plain http redirect URIs are tolerated.",
            },
        },
    ),
    remediation_steps=(
        "Declare each Odoo base URL as https://<odoo-host>/microsoft_outlook/confirm in the "
        "stack config; use http only for http://localhost or http://127.0.0.1 test "
        "instances. Remove any other redirect URI."
    ),
)
