"""Odoo export: make an Odoo database's Outlook settings match a target of the stack.

Public API:
- `sync_target(spec, app, password, options) -> SyncReport` and `teardown_target(...)`
- `connect(connection, password, ...) -> OdooClient` over a `Transport` (`XmlRpcTransport`, or
  `Json2Transport` for Odoo 19+ with an API key), chosen by `connection.transport`
  (xmlrpc|json2|auto, see `select_transport` and docs/transports.md)
- checks shared with `doctor`: `check_base_url`, `managed_server_status`, `server_form_url`
- errors: `OdooError` and its subclasses (all `OdooOutlookError`, exit code 2)
"""

from odoo_outlook.odoo.changes import AppCredentials, ChangeSet, plan_changes, teardown_changes
from odoo_outlook.odoo.checks import (
    BaseUrlCheck,
    ServerStatus,
    check_base_url,
    managed_server_status,
    server_form_url,
)
from odoo_outlook.odoo.client import OdooClient, connect, select_transport, with_transport
from odoo_outlook.odoo.errors import (
    OdooAccessRights,
    OdooBadCredentials,
    OdooBaseUrlMismatch,
    OdooError,
    OdooServerError,
    OdooSetupError,
    OdooUnknownDatabase,
    OdooUnreachable,
    OdooUserError,
)
from odoo_outlook.odoo.json2 import Json2Transport
from odoo_outlook.odoo.sync import SyncOptions, SyncReport, sync_target, teardown_target
from odoo_outlook.odoo.transport import ServerVersion, Transport, XmlRpcTransport

__all__ = [
    "AppCredentials",
    "BaseUrlCheck",
    "ChangeSet",
    "Json2Transport",
    "OdooAccessRights",
    "OdooBadCredentials",
    "OdooBaseUrlMismatch",
    "OdooClient",
    "OdooError",
    "OdooServerError",
    "OdooSetupError",
    "OdooUnknownDatabase",
    "OdooUnreachable",
    "OdooUserError",
    "ServerStatus",
    "ServerVersion",
    "SyncOptions",
    "SyncReport",
    "Transport",
    "XmlRpcTransport",
    "check_base_url",
    "connect",
    "managed_server_status",
    "plan_changes",
    "select_transport",
    "server_form_url",
    "sync_target",
    "teardown_changes",
    "teardown_target",
    "with_transport",
]
