"""The Outlook connection flow of the fake: the singleton rule of `microsoft_outlook_uri`, the
OAuth callback that stores the token, and the two test buttons.

Sources (odoo/odoo):
- addons/microsoft_outlook/models/microsoft_outlook_mixin.py `_compute_outlook_uri`: 16.0 and
  later call `self.get_base_url()` (odoo/models.py: `self.ensure_one()`) before looping, so
  computing the field for several records raises `ValueError: Expected singleton:
  ir.mail_server(1, 2)`; a `read` of one record works (seen on real 16.0 to 19.0 servers).
- addons/microsoft_outlook/controllers/main.py `microsoft_outlook_callback` (route
  `/microsoft_outlook/confirm`, auth='user'): reads `state` (JSON: model, id, csrf_token),
  checks the CSRF token against `_get_outlook_csrf_token`, exchanges `code` for the tokens
  and writes `microsoft_outlook_refresh_token` / `_access_token` / `_access_token_expiration`,
  then redirects to the record's form. The fake has no session: the database is the one whose
  CSRF token matches, and the "exchange" stores `fake-refresh-<code>`.
- odoo/addons/base/models/ir_mail_server.py `test_smtp_connection`: `except UserError: raise`
  (Odoo's own texts bubble up as they are), SMTP replies become "Server replied with following
  exception:\\n %s"; success returns a `display_notification` client action with the message
  "Connection Test Successful!". The Outlook login (`_smtp_login` ->
  `_generate_outlook_oauth2_string`) raises "Please connect with your Outlook account before
  using it." without a refresh token, and "An error occurred when fetching the access token.
  %s" (Microsoft's error_description) when the token request fails.
- addons/mail/models/fetchmail.py (16.0+; addons/fetchmail on 15.0) `button_confirm_login`:
  per server `connect(allow_archived=True)` then `write({'state': 'done'})`; IMAP errors become
  "Server replied with following exception:\\n %s", any other exception (the UserErrors of the
  Outlook login included) "Connection test failed: %s"; returns True.
A test makes Microsoft fail with `Database.fail_outlook(model, id, kind, text)`: kind "token"
(the token endpoint's error_description) or "reply" (the SMTP / IMAP server's answer).
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from . import orm
from .behaviour import csrf_token, is_outlook
from .exceptions import UserError

if TYPE_CHECKING:
    from .database import Database
    from .orm import Env

Record = dict[str, Any]
URI_FIELD = "microsoft_outlook_uri"
NO_TOKEN = "Please connect with your Outlook account before using it."
TOKEN_ERROR = "An error occurred when fetching the access token. {}"
REPLY_ERROR = "Server replied with following exception:\n {}"
SMTP_SUCCESS = "Connection Test Successful!"


def check_read(db: Database, model: str, recs: list[Record], names: list[str]) -> None:
    """16.0+: `microsoft_outlook_uri` over several records fails in `get_base_url`."""
    if db.major >= 16 and URI_FIELD in names and len(recs) > 1:
        ids = ", ".join(str(r["id"]) for r in recs)
        raise ValueError(f"Expected singleton: {model}({ids})")


def _outlook_login_error(db: Database, model: str, rec: Record) -> str | None:
    """The error the Outlook login raises (None: it works)."""
    if not rec.get("microsoft_outlook_refresh_token"):
        return NO_TOKEN
    failure = db.outlook_failures.get((model, rec["id"]))
    if failure is None:
        return None
    kind, text = failure
    return TOKEN_ERROR.format(text) if kind == "token" else REPLY_ERROR.format(text)


def test_smtp_connection(env: Env, model: str, ids: list[int]) -> dict[str, Any]:
    orm.check_access(env, model, "read")
    for rec in orm.existing(env, model, ids):
        if not is_outlook(env.db, model, rec):
            raise UserError(
                "No response received. Check server address and port number.\n"
                " [Errno -3] Temporary failure in name resolution"
            )
        error = _outlook_login_error(env.db, model, rec)
        if error:
            raise UserError(error)
    return {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": {"message": SMTP_SUCCESS, "type": "success", "sticky": False},
    }


def button_confirm_login(env: Env, model: str, ids: list[int]) -> bool:
    orm.check_access(env, model, "write")
    for rec in orm.existing(env, model, ids):
        if not is_outlook(env.db, model, rec):
            raise UserError(
                "Connection test failed: [Errno -3] Temporary failure in name resolution"
            )
        error = _outlook_login_error(env.db, model, rec)
        if error:
            kind = env.db.outlook_failures.get((model, rec["id"]), ("", ""))[0]
            raise UserError(error if kind == "reply" else f"Connection test failed: {error}")
        orm.write(env, model, [rec["id"]], {"state": "done"})
    return True


def confirm(databases: list[Database], code: str, state: str) -> tuple[Database, str, int]:
    """`/microsoft_outlook/confirm`: store the tokens on the record named by `state`.
    Raises ValueError for a state no database signed."""
    try:
        data = json.loads(state)
        model, res_id, token = str(data["model"]), int(data["id"]), str(data["csrf_token"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError("invalid state") from exc
    for db in databases:
        if res_id in db.tables.get(model, {}) and csrf_token(db, model, res_id) == token:
            db.connect_outlook(
                model,
                res_id,
                refresh_token=f"fake-refresh-{code}",
                expiration=int(time.time()) + 3600,
            )
            return db, model, res_id
    raise ValueError("Invalid CSRF token")
