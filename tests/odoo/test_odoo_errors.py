"""Odoo errors over XML-RPC beyond the per-case table (test_transport_errors.py): the
access-error fix, call counts, cleartext to a remote host."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from odoo_outlook.odoo.errors import OdooSetupError, OdooUnreachable
from odoo_outlook.odoo.sync import SyncOptions, sync_target
from tests.fakes.odoo_server import AccessError, FakeOdoo
from tests.odoo_sync_helpers import (
    APP,
    PASSWORD,
    spec,
    stack,
)


@pytest.fixture
def odoo() -> Any:
    with FakeOdoo("17.0") as server:
        yield server


def test_access_error_names_the_fix(odoo: FakeOdoo) -> None:
    odoo.inject_failure(
        AccessError("You are not allowed to modify 'Mail Server'"),
        model="ir.mail_server",
        method="load",
    )
    with pytest.raises(Exception, match="Administration"):
        sync_target(spec(stack(odoo.url)), APP, PASSWORD)


@pytest.mark.parametrize("version", ["15.0", "17.0", "19.0"])
def test_call_count_is_constant_and_resync_writes_nothing(version: str) -> None:
    counts = {}
    for n in (1, 10, 100):
        with FakeOdoo(version) as odoo:
            users = tuple(f"user{i}@example.com" for i in range(n))
            incoming = tuple(f"in{i}@example.com" for i in range(n))
            raw = stack(odoo.url, mode="perUser", users=users, incoming=incoming)
            sync_target(spec(raw), APP, PASSWORD)
            first = len(odoo.calls)
            assert len(odoo.db().records("ir.mail_server")) == n + 1
            odoo.reset_calls()
            report = sync_target(spec(raw), APP, PASSWORD)
            assert odoo.write_calls() == [] and report.writes == 0
            counts[n] = (first, len(odoo.calls))
            odoo.reset_calls()
            sync_target(spec(raw), APP, PASSWORD, SyncOptions(dry_run=True))
            assert odoo.write_calls() == []
    assert counts[1] == counts[10] == counts[100], counts


def test_client_refuses_cleartext_to_a_remote_host_unless_allowed() -> None:
    raw = stack("http://localhost:8069")
    remote = dataclasses.replace(spec(raw).connection, url="http://odoo.invalid")  # type: ignore[arg-type]
    target = dataclasses.replace(spec(raw), connection=remote)
    with pytest.raises(OdooSetupError, match=r"cleartext.*--allow-insecure-http"):
        sync_target(target, APP, PASSWORD)
    with pytest.raises(OdooUnreachable):  # allowed: it tries, and the host does not exist
        sync_target(target, APP, PASSWORD, SyncOptions(allow_insecure_http=True, timeout=5))
