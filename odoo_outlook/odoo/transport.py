"""How calls reach Odoo: one small `Transport` protocol, and its XML-RPC implementation.

Everything above this module speaks `execute_kw(model, method, args, kwargs)`; the JSON-2
transport (Odoo 19's `/json/2/<model>/<method>` with an API key, `json2.py`) fits behind the
same protocol and maps its errors through the same `ErrorContext`.
"""

from __future__ import annotations

import http.client
import xmlrpc.client
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit
from xml.parsers.expat import ExpatError

from odoo_outlook.config import LOOPBACK_HOSTS
from odoo_outlook.odoo.errors import ErrorContext, OdooError, OdooSetupError
from odoo_outlook.odoo.keepalive import DroppedConnection, KeptAliveConnection

DEFAULT_TIMEOUT = 60.0
# button_immediate_install may take minutes on a big database.
INSTALL_TIMEOUT = 600.0


@dataclass(frozen=True)
class ServerVersion:
    """An Odoo server version: `text` as Odoo reports it (`17.0`, `saas~17.2`), `major`, `minor`."""

    text: str
    major: int
    minor: int

    @classmethod
    def parse(cls, info: dict[str, Any]) -> ServerVersion:
        """From Odoo's `common.version` answer (`server_version`, `server_version_info`).

        A `saas~` prefix is dropped from the major version. Raises ValueError when neither field
        holds a number.
        """
        parts = list(info.get("server_version_info") or [])
        text = str(info.get("server_version") or ".".join(str(p) for p in parts[:2]))
        try:
            major = int(str(parts[0]).removeprefix("saas~"))
            minor = int(parts[1]) if len(parts) > 1 and str(parts[1]).isdigit() else 0
        except (IndexError, ValueError):
            head = text.removeprefix("saas~").split(".")
            major, minor = int(head[0]), int(head[1]) if len(head) > 1 else 0
        return cls(text=text, major=major, minor=minor)


class Transport(Protocol):
    """The calls the sync needs; failures raise `OdooError` subclasses, never raw exceptions."""

    @property
    def calls(self) -> int:
        """How many remote calls were made (for reports and tests)."""
        ...

    def version(self) -> ServerVersion:
        """Odoo's version (`common.version` / `GET /web/version`); no login needed."""
        ...

    def authenticate(self, login: str, password: str) -> int:
        """Log in (password or API key); returns the uid or raises OdooBadCredentials."""
        ...

    def execute_kw(
        self,
        model: str,
        method: str,
        args: list[Any],
        kwargs: dict[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> Any:
        """`model.method(*args, **kwargs)` as the logged-in user; `timeout` in seconds."""
        ...


def check_url(url: str, *, allow_insecure_http: bool) -> str:
    """The base URL to call; refuses cleartext to anything but this machine."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OdooSetupError(f"{url!r} is not an http(s) URL (fix: set connection.url)")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS and not allow_insecure_http:
        raise OdooSetupError(
            f"refusing to send the Odoo password in cleartext to {url} (fix: use https://, or"
            " pass --allow-insecure-http / set connection.allowInsecureHttp: true)"
        )
    return url.rstrip("/")


_TRANSPORT_FAILURES = (
    OSError,  # refused, DNS (socket.gaierror), TLS (ssl.SSLError), timeouts
    http.client.HTTPException,
    xmlrpc.client.ProtocolError,
    xmlrpc.client.ResponseError,
    ExpatError,
    DroppedConnection,
)


_XMLRPC_HEADERS = {"Content-Type": "text/xml", "User-Agent": "odoo-outlook (XML-RPC)"}


class KeptAliveTransport:
    """What both Odoo transports share: the base `url` (no trailing slash), the `database`,
    the error context, one kept-alive connection opened on first use (keepalive.py) with the
    TLS and `timeout` (seconds) settings, and the count of remote calls."""

    def __init__(
        self,
        url: str,
        database: str,
        errors: ErrorContext,
        *,
        verify_tls: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.url = url.rstrip("/")
        self.database = database
        self.errors = errors
        self._verify_tls = verify_tls
        self._timeout = timeout
        self._calls = 0
        self._connection: KeptAliveConnection | None = None

    @property
    def calls(self) -> int:
        """Remote calls made so far (a version probe included)."""
        return self._calls

    def _connection_for(self) -> KeptAliveConnection:
        if self._connection is None:
            self._connection = KeptAliveConnection.for_url(
                self.url, verify_tls=self._verify_tls, timeout=self._timeout
            )
        return self._connection

    def close(self) -> None:
        """Close the kept-alive connection (opened again by the next call)."""
        if self._connection is not None:
            self._connection.close()


class XmlRpcTransport(KeptAliveTransport):
    """`/xmlrpc/2/common` + `/xmlrpc/2/object`: requests marshalled by `xmlrpc.client`, sent on
    one kept-alive connection (keepalive.py), never re-sent unless idempotent."""

    def __init__(
        self,
        url: str,
        database: str,
        errors: ErrorContext,
        *,
        verify_tls: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(url, database, errors, verify_tls=verify_tls, timeout=timeout)
        self._uid: int | None = None
        self._password = ""
        self._path = urlsplit(self.url).path

    def _call(
        self,
        service: str,
        method: str,
        params: tuple[Any, ...],
        operation: str,
        timeout: float | None = None,
        *,
        odoo_method: str | None = None,
    ) -> Any:
        """One XML-RPC request on the kept-alive connection; `odoo_method` (default `method`)
        decides whether it may be sent again after a dropped connection (keepalive.py)."""
        self._calls += 1
        path = f"{self._path}/xmlrpc/2/{service}"
        body = xmlrpc.client.dumps(params, method, allow_none=True).encode(
            "utf-8", "xmlcharrefreplace"
        )
        try:
            answer = self._connection_for().request(
                "POST", path, body, _XMLRPC_HEADERS, method=odoo_method or method, timeout=timeout
            )
            if answer.status != 200:
                raise xmlrpc.client.ProtocolError(
                    self.url + path, answer.status, answer.reason, dict(answer.headers)
                )
            parser, unmarshaller = xmlrpc.client.getparser()
            parser.feed(answer.body)
            parser.close()
            result = unmarshaller.close()
        except xmlrpc.client.Fault as fault:
            raise self.errors.from_fault(fault, operation) from None
        except _TRANSPORT_FAILURES as exc:
            raise self.errors.from_transport_failure(exc) from None
        return result[0] if len(result) == 1 else result

    def version(self) -> ServerVersion:
        """`common.version` over `/xmlrpc/2/common`; raises `OdooError` on an unexpected answer."""
        info = self._call("common", "version", (), "report its version")
        if not isinstance(info, dict):
            raise self.errors.make(OdooError, f"{self.errors.where()}: unexpected version answer")
        return ServerVersion.parse(info)

    def authenticate(self, login: str, password: str) -> int:
        """`common.authenticate(db, login, password, {})`; the uid.

        Raises `OdooBadCredentials` when Odoo answers False (wrong login, password or API key).
        """
        self.errors.add_secret(password)
        uid = self._call("common", "authenticate", (self.database, login, password, {}), "log in")
        if not uid:
            raise self.errors.bad_credentials()
        self._uid = int(uid)
        self._password = password
        return self._uid

    def execute_kw(
        self,
        model: str,
        method: str,
        args: list[Any],
        kwargs: dict[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> Any:
        """`object.execute_kw(db, uid, password, model, method, args, kwargs)` over
        `/xmlrpc/2/object`.

        `timeout` is in seconds (None: the transport's). Raises `OdooError` subclasses (a Fault
        mapped by `ErrorContext.from_fault`), or `OdooError` before `authenticate`.
        """
        if self._uid is None:
            raise OdooError("execute_kw before authenticate")
        params = (self.database, self._uid, self._password, model, method, args, kwargs or {})
        return self._call(
            "object", "execute_kw", params, f"{method} on {model}", timeout, odoo_method=method
        )
