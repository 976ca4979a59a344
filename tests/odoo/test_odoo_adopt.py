"""Adopting hand-made Outlook servers (opt-in only) and the messages of a partial run."""

from __future__ import annotations

import re
import xmlrpc.client
from pathlib import Path
from typing import Any

import pytest

from odoo_outlook.desired import ODOO_XMLID_MODULE
from odoo_outlook.odoo.errors import OdooError
from odoo_outlook.odoo.sync import SyncOptions, sync_target
from tests.fakes.odoo_server import FakeOdoo
from tests.odoo_sync_helpers import APP, PASSWORD, run_sync_cli, spec, stack

ALICE = "alice@example.com"
USERS = (ALICE, "bob@example.com")
TOKEN = "alice-refresh-token"


@pytest.fixture(params=["15.0", "17.0", "19.0"])
def odoo(request: pytest.FixtureRequest) -> Any:
    with FakeOdoo(request.param) as server:
        server.db().install_modules(["microsoft_outlook"])
        yield server


def _outlook(odoo: FakeOdoo) -> dict[str, Any]:
    if odoo.version == "15.0":
        return {"use_microsoft_outlook_service": True}
    return {"smtp_authentication": "outlook"}


def _hand_made(odoo: FakeOdoo, **extra: Any) -> int:
    db = odoo.db()
    rid = db.seed(
        "ir.mail_server",
        {
            "name": "Alice by hand",
            "smtp_host": "smtp.office365.com",
            "smtp_port": 587,
            "smtp_encryption": "starttls",
            "smtp_user": ALICE,
            "sequence": 3,
            **_outlook(odoo),
            **extra,
        },
    )
    db.connect_outlook("ir.mail_server", rid, refresh_token=TOKEN)
    return int(rid)


def _owner(odoo: FakeOdoo, rid: int) -> str | None:
    rows = odoo.db().records(
        "ir.model.data", [("model", "=", "ir.mail_server"), ("res_id", "=", rid)]
    )
    return f"{rows[0]['module']}.{rows[0]['name']}" if rows else None


def _alice_servers(odoo: FakeOdoo) -> list[dict[str, Any]]:
    return [r for r in odoo.db().records("ir.mail_server") if r["smtp_user"] == ALICE]


def test_without_the_opt_in_the_conflict_offers_adopt_and_nothing_is_touched(
    odoo: FakeOdoo,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rid = _hand_made(odoo)
    before = odoo.db().record("ir.mail_server", rid)
    raw = stack(odoo.url, mode="perUser", users=USERS)
    code, _out, err = run_sync_cli(tmp_path, raw, capsys, monkeypatch, PASSWORD)
    assert code == 2
    assert f"#{rid}" in err and "--adopt" in err and "connection.adopt: true" in err
    assert odoo.db().record("ir.mail_server", rid) == before
    assert _owner(odoo, rid) is None and len(_alice_servers(odoo)) == 1


def test_sync_adopt_marks_it_brings_its_values_and_keeps_the_token(
    odoo: FakeOdoo,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rid = _hand_made(odoo, from_filter="someone-else@example.com")
    raw = stack(odoo.url, mode="perUser", users=USERS)
    code, out, err = run_sync_cli(tmp_path, raw, capsys, monkeypatch, PASSWORD, "--adopt")
    assert code == 0, err
    assert "adopt" in out
    [server] = _alice_servers(odoo)
    assert server["id"] == rid and server["active"]
    target = spec(raw)
    [wanted] = [s for s in target.outgoing if s.mailbox == ALICE]
    assert _owner(odoo, rid) == f"{ODOO_XMLID_MODULE}.{wanted.xmlid}"
    assert server["name"] == wanted.name and server["from_filter"] == wanted.from_filter
    assert server["microsoft_outlook_refresh_token"] == TOKEN
    odoo.reset_calls()
    again = sync_target(target, APP, PASSWORD, SyncOptions(adopt=True))
    assert odoo.write_calls() == [] and again.changes == []


def test_connection_adopt_in_the_stack_does_the_same(odoo: FakeOdoo) -> None:
    rid = _hand_made(odoo)
    report = sync_target(
        spec(stack(odoo.url, mode="perUser", users=USERS, adopt=True)), APP, PASSWORD
    )
    assert report.ok
    assert [c.action for c in report.changes].count("adopt") == 1
    assert _owner(odoo, rid) is not None and len(_alice_servers(odoo)) == 1
    [status] = [s for s in report.servers if s.mailbox == ALICE]
    assert status.id == rid and status.connected  # nobody has to connect again


def test_only_outlook_servers_with_the_same_login_are_adopted(odoo: FakeOdoo) -> None:
    db = odoo.db()
    password_server = db.seed(
        "ir.mail_server",
        {
            "name": "Alice with a password",
            "smtp_host": "smtp.example.net",
            "smtp_user": ALICE,
            "smtp_pass": "pw",
        },
    )
    shared = db.seed(
        "ir.mail_server",
        {
            "name": "Delegate",
            "smtp_host": "smtp.office365.com",
            "smtp_user": "bob@example.com",
            "from_filter": "carol@example.com",
            "smtp_encryption": "starttls",
            **_outlook(odoo),
        },
    )
    before = {i: db.record("ir.mail_server", i) for i in (password_server, shared)}
    report = sync_target(
        spec(stack(odoo.url, mode="perUser", users=(ALICE, "carol@example.com"), adopt=True)),
        APP,
        PASSWORD,
    )
    assert not report.ok and len(report.conflicts) == 2
    assert all("--adopt" not in c for c in report.conflicts)
    assert {i: db.record("ir.mail_server", i) for i in before} == before
    assert all(_owner(odoo, i) is None for i in before)


def test_a_server_the_tool_left_unmarked_is_named_as_such(odoo: FakeOdoo) -> None:
    """Created through the API by the sync's own user (create_uid), with no mark: what an
    earlier version left after a lost reply."""
    proxy = xmlrpc.client.ServerProxy(f"{odoo.url}/xmlrpc/2/object", allow_none=True)
    rid = proxy.execute_kw(
        "odoo",
        2,
        "admin",
        "ir.mail_server",
        "create",
        [
            {
                "name": "Outlook alice",
                "smtp_host": "smtp.office365.com",
                "smtp_port": 587,
                "smtp_encryption": "starttls",
                "smtp_user": ALICE,
                **_outlook(odoo),
            }
        ],
    )
    assert odoo.db().record("ir.mail_server", rid)["create_uid"] == 2
    raw = stack(odoo.url, mode="perUser", users=USERS)
    report = sync_target(spec(raw), APP, PASSWORD)
    [conflict] = report.conflicts
    assert "created by this sync's Odoo user" in conflict and "--adopt" in conflict
    assert _owner(odoo, rid) is None
    adopted = sync_target(spec(raw), APP, PASSWORD, SyncOptions(adopt=True))
    assert adopted.ok and _owner(odoo, rid) is not None and len(_alice_servers(odoo)) == 1


def test_two_copies_the_connected_one_is_adopted_the_other_reported(odoo: FakeOdoo) -> None:
    db = odoo.db()
    idle = db.seed(
        "ir.mail_server",
        {
            "name": "Copy",
            "smtp_host": "smtp.office365.com",
            "smtp_encryption": "starttls",
            "smtp_user": ALICE,
            **_outlook(odoo),
        },
    )
    connected = _hand_made(odoo)
    before = db.record("ir.mail_server", idle)
    report = sync_target(
        spec(stack(odoo.url, mode="perUser", users=USERS, adopt=True)), APP, PASSWORD
    )
    assert _owner(odoo, connected) is not None and _owner(odoo, idle) is None
    [conflict] = report.conflicts
    assert f"#{idle}" in conflict
    assert db.record("ir.mail_server", idle) == before  # never archived nor deleted


def test_a_cut_after_writes_says_how_far_the_run_got(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeOdoo("17.0") as probe:
        sync_target(spec(stack(probe.url, mode="perUser", users=USERS)), APP, PASSWORD)
        position = next(
            i
            for i, c in enumerate(probe.calls, 1)
            if c.method == "load" and c.model == "ir.mail_server"
        )
    with FakeOdoo("17.0") as odoo:
        odoo.interrupt_at(position, committed=False)
        raw = stack(odoo.url, mode="perUser", users=USERS)
        code, _out, err = run_sync_cli(tmp_path, raw, capsys, monkeypatch, PASSWORD)
        assert code == 2
        # One error line; on a slow machine a "still waiting for Odoo" progress line may precede.
        lines = [x for x in err.strip().splitlines() if not x.startswith("still waiting")]
        assert len(lines) == 1, err
        [line] = lines
        found = re.search(r"interrupted after (\d+) of (\d+) changes; run again to finish", line)
        assert found, line
        done, total = int(found[1]), int(found[2])
        assert 0 < done < total
        assert "cannot reach Odoo" not in line
        odoo.clear_interruption()
        code, _out, err = run_sync_cli(tmp_path, raw, capsys, monkeypatch, PASSWORD)
        assert code == 0, err


def test_a_cut_after_the_module_install_says_so_and_the_next_run_finishes() -> None:
    with FakeOdoo("17.0") as probe:
        sync_target(spec(stack(probe.url)), APP, PASSWORD)
        position = next(
            i for i, c in enumerate(probe.calls, 1) if c.method == "button_immediate_install"
        )
    with FakeOdoo("17.0") as odoo:
        odoo.interrupt_at(position, committed=True)
        with pytest.raises(OdooError) as caught:
            sync_target(spec(stack(odoo.url)), APP, PASSWORD)
        assert "interrupted while installing modules" in str(caught.value)
        assert "run again to finish" in str(caught.value)
        assert odoo.db().module_state("microsoft_outlook") == "installed"
        odoo.clear_interruption()
        assert sync_target(spec(stack(odoo.url)), APP, PASSWORD).ok
        assert len(odoo.db().records("ir.mail_server")) == 1
