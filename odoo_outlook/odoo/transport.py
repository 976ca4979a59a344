"""How calls reach Odoo: one small `Transport` protocol, and its XML-RPC implementation.

Everything above this module speaks `execute_kw(model, method, args, kwargs)`; the JSON-2
transport (Odoo 19's `/json/2/<model>/<method>` with an API key, `json2.py`) fits behind the
same protocol and maps its errors through the same `ErrorContext`.
"""

from __future__ import annotations

import http.client
import ssl
import xmlrpc.client
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit
from xml.parsers.expat import ExpatError

from odoo_outlook.config import LOOPBACK_HOSTS
from odoo_outlook.odoo.errors import ErrorContext, OdooError, OdooSetupError

DEFAULT_TIMEOUT = 60.0
# button_immediate_install may take minutes on a big database.
INSTALL_TIMEOUT = 600.0


@dataclass(frozen=True)
class ServerVersion:
    text: str
    major: int
    minor: int

    @classmethod
    def parse(cls, info: dict[str, Any]) -> ServerVersion:
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

    def version(self) -> ServerVersion: ...

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
    ) -> Any: ...


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


class _TimeoutTransport(xmlrpc.client.Transport):
    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host: Any) -> http.client.HTTPConnection:
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


class _TimeoutSafeTransport(xmlrpc.client.SafeTransport):
    def __init__(self, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(context=context)
        self.timeout = timeout

    def make_connection(self, host: Any) -> http.client.HTTPConnection:
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


_TRANSPORT_FAILURES = (
    OSError,  # refused, DNS (socket.gaierror), TLS (ssl.SSLError), timeouts
    http.client.HTTPException,
    xmlrpc.client.ProtocolError,
    xmlrpc.client.ResponseError,
    ExpatError,
)


class XmlRpcTransport:
    """`/xmlrpc/2/common` + `/xmlrpc/2/object` over `xmlrpc.client`."""

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
        self._uid: int | None = None
        self._password = ""
        self._calls = 0

    @property
    def calls(self) -> int:
        return self._calls

    def _proxy(self, service: str, timeout: float) -> xmlrpc.client.ServerProxy:
        if self.url.startswith("https:"):
            context = ssl.create_default_context()
            if not self._verify_tls:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            transport: xmlrpc.client.Transport = _TimeoutSafeTransport(timeout, context)
        else:
            transport = _TimeoutTransport(timeout)
        return xmlrpc.client.ServerProxy(
            f"{self.url}/xmlrpc/2/{service}", transport=transport, allow_none=True
        )

    def _call(self, service: str, method: str, params: tuple[Any, ...], operation: str,
              timeout: float | None = None) -> Any:
        self._calls += 1
        proxy = self._proxy(service, timeout or self._timeout)
        try:
            return getattr(proxy, method)(*params)
        except xmlrpc.client.Fault as fault:
            raise self.errors.from_fault(fault, operation) from None
        except _TRANSPORT_FAILURES as exc:
            raise self.errors.from_transport_failure(exc) from None

    def version(self) -> ServerVersion:
        info = self._call("common", "version", (), "report its version")
        if not isinstance(info, dict):
            raise self.errors.make(OdooError, f"{self.errors.where()}: unexpected version answer")
        return ServerVersion.parse(info)

    def authenticate(self, login: str, password: str) -> int:
        self.errors.add_secret(password)
        uid = self._call(
            "common", "authenticate", (self.database, login, password, {}), "log in"
        )
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
        if self._uid is None:
            raise OdooError("execute_kw before authenticate")
        params = (self.database, self._uid, self._password, model, method, args, kwargs or {})
        return self._call("object", "execute_kw", params, f"{method} on {model}", timeout)
