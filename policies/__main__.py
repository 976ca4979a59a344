"""CrossGuard policy pack for the Odoo Outlook app registration.

Run with ``pulumi preview --policy-pack policies`` (or ``pulumi up``). The
rules live in ``odoo_outlook_policies.py`` as plain functions; this file only
declares the pack.
"""

import sys
from pathlib import Path

from pulumi_policy import EnforcementLevel, PolicyPack

# The language host starts this file as a script; make the sibling module
# importable whatever the working directory is.
sys.path.insert(0, str(Path(__file__).resolve().parent))
# ... and the project's `odoo_outlook.entra_limits` (stdlib only) when it is not installed.
sys.path.append(str(Path(__file__).resolve().parent.parent))

from odoo_outlook_policies import build_policies

PolicyPack(
    name="odoo-outlook-policies",
    description=(
        "Guardrails for the Entra app registration that gives Odoo Outlook (IMAP/SMTP) mail: "
        "redirect URIs, Microsoft Graph scopes, assignment, secret lifetime, audience, owners,"
        " Entra's per-audience limits."
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=build_policies(),
)
