"""Microsoft's failures where Odoo keeps them, diagnosed with `knowledge`:

- failed outgoing mail: `mail.mail` in state ``exception``, its ``failure_reason`` (all versions);
- failed fetches of incoming servers: ``fetchmail.server.error_date`` / ``error_message``
  (Odoo 19.0, addons/mail/models/fetchmail.py: set on the first failure of a run of failures,
  cleared by the next successful fetch; after 5 days of failures Odoo sets the server back to
  draft, "Not Confirmed").

The raw texts are never printed (they may quote addresses): only the codes found, the cause and
the fix. A code the knowledge base does not know is named with a generic line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from odoo_outlook.doctor.knowledge import Diagnosis, StackFacts, diagnose
from odoo_outlook.doctor.model import Check, Status, fail, ok, warn


@dataclass(frozen=True)
class FailedMail:
    """One `mail.mail` in state `exception`: id, date, failure reason (never printed) and server."""

    id: int
    date: str | None
    reason: str  # never printed: it may quote addresses; only the codes found are shown
    server: str | None = None  # the outgoing server's name (mail_server_id), when set
    server_id: int | None = None  # mail_server_id, when Odoo set it
    email_from: str | None = None  # the From header, to tell the server Odoo picked by it


@dataclass(frozen=True)
class FetchError:
    """An incoming server whose last fetch failed (Odoo 19.0's error_date / error_message)."""

    id: int
    name: str
    mailbox: str | None  # fetchmail.server.user
    error_date: str | None
    error_message: str  # never printed
    state: str | None = None  # "draft" once Odoo gave up (5 days of failures)


def _check(status: Status, name: str, detail: str, fix: str, scope: str) -> Check:
    return (fail if status is Status.FAIL else warn)(name, detail, fix, scope)


def failed_mail_checks(
    mails: Iterable[FailedMail], since: datetime, stack: StackFacts, scope: str
) -> list[Check]:
    """One check per diagnosis found in recent failed mail; a warning for the rest."""
    mails = list(mails)
    window = f"since {since:%Y-%m-%d}"
    if not mails:
        return [ok("failed mail", f"no failed outgoing mail {window}", scope)]
    found: dict[str, tuple[Diagnosis, list[FailedMail]]] = {}
    unknown: list[FailedMail] = []
    for mail in mails:
        diagnoses = diagnose(mail.reason, stack, {"server": mail.server or ""})
        for diagnosis in diagnoses:
            key = diagnosis.entry.key if diagnosis.entry else diagnosis.code
            found.setdefault(key, (diagnosis, []))[1].append(mail)
        if not diagnoses:
            unknown.append(mail)
    checks = []
    for diagnosis, hits in found.values():
        latest = max(hits, key=lambda m: (m.date or "", m.id))
        checks.append(
            _check(
                diagnosis.severity,
                f"failed mail {diagnosis.code}",
                f"{len(hits)} mail(s) {window} (latest #{latest.id} at {latest.date or '?'}):"
                f" {diagnosis.cause}",
                diagnosis.fix,
                scope,
            )
        )
    if unknown:
        latest = max(unknown, key=lambda m: (m.date or "", m.id))
        checks.append(
            warn(
                "failed mail",
                f"{len(unknown)} mail(s) {window} failed without a Microsoft error"
                f" code this tool knows (latest #{latest.id} at {latest.date or '?'})",
                "read the failure reason in Odoo: Settings > Technical > Emails, state Delivery"
                " Failed",
                scope,
            )
        )
    return checks


def fetch_error_checks(errors: Iterable[FetchError], stack: StackFacts, scope: str) -> list[Check]:
    """One check per incoming server whose last fetch failed."""
    checks = []
    for error in errors:
        name = f"incoming fetch {error.mailbox or error.name}"
        gave_up = (
            " Odoo stopped fetching it (server back to Not Confirmed)"
            if error.state == "draft"
            else ""
        )
        head = f"fetchmail.server #{error.id} failing since {error.error_date or '?'}"
        diagnoses = diagnose(
            error.error_message, stack, {"server": error.name, "mailbox": error.mailbox or ""}
        )
        if not diagnoses:
            checks.append(
                warn(
                    name,
                    f"{head}, without a Microsoft error code this tool knows." + gave_up,
                    "read Last Error Message on the server in Odoo"
                    " (Settings > Technical > Incoming Mail Servers)",
                    scope,
                )
            )
        for diagnosis in diagnoses:
            checks.append(
                _check(
                    diagnosis.severity,
                    f"{name} {diagnosis.code}",
                    f"{head}: {diagnosis.cause}.{gave_up}",
                    diagnosis.fix,
                    scope,
                )
            )
    return checks
