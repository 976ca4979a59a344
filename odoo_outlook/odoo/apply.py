"""Carry out a `ChangeSet` with batched writes, each one safe to repeat and complete on its own.

Calls, in order (each only when needed; a constant count whatever the number of mailboxes):
1. `ir.model.data` `unlink` of external ids whose record is gone; `ir.config_parameter`
   `unlink` of parameters to clear (Odoo's `unlink` removes their external ids with them).
2. `ir.model.data` `create` of the marks on existing records the tool takes over (parameters
   it owns, servers adopted with the opt-in): one call, one transaction; a repeat is refused by
   the unique (module, name) index, never doubled.
3. `ir.config_parameter` `load` of new parameters with their external ids.
4. `ir.config_parameter` `write` per group of existing parameters receiving the same value.
5. `load` per model (`mail.alias.domain`, `ir.mail_server`, `fetchmail.server`) with every row
   to create, update or bring to the declared values, by external id: record and mark are
   written in one transaction, and the same rows again change nothing (loader.py).
6. `write` `active: False` per model for archives; `res.company` `write` per company whose
   alias domain changes (`targets[].companies` included), unless Odoo links it itself when it
   creates the database's first alias domain.

When a call fails after Odoo was reached, `OdooInterrupted` says how many of the plan's
changes were confirmed ("interrupted after 3 of 5 changes; run again to finish"): the next
run reads Odoo again and converges from wherever this one stopped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from odoo_outlook.desired import ODOO_XMLID_MODULE
from odoo_outlook.external_ids import param_xmlid
from odoo_outlook.odoo.changes import ChangeSet
from odoo_outlook.odoo.client import OdooClient
from odoo_outlook.odoo.errors import OdooError, OdooInterrupted, OdooUnreachable
from odoo_outlook.odoo.loader import LoadRow, load_rows
from odoo_outlook.odoo.state import ALIAS_DOMAIN, INCOMING, OUTGOING, PARAM_MODEL

LOAD_ORDER = (ALIAS_DOMAIN, OUTGOING, INCOMING)
BOOLEANS = frozenset({"active", "is_ssl", "use_microsoft_outlook_service"})
T = TypeVar("T")


@dataclass
class _Progress:
    client: OdooClient
    total: int
    done: int = 0

    def step(self, changes: int, call: Callable[[], T]) -> T:
        """Run one write call; `changes` plan lines are confirmed when it answers."""
        try:
            result = call()
        except OdooError as exc:
            raise self.interrupted(exc) from None
        self.done += changes
        return result

    def interrupted(self, exc: OdooError) -> OdooError:
        where = self.client.errors.where()
        text = str(exc)
        if isinstance(exc, OdooUnreachable):
            cause = text.removeprefix(f"cannot reach Odoo at {self.client.url}: ")
            return self.client.errors.make(
                OdooInterrupted,
                f"{where}: interrupted after {self.done} of {self.total}"
                f" changes; run again to finish (the connection failed: {cause})",
            )
        if self.done == 0:
            return exc  # nothing was written: the error as it is
        return self.client.errors.make(
            type(exc),
            f"{text}; interrupted after {self.done} of {self.total} changes (fix the"
            " cause, then run again to finish)",
        )


def _mark(name: str, model: str, res_id: int) -> dict[str, Any]:
    return {
        "module": ODOO_XMLID_MODULE,
        "name": name,
        "model": model,
        "res_id": res_id,
        "noupdate": True,
    }


def apply_changes(client: OdooClient, plan: ChangeSet) -> dict[str, int]:
    """Apply the plan; returns the ids of created or loaded records by xmlid name.

    Raises `OdooInterrupted` (or the refusing error, with the count) when a call fails after
    at least the plan was read; see the module docstring.
    """
    progress = _Progress(client, len(plan.lines()) - len(plan.install))
    written: dict[str, int] = {}

    progress.step(0, lambda: client.unlink("ir.model.data", list(plan.stale_xmlids)))
    progress.step(
        len(plan.unsets), lambda: client.unlink(PARAM_MODEL, [u.record_id for u in plan.unsets])
    )

    marks = [
        _mark(param_xmlid(p.key), PARAM_MODEL, p.record_id)
        for p in plan.params
        if p.record_id is not None and p.add_xmlid
    ]
    marks += [_mark(a.xmlid, a.model, a.res_id) for a in plan.adopts]
    only_marks = sum(
        1 for p in plan.params if p.record_id is not None and p.add_xmlid and not p.write_value
    )
    progress.step(only_marks, lambda: client.create("ir.model.data", marks))

    new_params = [
        LoadRow(param_xmlid(p.key), {"key": p.key, "value": p.value})
        for p in plan.params
        if p.record_id is None
    ]
    ids = progress.step(len(new_params), lambda: load_rows(client, PARAM_MODEL, new_params))
    written.update(zip((r.xmlid for r in new_params), ids, strict=True))
    by_value: dict[str, list[int]] = defaultdict(list)
    for param in plan.params:
        if param.record_id is not None and param.write_value:
            by_value[param.value].append(param.record_id)
    for value, record_ids in by_value.items():
        progress.step(
            len(record_ids), partial(client.write, PARAM_MODEL, record_ids, {"value": value})
        )

    link = plan.company_link
    for model in LOAD_ORDER:
        rows = [LoadRow(c.xmlid, c.values) for c in plan.creates if c.model == model]
        rows += [LoadRow(u.xmlid, u.row, "write") for u in plan.updates if u.model == model]
        rows += [LoadRow(a.xmlid, a.row, "write") for a in plan.adopts if a.model == model]
        # The first alias domain's creation also links the company (CompanyLink.by_odoo).
        linked = int(model == ALIAS_DOMAIN and link is not None and link.by_odoo)
        ids = progress.step(len(rows) + linked, partial(load_rows, client, model, rows, BOOLEANS))
        written.update(zip((r.xmlid for r in rows), ids, strict=True))

    archives: dict[str, list[int]] = defaultdict(list)
    for archive in plan.archives:
        archives[archive.model].append(archive.res_id)
    for model, record_ids in archives.items():
        progress.step(len(record_ids), partial(client.write, model, record_ids, {"active": False}))

    # The target's own company (unless Odoo links it), then the other companies it serves.
    for each in (*([link] if link is not None else []), *plan.company_links):
        if each.company_id is None or each.by_odoo:
            continue
        domain_id = (
            each.alias_domain
            if isinstance(each.alias_domain, int)
            else (written[each.alias_domain])
        )
        progress.step(
            1,
            partial(client.write, "res.company", [each.company_id], {"alias_domain_id": domain_id}),
        )
    return written
