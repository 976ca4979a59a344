"""Entra's documented per-audience limits on an app registration, as data.

Source: Microsoft identity platform, "Validation differences by supported account types
(signInAudience)", https://learn.microsoft.com/entra/identity-platform/supported-accounts-validation
(table "Validation differences"), and for redirect URIs the page it links to, "Redirect URI (reply
URL) restrictions and limitations",
https://learn.microsoft.com/entra/identity-platform/reply-url (maximum number of redirect URIs).

The limits hold at every instant, also inside a `pulumi up` that replaces a resource: a client
secret replaced create-before-delete briefly adds one more `passwordCredentials` entry.

Rows of that page the stack cannot cross, because it declares none of these properties:
`identifierUris` (with personal accounts at most 50, 120 characters each, no `urn://`),
`keyCredentials`, `oauth2PermissionScopes` (scopes the app itself exposes), `appRoles`. The
access token version 2 that personal accounts need is declared by `desired.py` and checked by
the `allowed-sign-in-audience` policy.

Stdlib only: the policy pack (`policies/`) imports this module too. Config validation, `plan`,
the policy pack and the doctor all read the limits from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

SOURCE: Final = (
    "Microsoft identity platform, 'Validation differences by supported account types"
    " (signInAudience)'"
)
SOURCE_URL: Final = (
    "https://learn.microsoft.com/entra/identity-platform/supported-accounts-validation"
)
REDIRECT_SOURCE_URL: Final = "https://learn.microsoft.com/entra/identity-platform/reply-url"
REDIRECT_SOURCE: Final = (
    "Microsoft identity platform, 'Redirect URI (reply URL) restrictions', maximum number of"
    " redirect URIs"
)

# The azuread provider's default when an Application declares no signInAudience.
DEFAULT_AUDIENCE: Final = "AzureADMyOrg"
PERSONAL_AUDIENCES: Final = frozenset(
    {"AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"}
)
AUDIENCES: Final = (
    "AzureADMyOrg",
    "AzureADMultipleOrgs",
    "AzureADandPersonalMicrosoftAccount",
    "PersonalMicrosoftAccount",
)


@dataclass(frozen=True)
class AudienceLimits:
    """What Entra accepts on one app registration for one `signInAudience`.

    `None` means the page documents no limit. Counts are per application object.
    """

    audience: str
    # passwordCredentials: "No limit" for work/school audiences, "Maximum of two client secrets"
    # with personal accounts.
    password_credentials: int | None
    # web/spa/publicClient redirectUris, per platform (reply-url page: 256, 100 with personal
    # Microsoft accounts).
    redirect_uris: int
    # requiredResourceAccess: at most 50 APIs (resource apps) ...
    required_resource_apps: int
    # ... of which at most 10 from other tenants (Microsoft Graph is a first-party app) ...
    other_tenant_resource_apps: int
    # ... at most 400 permissions over all APIs (200 with personal accounts) ...
    permissions_total: int
    # ... and with personal accounts at most 30 permissions per resource (e.g. Microsoft Graph).
    permissions_per_resource: int | None

    @property
    def allows_personal_accounts(self) -> bool:
        """Whether this audience admits personal Microsoft accounts."""
        return self.audience in PERSONAL_AUDIENCES


def _work(audience: str) -> AudienceLimits:
    return AudienceLimits(
        audience,
        password_credentials=None,
        redirect_uris=256,
        required_resource_apps=50,
        other_tenant_resource_apps=10,
        permissions_total=400,
        permissions_per_resource=None,
    )


def _personal(audience: str) -> AudienceLimits:
    return AudienceLimits(
        audience,
        password_credentials=2,
        redirect_uris=100,
        required_resource_apps=50,
        other_tenant_resource_apps=10,
        permissions_total=200,
        permissions_per_resource=30,
    )


LIMITS: Final[dict[str, AudienceLimits]] = {
    audience: _personal(audience) if audience in PERSONAL_AUDIENCES else _work(audience)
    for audience in AUDIENCES
}


def limits_for(audience: str | None) -> AudienceLimits:
    """The limits of `audience` (a manifest value; None is the provider default AzureADMyOrg).

    Raises KeyError for a value Entra does not know.
    """
    return LIMITS[str(audience or DEFAULT_AUDIENCE)]


@dataclass(frozen=True)
class LimitBreach:
    """One documented limit a declaration crosses: the key it concerns, and the numbers."""

    key: str  # e.g. "web.redirectUris" or "requiredResourceAccess[MicrosoftGraph]"
    count: int
    limit: int
    audience: str
    what: str
    source: str = SOURCE

    def message(self) -> str:
        """One line naming the stack key, the count, Entra's limit for the audience and its
        source."""
        return (
            f"{self.key}: {self.count} {self.what}, Entra accepts at most {self.limit} for"
            f" signInAudience {self.audience} ({self.source})"
        )


def app_breaches(
    audience: str | None,
    redirect_uris: int,
    permissions_by_resource: dict[str, int],
    other_tenant_resources: int = 0,
) -> list[LimitBreach]:
    """Every documented per-audience limit the declared app registration crosses.

    `redirect_uris` is the largest count on one platform; `permissions_by_resource` maps a
    resource app (id or name) to the number of permissions requested on it.
    """
    limits = limits_for(audience)
    name = limits.audience
    found: list[LimitBreach] = []
    if redirect_uris > limits.redirect_uris:
        found.append(
            LimitBreach(
                "web.redirectUris",
                redirect_uris,
                limits.redirect_uris,
                name,
                "redirect URIs",
                REDIRECT_SOURCE,
            )
        )
    if len(permissions_by_resource) > limits.required_resource_apps:
        found.append(
            LimitBreach(
                "requiredResourceAccess",
                len(permissions_by_resource),
                limits.required_resource_apps,
                name,
                "APIs",
            )
        )
    if other_tenant_resources > limits.other_tenant_resource_apps:
        found.append(
            LimitBreach(
                "requiredResourceAccess",
                other_tenant_resources,
                limits.other_tenant_resource_apps,
                name,
                "APIs from other tenants",
            )
        )
    total = sum(permissions_by_resource.values())
    if total > limits.permissions_total:
        found.append(
            LimitBreach(
                "requiredResourceAccess",
                total,
                limits.permissions_total,
                name,
                "permissions over all APIs",
            )
        )
    if limits.permissions_per_resource is not None:
        for resource, count in permissions_by_resource.items():
            if count > limits.permissions_per_resource:
                found.append(
                    LimitBreach(
                        f"requiredResourceAccess[{resource}]",
                        count,
                        limits.permissions_per_resource,
                        name,
                        "permissions on one API",
                    )
                )
    return found


def redirect_uri_breaches(audience: str | None, redirect_uris: int) -> list[LimitBreach]:
    """The redirect-URI limit alone (config validation: the only count a stack config sets)."""
    return [b for b in app_breaches(audience, redirect_uris, {}) if b.key == "web.redirectUris"]


def secret_breach(audience: str | None, live_secrets: int) -> LimitBreach | None:
    """`passwordCredentials` over the audience's cap (None when within it or uncapped)."""
    limits = limits_for(audience)
    cap = limits.password_credentials
    if cap is not None and live_secrets > cap:
        return LimitBreach(
            "passwordCredentials", live_secrets, cap, limits.audience, "client secrets"
        )
    return None
