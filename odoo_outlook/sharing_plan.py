"""The part of `odoo-outlook plan` about sharing the Odoo database with others: delegated
senders and what each Odoo version does with them, and the server-environment sections
(OCA `mail_environment`) each server needs when that module manages the mail servers.

Pure: built from one `OdooTargetSpec`; the version rules are `odoo.neighbours`'s.
"""

from __future__ import annotations

from typing import Any

from odoo_outlook.desired import CompanySpec, OdooTargetSpec
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
        {"fromFilter": server.from_filter, "smtpUser": server.username, "signInAs": server.username}
        for server in target.outgoing
        if server.login
    ]
    out: dict[str, Any] = {}
    if delegated:
        out["delegatedSenders"] = {"servers": delegated, "odooSupport": DELEGATION_SUPPORT}
    out["serverEnvironmentSections"] = [
        f"[{ENV_GLOBAL_SECTION[OUTGOING]}.{section_safe_name(s.name)}]" for s in target.all_outgoing
    ] + [
        f"[{ENV_GLOBAL_SECTION[INCOMING]}.{section_safe_name(s.name)}]" for s in target.all_incoming
    ]
    if target.companies:
        out["companies"] = [_company(c, target) for c in target.companies]
    return out


def _company(company: CompanySpec, target: OdooTargetSpec) -> dict[str, Any]:
    alias = company.alias
    same = alias.domain == target.alias.domain
    return {
        "company": company.company,
        "mode": company.mode.value,
        "outgoingServers": [
            {"name": s.name, "fromFilter": s.from_filter, "smtpUser": s.username}
            for s in company.outgoing
        ],
        "incomingServers": [{"name": s.name, "user": s.mailbox} for s in company.incoming],
        "aliasDomain": {
            "odoo17plus": f"its own mail.alias.domain {alias.domain} (default From"
            f" {alias.default_from_address}), linked from"
            " res.company.alias_domain_id",
            "odoo15and16": (
                f"the database's one catch-all domain {target.alias.domain} (parameters);"
                f" default From stays {target.alias.default_from_address}"
                if same
                else f"refused: Odoo 15.0/16.0 have one catch-all domain per database"
                f" ({target.alias.domain}); {alias.domain} is reported as a conflict and not"
                " written"
            ),
        },
        "connectStep": [
            f"{s.name}: click 'Connect your Outlook account' once, signed in as {s.username}"
            for s in company.servers
        ],
    }
