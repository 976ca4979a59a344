"""The other companies of a target's database (`targets[].companies[]`): their servers and,
17.0+, their own `mail.alias.domain` linked from `res.company.alias_domain_id`.

External ids stay made from each server's address (desired.py), so the connection user's
company keeps the ids it always had (no server re-created, no token lost when a stack adds
companies), and one target holds every company of the database: a company's list changing
archives only the servers the target itself created and no longer declares.

15.0/16.0 have one catch-all domain and default From for the whole database (system
parameters `mail.catchall.domain` / `mail.default.from`, read by `_get_default_from_address`
in odoo/addons/base/models/ir_mail_server.py; 17.0+ links one `mail.alias.domain` per company,
addons/mail/models/mail_alias_domain.py): another company asking for a different domain
there is a conflict (reported, nothing written for it), because writing it would change every
company's From.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from odoo_outlook.desired import AliasDomain, CompanySpec, OdooTargetSpec
from odoo_outlook.odoo.capabilities import Capabilities
from odoo_outlook.odoo.state import Company

if TYPE_CHECKING:
    from odoo_outlook.odoo.changes import _Builder

COMPANY = "res.company"


def resolve(companies: tuple[Company, ...], wanted: int | str) -> Company | None:
    """The `res.company` a `companies[].company` names: its id, or its name (case-insensitive)."""
    if isinstance(wanted, int):
        return next((c for c in companies if c.id == wanted), None)
    matches = [c for c in companies if c.name.strip().lower() == wanted.strip().lower()]
    return matches[0] if len(matches) == 1 else None


def company_key(wanted: CompanySpec) -> str:
    """What a conflict about company `wanted` blocks (`Conflict.blocks`): `company:<company>`."""
    return f"company:{wanted.company}"


def unknown_company(wanted: int | str) -> str:
    """The conflict text for a `companies[].company` that names no single company."""
    return (
        f"no single res.company {wanted!r} in this database: its servers and alias domain"
        " are left alone (fix: write the company's name exactly as in Settings >"
        " Companies, or its id, under companies[].company)"
    )


def one_global_domain(version: str, main: str, company: Company, spec: CompanySpec) -> str:
    """The conflict text for a second company's own domain on 15.0/16.0 (one catch-all domain
    per database there)."""
    return (
        f"Odoo {version} has one catch-all domain and default From for the whole database"
        f" (system parameters mail.catchall.domain / mail.default.from, {main} here):"
        f" company {company.name!r} cannot have its own domain {spec.alias.domain}; its"
        " servers are managed, its domain is not (fix: give every company the same"
        " notifications domain, or update Odoo to 17.0+, where each company links its own"
        " mail.alias.domain)"
    )


def domain_alias(spec: OdooTargetSpec, wanted: CompanySpec) -> AliasDomain:
    """The alias domain a company gets on 17.0+: one `mail.alias.domain` per domain, so a
    company sharing a domain with the main company (or an earlier one) shares its record."""
    for alias in (spec.alias, *(c.alias for c in spec.companies)):
        if alias.domain == wanted.alias.domain:
            return alias
    return wanted.alias


def plan_companies(b: _Builder, spec: OdooTargetSpec, caps: Capabilities) -> None:
    """Add each other company's servers, alias domain and company link to the builder."""
    from odoo_outlook.odoo.changes import Conflict, _alias_domain, plan_servers

    for wanted in spec.companies:
        company = resolve(b.state.companies, wanted.company)
        if company is None:
            b.conflicts.append(
                Conflict(COMPANY, 0, unknown_company(wanted.company), company_key(wanted))
            )
            continue
        if caps.has_alias_domain:
            alias = domain_alias(spec, wanted)
            if alias != wanted.alias:
                b.notes.append(
                    f"company {company.name!r} shares the alias domain {alias.domain} declared"
                    f" first: its default From is {alias.default_from_address}, not"
                    f" {wanted.alias.default_from_address} (one mail.alias.domain per domain)"
                )
            link = _alias_domain(b, alias, company)
            if link is not None:
                b.company_links.append(link)
        elif wanted.alias.domain != spec.alias.domain:
            b.conflicts.append(
                Conflict(
                    COMPANY,
                    company.id,
                    one_global_domain(
                        caps.version.text, spec.alias.default_from_address, company, wanted
                    ),
                    company_key(wanted),
                )
            )
        elif wanted.alias.default_from_address != spec.alias.default_from_address:
            b.notes.append(
                f"Odoo {caps.version.text} has one default From for the whole database"
                f" ({spec.alias.default_from_address}): company {company.name!r}'s"
                f" {wanted.alias.default_from_address} gets its server but is not its default"
                " From"
            )
        plan_servers(b, wanted.outgoing, wanted.incoming, caps)
