"""Every way talking to Odoo can fail, as one-line `OdooOutlookError`s, mapped in one place.

Transports hand raw failures here: an Odoo exception (class name + message, whatever the wire
format), a socket/TLS/HTTP failure, or an XML-RPC fault. `/xmlrpc/2` fault codes come from
Odoo's `xmlrpc_handle_exception_int` (odoo/service/wsgi_server.py up to 15.0,
odoo/addons/base/controllers/rpc.py from 16.0): 2 = UserError/ValidationError/RedirectWarning
(bare message), 3 = AccessDenied, 4 = AccessError, 1 = anything else, sent as the formatted
traceback: only its last exception line is kept, the traceback is never shown.
Every message goes through `odoo_outlook.masking` (mask first, then cut) so a password, API key
or client secret never leaks, not even the head of one that straddles the cut.
"""

from __future__ import annotations

import re
import socket
import ssl
import xmlrpc.client
from collections.abc import Iterable
from xml.parsers.expat import ExpatError

from odoo_outlook.errors import OdooOutlookError
from odoo_outlook.masking import clean

_MAX_DETAIL = 300
_EXCEPTION_LINE = re.compile(
    r"^(?P<name>[A-Za-z_][\w.]*(?:Error|Exception|Denied|Warning|Fault|Interrupt|Invalid))"
    r"(?::\s*(?P<message>.*))?$"
)
_UNKNOWN_DB = re.compile(r'database "(?P<db>[^"]+)" does not exist')


class OdooError(OdooOutlookError):
    """A failure talking to one Odoo database."""


class OdooUnreachable(OdooError):
    """Connection refused, DNS, TLS, timeout, or the URL is not an Odoo server."""


class OdooUnknownDatabase(OdooError):
    """The database does not exist on that server."""


class OdooBadCredentials(OdooError):
    """Odoo rejected the login and password/API key."""


class OdooAccessRights(OdooError):
    """The user lacks the rights for an operation (Odoo's AccessError)."""


class OdooUserError(OdooError):
    """Odoo refused an operation with its own text (UserError, ValidationError)."""


class OdooServerError(OdooError):
    """Any other server-side exception (fault code 1): the last exception line of Odoo's log."""


class OdooSetupError(OdooError):
    """A local precondition: insecure URL, missing password, module not installed, ..."""


class OdooInterrupted(OdooError):
    """A sync stopped after Odoo was reached and some of its changes were made: run it again."""


class OdooBaseUrlMismatch(OdooError):
    """`web.base.url` gives a redirect URI the app does not accept (Microsoft's AADSTS50011)."""


def last_exception(traceback_text: str) -> tuple[str, str]:
    """(`module.Class`, message) of the last exception in a formatted Python traceback."""
    lines = [line.rstrip() for line in traceback_text.strip().splitlines()]
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index]
        if line.startswith((" ", "\t")):
            continue
        match = _EXCEPTION_LINE.match(line)
        if match:
            tail = [match.group("message") or "", *lines[index + 1 :]]
            return match.group("name"), " ".join(part.strip() for part in tail if part.strip())
    return "", lines[-1].strip() if lines else ""


class ErrorContext:
    """Where a failure happened (for the message) and which values must never be shown."""

    def __init__(self, url: str, database: str, login: str, secrets: Iterable[str | None]):
        self.url = url
        self.database = database
        self.login = login
        self._secrets = [s for s in secrets if s]

    def add_secret(self, value: str | None) -> None:
        """Mask `value` too in every message made from now on (None or empty: nothing)."""
        if value:
            self._secrets.append(value)

    def where(self) -> str:
        """`Odoo at <url> (database '<db>')`, the head of every message."""
        return f"Odoo at {self.url} (database {self.database!r})"

    def make(self, cls: type[OdooError], text: str) -> OdooError:
        """An `cls` error with `text` masked (every known secret) and on one line."""
        return cls(clean(text, self._secrets))

    # -- Odoo exceptions, whatever the transport ------------------------------------------
    def from_odoo_exception(self, name: str, message: str, operation: str) -> OdooError:
        """The error for Odoo's exception `name` (e.g. `odoo.exceptions.UserError`) raised by
        `operation`, whatever the transport; `message` is masked, then cut to 300 characters."""
        short = name.rsplit(".", 1)[-1]
        message = clean(message, self._secrets, _MAX_DETAIL) or short
        unknown = _UNKNOWN_DB.search(message)
        if unknown or (short == "KeyError" and self.database in message):
            return self.make(
                OdooUnknownDatabase,
                f"{self.where()}: database {self.database!r} does not exist (fix: check"
                " connection.database; the database selector at /web/database/selector lists"
                " them)",
            )
        if short == "AccessDenied":
            return self.bad_credentials()
        if short == "AccessError":
            return self.make(
                OdooAccessRights,
                f"{self.where()}: user {self.login!r} may not {operation}: {message} (fix: give"
                " this user the Settings (Administration) access right)",
            )
        if short in (
            "UserError",
            "ValidationError",
            "RedirectWarning",
            "MissingError",
            "Warning",
            "except_orm",
        ):
            return self.make(OdooUserError, f"{self.where()} refused to {operation}: {message}")
        label = f"{short}: {message}" if short else message
        return self.make(
            OdooServerError, f"{self.where()} failed to {operation}: {label} (see Odoo's log)"
        )

    def bad_credentials(self) -> OdooError:
        """Odoo refused the login and its password or API key (never shown)."""
        return self.make(
            OdooBadCredentials,
            f"{self.where()} rejected login {self.login!r} (fix: check the password or API key"
            " and that the user is active)",
        )

    # -- XML-RPC --------------------------------------------------------------------------
    def from_fault(self, fault: xmlrpc.client.Fault, operation: str) -> OdooError:
        """The error for an XML-RPC fault raised by `operation` (Odoo's RPC fault codes: 1
        application error, 2 warning, 3 access denied, 4 access error)."""
        text = str(fault.faultString or "")
        code = fault.faultCode
        if code == 3:
            return self.bad_credentials()
        if code == 4:
            return self.from_odoo_exception("odoo.exceptions.AccessError", text, operation)
        if code == 2:
            return self.from_odoo_exception("odoo.exceptions.UserError", text, operation)
        name, message = last_exception(text)
        return self.from_odoo_exception(name, message, operation)

    def from_transport_failure(self, exc: BaseException) -> OdooError:
        """Socket, TLS, HTTP and parse failures: the server could not be talked to."""
        where = f"cannot reach Odoo at {self.url}"
        if isinstance(exc, ssl.SSLCertVerificationError):
            detail = f"TLS certificate not trusted ({exc.verify_message}) (fix: install a valid"
            detail += " certificate, or set connection.verifyTls: false for a test server)"
        elif isinstance(exc, ssl.SSLError):
            detail = f"TLS handshake failed ({exc.reason or exc})"
        elif isinstance(exc, socket.gaierror):
            detail = "host name not found (fix: check connection.url or the target's baseUrls)"
        elif isinstance(exc, ConnectionRefusedError):
            detail = "connection refused (fix: is Odoo running and listening on that port?)"
        elif isinstance(exc, TimeoutError):
            detail = "timed out (fix: check the URL, a firewall, or raise the timeout)"
        elif isinstance(exc, xmlrpc.client.ProtocolError):
            detail = f"HTTP {exc.errcode} {exc.errmsg} from the XML-RPC endpoint (fix: is this"
            detail += " an Odoo server, with XML-RPC reachable through the proxy?)"
        elif isinstance(exc, ExpatError | xmlrpc.client.ResponseError):
            detail = "the answer is not XML-RPC (fix: is this URL an Odoo server?)"
        else:
            detail = f"{type(exc).__name__}: {exc}"
        return self.make(OdooUnreachable, f"{where}: {detail}")
