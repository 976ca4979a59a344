"""Guardrails for the Odoo Outlook app registration, as plain functions.

Every rule is a pure function ``(resource_type, props, config) -> list[str]``
returning violation messages, so tests (and the lead's Pulumi-mocks test) can
call it directly with the camelCase property bag the policy engine sends.
``__main__.py`` only wraps these functions in ``pulumi_policy`` objects.

Configuration: every policy's tunables live in its ``config_schema`` with a
JSON-schema ``default``; ``effective_config`` merges what the user configured
over those defaults, so the defaults below are the single source of truth
(including the Microsoft Graph scope name -> id table).

Unknown values (``pulumi preview`` of a value that depends on another
resource's output) are skipped, never guessed and never fatal.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from urllib.parse import urlsplit

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
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

# Entra's documented per-audience limits, one table for config, plan, doctor and this pack.
from odoo_outlook.entra_limits import PERSONAL_AUDIENCES as _LIMIT_PERSONAL_AUDIENCES
from odoo_outlook.entra_limits import SOURCE as ENTRA_LIMITS_SOURCE
from odoo_outlook.entra_limits import app_breaches, limits_for, secret_breach

# --------------------------------------------------------------------------
# Resource type tokens (pulumi-azuread schema names).
# --------------------------------------------------------------------------
APPLICATION: Final = "azuread:index/application:Application"
SERVICE_PRINCIPAL: Final = "azuread:index/servicePrincipal:ServicePrincipal"
APPLICATION_PASSWORD: Final = "azuread:index/applicationPassword:ApplicationPassword"
DELEGATED_GRANT: Final = (
    "azuread:index/servicePrincipalDelegatedPermissionGrant:"
    "ServicePrincipalDelegatedPermissionGrant"
)

MICROSOFT_GRAPH_APP_ID: Final = "00000003-0000-0000-c000-000000000000"

# Microsoft Graph's published *delegated* permission ids for the scopes Odoo's
# `microsoft_outlook` module uses. Source: Microsoft Graph permissions
# reference, "All permissions and IDs" (microsoft-graph-docs
# concepts/includes/permissions-ids.md). This is the default of the
# `odoo-graph-scopes` policy's `allowedScopes` config key and is not repeated
# anywhere else in the pack.
GRAPH_DELEGATED_SCOPES: Final[Mapping[str, str]] = {
    "SMTP.Send": "258f6531-6087-4cc4-bb90-092c5fb3ed3f",
    "IMAP.AccessAsUser.All": "652390e4-393a-48de-9484-05f9b1212954",
    "User.Read": "e1fe6dd8-ba31-4d61-89e7-88639da4683d",
    "offline_access": "7427e0e9-2fba-42fe-b0c0-848c9e6a8182",
    "openid": "37f7f235-527c-4136-accd-4a02d197296e",
    "email": "64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0",
}

SIGN_IN_AUDIENCES: Final = (
    "AzureADMyOrg",
    "AzureADMultipleOrgs",
    "AzureADandPersonalMicrosoftAccount",
    "PersonalMicrosoftAccount",
)
# The azuread provider's default when `signInAudience` is not declared.
DEFAULT_SIGN_IN_AUDIENCE: Final = "AzureADMyOrg"
PERSONAL_AUDIENCES: Final = _LIMIT_PERSONAL_AUDIENCES

_UUID_PATTERN: Final = (
    "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)

# --------------------------------------------------------------------------
# Unknown-value handling.
# --------------------------------------------------------------------------
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


def _get(props: Any, key: str) -> Any:
    """``props[key]`` or None if absent, UNKNOWN if not known yet.

    Works on plain dicts and on pulumi_policy's unknown-checking proxy, which
    raises ``UnknownValueError`` on access to an unknown value.
    """
    if props is UNKNOWN or props is None or not isinstance(props, Mapping):
        return UNKNOWN if props is UNKNOWN or _is_unknown_raw(props) else None
    try:
        value = props.get(key)
    except UnknownValueError:
        return UNKNOWN
    return UNKNOWN if _is_unknown_raw(value) else value


def _items(value: Any) -> list[Any]:
    """The elements of a list property, each either a value or UNKNOWN."""
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


# --------------------------------------------------------------------------
# Policy descriptions, config schemas and validators.
# --------------------------------------------------------------------------
Validator = Callable[[str, Mapping[str, Any], Mapping[str, Any]], list[str]]


@dataclass(frozen=True)
class PolicySpec:
    """One guardrail: its documentation, its config and its validator."""

    name: str
    description: str
    remediation: str
    enforcement_level: EnforcementLevel
    resource_types: frozenset[str]
    config_properties: Mapping[str, Mapping[str, Any]]
    validate: Validator
    stack: bool = False
    required: tuple[str, ...] = field(default=())
    # A rule over the whole stack (counts across resources); runs after `validate`.
    validate_stack: Callable[[Sequence[StackResource], Mapping[str, Any]],
                             list[tuple[str, str | None]]] | None = None

    def defaults(self) -> dict[str, Any]:
        return {
            key: copy.deepcopy(schema["default"])
            for key, schema in self.config_properties.items()
            if "default" in schema
        }


def effective_config(spec: PolicySpec, config: Mapping[str, Any] | None) -> dict[str, Any]:
    """Schema defaults overlaid with the user's configuration for ``spec``."""
    merged = spec.defaults()
    for key, value in (config or {}).items():
        if key != "enforcementLevel":
            merged[key] = value
    return merged


# ---- 1. redirect URIs ----------------------------------------------------
def check_redirect_uris(
    resource_type: str, props: Mapping[str, Any], config: Mapping[str, Any]
) -> list[str]:
    if resource_type != APPLICATION:
        return []
    suffix = str(config["requiredPathSuffix"])
    loopback = {str(h).lower() for h in config["loopbackHosts"]}
    violations: list[str] = []
    audience = _get(props, "signInAudience")
    for platform in ("web", "singlePageApplication", "publicClient"):
        uris = _items(_get(_get(props, platform), "redirectUris"))
        limit = _redirect_uri_limit(audience)
        if limit is not None and len(uris) > limit:
            violations.append(
                f"{platform}.redirectUris: {len(uris)} URIs, Entra accepts at most {limit} per "
                f"platform for signInAudience '{audience or DEFAULT_SIGN_IN_AUDIENCE}'"
            )
        for uri in uris:
            if uri is UNKNOWN:
                continue
            where = f"{platform}.redirectUris"
            problem = _redirect_problem(str(uri), suffix, loopback)
            if problem:
                violations.append(f"{where}: '{uri}' {problem}")
    return violations


def _redirect_uri_limit(audience: Any) -> int | None:
    """Entra's cap on redirect URIs per platform: 100 when personal Microsoft accounts may sign
    in (the azuread provider refuses more at plan time), 256 otherwise (Microsoft identity
    platform, "Redirect URI (reply URL) restrictions"; odoo_outlook.entra_limits)."""
    if audience is UNKNOWN:
        return None
    try:
        return limits_for(audience).redirect_uris
    except KeyError:  # an unknown audience is allowed-sign-in-audience's violation
        return None


def _redirect_problem(uri: str, suffix: str, loopback: set[str]) -> str | None:
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


# ---- 2. Microsoft Graph delegated scopes only ------------------------------
def check_graph_scopes(
    resource_type: str, props: Mapping[str, Any], config: Mapping[str, Any]
) -> list[str]:
    allowed: Mapping[str, str] = config["allowedScopes"]
    if resource_type == DELEGATED_GRANT:
        return _check_grant_claims(props, allowed)
    if resource_type != APPLICATION:
        return []
    graph_id = str(config["graphAppId"]).lower()
    other_resources = {str(r).lower() for r in config["allowedOtherResourceAppIds"]}
    allowed_ids = {str(i).lower(): name for name, i in allowed.items()}
    violations: list[str] = []
    for block in _items(_get(props, "requiredResourceAccesses")):
        if block is UNKNOWN:
            continue
        resource = _get(block, "resourceAppId")
        for access in _items(_get(block, "resourceAccesses")):
            if access is UNKNOWN:
                continue
            kind = _get(access, "type")
            ident = _get(access, "id")
            if kind is UNKNOWN or ident is UNKNOWN:
                continue
            if kind == "Role":
                violations.append(
                    f"application permission (Role) '{ident}' requested on resource "
                    f"'{resource}'; Odoo signs in as the mailbox user and needs none"
                )
            elif resource is UNKNOWN:
                continue
            elif str(resource).lower() == graph_id:
                if str(ident).lower() not in allowed_ids:
                    violations.append(
                        f"delegated scope '{ident}' on Microsoft Graph is not one Odoo needs "
                        f"(allowed: {', '.join(allowed)})"
                    )
            elif str(resource).lower() not in other_resources:
                violations.append(
                    f"delegated scope '{ident}' requested on resource '{resource}'; "
                    "Odoo only needs Microsoft Graph"
                )
    return violations


def _check_grant_claims(props: Mapping[str, Any], allowed: Mapping[str, str]) -> list[str]:
    claims = _items(_get(props, "claimValues"))
    extra = [c for c in claims if c is not UNKNOWN and str(c) not in allowed]
    return [
        f"delegated permission grant consents to '{claim}', which Odoo does not need "
        f"(allowed: {', '.join(allowed)})"
        for claim in extra
    ]


# ---- 3. service principal requires assignment ------------------------------
def check_assignment_required(
    resource_type: str, props: Mapping[str, Any], config: Mapping[str, Any]
) -> list[str]:
    if resource_type != SERVICE_PRINCIPAL:
        return []
    value = _get(props, "appRoleAssignmentRequired")
    if value is UNKNOWN or value is True:
        return []
    shown = "unset (provider default false)" if value is None else repr(value)
    return [
        f"appRoleAssignmentRequired is {shown}; every user of the tenant could "
        "consent to the Odoo app"
    ]


# ---- 4. client secret lifetime -------------------------------------------
_GO_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|m|s|ms|us|µs|ns)")
_GO_UNITS: Final = {
    "h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9,
}


def parse_go_duration(text: str) -> timedelta:
    """Parse the provider's ``endDateRelative`` format, e.g. ``2400h30m``."""
    if not text or _GO_DURATION.sub("", text) != "":
        raise ValueError(f"not a duration: {text!r}")
    seconds = sum(float(n) * _GO_UNITS[u] for n, u in _GO_DURATION.findall(text))
    return timedelta(seconds=seconds)


def parse_rfc3339(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"no timezone in {text!r}")
    return value


def check_secret_lifetime(
    resource_type: str,
    props: Mapping[str, Any],
    config: Mapping[str, Any],
    *,
    now: datetime | None = None,
) -> list[str]:
    if resource_type != APPLICATION_PASSWORD:
        return []
    max_days = float(config["maxLifetimeDays"])
    start_raw = _get(props, "startDate")
    end_raw = _get(props, "endDate")
    relative_raw = _get(props, "endDateRelative")
    if UNKNOWN in (start_raw, end_raw, relative_raw):
        return []
    if start_raw:
        try:
            start = parse_rfc3339(str(start_raw))
        except ValueError:
            return [f"startDate '{start_raw}' is not an RFC 3339 timestamp"]
        start_label = "startDate"
    else:
        # Unset startDate: the secret starts when it is created, i.e. now.
        start = now or datetime.now(UTC)
        start_label = "creation"
    if end_raw:
        try:
            lifetime = parse_rfc3339(str(end_raw)) - start
        except ValueError:
            return [f"endDate '{end_raw}' is not an RFC 3339 timestamp"]
        end_label = f"endDate {end_raw}"
    elif relative_raw:
        try:
            lifetime = parse_go_duration(str(relative_raw))
        except ValueError:
            return [f"endDateRelative '{relative_raw}' is not a duration like '4320h'"]
        end_label = f"endDateRelative {relative_raw}"
    else:
        return [
            "no endDate: the secret would get Microsoft's default lifetime; declare an "
            f"endDate at most {_days(max_days)} days after startDate"
        ]
    if lifetime <= timedelta(0):
        return [f"{end_label} is not after {start_label}"]
    if lifetime > timedelta(days=max_days):
        return [
            f"secret lives {_days(lifetime / timedelta(days=1))} days from {start_label} to "
            f"{end_label}; the maximum is {_days(max_days)} days"
        ]
    return []


def _days(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


# ---- 5. sign-in audience --------------------------------------------------
def check_sign_in_audience(
    resource_type: str, props: Mapping[str, Any], config: Mapping[str, Any]
) -> list[str]:
    if resource_type != APPLICATION:
        return []
    audience = _get(props, "signInAudience")
    if audience is UNKNOWN:
        return []
    audience = audience or DEFAULT_SIGN_IN_AUDIENCE
    allowed = [str(a) for a in config["allowedAudiences"]]
    violations: list[str] = []
    if audience not in allowed:
        violations.append(
            f"signInAudience '{audience}' is not allowed here (allowed: {', '.join(allowed)})"
        )
    if audience in PERSONAL_AUDIENCES:
        version = _get(_get(props, "api"), "requestedAccessTokenVersion")
        if version is not UNKNOWN and _as_int(version) != 2:
            violations.append(
                f"signInAudience '{audience}' requires api.requestedAccessTokenVersion = 2 "
                f"(declared: {version!r})"
            )
    return violations


def _as_int(value: Any) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


# ---- 6. owners ------------------------------------------------------------
def check_app_owners(
    resource_type: str, props: Mapping[str, Any], config: Mapping[str, Any]
) -> list[str]:
    if resource_type != APPLICATION:
        return []
    owners = _get(props, "owners")
    if owners is UNKNOWN:
        return []
    known = _items(owners)
    if any(o is UNKNOWN for o in known):
        return []
    minimum = _as_int(config["minOwners"]) or 1
    if len(known) < minimum:
        return [
            f"the app registration has {len(known)} owner(s), fewer than {minimum}; "
            "nobody is accountable for its secrets and consent"
        ]
    return []


# ---- 7. Entra's per-audience limits ---------------------------------------
def check_audience_limits(
    resource_type: str, props: Mapping[str, Any], config: Mapping[str, Any]
) -> list[str]:
    """Permissions per API, in all, and the number of APIs for the app's audience."""
    if resource_type != APPLICATION:
        return []
    audience = _get(props, "signInAudience")
    if audience is UNKNOWN:
        return []
    counts: dict[str, int] = {}
    for block in _items(_get(props, "requiredResourceAccesses")):
        resource = _get(block, "resourceAppId") if block is not UNKNOWN else UNKNOWN
        name = "(unknown until apply)" if resource is UNKNOWN or resource is None else str(
            resource)
        counts[name] = counts.get(name, 0) + len(_items(_get(block, "resourceAccesses")))
    try:
        breaches = app_breaches(audience, 0, counts)
    except KeyError:
        return []
    return [b.message() for b in breaches]


@dataclass(frozen=True)
class StackResource:
    """One resource as a stack-wide rule sees it: type, properties and resource options."""

    resource_type: str
    props: Mapping[str, Any]
    urn: str | None = None
    # RegisterResource's deleteBeforeReplace; None when the caller does not know the options.
    delete_before_replace: bool | None = None


def check_secret_limits(resources: Sequence[StackResource],
                        config: Mapping[str, Any]) -> list[tuple[str, str | None]]:
    """Client secrets of an app whose audience caps them (two with personal accounts).

    Counts the stack's ApplicationPasswords (all of them when the stack declares one app,
    else those whose known applicationId names it) and, when the app already holds as many as
    it may, refuses a create-before-delete replacement: that instant would need one more.
    """
    apps = [r for r in resources if r.resource_type == APPLICATION]
    passwords = [r for r in resources if r.resource_type == APPLICATION_PASSWORD]
    found: list[tuple[str, str | None]] = []
    for app in apps:
        audience = _get(app.props, "signInAudience")
        if audience is UNKNOWN:
            continue
        try:
            cap = limits_for(audience).password_credentials
        except KeyError:
            continue
        if cap is None:
            continue
        object_id = _get(app.props, "objectId")
        mine = passwords if len(apps) == 1 else [
            p for p in passwords if isinstance(object_id, str)
            and str(_get(p.props, "applicationId") or "").endswith(object_id)]
        breach = secret_breach(audience, len(mine))
        if breach is not None:
            found.append((f"{len(mine)} ApplicationPassword resources on one app: "
                          + breach.message(), app.urn))
        if len(mine) + 1 > cap:
            for password in mine:
                if password.delete_before_replace is False:
                    found.append((
                        f"ApplicationPassword {password.urn or ''} is replaced create-before-"
                        f"delete: at its next rotation the app would briefly hold"
                        f" {len(mine) + 1} client secrets, Entra accepts at most {cap} for"
                        f" signInAudience {audience} ({ENTRA_LIMITS_SOURCE}); declare it with"
                        " delete_before_replace=True", password.urn))
    return found


# --------------------------------------------------------------------------
# The policy table.
# --------------------------------------------------------------------------
POLICIES: Final[tuple[PolicySpec, ...]] = (
    PolicySpec(
        name="odoo-redirect-uris",
        description=(
            "Redirect URIs of the Odoo Outlook app use https (plain http only on a loopback "
            "host) and end in Odoo's /microsoft_outlook/confirm route."
        ),
        remediation=(
            "Declare each Odoo base URL as https://<odoo-host>/microsoft_outlook/confirm in the "
            "stack config; use http only for http://localhost or http://127.0.0.1 test "
            "instances. Remove any other redirect URI."
        ),
        enforcement_level=EnforcementLevel.MANDATORY,
        resource_types=frozenset({APPLICATION}),
        config_properties={
            "requiredPathSuffix": {
                "type": "string",
                "minLength": 1,
                "default": "/microsoft_outlook/confirm",
                "description": "Path every redirect URI must end with.",
            },
            "loopbackHosts": {
                "type": "array",
                "items": {"type": "string"},
                "default": ["localhost", "127.0.0.1"],
                "description": "Hosts on which plain http redirect URIs are tolerated.",
            },
        },
        validate=check_redirect_uris,
    ),
    PolicySpec(
        name="odoo-graph-scopes",
        description=(
            "The app requests only the delegated Microsoft Graph scopes Odoo needs (SMTP.Send, "
            "IMAP.AccessAsUser.All, User.Read, offline_access, openid, email), compared by "
            "scope id, and no application (Role) permission on any resource."
        ),
        remediation=(
            "Remove the extra entry from requiredResourceAccesses (and from any delegated "
            "permission grant's claimValues). Odoo signs in as the mailbox user, so it never "
            "needs application permissions. If Microsoft ever publishes a new id, override "
            "allowedScopes in the policy pack config rather than the program."
        ),
        enforcement_level=EnforcementLevel.MANDATORY,
        resource_types=frozenset({APPLICATION, DELEGATED_GRANT}),
        config_properties={
            "allowedScopes": {
                "type": "object",
                "additionalProperties": {"type": "string", "pattern": _UUID_PATTERN},
                "default": dict(GRAPH_DELEGATED_SCOPES),
                "description": (
                    "Delegated Microsoft Graph scopes allowed, name -> published scope id."
                ),
            },
            "graphAppId": {
                "type": "string",
                "pattern": _UUID_PATTERN,
                "default": MICROSOFT_GRAPH_APP_ID,
                "description": "Application (client) id of Microsoft Graph.",
            },
            "allowedOtherResourceAppIds": {
                "type": "array",
                "items": {"type": "string", "pattern": _UUID_PATTERN},
                "default": [],
                "description": (
                    "Other APIs on which delegated scopes may be requested (none by default)."
                ),
            },
        },
        validate=check_graph_scopes,
    ),
    PolicySpec(
        name="sp-assignment-required",
        description=(
            "The Odoo app's service principal requires user assignment "
            "(appRoleAssignmentRequired = true), so only assigned mailboxes can sign in."
        ),
        remediation=(
            "Set app_role_assignment_required=True on the ServicePrincipal and assign the "
            "Odoo mailbox users (or a group) with an AppRoleAssignment."
        ),
        enforcement_level=EnforcementLevel.MANDATORY,
        resource_types=frozenset({SERVICE_PRINCIPAL}),
        config_properties={},
        validate=check_assignment_required,
    ),
    PolicySpec(
        name="secret-max-lifetime",
        description=(
            "No client secret of the app lives longer than the configured maximum, measured "
            "from startDate (or creation) to endDate."
        ),
        remediation=(
            "Shorten the rotation period in the stack config (each slot lives two periods "
            "plus the grace) or raise maxLifetimeDays in the policy pack config if your "
            "organisation allows it."
        ),
        enforcement_level=EnforcementLevel.MANDATORY,
        resource_types=frozenset({APPLICATION_PASSWORD}),
        config_properties={
            "maxLifetimeDays": {
                "type": "number",
                "exclusiveMinimum": 0,
                "default": 730,
                "description": "Longest allowed secret lifetime, in days.",
            },
        },
        validate=check_secret_lifetime,
    ),
    PolicySpec(
        name="allowed-sign-in-audience",
        description=(
            "The app's sign-in audience is one of the allowed account types; personal "
            "Microsoft accounts also require access token version 2."
        ),
        remediation=(
            "Change the audience in the stack config to an allowed one, or widen "
            "allowedAudiences in the policy pack config. With personal accounts, set "
            "api.requested_access_token_version=2."
        ),
        enforcement_level=EnforcementLevel.MANDATORY,
        resource_types=frozenset({APPLICATION}),
        config_properties={
            "allowedAudiences": {
                "type": "array",
                "items": {"type": "string", "enum": list(SIGN_IN_AUDIENCES)},
                "minItems": 1,
                "default": [
                    "AzureADMyOrg",
                    "AzureADMultipleOrgs",
                    "AzureADandPersonalMicrosoftAccount",
                ],
                "description": "Sign-in audiences the app may declare.",
            },
        },
        validate=check_sign_in_audience,
    ),
    PolicySpec(
        name="app-has-owner",
        description="The app registration has at least one owner who answers for it.",
        remediation=(
            "List at least one user (or the deploying service principal) in the "
            "Application's owners, e.g. from the stack config's owners key."
        ),
        enforcement_level=EnforcementLevel.ADVISORY,
        resource_types=frozenset({APPLICATION}),
        config_properties={
            "minOwners": {
                "type": "integer",
                "minimum": 1,
                "default": 1,
                "description": "Minimum number of owners.",
            },
        },
        validate=check_app_owners,
        stack=True,
    ),
    PolicySpec(
        name="entra-audience-limits",
        description=(
            "The app stays within Entra's documented limits for its sign-in audience at every "
            "instant: with personal Microsoft accounts at most two client secrets (also inside "
            "a replacement, so the secrets are replaced delete-before-create), at most 30 "
            "permissions per API and 200 in all; at most 50 APIs and 400 permissions otherwise."
        ),
        remediation=(
            "Declare each ApplicationPassword with delete_before_replace=True and at most two "
            "of them when the app admits personal accounts (the stack's two rotation slots do), "
            "request fewer permissions, or use a work-or-school-only audience. Source: Microsoft "
            "identity platform, 'Validation differences by supported account types "
            "(signInAudience)'."
        ),
        enforcement_level=EnforcementLevel.MANDATORY,
        resource_types=frozenset({APPLICATION, APPLICATION_PASSWORD}),
        config_properties={},
        validate=check_audience_limits,
        stack=True,
        validate_stack=check_secret_limits,
    ),
)

POLICY_NAMES: Final = tuple(spec.name for spec in POLICIES)
_BY_NAME: Final = {spec.name: spec for spec in POLICIES}


def get_spec(name: str) -> PolicySpec:
    return _BY_NAME[name]


# --------------------------------------------------------------------------
# Entry points.
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Violation:
    policy: str
    message: str
    urn: str | None = None


PackConfig = Mapping[str, Mapping[str, Any]]


def run_policy(
    spec: PolicySpec,
    resource_type: str,
    props: Mapping[str, Any],
    config: Mapping[str, Any] | None = None,
    *,
    now: datetime | None = None,
) -> list[str]:
    """Violation messages of one policy for one resource (config merged with defaults)."""
    if resource_type not in spec.resource_types:
        return []
    merged = effective_config(spec, config)
    if spec.validate is check_secret_lifetime:
        return check_secret_lifetime(resource_type, props, merged, now=now)
    return spec.validate(resource_type, props, merged)


def validate_resource(
    resource_type: str,
    props: Mapping[str, Any],
    config: PackConfig | None = None,
    *,
    now: datetime | None = None,
) -> list[Violation]:
    """Every policy of the pack (resource and stack ones) against one resource.

    ``config`` is the pack config shape: ``{policy_name: {key: value}}``; a
    policy configured with ``enforcementLevel: disabled`` is skipped.
    """
    violations: list[Violation] = []
    for spec in POLICIES:
        policy_config = (config or {}).get(spec.name) or {}
        if policy_config.get("enforcementLevel") == EnforcementLevel.DISABLED.value:
            continue
        for message in run_policy(spec, resource_type, props, policy_config, now=now):
            violations.append(Violation(spec.name, message))
    return violations


def validate_stack(
    resources: Iterable[tuple[str, Mapping[str, Any]] | StackResource],
    config: PackConfig | None = None,
    *,
    now: datetime | None = None,
) -> list[Violation]:
    """``validate_resource`` over ``(resource_type, props)`` pairs (or ``StackResource``s, which
    also carry the resource options), then the stack-wide rules."""
    stack = [r if isinstance(r, StackResource) else StackResource(r[0], r[1])
             for r in resources]
    out: list[Violation] = []
    for resource in stack:
        out.extend(validate_resource(resource.resource_type, resource.props, config, now=now))
    for spec in POLICIES:
        policy_config = (config or {}).get(spec.name) or {}
        if spec.validate_stack is None or (
            policy_config.get("enforcementLevel") == EnforcementLevel.DISABLED.value
        ):
            continue
        for message, urn in spec.validate_stack(stack, effective_config(spec, policy_config)):
            out.append(Violation(spec.name, message, urn))
    return out


# --------------------------------------------------------------------------
# Adapters to pulumi_policy.
# --------------------------------------------------------------------------
def _resource_adapter(
    spec: PolicySpec,
) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        for message in run_policy(spec, args.resource_type, args.props, args.get_config()):
            report_violation(message, None)

    validate.__name__ = f"validate_{spec.name.replace('-', '_')}"
    return validate


def _stack_adapter(spec: PolicySpec) -> Callable[[StackValidationArgs, ReportViolation], None]:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        config = args.get_config()
        for resource in args.resources:
            for message in run_policy(spec, resource.resource_type, resource.props, config):
                report_violation(message, resource.urn)
        if spec.validate_stack is not None:
            stack = [StackResource(r.resource_type, r.props, r.urn,
                                   r.opts.delete_before_replace if r.opts else None)
                     for r in args.resources]
            for message, urn in spec.validate_stack(stack, effective_config(spec, config)):
                report_violation(message, urn)

    validate.__name__ = f"validate_{spec.name.replace('-', '_')}"
    return validate


def build_policies() -> list[ResourceValidationPolicy | StackValidationPolicy]:
    """The pulumi_policy objects for the pack (no server is started)."""
    policies: list[ResourceValidationPolicy | StackValidationPolicy] = []
    for spec in POLICIES:
        schema = (
            PolicyConfigSchema(
                properties={k: dict(v) for k, v in spec.config_properties.items()},
                required=list(spec.required) or None,
            )
            if spec.config_properties
            else None
        )
        if spec.stack:
            policies.append(
                StackValidationPolicy(
                    name=spec.name,
                    description=spec.description,
                    validate=_stack_adapter(spec),
                    enforcement_level=spec.enforcement_level,
                    config_schema=schema,
                    remediation_steps=spec.remediation,
                )
            )
        else:
            policies.append(
                ResourceValidationPolicy(
                    name=spec.name,
                    description=spec.description,
                    validate=_resource_adapter(spec),
                    enforcement_level=spec.enforcement_level,
                    config_schema=schema,
                    remediation_steps=spec.remediation,
                )
            )
    return policies
