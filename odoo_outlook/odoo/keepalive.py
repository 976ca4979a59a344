"""One kept-alive HTTP/1.1 connection per target and endpoint, one TLS context per process.

Both transports (XML-RPC in `transport.py`, JSON-2 in `json2.py`) send every call of a sync
through one `KeptAliveConnection`: the TCP connection and its TLS session are opened once and
reused, and the TLS context (which loads the whole CA bundle, ~47 ms of CPU) is built once per
process per distinct TLS setting (`tls_context`).

Which calls may be sent again is decided here, in one place (`IDEMPOTENT_METHODS`). Python's
`xmlrpc.client` silently re-sends any request once when a kept-alive connection turns out to be
closed (`xmlrpc.client.Transport.request`, CPython Lib/xmlrpc/client.py): a `create` whose
answer was lost could then run twice. Here a request is sent again only when its method is
idempotent (reading, `load` with external ids, `write`, `set_param`), at most `RETRIES` times
with a growing pause, and each retry is logged (logger `odoo_outlook.odoo.keepalive`, shown by
`--debug`). A non-idempotent call (`create`, `unlink`, `button_immediate_install`, ...) whose
connection dropped fails with a message saying it may or may not have run.

Certificates are checked exactly as `ssl.create_default_context()` does (CERT_REQUIRED,
host name checked) unless the target sets `connection.verifyTls: false`. The CA bundle is
OpenSSL's default, which honours the `SSL_CERT_FILE` / `SSL_CERT_DIR` environment variables
(how a private CA is trusted).
"""

from __future__ import annotations

import http.client
import logging
import os
import select
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

# Methods that give the same result however many times they run (Odoo's ORM and the
# parameters API): only these are ever sent again after a dropped connection.
# `load` with `id` external ids creates-or-updates the same records (odoo/models.py
# `BaseModel.load` -> `_load_records`, which updates the record an existing external id names);
# `write` sets the same values; `set_param` stores the same value.
IDEMPOTENT_METHODS = frozenset(
    {
        # common / web
        "version",
        "authenticate",
        "login",
        "about",
        # ORM reads
        "search",
        "search_read",
        "read",
        "fields_get",
        "search_count",
        "name_search",
        "read_group",
        "exists",
        "default_get",
        "check_access_rights",
        "get_param",
        "export_data",
        # idempotent writes
        "load",
        "write",
        "set_param",
    }
)
# Retries of an idempotent call after a dropped connection, and the pause before the first
# (doubled each time).
RETRIES = 2
BACKOFF_SECONDS = 0.1

# The peer closed a kept-alive connection (idle timeout, worker restart, proxy).
DROPPED = (
    http.client.RemoteDisconnected,
    ConnectionResetError,
    BrokenPipeError,
    ConnectionAbortedError,
    http.client.BadStatusLine,
)


def is_idempotent(method: str) -> bool:
    """True when `method` may be sent again after its connection dropped."""
    return method in IDEMPOTENT_METHODS


_contexts: dict[tuple[bool, str, str], ssl.SSLContext] = {}
_contexts_lock = threading.Lock()


def tls_context(verify: bool) -> ssl.SSLContext:
    """The process-wide TLS context for this setting: built once, shared by every connection.

    verify=True: `ssl.create_default_context()` (CERT_REQUIRED, host name checked, the CA
    bundle from OpenSSL's default paths, `SSL_CERT_FILE` / `SSL_CERT_DIR` honoured).
    verify=False (`connection.verifyTls: false`): no certificate or host name check."""
    key = (verify, os.environ.get("SSL_CERT_FILE", ""), os.environ.get("SSL_CERT_DIR", ""))
    with _contexts_lock:
        context = _contexts.get(key)
        if context is None:
            context = ssl.create_default_context()
            if not verify:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            _contexts[key] = context
        return context


def _closed_by_peer(sock: socket.socket) -> bool:
    """An idle HTTP/1.1 connection has nothing to read unless the peer closed it (the same
    test as urllib3's `wait_for_read(sock, timeout=0.0)` before reusing a pooled one)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class DroppedConnection(ConnectionError):
    """A non-idempotent call's connection dropped before its answer: it may have run."""

    def __init__(self, method: str, cause: BaseException) -> None:
        super().__init__(
            f"the connection dropped before Odoo answered {method!r} ({type(cause).__name__}),"
            " which is not repeated as it may have run (fix: run the command again; it"
            " converges)"
        )
        self.method = method


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: status code, reason phrase, headers and the whole body (bytes)."""

    status: int
    reason: str
    headers: http.client.HTTPMessage
    body: bytes


class KeptAliveConnection:
    """One HTTP/1.1 connection to `scheme://host:port`, reused for every request.

    Not thread-safe: one per target (each fleet target runs in one thread). The socket is
    opened on the first request and again after the server closed it."""

    def __init__(
        self,
        scheme: str,
        host: str,
        port: int | None,
        *,
        verify_tls: bool = True,
        timeout: float = 60.0,
    ) -> None:
        self.scheme = scheme
        self.timeout = timeout
        if scheme == "https":
            self._http: http.client.HTTPConnection = http.client.HTTPSConnection(
                host, port, timeout=timeout, context=tls_context(verify_tls)
            )
        else:
            self._http = http.client.HTTPConnection(host, port, timeout=timeout)
        self.connects = 0  # TCP (and TLS) connections opened, for tests and benchmarks

    @classmethod
    def for_url(cls, url: str, *, verify_tls: bool, timeout: float) -> KeptAliveConnection:
        """The connection to `url`'s scheme, host and port (its path is the caller's)."""
        parts = urlsplit(url)
        return cls(
            parts.scheme, parts.hostname or "", parts.port, verify_tls=verify_tls, timeout=timeout
        )

    def close(self) -> None:
        """Close the socket (a later request opens a new one)."""
        self._http.close()

    def _timeout(self, seconds: float) -> None:
        if self._http.timeout == seconds:
            return  # already the socket's timeout (set at connect or by the last call)
        self._http.timeout = seconds
        if self._http.sock is not None:
            self._http.sock.settimeout(seconds)

    def _once(self, verb: str, path: str, body: bytes | None, headers: Mapping[str, str]) -> Answer:
        if self._http.sock is not None and _closed_by_peer(self._http.sock):
            self._http.close()  # found before sending: nothing was sent, nothing to repeat
        if self._http.sock is None:
            self._http.connect()
            self.connects += 1
        self._http.request(verb, path, body=body, headers=dict(headers))
        response = self._http.getresponse()
        data = response.read()
        if response.will_close:
            self._http.close()
        return Answer(response.status, response.reason, response.msg, data)

    def request(
        self,
        verb: str,
        path: str,
        body: bytes | None,
        headers: Mapping[str, str],
        *,
        method: str,
        timeout: float | None = None,
    ) -> Answer:
        """Send one request; `method` is the Odoo method it carries (for the retry rule).

        Raises what `http.client` raises (OSError, HTTPException), or `DroppedConnection`
        when a non-idempotent call's connection dropped."""
        self._timeout(timeout or self.timeout)
        attempt = 0
        while True:
            try:
                return self._once(verb, path, body, headers)
            except DROPPED as exc:
                self._http.close()
                if not is_idempotent(method):
                    raise DroppedConnection(method, exc) from exc
                if attempt >= RETRIES:
                    raise
                attempt += 1
                pause = BACKOFF_SECONDS * 2 ** (attempt - 1)
                log.debug(
                    "retrying idempotent call %r (retry %d of %d, after %.1f s): the"
                    " kept-alive connection to %s dropped (%s)",
                    method,
                    attempt,
                    RETRIES,
                    pause,
                    self._http.host,
                    type(exc).__name__,
                )
                time.sleep(pause)
            except BaseException:
                self._http.close()
                raise
