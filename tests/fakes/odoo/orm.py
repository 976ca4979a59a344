"""Generic ORM subset: search/read/create/write/unlink/fields_get over a
``Database``'s tables, with Odoo's access checks, conversions and errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import behaviour, outlook_flow
from .domain import leaves, matches, normalize
from .exceptions import AccessError, MissingError, ValidationError
from .schema import SYSTEM, Field, ModelDef

if TYPE_CHECKING:
    from .database import Database

Record = dict[str, Any]

ACCESS_VERBS = {"read": "access", "write": "modify", "create": "create", "unlink": "delete"}


@dataclass
class Env:
    db: Database
    uid: int
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def is_admin(self) -> bool:
        return self.db.is_admin(self.uid)

    def model(self, name: str) -> ModelDef:
        return self.db.schema[name]


# --------------------------------------------------------------------------- access
def check_access(env: Env, model: str, operation: str) -> None:
    """ir.model.access ``check`` with the AccessError text of Odoo 15-19."""
    mdef = env.model(model)
    if env.is_admin or operation in mdef.user_access:
        return
    raise AccessError(
        f"You are not allowed to {ACCESS_VERBS[operation]} '{mdef.description}' ({model}) "
        "records.\n\nThis operation is allowed for the following groups:\n"
        "\t- Administration/Settings\n\n"
        "Contact your administrator to request access if necessary."
    )


def _visible(env: Env, f: Field) -> bool:
    return env.is_admin or f.groups != SYSTEM


def _check_fields(env: Env, model: str, names: Sequence[str]) -> None:
    mdef = env.model(model)
    for name in names:
        if name not in mdef.fields:
            raise ValueError(f"Invalid field {name!r} on model {model!r}")
        if not _visible(env, mdef.fields[name]):
            raise AccessError(
                "The requested operation can not be completed due to security restrictions.\n\n"
                f"Document type: {mdef.description} ({model})\nOperation: read\n"
                f"User: {env.uid}\nFields:\n- {name}"
            )


# --------------------------------------------------------------------------- values
def value_of(env: Env, model: str, rec: Record, fname: str) -> Any:
    """The cache value of a field: stored, computed or one2many inverse."""
    f = env.model(model).fields[fname]
    if fname == "id":
        return rec["id"]
    if f.compute:
        return behaviour.COMPUTES[f.compute](env.db, model, rec)
    if f.type == "one2many":
        assert f.relation and f.inverse_name
        return sorted(
            rid
            for rid, other in env.db.tables[f.relation].items()
            if other.get(f.inverse_name) == rec["id"]
        )
    return rec.get(fname, False)


def _path_value(env: Env, model: str, rec: Record, path: str) -> Any:
    head, _, rest = path.partition(".")
    mdef = env.model(model)
    if head not in mdef.fields:
        raise KeyError(head)
    value = value_of(env, model, rec, head)
    if not rest:
        return value
    target = mdef.fields[head].relation
    if not target or not value:
        return False
    ids = value if isinstance(value, list) else [value]
    values = [
        _path_value(env, target, env.db.tables[target][i], rest)
        for i in ids
        if i in env.db.tables[target]
    ]
    return values[0] if len(values) == 1 else values


def to_read(env: Env, model: str, rec: Record, fname: str) -> Any:
    """Format a value like ``read()`` does (many2one as [id, display_name])."""
    f = env.model(model).fields[fname]
    value = value_of(env, model, rec, fname)
    if f.type == "many2one":
        target = env.db.tables[f.relation or ""].get(value) if value else None
        if not target:
            return False
        return [value, behaviour.COMPUTES["display_name"](env.db, f.relation or "", target)]
    if f.type in ("one2many", "many2many"):
        return list(value or [])
    if value is None:
        return False
    if f.type == "integer" and value is False:
        return 0
    return value


def convert(_env: Env, model: str, f: Field, value: Any) -> Any:
    """fields.X.convert_to_cache: validate and coerce one written value."""
    if f.type == "selection":
        allowed = {key for key, _ in f.selection or ()}
        if value not in allowed and value not in (False, None):
            raise ValueError(f"Wrong value for {model}.{f.name}: {value!r}")
        return value or False
    if value is None or value is False:
        return 0 if f.type == "integer" else False
    if f.type in ("integer", "many2one_reference"):
        return int(value)
    if f.type == "float":
        return float(value)
    if f.type == "boolean":
        return bool(value)
    if f.type in ("char", "text", "html", "binary"):
        return str(value)
    if f.type == "many2one":
        if isinstance(value, (list, tuple)):
            value = value[0]
        return int(value)
    if f.type == "datetime":
        if isinstance(value, (dt.datetime, dt.date)):
            return value.strftime("%Y-%m-%d %H:%M:%S")
        return str(value)
    return value


# --------------------------------------------------------------------------- search
def _order_key(order: str | None, mdef: ModelDef) -> list[tuple[str, bool]]:
    spec = order or mdef.order
    keys: list[tuple[str, bool]] = []
    for part in spec.split(","):
        words = part.strip().split()
        if not words:
            continue
        fname = words[0].strip('"')
        desc = len(words) > 1 and words[1].lower() == "desc"
        if fname not in mdef.fields:
            raise ValueError(f"Invalid field {fname!r} on model {mdef.name!r}")
        keys.append((fname, desc))
    if ("id", False) not in keys and ("id", True) not in keys:
        keys.append(("id", False))
    return keys


def search_records(
    env: Env,
    model: str,
    domain: Sequence[Any] | None,
    offset: int = 0,
    limit: int | None = None,
    order: str | None = None,
) -> list[Record]:
    check_access(env, model, "read")
    mdef = env.model(model)
    dom = normalize(list(domain or []))
    for leaf in leaves(dom):
        name = str(leaf[0]).split(".")[0]
        if leaf[0] not in (0, 1) and name not in mdef.fields:
            raise ValueError(f"Invalid field {model}.{name} in leaf {list(leaf)!r}")
        if len(leaf) == 3 and leaf[1] not in behaviour_operators():
            raise ValueError(f"Invalid leaf {list(leaf)!r}")
    if (
        mdef.has_active
        and env.context.get("active_test", True)
        and not any(str(leaf[0]) == "active" for leaf in leaves(dom))
    ):
        dom = ["&", ("active", "=", True), *dom] if dom else [("active", "=", True)]

    def getter(rec: Record, path: str) -> Any:
        return _path_value(env, model, rec, path)

    found = [r for r in env.db.tables[model].values() if matches(dom, r, getter)]
    for fname, desc in reversed(_order_key(order, mdef)):
        found.sort(key=lambda r, f=fname: _sort_value(value_of(env, model, r, f)), reverse=desc)
    end = None if not limit else offset + int(limit)
    return found[int(offset or 0) : end]


def behaviour_operators() -> set[str]:
    from .domain import OPERATORS

    return OPERATORS


def _sort_value(value: Any) -> tuple[int, Any]:
    if value in (None, False):
        return (1, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return (0, value if isinstance(value, (int, float)) else str(value))


# --------------------------------------------------------------------------- read
def existing(env: Env, model: str, ids: Sequence[int]) -> list[Record]:
    table = env.db.tables[model]
    missing = [i for i in ids if i not in table]
    if missing:
        shown = ", ".join(str(i) for i in missing)
        raise MissingError(
            "Record does not exist or has been deleted.\n"
            f"(Record: {model}({shown},), User: {env.uid})"
        )
    return [table[i] for i in ids]


def read_records(
    env: Env, model: str, recs: list[Record], fields: Sequence[str] | None
) -> list[dict[str, Any]]:
    mdef = env.model(model)
    names = list(fields) if fields else [n for n, f in mdef.fields.items() if _visible(env, f)]
    _check_fields(env, model, names)
    outlook_flow.check_read(env.db, model, recs, names)
    out = []
    for rec in recs:
        row = {"id": rec["id"]}
        for name in names:
            row[name] = to_read(env, model, rec, name)
        out.append(row)
    return out


def fields_get(
    env: Env,
    model: str,
    allfields: Sequence[str] | None = None,
    attributes: Sequence[str] | None = None,
) -> dict[str, dict[str, Any]]:
    mdef = env.model(model)
    result: dict[str, dict[str, Any]] = {}
    for name, f in mdef.fields.items():
        if allfields and name not in allfields:
            continue
        if not _visible(env, f):
            continue
        info = f.describe()
        if attributes:
            info = {k: v for k, v in info.items() if k in attributes}
        result[name] = info
    return result


# --------------------------------------------------------------------------- write
def _default(env: Env, model: str, f: Field) -> Any:
    if callable(f.default):
        return f.default(env.db)
    if isinstance(f.default, str) and f.default in ("now", "first_alias_domain"):
        return behaviour.default_value(env.db, model, f.default)
    return f.default


def _split(env: Env, model: str, vals: dict[str, Any]) -> tuple[Record, dict[str, Any]]:
    """Split written values into stored values and x2many commands; reject unknown."""
    mdef = env.model(model)
    stored: Record = {}
    x2many: dict[str, Any] = {}
    for name, value in vals.items():
        f = mdef.fields.get(name)
        if f is None:
            raise ValueError(f"Invalid field {name!r} on model {model!r}")
        if name == "id" or f.compute:
            continue  # computed fields without inverse: Odoo drops the value
        if f.type in ("one2many", "many2many"):
            x2many[name] = value
        else:
            stored[name] = convert(env, model, f, value)
    return stored, x2many


def _check_required(env: Env, model: str, rec: Record) -> None:
    mdef = env.model(model)
    for name, f in mdef.fields.items():
        if (
            f.required
            and f.store
            and f.type != "boolean"
            and (rec.get(name) is None or rec.get(name) is False)
        ):
            raise ValidationError(
                "The operation cannot be completed:\n"
                "- Create/update: a mandatory field is not set.\n"
                "- Delete: another model requires the record being deleted. "
                "If possible, archive it instead.\n\n"
                f"Model: {mdef.description} ({model})\nField: {f.string} ({name})\n"
            )


def _check_uniques(env: Env, model: str, candidates: list[Record]) -> None:
    table = env.db.tables[model]
    for uniq in behaviour.sql_uniques(env.db, model):
        seen: dict[tuple[Any, ...], int] = {}
        for rid, rec in table.items():
            seen[tuple(rec.get(f) for f in uniq.fields)] = rid
        for rec in candidates:
            key = tuple(rec.get(f) for f in uniq.fields)
            if any(v in (None, False) for v in key):
                continue  # NULLs never collide in a unique index
            other = seen.get(key)
            if other is not None and other != rec.get("id"):
                raise behaviour.unique_violation(env.db, uniq, key)
            seen[key] = rec.get("id") or -1


def _check_constraints(env: Env, model: str, recs: list[Record], written: set[str] | None) -> None:
    for constraint in behaviour.constraints(env.db, model):
        if written is not None and not (constraint.triggers & written):
            continue
        for rec in recs:
            constraint.check(env.db, behaviour.effective(env.db, model, rec))


def _apply_x2many(env: Env, model: str, rid: int, x2many: dict[str, Any]) -> None:
    mdef = env.model(model)
    for name, commands in x2many.items():
        f = mdef.fields[name]
        target = env.db.tables[f.relation or ""]
        current = set(value_of(env, model, env.db.tables[model][rid], name))
        new = set(current)
        for cmd in commands or []:
            op = cmd[0]
            if op == 6:
                new = set(cmd[2] or [])
            elif op == 4:
                new.add(cmd[1])
            elif op in (3, 2):
                new.discard(cmd[1])
                if op == 2:
                    target.pop(cmd[1], None)
            elif op == 5:
                new = set()
            elif op == 0:
                values = dict(cmd[2] or {})
                if f.type == "one2many":
                    values[f.inverse_name or ""] = rid
                new.update(create(env, f.relation or "", [values]))
            elif op == 1:
                write(env, f.relation or "", [cmd[1]], dict(cmd[2] or {}))
        if f.type == "one2many":
            for tid in current - new:
                if tid in target:
                    target[tid][f.inverse_name or ""] = False
            for tid in new:
                if tid in target:
                    target[tid][f.inverse_name or ""] = rid
        else:
            env.db.tables[model][rid][name] = sorted(new)


def create(env: Env, model: str, vals_list: list[dict[str, Any]]) -> list[int]:
    check_access(env, model, "create")
    mdef = env.model(model)
    prepared: list[tuple[Record, dict[str, Any]]] = []
    next_id = env.db.peek_id(model)
    for vals in vals_list:
        vals = dict(vals)
        behaviour.before_save(env.db, model, vals)
        stored, x2many = _split(env, model, vals)
        rec: Record = {"id": next_id}
        next_id += 1
        for name, f in mdef.fields.items():
            if f.store and name != "id" and f.type != "many2many":
                rec[name] = stored[name] if name in stored else _default(env, model, f)
        if "create_uid" in mdef.fields:
            rec["create_uid"] = env.uid
        behaviour.server_env_inverse(env.db, model, rec, vals)
        _check_required(env, model, rec)
        prepared.append((rec, x2many))
    _check_uniques(env, model, [rec for rec, _ in prepared])
    _check_constraints(env, model, [rec for rec, _ in prepared], None)
    ids = []
    for rec, x2many in prepared:
        rid = env.db.insert(model, rec)
        ids.append(rid)
        _apply_x2many(env, model, rid, x2many)
    behaviour.after_create(env.db, model, ids)
    return ids


def write(env: Env, model: str, ids: Sequence[int], vals: dict[str, Any]) -> bool:
    check_access(env, model, "write")
    recs = existing(env, model, ids)
    vals = dict(vals)
    behaviour.before_save(env.db, model, vals)
    stored, x2many = _split(env, model, vals)
    proposed = [{**rec, **stored} for rec in recs]
    for rec in proposed:
        behaviour.server_env_inverse(env.db, model, rec, vals)
        _check_required(env, model, rec)
    _check_constraints(env, model, proposed, set(vals))
    _check_uniques(env, model, proposed)
    for rec, new in zip(recs, proposed, strict=True):
        rec.update({k: v for k, v in new.items() if k.startswith("x_")}, **stored)
        _apply_x2many(env, model, rec["id"], x2many)
    return True


def unlink(env: Env, model: str, ids: Sequence[int]) -> bool:
    """models.py ``unlink``: the records' external ids (``ir.model.data``) go with them."""
    check_access(env, model, "unlink")
    existing(env, model, ids)
    for rid in ids:
        env.db.tables[model].pop(rid, None)
    if model != "ir.model.data":
        data = env.db.tables["ir.model.data"]
        for xid in [
            k for k, r in data.items() if r.get("model") == model and r.get("res_id") in ids
        ]:
            data.pop(xid)
    return True
