"""HTTP front of the fake: /xmlrpc/2/{common,object,db}, JSON-2 and /web/version,
plus call recording, injected latency and injected failures.

Serving like a production Odoo behind its proxy: HTTP/1.1 with kept-alive connections, one
thread per connection, a listen backlog of `REQUEST_QUEUE_SIZE` (Odoo's threaded server and
werkzeug use the kernel's somaxconn-sized backlog; Python's socketserver default is 5, which
makes a burst of clients see ECONNRESET), optionally over TLS (`tls=(certfile, keyfile)`, the
handshake done in the connection's own thread). `inject_drop` makes the server run a call and
then close the connection without answering, as when a worker is recycled or a proxy times
out after the transaction committed."""

from __future__ import annotations

import contextlib
import copy
import json
import ssl
import threading
import time
import traceback
import xmlrpc.client
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..serving import ServingThread
from . import outlook_flow
from .database import Database
from .exceptions import (
    AccessDenied,
    BadRequest,
    HTTPException,
    NotFound,
    OperationalError,
    Unauthorized,
    UserError,
    fault_code,
)

DEFAULT_ADMIN_API_KEY = "0123456789abcdef0123456789abcdef01234567"
DEFAULT_DEMO_API_KEY = "fedcba9876543210fedcba9876543210fedcba98"
WRITE_METHODS = frozenset(
    {"create", "write", "unlink", "set_param", "button_immediate_install", "load"}
)
ALL_VERSIONS = ("15.0", "16.0", "17.0", "18.0", "19.0")
REQUEST_QUEUE_SIZE = 1024


class _DropConnection(Exception):
    """Raised after a call ran: the handler closes the connection without answering."""


class _Server(ThreadingHTTPServer):
    request_queue_size = REQUEST_QUEUE_SIZE
    daemon_threads = True

    def handle_error(self, _request: Any, _client_address: Any) -> None:
        return  # a client that rejected the certificate or went away: not the fake's error


NOT_FOUND_HTML = (
    "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
    "<p>The requested URL was not found on the server. If you entered the URL manually "
    "please check your spelling and try again.</p>\n"
)


@dataclass(frozen=True)
class Call:
    """One recorded request."""

    transport: str  # "xmlrpc" | "json2" | "http"
    service: str  # "common" | "object" | "db" | "json2" | "web"
    db: str | None
    model: str | None
    method: str
    uid: int | None = None
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    at: float = 0.0


@dataclass
class Failure:
    """An injected exception for matching calls (None matches anything)."""

    make: Callable[[], BaseException]
    model: str | None = None
    method: str | None = None
    db: str | None = None
    remaining: int | None = None

    def matches(self, db: str, model: str, method: str) -> bool:
        return all(
            want is None or want == got
            for want, got in ((self.db, db), (self.model, model), (self.method, method))
        )


def version_info(version: str) -> list[Any]:
    major, minor = (int(x) for x in version.split(".")[:2])
    return [major, minor, 0, "final", 0, ""]


def format_traceback(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def xmlrpc_fault(exc: BaseException) -> str:
    """rpc.py ``xmlrpc_handle_exception_int``."""
    code = fault_code(exc)
    text = str(exc) if code != 1 else format_traceback(exc)
    return xmlrpc.client.dumps(
        xmlrpc.client.Fault(code, text), methodresponse=True, allow_none=False
    )


def serialize_exception(
    exc: BaseException, *, message: str | None = None, arguments: Any = None
) -> dict[str, Any]:
    """odoo/http.py ``serialize_exception`` (JSON-2 error body)."""
    cls = type(exc)
    name = (
        f"{cls.__module__}.{cls.__qualname__}" if cls.__module__ != "builtins" else cls.__qualname__
    )
    return {
        "name": name,
        "message": str(exc) if message is None else message,
        "arguments": list(exc.args if arguments is None else arguments),
        "context": getattr(exc, "context", {}),
        "debug": format_traceback(exc),
    }


class FakeOdoo:
    """A local Odoo-like server; see tests/fakes/odoo_server.py for the API."""

    def __init__(
        self,
        version: str = "17.0",
        *,
        db: str | None = "odoo",
        admin_password: str = "admin",
        admin_api_key: str = DEFAULT_ADMIN_API_KEY,
        demo_password: str = "demo",
        demo_api_key: str = DEFAULT_DEMO_API_KEY,
        modules: dict[str, str] | None = None,
        latency: float = 0.0,
        base_url: str = "http://localhost:8069",
        tls: tuple[str, str] | None = None,
    ) -> None:
        if version not in ALL_VERSIONS:
            raise ValueError(f"unsupported Odoo version {version!r}")
        self.version = version
        self.latency = latency
        self._defaults = {
            "admin_password": admin_password,
            "admin_api_key": admin_api_key,
            "demo_password": demo_password,
            "demo_api_key": demo_api_key,
            "base_url": base_url,
        }
        self._dbs: dict[str, Database] = {}
        self._dbs_lock = threading.Lock()
        self._calls: list[Call] = []
        self._calls_lock = threading.Lock()
        self._failures: list[Failure] = []
        self._requests = 0
        self._interruption: tuple[int, bool, bool] | None = None
        self._drops: list[Failure] = []
        self.connections = 0  # TCP connections accepted (kept-alive ones count once)
        self._tls = tls
        self._httpd: ThreadingHTTPServer | None = None
        self._serving: ServingThread | None = None
        if db:
            self.add_database(db, modules=modules)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> FakeOdoo:
        handler = type("Handler", (_Handler,), {"odoo": self})
        self._httpd = _Server(("127.0.0.1", 0), handler)
        if self._tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self._tls)
            self._httpd.socket = context.wrap_socket(
                self._httpd.socket, server_side=True, do_handshake_on_connect=False
            )
        self._serving = ServingThread(self._httpd, name="fake-odoo").start()
        return self

    def stop(self) -> None:
        if self._serving:
            self._serving.stop()  # at once, and closes the listening socket
            self._serving = None
            self._httpd = None

    def __enter__(self) -> FakeOdoo:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd, "server not started"
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"{'https' if self._tls else 'http'}://127.0.0.1:{self.port}"

    # ------------------------------------------------------------------ databases
    def add_database(
        self,
        name: str,
        version: str | None = None,
        *,
        modules: dict[str, str] | None = None,
        **overrides: Any,
    ) -> Database:
        """Create a fresh database (``version`` defaults to the server's)."""
        options = {**self._defaults, **overrides}
        database = Database(name, version or self.version, modules=modules, **options)
        with self._dbs_lock:
            self._dbs[name] = database
        return database

    def drop_database(self, name: str) -> None:
        with self._dbs_lock:
            self._dbs.pop(name, None)

    def db(self, name: str | None = None) -> Database:
        with self._dbs_lock:
            if name is None:
                if len(self._dbs) != 1:
                    raise KeyError("several databases: name one")
                return next(iter(self._dbs.values()))
            return self._dbs[name]

    def database_names(self) -> list[str]:
        with self._dbs_lock:
            return sorted(self._dbs)

    def _get_db(self, name: Any) -> Database:
        with self._dbs_lock:
            database = self._dbs.get(str(name))
        if database is None:
            raise OperationalError(
                'connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: '
                f'FATAL:  database "{name}" does not exist\n'
            )
        return database

    # ------------------------------------------------------------------ instrumentation
    def record(self, call: Call) -> None:
        with self._calls_lock:
            self._calls.append(call)

    @property
    def calls(self) -> list[Call]:
        with self._calls_lock:
            return list(self._calls)

    def count(
        self,
        method: str | None = None,
        model: str | None = None,
        *,
        db: str | None = None,
        transport: str | None = None,
    ) -> int:
        return sum(
            1
            for c in self.calls
            if (method is None or c.method == method)
            and (model is None or c.model == model)
            and (db is None or c.db == db)
            and (transport is None or c.transport == transport)
        )

    def write_calls(self) -> list[Call]:
        return [c for c in self.calls if c.method in WRITE_METHODS]

    def reset_calls(self) -> None:
        with self._calls_lock:
            self._calls.clear()

    def inject_failure(
        self,
        exc: BaseException | Callable[[], BaseException],
        *,
        model: str | None = None,
        method: str | None = None,
        db: str | None = None,
        times: int | None = None,
    ) -> None:
        """Make matching object/JSON-2 calls raise ``exc`` (``times`` None: always)."""
        if isinstance(exc, BaseException):
            template = exc

            def make() -> BaseException:
                return copy.copy(template)
        else:
            make = exc
        with self._calls_lock:
            self._failures.append(Failure(make, model, method, db, times))

    @property
    def requests(self) -> int:
        """HTTP requests received so far (every path, answered or not)."""
        with self._calls_lock:
            return self._requests

    def interrupt_at(self, position: int, *, committed: bool, outage: bool = True) -> None:
        """Cut the connection at the HTTP request numbered `position` (1-based, counted from
        now): with `committed`, that request is carried out and its reply lost (Odoo committed,
        the client never hears); otherwise it is dropped unread by Odoo. With `outage`, every
        later request is dropped too (Odoo went away) until `clear_interruption`."""
        with self._calls_lock:
            self._requests = 0
            self._interruption = (position, committed, outage)

    def clear_interruption(self) -> None:
        with self._calls_lock:
            self._interruption = None

    def admit(self) -> str:
        """For the handler: 'serve', 'drop' or 'lose-reply' for the request arriving now."""
        with self._calls_lock:
            self._requests += 1
            if self._interruption is None:
                return "serve"
            position, committed, outage = self._interruption
            if self._requests == position:
                return "lose-reply" if committed else "drop"
            if self._requests > position and outage:
                return "drop"
            return "serve"

    def clear_failures(self) -> None:
        with self._calls_lock:
            self._failures.clear()
            self._drops.clear()

    def inject_drop(
        self,
        *,
        model: str | None = None,
        method: str | None = None,
        db: str | None = None,
        times: int | None = 1,
    ) -> None:
        """Run matching object/JSON-2 calls, then close the connection without answering."""
        with self._calls_lock:
            self._drops.append(Failure(_DropConnection, model, method, db, times))

    def _maybe_drop(self, db: str, model: str, method: str) -> None:
        with self._calls_lock:
            for drop in self._drops:
                if drop.matches(db, model, method) and drop.remaining != 0:
                    if drop.remaining is not None:
                        drop.remaining -= 1
                    raise drop.make()

    def count_connection(self) -> None:
        with self._calls_lock:
            self.connections += 1

    def _maybe_fail(self, db: str, model: str, method: str) -> None:
        with self._calls_lock:
            for failure in self._failures:
                if failure.matches(db, model, method) and failure.remaining != 0:
                    if failure.remaining is not None:
                        failure.remaining -= 1
                    raise failure.make()

    def _pause(self) -> None:
        if self.latency:
            time.sleep(self.latency)

    # ------------------------------------------------------------------ XML-RPC services
    def dispatch_xmlrpc(self, service: str, method: str, params: tuple[Any, ...]) -> Any:
        handlers = {"common": self._common, "object": self._object, "db": self._db_service}
        if service not in handlers:
            raise KeyError(service)
        return handlers[service](method, params)

    def _common(self, method: str, params: tuple[Any, ...]) -> Any:
        db = str(params[0]) if params and method in ("login", "authenticate") else None
        self.record(Call("xmlrpc", "common", db, None, method, args=params, at=time.time()))
        self._pause()
        if method == "version":
            return {
                "server_version": self.version,
                "server_version_info": version_info(self.version),
                "server_serie": self.version,
                "protocol_version": 1,
            }
        if method == "login":
            return self._get_db(params[0]).authenticate(params[1], params[2])
        if method == "authenticate":
            return self._get_db(params[0]).authenticate(params[1], params[2])
        if method == "about":
            return "See http://openerp.com"
        raise Exception(f"Method not found: {method}")

    def _object(self, method: str, params: tuple[Any, ...]) -> Any:
        db_name, uid, password = params[0], params[1], params[2]
        model = params[3] if len(params) > 3 else None
        name = params[4] if len(params) > 4 else method
        self.record(
            Call(
                "xmlrpc",
                "object",
                str(db_name),
                model,
                str(name),
                uid=uid if isinstance(uid, int) else None,
                args=tuple(params[5:]),
                at=time.time(),
            )
        )
        self._pause()
        database = self._get_db(db_name)
        uid = database.check_credentials(uid, password)
        if method == "execute_kw":
            args = params[5] if len(params) > 5 else []
            kwargs = params[6] if len(params) > 6 else {}
        elif method == "execute":
            args, kwargs = list(params[5:]), {}
        else:
            raise NameError(f"Method not available {method}")
        self._maybe_fail(database.name, str(model), str(name))
        result = database.execute_kw(uid, str(model), str(name), args, kwargs)
        self._maybe_drop(database.name, str(model), str(name))
        return result

    def _db_service(self, method: str, params: tuple[Any, ...]) -> Any:
        self.record(Call("xmlrpc", "db", None, None, method, args=params, at=time.time()))
        self._pause()
        if method == "list":
            return self.database_names()
        if method == "db_exist":
            return str(params[0]) in self.database_names()
        if method == "server_version":
            return self.version
        if method == "list_lang":
            return [["en_US", "English (US)"]]
        raise KeyError(f"Method not found: {method}")

    # ------------------------------------------------------------------ JSON-2
    def json2_database(self, header: str | None) -> Database | None:
        with self._dbs_lock:
            if header:
                return self._dbs.get(header)
            return next(iter(self._dbs.values())) if len(self._dbs) == 1 else None

    def dispatch_json2(
        self, database: Database, model: str, method: str, authorization: str | None, body: bytes
    ) -> Any:
        """ir.http ``_auth_method_bearer`` then json2.py ``web_json_2_rpc``."""
        token = None
        if authorization and authorization[:7].lower() == "bearer " and authorization[7:].strip():
            token = authorization[7:].strip()
        if token is None:
            raise Unauthorized('User not authenticated, use the "Authorization" header')
        uid = database.uid_for_api_key(token)
        if uid is None:
            raise Unauthorized("Invalid apikey")
        params: Any = {}
        if body:
            try:
                params = json.loads(body)
            except ValueError as exc:
                raise BadRequest(f"could not parse the body as json: {exc.args[0]}") from exc
        if not isinstance(params, dict):
            params = {}
        ids = params.pop("ids", ()) or ()
        context = params.pop("context", {}) or {}
        self.record(
            Call(
                "json2",
                "json2",
                database.name,
                model,
                method,
                uid=uid,
                kwargs=dict(params),
                at=time.time(),
            )
        )
        self._pause()
        self._maybe_fail(database.name, model, method)
        result = database.call_json2(uid, model, method, ids, context, params)
        self._maybe_drop(database.name, model, method)
        return result


class _Handler(BaseHTTPRequestHandler):
    odoo: FakeOdoo
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes
    server_version = "Werkzeug/3.0.1"
    sys_version = "Python/3.12"

    def log_message(self, _format: str, *_args: Any) -> None:  # quiet
        return

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()
        super().setup()
        self.odoo.count_connection()

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    _lose_reply = False

    def _send(
        self,
        status: int,
        body: bytes | str,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        if self._lose_reply:  # the work is done; the connection closes without an answer
            self.close_connection = True
            return
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _not_found(self) -> None:
        self._send(404, NOT_FOUND_HTML, "text/html; charset=utf-8")

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._send(
            status, json.dumps(payload, default=str), "application/json; charset=utf-8", headers
        )

    def _admitted(self) -> bool:
        gate = self.odoo.admit()
        self._lose_reply = gate == "lose-reply"
        if gate == "drop":
            self.close_connection = True
        return gate != "drop"

    def do_GET(self) -> None:
        if not self._admitted():
            return
        path = self.path.split("?")[0]
        odoo = self.odoo
        if path in ("/web/version", "/json/version"):
            # Counted like any other call, so JSON-2 round trips compare with XML-RPC's.
            odoo.record(Call("http", "web", None, None, "version", at=time.time()))
        if path in ("/web/version", "/json/version") and odoo.version >= "19.0":
            # addons/rpc/controllers/__init__.py (19.0): route(['/web/version',
            # '/json/version'], type='http', auth='none')
            self._json(200, {"version_info": version_info(odoo.version), "version": odoo.version})
        elif path.startswith("/json/2") and odoo.version >= "19.0":
            self._json2_error(NotFound("Did you mean POST /json/2/<model>/<method>?"))
        elif path == "/microsoft_outlook/confirm":
            self._outlook_confirm()
        else:
            self._not_found()

    def _outlook_confirm(self) -> None:
        """addons/microsoft_outlook/controllers/main.py ``microsoft_outlook_callback``."""
        query = parse_qs(urlsplit(self.path).query)
        odoo = self.odoo
        databases = [odoo.db(name) for name in odoo.database_names()]
        try:
            database, model, res_id = outlook_flow.confirm(
                databases, query.get("code", [""])[0], query.get("state", [""])[0]
            )
        except ValueError as exc:
            self._send(400, str(exc), "text/plain; charset=utf-8")
            return
        odoo.record(
            Call("http", "microsoft_outlook", database.name, model, "confirm", at=time.time())
        )
        self._send(
            303,
            "",
            "text/html; charset=utf-8",
            {"Location": f"/web#id={res_id}&model={model}&view_type=form"},
        )

    def do_POST(self) -> None:
        path = self.path.split("?")[0]
        body = self._body()
        if not self._admitted():
            return
        if path.startswith("/xmlrpc/2/"):
            self._xmlrpc(path[len("/xmlrpc/2/") :], body)
        elif path.startswith("/json/2"):
            self._json2(path, body)
        elif path == "/web/webclient/version_info":
            self._version_info(body)
        else:
            self._not_found()

    def _xmlrpc(self, service: str, body: bytes) -> None:
        try:
            params, method = xmlrpc.client.loads(body)
            result = self.odoo.dispatch_xmlrpc(service, str(method), params)
            response = xmlrpc.client.dumps((result,), methodresponse=True, allow_none=False)
        except _DropConnection:
            self.close_connection = True
            return
        except Exception as exc:
            response = xmlrpc_fault(exc)
        self._send(200, response, "text/xml; charset=utf-8")

    def _version_info(self, body: bytes) -> None:
        request_id = None
        with contextlib.suppress(ValueError):
            request_id = json.loads(body or b"{}").get("id")
        v = self.odoo.version
        result = {
            "server_version": v,
            "server_version_info": version_info(v),
            "server_serie": v,
            "protocol_version": 1,
        }
        self._json(200, {"jsonrpc": "2.0", "id": request_id, "result": result})

    def _json2(self, path: str, body: bytes) -> None:
        odoo = self.odoo
        database = odoo.json2_database(self.headers.get("X-Odoo-Database"))
        if database is None or database.major < 19:
            self._not_found()  # no such route before 19.0 (or no database selected)
            return
        parts = path.split("/")
        try:
            if len(parts) != 5 or not parts[3] or not parts[4]:
                raise NotFound("Did you mean POST /json/2/<model>/<method>?")
            result = odoo.dispatch_json2(
                database, parts[3], parts[4], self.headers.get("Authorization"), body
            )
        except _DropConnection:
            self.close_connection = True
            return
        except Exception as exc:
            self._json2_error(exc)
            return
        self._json(200, result)

    def _json2_error(self, exc: BaseException) -> None:
        """odoo/http.py ``Json2Dispatcher.handle_error``."""
        headers: dict[str, str] = {}
        if isinstance(exc, UserError):
            status, payload = exc.http_status, serialize_exception(exc)
        elif isinstance(exc, HTTPException):
            status = exc.code
            payload = serialize_exception(
                exc, message=exc.description, arguments=(exc.description, exc.code)
            )
            if isinstance(exc, Unauthorized):
                headers["WWW-Authenticate"] = "Bearer"
        else:
            status, payload = 500, serialize_exception(exc)
        self._json(status, payload, headers)


def iter_versions() -> Iterator[str]:
    yield from ALL_VERSIONS


__all__ = [
    "ALL_VERSIONS",
    "DEFAULT_ADMIN_API_KEY",
    "DEFAULT_DEMO_API_KEY",
    "AccessDenied",
    "Call",
    "FakeOdoo",
]
