"""``Model.load(fields, data)``: Odoo's import method, as odoo/models.py does it (15.0-19.0).

Source: odoo/odoo ``odoo/models.py`` ``BaseModel.load``, ``_extract_records``,
``_convert_records``, ``_load_records``; ``base/models/ir_fields.py`` (``ir.fields.converter``:
``_str_to_boolean``, ``_str_to_integer``, ``_str_to_selection``, empty cell -> False);
``ir.model.data`` ``_lookup_xmlids`` / ``_update_xmlids``. What the fake keeps:

- Everything runs inside one savepoint: when any message has type ``error`` the savepoint is
  rolled back and ``ids`` is ``False`` (nothing written, neither records nor external ids).
- Cells are import strings. An empty cell is ``False`` for every field type; booleans take
  ``1/true/yes`` and ``0/false/no``; integers ``int(cell)``; selections the key or the label,
  case-insensitive. A conversion error is logged with ``field`` (the technical name),
  ``field_name`` (its label) and ``record`` (row index) and the row is still loaded.
- The ``id`` column is an external id (``module.name``; without a module, ``__import__``). An
  existing external id whose record still exists updates that record (``_load_records_write``);
  one whose record is gone is unlinked and the record created again; otherwise the record is
  created and its ``ir.model.data`` row (``noupdate`` from the context) with it.
- The ``.id`` column (database id) is used only in a row without an external id; an unknown
  one is an error on field ``.id``.
- Rows are first loaded as one batch; when that fails, row by row (each in its own
  savepoint), a ``UserError`` giving ``{'type': 'error', 'message': str(e), 'record': i,
  'rows': {...}}`` and a unique violation ``convert_pgerror_unique``'s text.
- The answer is ``{'ids': [...] | False, 'messages': [...], 'nextrow': 0}``.
"""

from __future__ import annotations

import copy
from typing import Any

from . import orm
from .exceptions import UserError, ValidationError
from .orm import Env
from .schema import Field

REFERENCING_FIELDS = (None, "id", ".id")
TRUES = {"1", "true", "yes"}
FALSES = {"", "0", "false", "no"}


def _convert_cell(f: Field, cell: Any) -> tuple[Any, str | None]:
    """ir.fields.converter for one non-empty cell: (value, error message or None)."""
    text = str(cell)
    if f.type == "boolean":
        if text.lower() in TRUES:
            return True, None
        if text.lower() in FALSES:
            return False, None
        return True, f"Unknown value '{text}' for boolean field '{f.string}'"
    if f.type == "integer":
        try:
            return int(text), None
        except ValueError:
            return False, f"'{text}' does not seem to be an integer for field '{f.string}'"
    if f.type == "float":
        try:
            return float(text), None
        except ValueError:
            return False, f"'{text}' does not seem to be a number for field '{f.string}'"
    if f.type == "selection":
        for key, label in f.selection or ():
            if text.lower() in (str(key).lower(), str(label).lower()):
                return key, None
        return False, f"Value '{text}' not found in selection field '{f.string}'"
    return text, None


Row = tuple[int, str | bool, int | bool, dict[str, Any]]


def _rows(
    env: Env, model: str, fields: list[str], data: list[list[Any]], messages: list[dict[str, Any]]
) -> list[Row]:
    """_extract_records + _convert_records: (index, xid, dbid, converted values) per row."""
    mdef = env.model(model)
    for name in fields:
        if name not in REFERENCING_FIELDS and name not in mdef.fields:
            raise ValueError(f"Invalid field {name!r} on model {model!r}")
    out = []
    for index, row in enumerate(data):
        record = dict(zip(fields, row, strict=False))
        xid = record.get("id") or False
        dbid: int | bool = False
        if ".id" in record:
            try:
                dbid = int(record[".id"])
            except (TypeError, ValueError):
                dbid = False
            if not dbid or dbid not in env.db.tables[model]:
                messages.append(
                    {
                        "type": "error",
                        "record": index,
                        "field": ".id",
                        "rows": {"from": index, "to": index},
                        "message": f"Unknown database identifier '{record['.id']}'",
                    }
                )
                dbid = False
        converted: dict[str, Any] = {}
        for name, cell in record.items():
            if name in REFERENCING_FIELDS:
                continue
            if cell in ("", None, False):
                converted[name] = False
                continue
            f = mdef.fields[name]
            value, error = _convert_cell(f, cell)
            if error:
                messages.append(
                    {
                        "type": "error",
                        "record": index,
                        "field": name,
                        "field_name": f.string,
                        "rows": {"from": index, "to": index},
                        "message": error,
                    }
                )
                continue
            converted[name] = value
        out.append((index, xid, dbid, converted))
    return out


def _load_records(
    env: Env, model: str, batch: list[tuple[str | bool, int | bool, dict[str, Any]]], noupdate: bool
) -> list[int]:
    """models.py ``_load_records`` (mode 'init'): update what an external id names, create
    the rest, then create or repoint the external ids."""
    imd = env.db.tables["ir.model.data"]
    ids: list[int] = []
    to_create: list[tuple[str | bool, dict[str, Any]]] = []
    for xid, dbid, values in batch:
        if not xid:
            if dbid:
                orm.write(env, model, [int(dbid)], values)
                ids.append(int(dbid))
            else:
                to_create.append((False, values))
                ids.append(0)
            continue
        module, _, name = str(xid).rpartition(".")
        module = module or "__import__"
        row = next(
            (r for r in imd.values() if r.get("module") == module and r.get("name") == name), None
        )
        if row is not None and row.get("model") != model:
            raise ValidationError(
                f"For external id {module}.{name} when trying to create/update a record of"
                f" model {model} found record of different model {row.get('model')}"
                f" ({row['id']})"
            )
        if row is not None and row.get("res_id") in env.db.tables[model]:
            orm.write(env, model, [int(row["res_id"])], values)
            ids.append(int(row["res_id"]))
            continue
        if row is not None:
            imd.pop(row["id"])  # the record is gone: drop the dangling external id
        to_create.append((f"{module}.{name}", values))
        ids.append(0)
    created = orm.create(env, model, [values for _, values in to_create])
    new_ids = iter(created)
    ids = [i or next(new_ids) for i in ids]
    marks = []
    for (xid, _), rid in zip(to_create, created, strict=True):
        if xid:
            module, _, name = str(xid).rpartition(".")
            marks.append(
                {
                    "module": module,
                    "name": name,
                    "model": model,
                    "res_id": rid,
                    "noupdate": noupdate,
                }
            )
    if marks:
        orm.create(env.db.env(), "ir.model.data", marks)
    return ids


def _snapshot(env: Env, model: str) -> dict[str, Any]:
    # Postgres sequences are not rolled back: ids used by a failed load stay used.
    return {"tables": {n: copy.deepcopy(env.db.tables[n]) for n in (model, "ir.model.data")}}


def _restore(env: Env, snap: dict[str, Any]) -> None:
    for name, table in snap["tables"].items():
        env.db.tables[name] = table


def _error_message(env: Env, model: str, exc: Exception) -> dict[str, Any]:
    uniq = getattr(exc, "sql_unique", None)
    if uniq is not None:
        fields = uniq.fields
        mdef = env.model(model)
        if len(fields) == 1:
            return {
                "message": f"The value for the field '{fields[0]}' already exists (this is"
                f" probably '{mdef.fields[fields[0]].string}' in the current"
                " model).",
                "field": fields[0],
            }
        strings = ", ".join(mdef.fields[n].string for n in fields)
        return {
            "message": f"The values for the fields '{', '.join(fields)}' already exist"
            f" (they are probably '{strings}' in the current model)."
        }
    if isinstance(exc, UserError):
        return {"message": str(exc)}
    return {
        "message": f"Unknown error during import: {type(exc)}: {exc}",
        "moreinfo": "Resolve other errors first",
    }


def load(
    env: Env, model: str, ids: list[int], fields: list[str], data: list[list[Any]]
) -> dict[str, Any]:
    orm.check_access(env, model, "create")
    noupdate = bool(env.context.get("noupdate", False))
    messages: list[dict[str, Any]] = []
    outer = _snapshot(env, model)
    rows = _rows(env, model, list(fields), [list(r) for r in data], messages)
    batch = [(xid, dbid, values) for _, xid, dbid, values in rows]
    loaded: list[int] = []
    if batch:
        snap = _snapshot(env, model)
        try:
            loaded = _load_records(env, model, batch, noupdate)
        except Exception:
            _restore(env, snap)
            for index, item in enumerate(batch):
                snap = _snapshot(env, model)
                try:
                    loaded += _load_records(env, model, [item], noupdate)
                except Exception as exc:  # each error becomes a message
                    _restore(env, snap)
                    messages.append(
                        {
                            "type": "error",
                            "record": index,
                            "rows": {"from": index, "to": index},
                            **_error_message(env, model, exc),
                        }
                    )
    if any(m["type"] == "error" for m in messages):
        _restore(env, outer)
        return {"ids": False, "messages": messages, "nextrow": 0}
    return {"ids": loaded, "messages": messages, "nextrow": 0}
