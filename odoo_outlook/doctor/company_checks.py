"""Doctor checks of the target's other companies (`targets[].companies[]`): the company
exists, and its catch-all domain / default From are what the stack declares.

17.0+: the same checks as the connection user's company (`alias_checks`), run with that
company's `res.company.alias_domain_id`. 15.0/16.0: one catch-all domain per database, so a
company declaring another domain is a warning that names the limit, never a "run sync" that
could not fix it (companies.py)."""

from __future__ import annotations

from dataclasses import replace

from odoo_outlook.desired import OdooTargetSpec
from odoo_outlook.doctor.alias_checks import alias_checks
from odoo_outlook.doctor.model import Check, fail, ok, warn
from odoo_outlook.odoo.capabilities import Capabilities
from odoo_outlook.odoo.companies import domain_alias, resolve, unknown_company
from odoo_outlook.odoo.state import OdooState


def company_checks(
    state: OdooState, caps: Capabilities, spec: OdooTargetSpec, scope: str
) -> list[Check]:
    """One check (15.0/16.0) or the two alias checks (17.0+) per other company."""
    checks: list[Check] = []
    for wanted in spec.companies:
        name = f"company {wanted.company}"
        company = resolve(state.companies, wanted.company)
        if company is None:
            head, _, fix = unknown_company(wanted.company).partition(" (fix: ")
            checks.append(fail(name, head, fix.removesuffix(")"), scope))
            continue
        if not caps.has_alias_domain:
            if wanted.alias.domain != spec.alias.domain:
                checks.append(
                    warn(
                        name,
                        f"Odoo {caps.version.text} has one catch-all domain per database"
                        f" ({spec.alias.domain}); {company.name!r} declares {wanted.alias.domain}",
                        "give every company the same notifications domain, or update Odoo to 17.0+",
                        scope,
                    )
                )
            else:
                checks.append(
                    ok(
                        name,
                        f"{company.name!r} shares the database's catch-all"
                        f" domain {spec.alias.domain}",
                        scope,
                    )
                )
            continue
        own_state = replace(state, company=company)
        own_spec = replace(spec, alias=domain_alias(spec, wanted), outgoing=wanted.outgoing)
        checks += [
            replace(c, name=f"{c.name} ({company.name})")
            for c in alias_checks(own_state, caps, own_spec, scope)
        ]
    return checks
