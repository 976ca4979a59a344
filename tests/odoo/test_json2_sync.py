"""The sync, the doctor's reads and the Pulumi export over JSON-2, and the round trips compared
with XML-RPC on the same 19.0 server."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from components.odoo_export import OdooExportProvider
from odoo_outlook.doctor.odoo_reads import read_target
from odoo_outlook.odoo.spec_io import spec_to_data
from odoo_outlook.odoo.sync import SyncOptions, sync_target
from tests.fakes.odoo_server import DEFAULT_ADMIN_API_KEY, FakeOdoo
from tests.odoo_sync_helpers import APP, CLIENT_ID, CLIENT_SECRET, PASSWORD, spec, stack

CREDENTIAL = {"xmlrpc": PASSWORD, "json2": DEFAULT_ADMIN_API_KEY}


def test_module_install_over_json2(fake_odoo: Any) -> None:
    odoo = fake_odoo("19.0", modules={"microsoft_outlook": "uninstalled"})
    raw = stack(odoo.url, incoming=("catchall@example.com",), transport="json2")
    report = sync_target(spec(raw), APP, DEFAULT_ADMIN_API_KEY)
    assert report.ok
    assert odoo.db().module_state("microsoft_outlook") == "installed"
    [install] = [c for c in odoo.calls if c.method == "button_immediate_install"]
    assert install.transport == "json2" and install.model == "ir.module.module"
    assert odoo.db().records("fetchmail.server")[0]["server_type"] == "outlook"
    assert odoo.count(transport="xmlrpc") == 0


def _round_trips(transport: str, n: int) -> tuple[int, int, int]:
    """Calls of a first sync, of a second one, and of a dry run, with n user and n incoming
    mailboxes: everything the fake saw, including `GET /web/version`."""
    with FakeOdoo("19.0") as odoo:
        users = tuple(f"user{i}@example.com" for i in range(n))
        incoming = tuple(f"in{i}@example.com" for i in range(n))
        raw = stack(odoo.url, mode="perUser", users=users, incoming=incoming, transport=transport)
        first = sync_target(spec(raw), APP, CREDENTIAL[transport])
        assert first.calls == len(odoo.calls)
        assert len(odoo.db().records("ir.mail_server")) == n + 1
        odoo.reset_calls()
        second = sync_target(spec(raw), APP, CREDENTIAL[transport])
        assert odoo.write_calls() == [] and second.writes == 0
        assert second.calls == len(odoo.calls)
        odoo.reset_calls()
        sync_target(spec(raw), APP, CREDENTIAL[transport], SyncOptions(dry_run=True))
        assert odoo.write_calls() == []
        other = "xmlrpc" if transport == "json2" else "json2"
        assert odoo.count(transport=other) == 0
        return first.calls, second.calls, len(odoo.calls)


def test_round_trips_are_constant_and_the_same_as_xmlrpc() -> None:
    counts = {(t, n): _round_trips(t, n) for t in ("xmlrpc", "json2") for n in (1, 10, 100)}
    assert len(set(counts.values())) == 1, counts
    # 19.0, a re-sync that changes nothing: version, log-in, parameters, one ir.model.fields
    # read (the module states are not read when the Outlook fields are there), external ids,
    # outgoing, incoming, alias domains (with their companies), the user's company.
    assert counts[("json2", 1)][1] == 9


def test_doctor_reads_over_json2(fake_odoo: Any) -> None:
    odoo = fake_odoo("19.0")
    raw = stack(odoo.url, transport="json2")
    sync_target(spec(raw), APP, DEFAULT_ADMIN_API_KEY)
    odoo.db().seed_failed_mail(failure_reason="535 5.7.139 Authentication unsuccessful")
    odoo.reset_calls()
    facts = read_target(spec(raw), DEFAULT_ADMIN_API_KEY, datetime.now(UTC))
    assert facts.error is None and facts.mail_error is None
    assert facts.state is not None and facts.caps is not None
    assert [m.reason for m in facts.failed_mail] == ["535 5.7.139 Authentication unsuccessful"]
    assert odoo.count(transport="xmlrpc") == 0 and odoo.write_calls() == []


def test_pulumi_export_over_json2(fake_odoo: Any) -> None:
    odoo = fake_odoo("19.0")
    props = {
        "target": spec_to_data(spec(stack(odoo.url, transport="json2"))),
        "clientId": CLIENT_ID,
        "clientSecret": CLIENT_SECRET,
        "password": DEFAULT_ADMIN_API_KEY,
        "passwordEnv": "ODOO_ERP_PASSWORD",
    }
    provider = OdooExportProvider()
    created = provider.create(props)
    assert created.outs["in_sync"] is True
    assert odoo.db().get_param("microsoft_outlook_client_secret") == CLIENT_SECRET
    odoo.reset_calls()
    read = provider.read(created.id, created.outs)
    assert read.outs["in_sync"] is True and odoo.write_calls() == []
    provider.delete(created.id, created.outs)
    assert odoo.db().get_param("microsoft_outlook_client_secret") is False
    assert odoo.count(transport="xmlrpc") == 0


@pytest.mark.parametrize("transport", ["xmlrpc", "json2"])
def test_both_transports_leave_the_same_records(fake_odoo: Any, transport: str) -> None:
    odoo = fake_odoo("19.0")
    raw = stack(
        odoo.url,
        mode="perUser",
        users=("alice@example.com",),
        incoming=("catchall@example.com",),
        transport=transport,
    )
    sync_target(spec(raw), APP, CREDENTIAL[transport])
    servers = sorted(
        (s["smtp_user"], s["from_filter"], s["sequence"], s["smtp_authentication"])
        for s in odoo.db().records("ir.mail_server")
    )
    assert servers == [
        ("alice@example.com", "alice@example.com", 10, "outlook"),
        ("notifications@example.com", "notifications@example.com", 20, "outlook"),
    ]
