"""Carry out a `Plan` with batched writes: one `create` per model with a list, one `write` per
group of records receiving identical values, one `ir.model.data` create for every new mark."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from odoo_outlook.desired import ODOO_XMLID_MODULE
from odoo_outlook.odoo.client import OdooClient
from odoo_outlook.odoo.diff import Plan, param_xmlid
from odoo_outlook.odoo.state import ALIAS_DOMAIN, INCOMING, OUTGOING, PARAM_MODEL

CREATE_ORDER = (ALIAS_DOMAIN, OUTGOING, INCOMING)


def _freeze(values: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(values.items()))


def apply_plan(client: OdooClient, plan: Plan) -> dict[str, int]:
    """Apply the plan; returns the ids of created records by xmlid name."""
    marks: list[dict[str, Any]] = []
    created: dict[str, int] = {}

    client.unlink("ir.model.data", [*plan.stale_xmlids, *(u.xmlid_id for u in plan.unsets)])
    client.unlink(PARAM_MODEL, [u.record_id for u in plan.unsets])

    new_params = [p for p in plan.params if p.record_id is None]
    ids = client.create(PARAM_MODEL, [{"key": p.key, "value": p.value} for p in new_params])
    for param, new_id in zip(new_params, ids, strict=True):
        created[param_xmlid(param.key)] = new_id
        marks.append(_mark(param_xmlid(param.key), PARAM_MODEL, new_id))
    by_value: dict[str, list[int]] = defaultdict(list)
    for param in plan.params:
        if param.record_id is None:
            continue
        if param.write_value:
            by_value[param.value].append(param.record_id)
        if param.add_xmlid:
            marks.append(_mark(param_xmlid(param.key), PARAM_MODEL, param.record_id))
    for value, record_ids in by_value.items():
        client.write(PARAM_MODEL, record_ids, {"value": value})

    for model in CREATE_ORDER:
        batch = [c for c in plan.creates if c.model == model]
        ids = client.create(model, [dict(c.values) for c in batch])
        for create, new_id in zip(batch, ids, strict=True):
            created[create.xmlid] = new_id
            marks.append(_mark(create.xmlid, model, new_id))

    groups: dict[tuple[str, tuple[tuple[str, Any], ...]], list[int]] = defaultdict(list)
    for update in plan.updates:
        groups[(update.model, _freeze(dict(update.values)))].append(update.res_id)
    for (model, frozen), record_ids in groups.items():
        client.write(model, record_ids, dict(frozen))

    archives: dict[str, list[int]] = defaultdict(list)
    for archive in plan.archives:
        archives[archive.model].append(archive.res_id)
    for model, record_ids in archives.items():
        client.write(model, record_ids, {"active": False})

    for link in (*([plan.company_link] if plan.company_link else []), *plan.company_links):
        domain_id = link.alias_domain if isinstance(link.alias_domain, int) else (
            created[link.alias_domain])
        client.write("res.company", [link.company_id], {"alias_domain_id": domain_id})

    client.create("ir.model.data", marks)
    return created


def _mark(name: str, model: str, res_id: int) -> dict[str, Any]:
    return {"module": ODOO_XMLID_MODULE, "name": name, "model": model, "res_id": res_id,
            "noupdate": True}
