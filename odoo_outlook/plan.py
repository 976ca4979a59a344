"""What a stack declares, as plain data: the offline plan behind `odoo-outlook plan`.

Pure: built from the desired state only. Secrets are never part of it; values only known after
`pulumi up` (the client id, scope ids) are named as such.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from odoo_outlook.config import MailMode
from odoo_outlook.desired import (
    DEFAULT_ACCESS_ROLE_ID,
    MICROSOFT_GRAPH_APP_ID,
    DesiredState,
    OdooTargetSpec,
)
from odoo_outlook.rotation import SecretSlot
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
        "web": {"redirectUris": list(app.redirect_uris)},
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


def _target(target: OdooTargetSpec, state: DesiredState) -> dict[str, Any]:
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
                "role": "fallback" if server.is_fallback else (
                    "personal" if target.mode is MailMode.PER_USER else "generic"
                ),
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
            f" {getattr(server, 'username', server.mailbox)}"
            for server in (*target.outgoing, *target.incoming)
        ],
        **sharing_plan(target),
    }


def build_plan(state: DesiredState, stack: str) -> dict[str, Any]:
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
        "targets": [_target(target, state) for target in state.targets],
    }
