"""What Odoo recorded about one managed server, and the token line that follows from it.

A server's token line is "ok" only when nothing Odoo recorded since contradicts it:

- outgoing (`ir.mail_server`): failed mail (`mail.mail` in state ``exception``) sent through
  the server, by `mail_server_id`, or, when Odoo left that empty, by the mail's From address
  being the server's mailbox (Odoo picks the server by From filter when sending:
  addons/base/models/ir_mail_server.py `_find_mail_server`). Odoo keeps no record of a
  successful send (sent mail is deleted), so any failure in the window read counts.
- incoming (`fetchmail.server`): Odoo 19.0's `error_date` / `error_message` (cleared by the next
  successful fetch) and, on every version, `date` ("Last Fetch Date", set by each successful
  fetch: addons/mail/models/fetchmail.py). A failure older than the last fetch is history.

The failure texts are diagnosed with the knowledge base (`knowledge.diagnose`) and never
printed: only the codes, the cause and the fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parseaddr

from odoo_outlook.doctor.connection_checks import NOT_TESTED, TEST_HINT
from odoo_outlook.doctor.knowledge import StackFacts, diagnose
from odoo_outlook.doctor.mail_errors import FailedMail, FetchError
from odoo_outlook.doctor.model import Check, Status, fail, ok, warn
from odoo_outlook.odoo.state import ODOO_DATETIME


@dataclass(frozen=True)
class Failure:
    """One failure Odoo recorded for a server: when, and its text (never printed)."""

    at: str  # Odoo datetime text (UTC)
    text: str  # never printed


@dataclass(frozen=True)
class Evidence:
    """Failures Odoo recorded for one server (oldest first) and its last recorded success."""

    failures: tuple[Failure, ...] = ()
    last_success: str | None = None  # Odoo datetime text (UTC): incoming servers' last fetch
    gave_up: bool = False  # Odoo set the incoming server back to draft after failing fetches

    @property
    def failing(self) -> bool:
        """A failure newer than the last success (Odoo datetimes sort as text)."""
        if not self.failures:
            return False
        return self.last_success is None or self.failures[-1].at > self.last_success


def _address(value: str | None) -> str:
    return parseaddr(value or "")[1].lower()


def outgoing_evidence(server_id: int, mailbox: str, mails: Iterable[FailedMail]) -> Evidence:
    """The failed mail that went (or was to go) through this outgoing server."""
    wanted = mailbox.lower()
    hits = [
        m
        for m in mails
        if m.server_id == server_id or (m.server_id is None and _address(m.email_from) == wanted)
    ]
    hits.sort(key=lambda m: (m.date or "", m.id))
    return Evidence(tuple(Failure(m.date or "", m.reason) for m in hits))


def incoming_evidence(
    server_id: int, errors: Iterable[FetchError], last_fetch: Mapping[int, str]
) -> Evidence:
    """Odoo 19.0's last fetch failure of this incoming server, and its last successful fetch."""
    mine = [e for e in errors if e.id == server_id]
    return Evidence(
        tuple(Failure(e.error_date or "", e.error_message) for e in mine),
        last_fetch.get(server_id) or None,
        any(e.state == "draft" for e in mine),
    )


def _parse(text: str) -> datetime | None:
    try:
        return datetime.strptime(text[:19], ODOO_DATETIME).replace(tzinfo=UTC)
    except ValueError:
        return None


def age(text: str | None, now: datetime) -> str:
    """'2026-11-29 10:00 (3 h ago)' for an Odoo datetime text; '?' when there is none."""
    moment = _parse(text or "")
    if moment is None:
        return text or "?"
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 3600:
        ago = f"{seconds // 60} min"
    elif seconds < 2 * 86400:
        ago = f"{seconds // 3600} h"
    else:
        ago = f"{seconds // 86400} d"
    return f"{moment:%Y-%m-%d %H:%M} UTC ({ago} ago)"


def token_from_evidence(
    name: str,
    evidence: Evidence,
    stack: StackFacts,
    scope: str,
    *,
    now: datetime,
    since: datetime,
    server: str,
    mailbox: str,
) -> Check:
    """The token line of a connected server that was not tested in this run.

    Fails with the diagnosis when a failure was recorded after the last success; otherwise
    says what was seen: the token is stored, not tested, and when the server last worked.
    """
    if evidence.failing:
        first, last = evidence.failures[0], evidence.failures[-1]
        found = diagnose(last.text, stack, {"server": server, "mailbox": mailbox})
        cause = "; ".join(f"{d.code}: {d.cause}" for d in found) or (
            "no Microsoft error code this tool knows (read the failure in Odoo)"
        )
        fix = "; ".join(dict.fromkeys(d.fix for d in found)) or (
            "read the failure in Odoo (Settings > Technical > Emails / Incoming Mail Servers),"
            " fix it, then run `odoo-outlook doctor --test-connections`"
        )
        count = len(evidence.failures)
        latest = f", {count} recorded, the latest {age(last.at, now)}" if count > 1 else ""
        success = (
            f"; last success {age(evidence.last_success, now)}" if evidence.last_success else ""
        )
        gave_up = (
            "; Odoo stopped fetching (server back to Not Confirmed)" if evidence.gave_up else ""
        )
        # Only a transient cause (e.g. throttling) is a warning; anything else stops mail.
        transient = bool(found) and all(d.severity is Status.WARN for d in found)
        make = warn if transient and not evidence.gave_up else fail
        return make(
            name,
            f"failing since {age(first.at, now)}{latest}{success}{gave_up}: {cause}",
            fix,
            scope,
        )
    seen = f"no failure recorded since {since:%Y-%m-%d}"
    if evidence.failures:
        seen = f"the last failure ({age(evidence.failures[-1].at, now)}) came before a success"
    if evidence.last_success:
        seen += f"; last fetch {age(evidence.last_success, now)}"
    return ok(name, f"{NOT_TESTED} ({seen}; {TEST_HINT})", scope)
