"""What Odoo holds after a plan was applied, from the state read before, the plan and the ids
the writes returned: the report needs no second read of every model."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from odoo_outlook.external_ids import param_xmlid
from odoo_outlook.odoo.changes import ChangeSet
from odoo_outlook.odoo.state import PARAM_MODEL, OdooState, Param, Server, XmlId


def state_after(state: OdooState, plan: ChangeSet, written: Mapping[str, int]) -> OdooState:
    """`state` with the plan's changes applied; `written` maps xmlid names to record ids
    (`apply_changes`'s answer). Records the plan does not touch keep their values."""
    xmlids = dict(state.xmlids)
    for name, res_id in written.items():
        model = next((c.model for c in plan.creates if c.xmlid == name), None) or next(
            (a.model for a in plan.adopts if a.xmlid == name), None
        )
        if model is None and name in xmlids:
            continue
        if model is None:
            model = PARAM_MODEL
        xmlids[name] = XmlId(0, name, model, res_id)
    for param in plan.params:
        xmlid = param_xmlid(param.key)
        if param.record_id is not None and param.add_xmlid:
            xmlids[xmlid] = XmlId(0, xmlid, PARAM_MODEL, param.record_id)

    params = dict(state.params)
    for param in plan.params:
        res_id = (
            param.record_id
            if param.record_id is not None
            else written.get(param_xmlid(param.key), 0)
        )
        params[param.key] = Param(res_id, param.key, param.value)
    for unset in plan.unsets:
        params.pop(unset.key, None)
        xmlids.pop(param_xmlid(unset.key), None)

    changed: dict[tuple[str, int], dict[str, Any]] = {}
    for update in plan.updates:
        changed[(update.model, update.res_id)] = dict(update.row or update.values)
    for adopt in plan.adopts:
        changed[(adopt.model, adopt.res_id)] = dict(adopt.row)
    for archive in plan.archives:
        changed.setdefault((archive.model, archive.res_id), {})["active"] = False
    servers: list[Server] = []
    for server in state.servers:
        values = changed.get((server.model, server.id))
        if values is None:
            servers.append(server)
            continue
        merged = {
            **server.values,
            **{k: v for k, v in values.items() if k not in ("smtp_pass", "password")},
        }
        servers.append(replace(server, values=merged, has_password=False))
    for create in plan.creates:
        if create.xmlid in written and create.model in ("ir.mail_server", "fetchmail.server"):
            servers.append(
                Server(
                    create.model,
                    written[create.xmlid],
                    dict(create.values),
                    has_password=False,
                    connected=False,
                )
            )
    return replace(state, params=params, xmlids=xmlids, servers=tuple(servers))
