"""Which Odoo API the tool talks to (`targets[].connection.transport`, `--transport`).

Its own small module so the command line can offer the choices without importing the
configuration model (pydantic) before a command runs.
"""

from enum import StrEnum


class TransportKind(StrEnum):
    """The `connection.transport` setting: `xmlrpc` (`/xmlrpc/2`, every version), `json2`
    (`/json/2`, Odoo 19.0+ with an API key) or `auto` (JSON-2 when both hold, else XML-RPC).
    """

    XMLRPC = "xmlrpc"
    JSON2 = "json2"
    AUTO = "auto"
