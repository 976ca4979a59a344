"""Microsoft's error codes in Odoo's failed mail (`mail.mail.failure_reason`), mapped to fixes.

Meanings are Microsoft's:
- AADSTS codes: "Microsoft Entra authentication and authorization error codes",
  https://learn.microsoft.com/entra/identity-platform/reference-error-codes
  (MicrosoftDocs/entra-docs, docs/identity-platform/reference-error-codes.md).
- 535 5.7.139: Exchange Online's answer when SMTP AUTH is off for the tenant or the mailbox
  ("SmtpClientAuthentication is disabled for the Tenant/Mailbox"), and the same code when
  security defaults block it; "Enable or disable authenticated client SMTP submission (SMTP
  AUTH) in Exchange Online",
  https://learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission
Codes are matched as whole tokens, so AADSTS7000215 never reads as AADSTS700021.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from odoo_outlook.doctor.model import Check, fail, ok, warn


@dataclass(frozen=True)
class KnownError:
    code: str
    meaning: str
    fix: str  # a template: {web_base_url}, {expected_base_url}, {consent_url}, {authority}, ...
    # Default: the code as a whole token. Python's smtplib shows SMTP replies as
    # "(535, b'5.7.139 Authentication unsuccessful, ...')", so 535 5.7.139 matches on 5.7.139.
    pattern: str | None = None


KNOWN_ERRORS: tuple[KnownError, ...] = (
    KnownError(
        "535 5.7.139",
        "SMTP AUTH is disabled for the tenant or the mailbox (or security defaults block it)",
        "enable SMTP AUTH for the mailbox: `Set-CASMailbox -Identity <mailbox>"
        " -SmtpClientAuthenticationDisabled $false` (tenant-wide: `Set-TransportConfig"
        " -SmtpClientAuthenticationDisabled $false`) in Exchange Online PowerShell",
        pattern=r"(?<![\d.])5\.7\.139(?!\d)",
    ),
    KnownError(
        "AADSTS7000215",
        "invalid client secret: Odoo's secret is not one of the app's",
        "run `pulumi up` (it hands Odoo the current secret), or `odoo-outlook rotate --now`"
        " then `pulumi up`",
    ),
    KnownError(
        "AADSTS7000222",
        "the client secret Odoo holds has expired",
        "run `pulumi up` (or `odoo-outlook rotate --now` then `pulumi up`)",
    ),
    KnownError(
        "AADSTS50011",
        "redirect URI mismatch: Odoo sent {web_base_url}/microsoft_outlook/confirm",
        "set web.base.url to {expected_base_url} (and web.base.url.freeze = True) or add the"
        " URL to the target's baseUrls and run `pulumi up`",
    ),
    KnownError(
        "AADSTS65001",
        "consent missing: nobody consented to the app's permissions",
        "grant admin consent: open {consent_url} as an administrator (or set app.adminConsent:"
        " true and run `pulumi up`)",
    ),
    KnownError(
        "AADSTS700016",
        "the app was not found in the tenant Odoo signed in to (wrong client id or authority)",
        "check microsoft_outlook_client_id and microsoft_outlook.endpoint (want {authority});"
        " run `pulumi up`",
    ),
    KnownError(
        "AADSTS50194",
        "a single-tenant app was used through the 'common' authority",
        "set microsoft_outlook.endpoint to {authority} (run `pulumi up`), or make the app"
        " multitenant",
    ),
    KnownError(
        "AADSTS50020",
        "an account from another tenant signed in to a single-tenant app",
        "connect with a mailbox of the app's tenant, or set app.signInAudience to"
        " AzureADMultipleOrgs and run `pulumi up`",
    ),
    KnownError(
        "AADSTS50105",
        "the signed-in user is not assigned to the enterprise application",
        "add the user to assignments.users (or a group in assignments.groups) and run"
        " `pulumi up`",
    ),
    KnownError(
        "AADSTS700082",
        "the refresh token expired after a long time unused",
        'click "Connect your Outlook account" again on the server in Odoo',
    ),
)

_PATTERNS = [
    (known, re.compile(known.pattern or r"(?<![\w.])" + re.escape(known.code) + r"(?!\w)"))
    for known in KNOWN_ERRORS
]


def classify(reason: str | None) -> list[KnownError]:
    """Every known Microsoft error named in one failure text."""
    text = reason or ""
    return [known for known, pattern in _PATTERNS if pattern.search(text)]


@dataclass(frozen=True)
class FailedMail:
    id: int
    date: str | None
    reason: str  # never printed: it may quote addresses; only the codes found are shown


class _Context(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return f"<{key}>"


def failed_mail_checks(mails: Iterable[FailedMail], since: datetime, context: Mapping[str, Any],
                       scope: str) -> list[Check]:
    """One check per Microsoft error found in recent failed mail; a warning for the rest."""
    mails = list(mails)
    window = f"since {since:%Y-%m-%d}"
    if not mails:
        return [ok("failed mail", f"no failed outgoing mail {window}", scope)]
    found: dict[str, list[FailedMail]] = {}
    unknown: list[FailedMail] = []
    for mail in mails:
        codes = classify(mail.reason)
        for known in codes:
            found.setdefault(known.code, []).append(mail)
        if not codes:
            unknown.append(mail)
    values = _Context({k: str(v) for k, v in context.items() if v is not None})
    checks = []
    for known in KNOWN_ERRORS:
        hits = found.get(known.code)
        if not hits:
            continue
        latest = max(hits, key=lambda m: (m.date or "", m.id))
        checks.append(fail(
            f"failed mail {known.code}",
            f"{len(hits)} mail(s) {window} (latest #{latest.id} at {latest.date or '?'}):"
            f" {known.meaning.format_map(values)}",
            known.fix.format_map(values), scope,
        ))
    if unknown:
        latest = max(unknown, key=lambda m: (m.date or "", m.id))
        checks.append(warn(
            "failed mail", f"{len(unknown)} mail(s) {window} failed without a Microsoft error"
            f" code this tool knows (latest #{latest.id} at {latest.date or '?'})",
            "read the failure reason in Odoo: Settings > Technical > Emails, state Delivery"
            " Failed", scope,
        ))
    return checks
