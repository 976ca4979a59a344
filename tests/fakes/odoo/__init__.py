"""Package behind tests/fakes/odoo_server.py (see its docstring)."""

from .database import ADMIN_UID, DEMO_UID, SUPERUSER_UID, Database
from .exceptions import (
    AccessDenied,
    AccessError,
    MissingError,
    RedirectWarning,
    UserError,
    ValidationError,
)
from .server import ALL_VERSIONS, DEFAULT_ADMIN_API_KEY, DEFAULT_DEMO_API_KEY, Call, FakeOdoo

__all__ = [
    "ADMIN_UID",
    "ALL_VERSIONS",
    "DEFAULT_ADMIN_API_KEY",
    "DEFAULT_DEMO_API_KEY",
    "DEMO_UID",
    "SUPERUSER_UID",
    "AccessDenied",
    "AccessError",
    "Call",
    "Database",
    "FakeOdoo",
    "MissingError",
    "RedirectWarning",
    "UserError",
    "ValidationError",
]
