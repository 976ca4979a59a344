"""XML-RPC calls and wall time of a first sync and of a no-change re-sync, 1 to 1,000 outgoing
mailboxes (mode perUser), against the local Odoo-like server (one fresh database per row,
no injected latency, the library's `sync_target`: what `odoo-outlook sync` runs per target).
The call counts must not grow with the mailboxes: one read per model, one batched `load`
per model (records and their external ids together), no second read for the report."""

from __future__ import annotations

import time
from typing import Any

from odoo_outlook.odoo.sync import sync_target
from tests.fakes.odoo_server import FakeOdoo
from tests.odoo_sync_helpers import APP, PASSWORD, spec, stack

SIZES = (1, 10, 100, 1000)
VERSIONS = ("17.0", "15.0")


def _raw(url: str, mailboxes: int) -> dict[str, Any]:
    if mailboxes == 1:
        return stack(url)
    users = tuple(f"user{i:04d}@example.com" for i in range(mailboxes - 1))
    return stack(url, mode="perUser", users=users)


def measure(version: str, mailboxes: int) -> dict[str, Any]:
    with FakeOdoo(version) as odoo:
        target = spec(_raw(odoo.url, mailboxes))
        started = time.perf_counter()
        first = sync_target(target, APP, PASSWORD)
        first_s = time.perf_counter() - started
        assert first.ok, first.conflicts
        servers = [s for s in odoo.db().records("ir.mail_server") if s["active"]]
        assert len(servers) == mailboxes, len(servers)
        first_calls = odoo.count()
        odoo.reset_calls()
        started = time.perf_counter()
        again = sync_target(target, APP, PASSWORD)
        again_s = time.perf_counter() - started
        assert again.changes == [] and odoo.write_calls() == []
        return {
            "odoo": version,
            "mailboxes": mailboxes,
            "first: calls": first_calls,
            "first: writes": first.writes,
            "first: wall_s": round(first_s, 3),
            "re-sync: calls": odoo.count(),
            "re-sync: writes": again.writes,
            "re-sync: wall_s": round(again_s, 3),
        }


def run() -> list[dict[str, Any]]:
    return [measure(version, size) for version in VERSIONS for size in SIZES]
