"""The part of `odoo-outlook plan` about sharing the Odoo database with others: delegated
senders and what each Odoo version does with them, and the server-environment sections
(OCA `mail_environment`) each server needs when that module manages the mail servers.

Pure: built from one `OdooTargetSpec`; the version rules are `odoo.neighbours`'s.
"""

from __future__ import annotations

from typing import Any

from odoo_outlook.desired import OdooTargetSpec
from odoo_outlook.odoo.neighbours import ENV_GLOBAL_SECTION, section_safe_name
from odoo_outlook.odoo.state import INCOMING, OUTGOING

DELEGATION_SUPPORT = {
    "15.0": "not checked by Odoo",
    "16.0": "accepted by builds since the 2024 fix; older builds refuse it",
    "17.0": "refused: Odoo 17.0 requires From filter = Username; the sync stops before writing",
    "18.0+": "accepted",
}


def sharing_plan(target: OdooTargetSpec) -> dict[str, Any]:
    """`delegatedSenders` and `serverEnvironmentSections` of one target."""
    delegated = [
        {"fromFilter": server.from_filter, "smtpUser": server.username,
         "signInAs": server.username}
        for server in target.outgoing if server.login
    ]
    out: dict[str, Any] = {}
    if delegated:
        out["delegatedSenders"] = {"servers": delegated, "odooSupport": DELEGATION_SUPPORT}
    out["serverEnvironmentSections"] = [
        f"[{ENV_GLOBAL_SECTION[OUTGOING]}.{section_safe_name(s.name)}]" for s in target.outgoing
    ] + [
        f"[{ENV_GLOBAL_SECTION[INCOMING]}.{section_safe_name(s.name)}]" for s in target.incoming
    ]
    return out
