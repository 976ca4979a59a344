"""Which Odoo API the tool talks to (`targets[].connection.transport`, `--transport`).

Its own small module so the command line can offer the choices without importing the
configuration model (pydantic) before a command runs.
"""

from enum import StrEnum


class Transport(StrEnum):
    XMLRPC = "xmlrpc"
    JSON2 = "json2"
    AUTO = "auto"
