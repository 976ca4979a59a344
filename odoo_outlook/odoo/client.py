"""A small typed client over a `Transport`: the ORM calls the sync uses, and `connect`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from odoo_outlook.desired import OdooConnectionSpec
from odoo_outlook.odoo.errors import ErrorContext
from odoo_outlook.odoo.json2 import JSON2_SINCE, Json2Transport, looks_like_api_key
from odoo_outlook.odoo.transport import (
    DEFAULT_TIMEOUT,
    ServerVersion,
    Transport,
    XmlRpcTransport,
    check_url,
)
from odoo_outlook.transport_kind import TransportKind

Domain = list[Any]
Record = dict[str, Any]
# Builds a transport for (checked url, database, error context); the default is
# `select_transport` on the connection's `transport` setting (XML-RPC unless set otherwise).
TransportFactory = Callable[[str, str, ErrorContext], Transport]


@dataclass
class OdooClient:
    """A logged-in connection to one Odoo database, made by `connect`.

    `version` is the server's (`common.version`), `uid` the user id `authenticate` returned,
    `writes` the number of data-changing calls made so far. Every call raises one-line
    `OdooError` subclasses (odoo_outlook/odoo/errors.py), with the password and other secrets
    masked.
    """

    transport: Transport
    errors: ErrorContext
    version: ServerVersion
    uid: int
    url: str
    database: str
    login: str
    writes: int = 0

    @property
    def calls(self) -> int:
        """Remote calls made so far over the transport (including the login)."""
        return self.transport.calls

    def call(
        self, model: str, method: str, *args: Any, timeout: float | None = None, **kwargs: Any
    ) -> Any:
        """`model.method(*args, **kwargs)` through Odoo's `execute_kw`; the answer as Odoo sent it.

        `timeout` is in seconds (None: the transport's). Raises `OdooError` subclasses.
        """
        return self.transport.execute_kw(model, method, list(args), kwargs, timeout=timeout)

    def write_call(
        self, model: str, method: str, *args: Any, timeout: float | None = None, **kwargs: Any
    ) -> Any:
        """A call that changes data (counted, so a report can say "0 writes")."""
        self.writes += 1
        return self.call(model, method, *args, timeout=timeout, **kwargs)

    def search_read(
        self, model: str, domain: Domain, fields: Sequence[str], *, active_test: bool = True
    ) -> list[Record]:
        """Rows of `model` matching `domain` (Odoo domain list), each a dict with `id` and `fields`.

        `active_test=False` also returns archived records (context `active_test`, as in Odoo's
        `BaseModel._search`).
        """
        kwargs: dict[str, Any] = {"fields": list(fields)}
        if not active_test:
            kwargs["context"] = {"active_test": False}
        return list(self.call(model, "search_read", domain, **kwargs))

    def fields_get(
        self, model: str, attributes: Sequence[str] = ("type", "selection")
    ) -> dict[str, dict[str, Any]]:
        """`{field name: {attribute: value}}` from Odoo's `fields_get(attributes)`."""
        return dict(self.call(model, "fields_get", attributes=list(attributes)))

    def create(self, model: str, values: list[Record]) -> list[int]:
        """Create one record per dict in `values` (one call); the new ids in order."""
        if not values:
            return []
        ids = self.write_call(model, "create", values)
        return [int(i) for i in (ids if isinstance(ids, list) else [ids])]

    def load(
        self,
        model: str,
        fields: Sequence[str],
        data: Sequence[Sequence[str]],
        context: Record | None = None,
    ) -> Record:
        """Odoo's import method `Model.load(fields, data)`; the answer is returned as is:
        `{'ids': [...] | False, 'messages': [...], 'nextrow': 0}` (see `odoo.load_rows`)."""
        kwargs: dict[str, Any] = {"fields": list(fields), "data": [list(r) for r in data]}
        if context:
            kwargs["context"] = context
        return dict(self.write_call(model, "load", **kwargs))

    def write(self, model: str, ids: Sequence[int], values: Record) -> None:
        """Write `values` on the records `ids` of `model` (one call; nothing for no ids)."""
        if ids:
            self.write_call(model, "write", list(ids), values)

    def unlink(self, model: str, ids: Sequence[int]) -> None:
        """Delete the records `ids` of `model` (one call; nothing for no ids)."""
        if ids:
            self.write_call(model, "unlink", list(ids))


def select_transport(
    kind: TransportKind,
    url: str,
    database: str,
    errors: ErrorContext,
    credential: str,
    *,
    verify_tls: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
) -> Transport:
    """`xmlrpc`, `json2`, or `auto`: JSON-2 when the credential is shaped like an API key (40 hex
    digits) and `GET /web/version` says Odoo 19+, else XML-RPC. A password never goes to JSON-2
    under `auto`, and `auto` with a password makes no extra call. The probe's answer is kept, so
    a JSON-2 connection costs the same calls as XML-RPC; falling back after a probe costs one."""

    def xmlrpc() -> Transport:
        return XmlRpcTransport(url, database, errors, verify_tls=verify_tls, timeout=timeout)

    if kind is TransportKind.XMLRPC or (
        kind is TransportKind.AUTO and not looks_like_api_key(credential)
    ):
        return xmlrpc()
    json2 = Json2Transport(url, database, errors, verify_tls=verify_tls, timeout=timeout)
    if kind is TransportKind.JSON2:
        return json2
    found = json2.probe()
    if found is not None and found.major >= JSON2_SINCE:
        return json2
    json2.close()
    return _Counted(xmlrpc(), json2.calls)


class _Counted:
    """A transport whose call count starts after calls already made (the `auto` probe)."""

    def __init__(self, inner: Transport, before: int) -> None:
        self._inner = inner
        self._before = before

    @property
    def calls(self) -> int:
        return self._before + self._inner.calls

    def version(self) -> ServerVersion:
        return self._inner.version()

    def authenticate(self, login: str, password: str) -> int:
        return self._inner.authenticate(login, password)

    def execute_kw(
        self,
        model: str,
        method: str,
        args: list[Any],
        kwargs: dict[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> Any:
        return self._inner.execute_kw(model, method, args, kwargs, timeout=timeout)


def connect(
    connection: OdooConnectionSpec,
    password: str,
    *,
    allow_insecure_http: bool | None = None,
    secrets: Sequence[str | None] = (),
    timeout: float | None = None,
    transport_factory: TransportFactory | None = None,
) -> OdooClient:
    """Check the URL, read the version, log in. `timeout` (seconds per call) overrides the
    target's `connection.timeoutSeconds`. Raises one-line `OdooError`s."""
    insecure = (
        connection.allow_insecure_http
        if allow_insecure_http is None
        else (allow_insecure_http or connection.allow_insecure_http)
    )
    url = check_url(connection.url, allow_insecure_http=insecure)
    errors = ErrorContext(url, connection.database, connection.login, [password, *secrets])
    if transport_factory is None:
        transport = select_transport(
            connection.transport,
            url,
            connection.database,
            errors,
            password,
            verify_tls=connection.verify_tls,
            timeout=timeout or connection.timeout_seconds,
        )
    else:
        transport = transport_factory(url, connection.database, errors)
    version = transport.version()
    uid = transport.authenticate(connection.login, password)
    return OdooClient(
        transport=transport,
        errors=errors,
        version=version,
        uid=uid,
        url=url,
        database=connection.database,
        login=connection.login,
    )
