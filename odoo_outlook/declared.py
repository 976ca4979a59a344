"""The declared state as plain data: the offline view `odoo-outlook plan` prints.

Pure: built from the desired state only. Secrets are never part of it; values only known after
`pulumi up` (the client id, scope ids) are named as such.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from odoo_outlook.config import MailMode
from odoo_outlook.desired import (
    DEFAULT_ACCESS_ROLE_ID,
    FALLBACK_PUBLIC_CLIENT,
    IMPLICIT_GRANT_ACCESS_TOKEN,
    IMPLICIT_GRANT_ID_TOKEN,
    MICROSOFT_GRAPH_APP_ID,
    PUBLIC_CLIENT_REDIRECT_URIS,
    SPA_REDIRECT_URIS,
    DesiredState,
    OdooTargetSpec,
)
from odoo_outlook.entra_limits import (
    REDIRECT_SOURCE_URL,
    SOURCE_URL,
    LimitBreach,
    app_breaches,
    limits_for,
)
from odoo_outlook.rotation import SLOTS, SecretSlot
from odoo_outlook.sharing_plan import sharing_plan

AFTER_UP = "<set by pulumi up>"


def _ts(moment: datetime) -> str:
    return f"{moment:%Y-%m-%dT%H:%M:%SZ}"


def manifest_fragment(state: DesiredState) -> dict[str, Any]:
    """The part of the Entra app manifest the stack declares (Microsoft Graph API shape)."""
    app = state.app
    fragment: dict[str, Any] = {
        "displayName": app.display_name,
        "signInAudience": app.sign_in_audience.value,
        "isFallbackPublicClient": FALLBACK_PUBLIC_CLIENT,
        "web": {
            "redirectUris": list(app.redirect_uris),
            "implicitGrantSettings": {
                "enableAccessTokenIssuance": IMPLICIT_GRANT_ACCESS_TOKEN,
                "enableIdTokenIssuance": IMPLICIT_GRANT_ID_TOKEN,
            },
        },
        "publicClient": {"redirectUris": list(PUBLIC_CLIENT_REDIRECT_URIS)},
        "spa": {"redirectUris": list(SPA_REDIRECT_URIS)},
        "requiredResourceAccess": [
            {
                "resourceAppId": MICROSOFT_GRAPH_APP_ID,
                "resourceAccess": [
                    {"id": f"<id of {scope}, resolved at deploy time>", "type": "Scope"}
                    for scope in app.scopes
                ],
            }
        ],
    }
    if app.requested_access_token_version:
        fragment["api"] = {"requestedAccessTokenVersion": app.requested_access_token_version}
    return fragment


def _slot(slot: SecretSlot, state: DesiredState) -> dict[str, Any]:
    return {
        "slot": slot.slot.upper(),
        "displayName": slot.display_name,
        "createdNotBefore": _ts(slot.not_before),
        "expiresAt": _ts(slot.end_date),
        "heldByOdoo": slot is state.secret.current,
        "forced": slot.forced_at is not None,
    }


def _target(target: OdooTargetSpec) -> dict[str, Any]:
    alias = target.alias
    parameters: dict[str, str | None] = {
        "microsoft_outlook_client_id": AFTER_UP,
        "microsoft_outlook_client_secret": "******** (newest secret, set by pulumi up)",
        "microsoft_outlook.endpoint": target.endpoint,
    }
    connection = target.connection
    return {
        "name": target.name,
        "baseUrls": list(target.base_urls),
        "redirectUris": list(target.redirect_uris),
        "expectedWebBaseUrl": target.expected_base_url,
        "mode": target.mode.value,
        "connection": None
        if connection is None
        else {
            "url": connection.url,
            "database": connection.database,
            "login": connection.login,
            "password": f"from ${connection.password_env} or secret odooPasswords.{target.name}",
            "transport": connection.transport.value,
            "installModules": connection.install_modules,
        },
        "systemParameters": parameters,
        "outgoingServers": [
            {
                "name": server.name,
                "fromFilter": server.from_filter,
                "smtpUser": server.username,
                "host": server.host,
                "port": server.port,
                "security": server.encryption,
                "sequence": server.sequence,
                "role": "fallback"
                if server.is_fallback
                else ("personal" if target.mode is MailMode.PER_USER else "generic"),
            }
            for server in target.outgoing
        ],
        "incomingServers": [
            {
                "name": server.name,
                "user": server.mailbox,
                "host": server.host,
                "port": server.port,
                "ssl": server.is_ssl,
            }
            for server in target.incoming
        ],
        "catchall": {
            "domain": alias.domain,
            "defaultFrom": alias.default_from,
            "defaultFromAddress": alias.default_from_address,
            "catchallAlias": alias.catchall_alias,
            "bounceAlias": alias.bounce_alias,
            "odoo15and16": {
                "mail.catchall.domain": alias.domain,
                "mail.default.from": alias.default_from,
                "mail.catchall.alias": alias.catchall_alias,
                "mail.bounce.alias": alias.bounce_alias,
            },
            "odoo17plus": {
                "model": "mail.alias.domain",
                "name": alias.domain,
                "default_from": alias.default_from,
                "catchall_alias": alias.catchall_alias,
                "bounce_alias": alias.bounce_alias,
                "linkedFrom": "res.company.alias_domain_id",
            },
        },
        "connectStep": [
            f"{server.name}: click 'Connect your Outlook account' once, signed in as"
            f" {server.username}"
            for server in target.servers
        ],
        **sharing_plan(target),
    }


def limit_breaches(state: DesiredState) -> list[LimitBreach]:
    """Every documented per-audience limit the declared app registration would cross."""
    app = state.app
    return app_breaches(
        app.sign_in_audience.value, len(app.redirect_uris), {"Microsoft Graph": len(app.scopes)}
    )


def entra_limits(state: DesiredState) -> dict[str, Any]:
    """The audience's limits next to what the stack declares (`odoo_outlook.entra_limits`)."""
    app = state.app
    limits = limits_for(app.sign_in_audience.value)
    capped = limits.password_credentials is not None
    return {
        "signInAudience": limits.audience,
        "source": [SOURCE_URL, REDIRECT_SOURCE_URL],
        "passwordCredentials": {
            "limit": limits.password_credentials,
            # Delete-before-create under a cap: never more than the two slots at any instant;
            # without one a forced rotation creates both successors before deleting (four).
            "atMostAtAnyInstant": len(SLOTS) if capped else 2 * len(SLOTS),
            "replacement": "delete-before-create" if capped else "create-before-delete",
        },
        "redirectUris": {"declared": len(app.redirect_uris), "limit": limits.redirect_uris},
        "permissionsPerResource": {
            "declared": {"Microsoft Graph": len(app.scopes)},
            "limit": limits.permissions_per_resource,
        },
        "permissionsTotal": {"declared": len(app.scopes), "limit": limits.permissions_total},
        "breaches": [b.message() for b in limit_breaches(state)],
    }


def describe_stack(state: DesiredState, stack: str) -> dict[str, Any]:
    """The declared state of stack `stack` as the JSON-ready dict `plan --json` prints (camelCase
    keys, no secret values): app registration, secret schedule, targets, Entra limits.
    """
    app = state.app
    schedule = state.secret
    return {
        "stack": stack,
        "at": _ts(state.at),
        "appRegistration": {
            "displayName": app.display_name,
            "signInAudience": app.sign_in_audience.value,
            "multitenant": app.sign_in_audience.is_multitenant,
            "redirectUris": list(app.redirect_uris),
            "requestedAccessTokenVersion": app.requested_access_token_version,
            "owners": ["<the deploying identity>", *app.owners],
            "oauthEndpoint": app.oauth_endpoint,
            "manifest": manifest_fragment(state),
        },
        "permissions": [
            {"api": "Microsoft Graph", "permission": scope, "type": "Delegated"}
            for scope in app.scopes
        ],
        "enterpriseApp": {
            "assignmentRequired": app.assignment_required,
            "adminConsent": app.admin_consent,
            "assignments": [
                {"principal": user, "kind": "user", "appRoleId": DEFAULT_ACCESS_ROLE_ID}
                for user in app.users
            ]
            + [
                {"principal": group, "kind": "group", "appRoleId": DEFAULT_ACCESS_ROLE_ID}
                for group in app.groups
            ],
        },
        "clientSecret": {
            "rotationDays": schedule.period.days,
            "lifetimeDays": schedule.lifetime.days,
            "nextRotationAt": _ts(schedule.next_rotation_at),
            "slots": [_slot(slot, state) for slot in schedule.slots],
        },
        "entraLimits": entra_limits(state),
        "targets": [_target(target) for target in state.targets],
    }
