"""Write records and their ownership mark in one transaction: Odoo's `Model.load`.

`load(fields, data)` with an `id` column of `odoo_outlook.<name>` creates the record and its
`ir.model.data` row together, or, when that external id exists, updates the record it names;
the same rows sent twice give the same ids and create nothing (so a lost reply, a re-sent
request or an interrupted run never leaves a duplicate or an unmarked record). Cells are import
strings (`'587'`, `'1'`/`'0'` for booleans, selection keys; an empty cell is False). Errors
come back in `messages`, not as a fault, and `ids` is False: nothing of that call was written.

Source: odoo/odoo `odoo/models.py` `BaseModel.load` (one savepoint, rolled back when any
message has type `error`), `_convert_records`, `_load_records`; `base/models/ir_fields.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from odoo_outlook.desired import ODOO_XMLID_MODULE
from odoo_outlook.odoo.client import OdooClient
from odoo_outlook.odoo.errors import OdooError

# `noupdate`: a module update never touches these rows (the same flag the marks always had).
LOAD_CONTEXT = {"noupdate": True}


def import_cell(value: Any) -> str:
    """One value as an import file holds it: booleans '1'/'0', empty for False/None."""
    if value is True:
        return "1"
    if value is False or value is None:
        return "" if value is None else "0"
    return str(value)


def _cell(value: Any, *, boolean: bool) -> str:
    if value is False and not boolean:
        return ""  # an empty char/selection/integer cell is False
    return import_cell(value)


@dataclass(frozen=True)
class LoadRow:
    """One record to create or update: its external id name (without module) and values."""

    xmlid: str
    values: Mapping[str, Any]
    # What the row does, for an error message: 'create' or 'write'.
    operation: str = "create"


def load_rows(
    client: OdooClient, model: str, rows: Sequence[LoadRow], booleans: frozenset[str] = frozenset()
) -> list[int]:
    """One `load` call for all `rows` of `model`; returns the record ids in row order.

    `booleans` names the boolean fields (their False is sent as '0'). Raises the same one-line
    `OdooUserError` as a refused `create`/`write` when Odoo reports an error (nothing written);
    transport failures raise as for any call.
    """
    if not rows:
        return []
    columns = sorted({name for row in rows for name in row.values})
    data = [
        [
            f"{ODOO_XMLID_MODULE}.{row.xmlid}",
            *(_cell(row.values.get(name, False), boolean=name in booleans) for name in columns),
        ]
        for row in rows
    ]
    answer = client.load(model, ["id", *columns], data, LOAD_CONTEXT)
    errors = [m for m in answer.get("messages") or [] if m.get("type") == "error"]
    ids = answer.get("ids")
    if errors or not isinstance(ids, list):
        raise _refused(client, model, rows, errors)
    if len(ids) != len(rows):
        raise client.errors.make(
            OdooError,
            f"{client.errors.where()}: load on {model} answered"
            f" {len(ids)} ids for {len(rows)} rows",
        )
    return [int(i) for i in ids]


def _refused(
    client: OdooClient, model: str, rows: Sequence[LoadRow], errors: list[dict[str, Any]]
) -> OdooError:
    if not errors:
        return client.errors.make(
            OdooError,
            f"{client.errors.where()}: load on {model} wrote nothing and reported no error",
        )
    first = errors[0]
    index = first.get("record")
    row = rows[index] if isinstance(index, int) and 0 <= index < len(rows) else rows[0]
    message = str(first.get("message") or "")
    field = first.get("field")
    if field and field not in ("id", ".id") and str(field) not in message:
        message += f" (field {field})"
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more)"
    return client.errors.from_odoo_exception(
        "odoo.exceptions.UserError", message, f"{row.operation} on {model}"
    )
