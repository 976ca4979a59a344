"""Read one Odoo target for the doctor, through the Odoo client of `odoo_outlook.odoo`.

Everything here is a read: connect, module states, field shapes, the state the sync compares
against, and recent failed outgoing mail (the one read the client's API has no helper for).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from odoo_outlook.desired import OdooTargetSpec
from odoo_outlook.doctor.mail_errors import FailedMail, FetchError
from odoo_outlook.errors import OdooOutlookError
from odoo_outlook.odoo.capabilities import Capabilities, detect, read_modules
from odoo_outlook.odoo.client import OdooClient, TransportFactory, connect
from odoo_outlook.odoo.outlook_connect import (
    ConnectionTest,
    managed_in,
    run_connection_tests,
)
from odoo_outlook.odoo.state import CLIENT_SECRET_PARAM, ODOO_DATETIME, OdooState, read_state


@dataclass(frozen=True)
class OdooReadOptions:
    """How the doctor reads a target: failed mail of the last `mail_days` days (at most
    `mail_limit`), the call `timeout` (seconds), HTTP switches, and whether to press Odoo's
    test buttons (`test_connections`, reaches Microsoft).
    """

    mail_days: int = 7
    mail_limit: int = 50
    # Seconds per call to Odoo; None: the target's connection.timeoutSeconds.
    timeout: float | None = None
    allow_insecure_http: bool | None = None
    transport_factory: TransportFactory | None = None
    # Press Odoo's test buttons on every connected managed server (reaches Microsoft).
    test_connections: bool = False


@dataclass(frozen=True)
class OdooFacts:
    """What the doctor read from one target, each part with its own error (one line, secrets
    redacted): connection, capabilities, state, failed mail, connection tests, fetch errors.
    """

    target: str
    since: datetime
    error: str | None = None  # connecting or reading failed: one line, secrets redacted
    url: str | None = None
    database: str | None = None
    login: str | None = None
    uid: int | None = None  # the Odoo user the doctor signed in as
    caps: Capabilities | None = None
    state: OdooState | None = field(default=None, repr=False)
    failed_mail: tuple[FailedMail, ...] = ()
    mail_error: str | None = None
    tests: tuple[ConnectionTest, ...] = ()  # only with OdooReadOptions.test_connections
    test_error: str | None = None
    fetch_errors: tuple[FetchError, ...] = ()
    fetch_error: str | None = None  # reading the incoming servers' errors failed
    last_fetch: Mapping[int, str] = field(default_factory=dict)  # incoming id -> Last Fetch Date


def read_failed_mail(client: OdooClient, since: datetime, limit: int) -> tuple[FailedMail, ...]:
    """Outgoing mail in state `exception` since `since`, newest first, at most `limit`."""
    rows = client.call(
        "mail.mail",
        "search_read",
        [("state", "=", "exception"), ("date", ">=", since.strftime(ODOO_DATETIME))],
        fields=["date", "failure_reason", "mail_server_id", "email_from"],
        limit=limit,
        order="id desc",
    )
    return tuple(
        FailedMail(
            int(r["id"]),
            str(r.get("date") or "") or None,
            str(r.get("failure_reason") or ""),
            _many2one_name(r.get("mail_server_id")),
            _many2one_id(r.get("mail_server_id")),
            str(r.get("email_from") or "") or None,
        )
        for r in rows
    )


def read_last_fetch(client: OdooClient, ids: Sequence[int]) -> dict[int, str]:
    """`fetchmail.server.date` ("Last Fetch Date", set by each successful fetch; all versions)
    of the given incoming servers, by id; one read, none without ids."""
    if not ids:
        return {}
    rows = client.search_read(
        "fetchmail.server", [("id", "in", list(ids))], ["date"], active_test=False
    )
    return {int(r["id"]): str(r["date"]) for r in rows if r.get("date")}


# Odoo 19.0 keeps the last failed fetch on the server (addons/mail/models/fetchmail.py:
# `error_date` "Date of last failure, reset on success.", `error_message`).
FETCH_ERROR_MAJOR = 19


def read_fetch_errors(client: OdooClient, caps: Capabilities) -> tuple[FetchError, ...]:
    """Incoming servers whose last fetch failed (19.0+; earlier versions keep nothing)."""
    if caps.version.major < FETCH_ERROR_MAJOR:
        return ()
    rows = client.call(
        "fetchmail.server",
        "search_read",
        [("error_date", "!=", False)],
        fields=["name", "user", "state", "error_date", "error_message"],
        order="id",
    )
    return tuple(
        FetchError(
            int(r["id"]),
            str(r.get("name") or ""),
            str(r.get("user") or "") or None,
            str(r.get("error_date") or "") or None,
            str(r.get("error_message") or ""),
            str(r.get("state") or "") or None,
        )
        for r in rows
    )


def _many2one_id(value: object) -> int | None:
    if isinstance(value, list | tuple) and len(value) == 2 and isinstance(value[0], int):
        return value[0]
    return None


def _many2one_name(value: object) -> str | None:
    if isinstance(value, list | tuple) and len(value) == 2:
        return str(value[1])
    return None


def read_target(
    spec: OdooTargetSpec,
    password: str,
    now: datetime,
    options: OdooReadOptions | None = None,
    secrets: Sequence[str | None] = (),
) -> OdooFacts:
    """Connect and read; failures become `OdooFacts.error` (the doctor goes on)."""
    options = options or OdooReadOptions()
    since = now - timedelta(days=options.mail_days)
    assert spec.connection is not None
    try:
        client = connect(
            spec.connection,
            password,
            allow_insecure_http=options.allow_insecure_http,
            secrets=secrets,
            timeout=options.timeout,
            transport_factory=options.transport_factory,
        )
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
    tests: tuple[ConnectionTest, ...] = ()
    test_error = None
    if options.test_connections:
        try:
            tests = tuple(run_connection_tests(client, managed_in(state), now))
        except OdooOutlookError as exc:
            test_error = exc.message
    fetch_errors: tuple[FetchError, ...] = ()
    fetch_error = None
    last_fetch: dict[int, str] = {}
    incoming_ids = [r.id for s in spec.all_incoming if (r := state.record_for(s.xmlid)) is not None]
    try:
        fetch_errors = read_fetch_errors(client, caps)
        last_fetch = read_last_fetch(client, incoming_ids)
    except OdooOutlookError as exc:
        fetch_error = exc.message
    return OdooFacts(
        spec.name,
        since,
        url=client.url,
        database=client.database,
        login=client.login,
        uid=client.uid,
        caps=caps,
        state=state,
        failed_mail=mails,
        mail_error=mail_error,
        tests=tests,
        test_error=test_error,
        fetch_errors=fetch_errors,
        fetch_error=fetch_error,
        last_fetch=last_fetch,
    )
