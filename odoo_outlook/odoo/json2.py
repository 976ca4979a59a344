"""Odoo 19's External JSON-2 API behind the same `Transport` protocol as XML-RPC.

What the server does (odoo/odoo 19.0, read from its source):
- `POST /json/2/<model>/<method>` (addons/rpc/controllers/json2.py `web_json_2_rpc`): the JSON
  body holds `ids` (the records, empty for an `@api.model` method), `context`, and every other
  parameter *by name*, bound to the Python signature of the method; a recordset result comes
  back as its ids. Authentication is `Authorization: bearer <API key>` only
  (odoo/addons/base/models/ir_http.py `_auth_method_bearer`): a password gets
  401 "Invalid apikey". `X-Odoo-Database` picks the database (odoo/http.py
  `_get_session_and_dbname`); an unknown one is served without a database, where no JSON-2
  route exists: a plain (HTML) 404.
- Errors (odoo/http.py `Json2Dispatcher.handle_error`): status = the exception's
  `http_status` (UserError/ValidationError 422, AccessError and AccessDenied 403,
  MissingError 404) or the werkzeug code (401, 404 unknown model/method, 422 bad arguments),
  500 otherwise; body `{name, message, arguments, context, debug}`. `debug` is the traceback:
  it is never read here.
- `GET /web/version` (addons/rpc/controllers/__init__.py, `auth='none'`):
  `{"version_info": [...], "version": "19.0"}`. The `rpc` module and JSON-2 come with 19.0.

`execute_kw(model, method, args, kwargs)` keeps the XML-RPC calling convention for the code
above; `json2_body` turns positional arguments into the named parameters of Odoo 19's methods.
"""

from __future__ import annotations

import http.client
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from odoo_outlook.odoo.errors import (
    ErrorContext,
    OdooAccessRights,
    OdooBadCredentials,
    OdooError,
    OdooSetupError,
    OdooUnknownDatabase,
    OdooUnreachable,
)
from odoo_outlook.odoo.transport import DEFAULT_TIMEOUT, KeptAliveTransport, ServerVersion

JSON2_SINCE = 19
VERSION_PATH = "/web/version"
USER_AGENT = "odoo-outlook (JSON-2)"
# res_users_apikeys.py `_generate`: hexlify(os.urandom(API_KEY_SIZE = 20)) -> 40 hex digits.
_API_KEY = re.compile(r"[0-9a-f]{40}")


def looks_like_api_key(credential: str) -> bool:
    """Odoo API keys are 40 lowercase hex digits; a password almost never is."""
    return bool(_API_KEY.fullmatch(credential))


@dataclass(frozen=True)
class Signature:
    """How a method is called over JSON-2: on records (`ids`) or not, and its parameter names."""

    on_records: bool
    params: tuple[str, ...]


# Odoo 19 signatures (odoo/orm/models.py, base/models/ir_config_parameter.py,
# base/models/ir_module.py) of every method the sync, the checks and the doctor call.
SIGNATURES: dict[str, Signature] = {
    "search_read": Signature(False, ("domain", "fields", "offset", "limit", "order")),
    "search": Signature(False, ("domain", "offset", "limit", "order")),
    "search_count": Signature(False, ("domain", "limit")),
    "read": Signature(True, ("fields", "load")),
    "create": Signature(False, ("vals_list",)),
    "write": Signature(True, ("vals",)),
    "unlink": Signature(True, ()),
    "exists": Signature(True, ()),
    "fields_get": Signature(False, ("allfields", "attributes")),
    "get_param": Signature(False, ("key", "default")),
    "set_param": Signature(False, ("key", "value")),
    "button_immediate_install": Signature(True, ()),
    # ir_mail_server.py / mail fetchmail.py: the test buttons, on records, no parameters.
    "test_smtp_connection": Signature(True, ()),
    "button_confirm_login": Signature(True, ()),
}


def json2_body(
    model: str, method: str, args: list[Any], kwargs: dict[str, Any] | None
) -> dict[str, Any]:
    """The JSON-2 body for an XML-RPC style `execute_kw` call."""
    kwargs = dict(kwargs or {})
    signature = SIGNATURES.get(method)
    if signature is None:
        if args:
            raise OdooError(
                f"{model}.{method}: no JSON-2 parameter names are known for this"
                " method; pass its arguments by name"
            )
        return kwargs
    rest = list(args)
    body: dict[str, Any] = {}
    if signature.on_records:
        if not rest:
            raise OdooError(f"{model}.{method} is called on records: pass the ids first")
        ids = rest.pop(0)
        body["ids"] = [ids] if isinstance(ids, int) else list(ids)
    if len(rest) > len(signature.params):
        raise OdooError(
            f"{model}.{method} takes at most {len(signature.params)} positional"
            f" argument(s) after the ids, got {len(rest)}"
        )
    body.update(zip(signature.params, rest, strict=False))
    clash = sorted(set(body) & set(kwargs))
    if clash:
        raise OdooError(f"{model}.{method}: {', '.join(clash)} given twice")
    body.update(kwargs)
    return body


@dataclass(frozen=True)
class _Answer:
    status: int
    reason: str
    body: bytes


def _odoo_error(raw: bytes) -> tuple[str, str] | None:
    """(name, message) of a JSON-2 error body, or None when the body is not one."""
    try:
        payload = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("name"), str):
        return None
    return payload["name"], str(payload.get("message") or "")


class Json2Transport(KeptAliveTransport):
    """`POST /json/2/<model>/<method>` with an API key; one request per call, all on one
    kept-alive connection (keepalive.py), never re-sent unless idempotent."""

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
        self._parts = urlsplit(self.url)
        self._key = ""
        self._login = ""
        self._uid: int | None = None
        self._version: ServerVersion | None = None

    # -- HTTP -----------------------------------------------------------------------------
    def _send(
        self,
        verb: str,
        path: str,
        body: dict[str, Any] | None,
        timeout: float | None = None,
        *,
        method: str = "version",
    ) -> _Answer:
        headers = {
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            "X-Odoo-Database": self.database,
        }
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json; charset=utf-8"
        if self._key and path != VERSION_PATH:
            headers["Authorization"] = f"bearer {self._key}"
        self._calls += 1
        try:
            answer = self._connection_for().request(
                verb, self._parts.path + path, data, headers, method=method, timeout=timeout
            )
        except (OSError, http.client.HTTPException) as exc:
            raise self.errors.from_transport_failure(exc) from None
        return _Answer(answer.status, answer.reason, answer.body)

    def _not_json(self, path: str) -> OdooError:
        return self.errors.make(
            OdooUnreachable,
            f"cannot reach Odoo at {self.url}: the answer to {path} is not JSON (fix: is this"
            " URL an Odoo 19 server, with /json/2 reachable through the proxy?)",
        )

    def _failure(self, answer: _Answer, operation: str) -> OdooError:
        """Map a non-200 JSON-2 answer: status and Odoo's error name/message, never `debug`."""
        found = _odoo_error(answer.body)
        status = f"HTTP {answer.status}"
        if found is None:
            if answer.status == 404:
                return self.errors.make(
                    OdooUnknownDatabase,
                    f"{self.errors.where()}: database {self.database!r} does not exist (JSON-2"
                    f" answered {status} Not Found: no such database, or the server's dbfilter"
                    " hides it) (fix: check connection.database; the database selector at"
                    " /web/database/selector lists them)",
                )
            return self.errors.make(
                OdooUnreachable,
                f"cannot reach Odoo at {self.url}: {status} {answer.reason} from the JSON-2"
                " endpoint (fix: is this an Odoo 19 server, with /json/2 reachable through the"
                " proxy?)",
            )
        name, message = found
        if answer.status == 401:
            return self._bad_key(f"{status} {message or 'Unauthorized'}")
        short = name.rsplit(".", 1)[-1]
        if short == "AccessDenied":
            # A valid key (else 401) refused an admin-only method, e.g. button_immediate_install
            # (`@assert_log_admin_access`). XML-RPC cannot tell this from a bad password.
            return self.errors.make(
                OdooAccessRights,
                f"{self.errors.where()}: user {self._login!r} may not {operation} ({status}"
                f" AccessDenied: {message}) (fix: give this user the Settings (Administration)"
                " access right)",
            )
        return self.errors.from_odoo_exception(name, f"{message} ({status})", operation)

    def _bad_key(self, answer: str) -> OdooError:
        hint = (
            ""
            if looks_like_api_key(self._key)
            else (
                "; the configured credential is not shaped like an Odoo API key (40 hex digits):"
                " a password?"
            )
        )
        return self.errors.make(
            OdooBadCredentials,
            f"{self.errors.where()} rejected login {self._login!r} over JSON-2 ({answer}{hint})"
            " (fix: JSON-2 takes an API key, never a password: create one for that user under"
            " Preferences > Account Security > New API Key and store it where the password"
            " was, or use --transport xmlrpc)",
        )

    # -- Transport protocol ---------------------------------------------------------------
    def probe(self) -> ServerVersion | None:
        """`GET /web/version`; None when the server has no such route (no JSON-2 there)."""
        answer = self._send("GET", VERSION_PATH, None)
        if 400 <= answer.status < 500 and _odoo_error(answer.body) is None:
            return None
        if answer.status != 200:
            raise self._failure(answer, "report its version")
        try:
            info = json.loads(answer.body)
        except ValueError:
            raise self._not_json(VERSION_PATH) from None
        if not isinstance(info, dict) or not info.get("version_info"):
            raise self._not_json(VERSION_PATH)
        self._version = ServerVersion.parse(
            {"server_version": info.get("version"), "server_version_info": info["version_info"]}
        )
        return self._version

    def version(self) -> ServerVersion:
        """The version from `GET /web/version` (probed once, kept).

        Raises `OdooSetupError` naming the fix (`--transport xmlrpc`) when the server does not
        answer it or is older than 19.0, where `/json/2` does not exist.
        """
        found = self._version or self.probe()
        fix = (
            "(fix: use --transport xmlrpc, or set connection.transport to xmlrpc or auto;"
            " JSON-2 needs Odoo 19.0 or later)"
        )
        if found is None:
            raise self.errors.make(
                OdooSetupError,
                f"{self.errors.where()} offers no JSON-2 API (GET {VERSION_PATH}: not found) {fix}",
            )
        if found.major < JSON2_SINCE:
            raise self.errors.make(
                OdooSetupError,
                f"{self.errors.where()} runs Odoo {found.text}, which has no JSON-2 API {fix}",
            )
        return found

    def authenticate(self, login: str, password: str) -> int:
        """JSON-2 has no log-in: the API key goes with every call. One read checks the key
        and finds the uid of `login` (the key alone decides who acts)."""
        self.errors.add_secret(password)
        self._key, self._login = password, login
        rows = self._call(
            "res.users",
            "search_read",
            {"domain": [["login", "=", login]], "fields": ["id"], "limit": 1},
            "log in",
        )
        if not rows:
            raise self.errors.make(
                OdooBadCredentials,
                f"{self.errors.where()} accepted the API key but has no active user with login"
                f" {login!r} (fix: set connection.login to the login of the key's user)",
            )
        self._uid = int(rows[0]["id"])
        return self._uid

    def _call(
        self,
        model: str,
        method: str,
        body: dict[str, Any],
        operation: str,
        timeout: float | None = None,
    ) -> Any:
        path = f"/json/2/{quote(model, safe='.')}/{quote(method, safe='')}"
        answer = self._send("POST", path, body, timeout, method=method)
        if answer.status != 200:
            raise self._failure(answer, operation)
        try:
            return json.loads(answer.body)
        except ValueError:
            raise self._not_json(path) from None

    def execute_kw(
        self,
        model: str,
        method: str,
        args: list[Any],
        kwargs: dict[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> Any:
        """`POST /json/2/<model>/<method>` with the positional args named from the method's
        signature (`json2_body`), as Odoo 19's addons/rpc/controllers/json2.py expects.

        `timeout` in seconds. Raises `OdooError` subclasses, or `OdooError` before `authenticate`.
        """
        if self._uid is None:
            raise OdooError("execute_kw before authenticate")
        body = json2_body(model, method, args, kwargs)
        return self._call(model, method, body, f"{method} on {model}", timeout)
