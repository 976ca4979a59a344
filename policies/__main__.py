"""CrossGuard policy pack for the Odoo Outlook app registration.

Run with ``pulumi preview --policy-pack policies`` (or ``pulumi up``). Each policy lives in its
own module of this package as a plain ``validate(args, report_violation)`` function and the
``pulumi_policy`` policy that carries it; this file only declares the pack.
"""

import sys
from pathlib import Path

from pulumi_policy import EnforcementLevel, PolicyPack

# The language host runs this file as a script with `policies/` as sys.path[0]; make the
# `policies` package (and the project's stdlib-only `odoo_outlook.entra_limits`, when the project
# is not installed) importable from the repository root whatever the working directory is.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from policies.app_owner import app_has_owner
from policies.assignment_required import sp_assignment_required
from policies.audience_limits import entra_audience_limits
from policies.graph_scopes import odoo_graph_scopes
from policies.redirect_uris import odoo_redirect_uris
from policies.secret_lifetime import secret_max_lifetime
from policies.sign_in_audience import allowed_sign_in_audience

PolicyPack(
    name="odoo-outlook-policies",
    description=(
        "Guardrails for the Entra app registration that gives Odoo Outlook (IMAP/SMTP) mail: "
        "redirect URIs, Microsoft Graph scopes, assignment, secret lifetime, audience, owners,"
        " Entra's per-audience limits."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        odoo_redirect_uris,
        odoo_graph_scopes,
        sp_assignment_required,
        secret_max_lifetime,
        allowed_sign_in_audience,
        app_has_owner,
        entra_audience_limits,
    ],
)
