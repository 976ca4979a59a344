"""Config rules for a shared Odoo database: one target per database, delegated senders.

Kept apart from `config.py` so the rules about living with others in one database are in one
place. Both functions raise `ValueError` with the sub-key first and a "(fix: ...)" tail, which
`config._translate` turns into a one-line error naming the full key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from odoo_outlook.config import MailSettings, Target


def database_key(target: Target) -> tuple[str, str] | None:
    """(API URL without trailing slash, lowercased; database name), or None without connection."""
    if target.connection is None:
        return None
    return (target.odoo_url.rstrip("/").lower(), target.connection.database)


def check_one_target_per_database(targets: Iterable[Target]) -> None:
    """Two targets on the same URL and database would each archive the other's servers.

    Raises:
        ValueError: naming both targets and the fix.
    """
    seen: dict[tuple[str, str], str] = {}
    for target in targets:
        key = database_key(target)
        if key is None:
            continue
        if key in seen:
            raise ValueError(
                f"targets: {seen[key]!r} and {target.name!r} both manage database {key[1]!r} at"
                f" {key[0]}; each would archive the servers the other declares (fix: keep one"
                " target per database and declare the other companies under its"
                " companies: [{company: <name or id>, mail: {...}}])"
            )
        seen[key] = target.name


def check_send_as(send_as: Mapping[str, str], outgoing: Iterable[str]) -> None:
    """`mail.sendAs` maps an outgoing From address to the login of the delegate who sends as it.

    Raises:
        ValueError: when a key is not an outgoing mailbox of the target, or maps to itself.
    """
    known = {address.lower() for address in outgoing}
    for address, login in send_as.items():
        if address.lower() not in known:
            raise ValueError(
                f"sendAs: {address!r} is not an outgoing mailbox of this target (fix: use the"
                " notifications address or one of mail.users as the key)"
            )
        if address.lower() == login.lower():
            raise ValueError(
                f"sendAs: {address!r} maps to itself (fix: remove the entry; a mailbox that"
                " signs in as itself needs none)"
            )


def check_companies(main: MailSettings, companies: list[tuple[int | str, MailSettings]]) -> None:
    """Each company once; each mailbox in one company only (a server's external id is made
    from its address, so one address cannot be two companies' server).

    Raises:
        ValueError: naming the repeated company or mailbox.
    """
    seen_companies: set[str] = set()
    for company, _mail in companies:
        key = str(company).lower()
        if key in seen_companies:
            raise ValueError(
                f"companies: {company!r} is listed twice (fix: list each company once)"
            )
        seen_companies.add(key)
    owner: dict[str, str] = {}
    for label, mail in [("mail", main), *((f"company {c!r}", m) for c, m in companies)]:
        for address in [mail.notifications, *mail.users, *mail.incoming]:
            first = owner.setdefault(address.lower(), label)
            if first != label:
                raise ValueError(
                    f"companies: {address!r} is declared by {first} and by {label} (fix: give"
                    " each mailbox to one company)"
                )
