"""The one place the tool finds the password (or API key) it logs in to a target's Odoo with.

`sync`, `connect`, `doctor` and the Pulumi export (`components/odoo_export.py`) all ask
`odoo_password`, so they look in the same places and a missing password reads the same
everywhere (`missing_password`).
"""

from __future__ import annotations

import os

from odoo_outlook.desired import OdooTargetSpec
from odoo_outlook.odoo.errors import OdooSetupError


def missing_password(spec: OdooTargetSpec) -> OdooSetupError:
    """The one-line error for a target without a password: names the environment variable
    (`targets[].connection.passwordEnv`, default `ODOO_<TARGET>_PASSWORD`) and the secret
    `odooPasswords.<target>` that `pulumi up` reads as well; never a value."""
    variable = spec.connection.password_env if spec.connection else "the passwordEnv variable"
    return OdooSetupError(
        f"no Odoo password for target {spec.name!r} (fix: export {variable}; `pulumi up` also"
        f" reads the secret set by `pulumi config set --secret --path 'odooPasswords.{spec.name}'`)"
    )


def odoo_password(spec: OdooTargetSpec, configured: str | None = None) -> str:
    """The password or API key for `spec`'s Odoo: `configured` when given and not empty (the
    decrypted secret `odooPasswords.<target>` the Pulumi program passes), else the environment
    variable named by `spec.connection.password_env`, read now.

    Raises `missing_password(spec)` (`OdooSetupError`, exit code 2) when neither holds one, or
    when the target has no connection settings.
    """
    if configured:
        return configured
    value = os.environ.get(spec.connection.password_env, "") if spec.connection else ""
    if not value:
        raise missing_password(spec)
    return value
