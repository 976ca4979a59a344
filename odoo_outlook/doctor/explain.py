"""`odoo-outlook doctor --explain "<text>"`: diagnose a failure text someone pasted (what the
browser showed after "Connect your Outlook account", or a reply copied from Odoo), against the
stack's declarations only: no Odoo and no Microsoft Graph call.

    report = explain_text(text, config, client_id="...")
    report.exit_code   # 0 nothing wrong found, 1 warnings only, 2 a failure explained
"""

from __future__ import annotations

from datetime import UTC, datetime

from odoo_outlook.config import StackConfig, is_object_id
from odoo_outlook.desired import desired_state
from odoo_outlook.doctor.knowledge import StackFacts, diagnose
from odoo_outlook.doctor.model import Check, Report, Status, fail, warn

SCOPE = "explain"


def config_facts(
    config: StackConfig, client_id: str | None = None, tenant_id: str | None = None
) -> StackFacts:
    """The stack facts advice depends on, from the configuration alone."""
    desired = desired_state(config, datetime.now(UTC))
    app = desired.app
    guid = tenant_id if tenant_id and is_object_id(tenant_id) else None
    return StackFacts.of(app, desired.targets, client_id=client_id, tenant_id=guid)


def explain_text(text: str, facts: StackFacts) -> Report:
    """One check per diagnosis of `text`; a warning when no Microsoft code is in it."""
    checks: list[Check] = []
    for diagnosis in diagnose(text, facts):
        make = fail if diagnosis.severity is Status.FAIL else warn
        checks.append(
            make(
                diagnosis.code,
                f"{diagnosis.cause} (source: {diagnosis.source})",
                diagnosis.fix,
                SCOPE,
            )
        )
    if not checks:
        checks.append(
            warn(
                "no code",
                "the text names no Microsoft error this tool knows"
                " (no AADSTS code, Exchange status code or OAuth error)",
                "paste the whole message, including the AADSTS... or 5.x.x code",
                SCOPE,
            )
        )
    return Report(facts.client_id or "(no --client-id)", checks)
