"""The whole program: stack config in, components declared, stack outputs out.

`__main__.py` only calls `run()`; tests call `build()` under Pulumi mocks with their own clock.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config
from pydantic import SecretStr

from components.app_registration import OutlookAppRegistration
from components.client_secret import RotatingClientSecret
from components.odoo_export import OdooOutlookExport
from odoo_outlook.config import NAMESPACE, StackConfig, parse_config, require_secrets
from odoo_outlook.desired import DesiredState, desired_state

Clock = Callable[[], datetime]


def _decode(value: Any) -> Any:
    # Structured config arrives as JSON text from the engine.
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def raw_stack_config() -> dict[str, Any]:
    """Every `odoo-outlook:` key the engine passed to the program, decrypted."""
    merged: dict[str, Any] = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    return {key: _decode(value) for key, value in merged.items() if key.startswith(f"{NAMESPACE}:")}


def build(config: StackConfig, now: datetime) -> dict[str, pulumi.Output[Any]]:
    """Declare every resource of the stack and return its outputs by export name."""
    state: DesiredState = desired_state(config, now)
    app = OutlookAppRegistration("odoo", state.app)
    secret = RotatingClientSecret(
        "odoo-client-secret",
        app.application_id,
        state.secret,
        state.app.sign_in_audience.value,
        holders=lambda client_secret: _odoo_exports(
            state, config.odoo_passwords, app, client_secret
        ),
    )
    return {
        "clientId": app.client_id,
        "tenantId": app.tenant_id,
        "applicationObjectId": app.application_object_id,
        "servicePrincipalObjectId": app.service_principal_object_id,
        "redirectUris": app.redirect_uris,
        "oauthEndpoint": app.oauth_endpoint,
        "adminConsentUrl": app.admin_consent_url,
        "clientSecret": secret.client_secret,
        "clientSecretKeyId": secret.client_secret_key_id,
        "clientSecretExpiresAt": secret.client_secret_expires_at,
        "nextRotationAt": secret.next_rotation_at,
    }


def _odoo_exports(
    state: DesiredState,
    passwords: Mapping[str, SecretStr],
    app: OutlookAppRegistration,
    client_secret: pulumi.Output[str],
) -> list[OdooOutlookExport]:
    """One export per target with connection settings: Odoo gets the held secret in this run.

    The held slot is a dependency through `client_secret`; the other slot waits for these
    exports (RotatingClientSecret), so it is never replaced while Odoo still holds it.

    `passwords` is the decrypted secret config `odooPasswords` by target name; a target without
    one gets its password from the variable named by its `passwordEnv` when the provider runs
    (`odoo_outlook.odoo.password.odoo_password`).
    """
    exports = []
    for spec in state.targets:
        if spec.connection is None:
            continue
        password = passwords.get(spec.name)
        exports.append(
            OdooOutlookExport(
                f"odoo-{spec.name}",
                spec,
                client_id=app.client_id,
                client_secret=client_secret,
                password=None if password is None else password.get_secret_value(),
            )
        )
    return exports


def secret_config_keys(raw: dict[str, Any]) -> set[str]:
    """The config keys the engine marked secret (`pulumi config set --secret`)."""
    return set(runtime_config.get_config_secret_keys_env()) | {
        key for key in raw if runtime_config.is_config_secret(key)
    }


def run(clock: Clock = lambda: datetime.now(UTC)) -> None:
    """The Pulumi program: read the stack config, refuse plain-text secrets, declare the
    resources and export the outputs.

    `clock` gives the time the secret schedule is computed at (aware UTC datetime). Raises
    `ConfigError` for bad settings, or `missing_tenant()`'s error when a single-tenant app without
    `app.tenantId` would write a placeholder authority into Odoo.
    """
    raw = raw_stack_config()
    require_secrets(raw, secret_config_keys(raw))
    config = parse_config(raw)
    missing = config.missing_tenant()
    if missing and any(t.connection for t in config.targets):
        raise missing  # the Odoo export would write a placeholder authority into Odoo
    for name, value in build(config, clock()).items():
        pulumi.export(name, value)
