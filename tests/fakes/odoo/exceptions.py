"""Odoo's exception classes, as the RPC layers see them.

The classes carry ``__module__ = "odoo.exceptions"`` so that tracebacks and the
JSON-2 error body name them exactly like a real server does
(``odoo.exceptions.UserError``). Application errors (ValueError, TypeError,
AttributeError, psycopg2's OperationalError) stay plain Python exceptions: real
Odoo answers them with XML-RPC fault code 1 and the formatted traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """odoo.exceptions.UserError: fault code 2, JSON-2 status 422."""

    http_status = 422

    def __init__(self, message: str) -> None:
        super().__init__(message)


class ValidationError(UserError):
    """odoo.exceptions.ValidationError (a UserError)."""


class MissingError(UserError):
    """odoo.exceptions.MissingError (a UserError): JSON-2 status 404."""

    http_status = 404


class AccessError(UserError):
    """odoo.exceptions.AccessError: fault code 4, JSON-2 status 403."""

    http_status = 403


class AccessDenied(UserError):
    """odoo.exceptions.AccessDenied: fault code 3, JSON-2 status 403."""

    http_status = 403

    def __init__(self, message: str = "Access Denied") -> None:
        super().__init__(message)


class RedirectWarning(Exception):
    """odoo.exceptions.RedirectWarning: fault code 2."""

    def __init__(self, message: str, action: int = 0, button_text: str = "") -> None:
        super().__init__(message, action, button_text)

    def __str__(self) -> str:
        return str(self.args[0])


class OperationalError(Exception):
    """psycopg2.OperationalError, raised for an unknown database."""


class HTTPException(Exception):
    """A werkzeug HTTP exception (JSON-2 routing errors)."""

    code = 500
    qualname = "InternalServerError"

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class NotFound(HTTPException):
    code = 404


class Unauthorized(HTTPException):
    code = 401


class UnprocessableEntity(HTTPException):
    code = 422


class BadRequest(HTTPException):
    code = 400


for _cls in (UserError, ValidationError, MissingError, AccessError, AccessDenied, RedirectWarning):
    _cls.__module__ = "odoo.exceptions"
OperationalError.__module__ = "psycopg2"
for _cls in (HTTPException, NotFound, Unauthorized, UnprocessableEntity, BadRequest):
    _cls.__module__ = "werkzeug.exceptions"


def fault_code(exc: BaseException) -> int:
    """The /xmlrpc/2 fault code, as in rpc.py ``xmlrpc_handle_exception_int``."""
    if isinstance(exc, RedirectWarning):
        return 2
    if isinstance(exc, AccessError):
        return 4
    if isinstance(exc, AccessDenied):
        return 3
    if isinstance(exc, UserError):
        return 2
    return 1
