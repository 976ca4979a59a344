"""Read one Odoo target for the doctor, through the Odoo client of `odoo_outlook.odoo`.

Everything here is a read: connect, module states, field shapes, the state the sync compares
against, and recent failed outgoing mail (the one read the client's API has no helper for).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from odoo_outlook.desired import OdooTargetSpec
from odoo_outlook.doctor.mail_errors import FailedMail
from odoo_outlook.errors import OdooOutlookError
from odoo_outlook.odoo.capabilities import Capabilities, detect, read_modules
from odoo_outlook.odoo.client import OdooClient, TransportFactory, connect
from odoo_outlook.odoo.state import CLIENT_SECRET_PARAM, OdooState, read_state
from odoo_outlook.odoo.transport import DEFAULT_TIMEOUT

ODOO_DATETIME = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class OdooReadOptions:
    mail_days: int = 7
    mail_limit: int = 50
    timeout: float = DEFAULT_TIMEOUT
    allow_insecure_http: bool | None = None
    transport_factory: TransportFactory | None = None


@dataclass(frozen=True)
class OdooFacts:
    target: str
    since: datetime
    error: str | None = None  # connecting or reading failed: one line, secrets redacted
    url: str | None = None
    database: str | None = None
    login: str | None = None
    caps: Capabilities | None = None
    state: OdooState | None = field(default=None, repr=False)
    failed_mail: tuple[FailedMail, ...] = ()
    mail_error: str | None = None


def read_failed_mail(client: OdooClient, since: datetime, limit: int) -> tuple[FailedMail, ...]:
    """Outgoing mail in state `exception` since `since`, newest first, at most `limit`."""
    rows = client.call(
        "mail.mail", "search_read",
        [("state", "=", "exception"), ("date", ">=", since.strftime(ODOO_DATETIME))],
        fields=["date", "failure_reason"], limit=limit, order="id desc",
    )
    return tuple(
        FailedMail(int(r["id"]), str(r.get("date") or "") or None,
                   str(r.get("failure_reason") or ""))
        for r in rows
    )


def read_target(spec: OdooTargetSpec, password: str, now: datetime,
                options: OdooReadOptions | None = None,
                secrets: Sequence[str | None] = ()) -> OdooFacts:
    """Connect and read; failures become `OdooFacts.error` (the doctor goes on)."""
    options = options or OdooReadOptions()
    since = now - timedelta(days=options.mail_days)
    assert spec.connection is not None
    try:
        client = connect(spec.connection, password, allow_insecure_http=options.allow_insecure_http,
                         secrets=secrets, timeout=options.timeout,
                         transport_factory=options.transport_factory)
        caps = detect(client, read_modules(client))
        state = read_state(client, caps, all_companies=bool(spec.companies))
    except OdooOutlookError as exc:
        return OdooFacts(spec.name, since, error=exc.message)
    # The client secret Odoo holds must never show up in an error message either.
    client.errors.add_secret(state.param(CLIENT_SECRET_PARAM))
    mails: tuple[FailedMail, ...] = ()
    mail_error = None
    try:
        mails = read_failed_mail(client, since, options.mail_limit)
    except OdooOutlookError as exc:
        mail_error = exc.message
    return OdooFacts(spec.name, since, url=client.url, database=client.database,
                     login=client.login, caps=caps, state=state, failed_mail=mails,
                     mail_error=mail_error)
