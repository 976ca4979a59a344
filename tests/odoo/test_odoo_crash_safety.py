"""A sync cut at any request converges on the next run: no duplicate, no orphan, no misread.

For every HTTP request position of a first sync, on each shape (15.0, 16.0, 17.0, 18.0 over
XML-RPC, 19.0 over JSON-2), and each way of cutting it (the request carried out and its reply
lost, then Odoo gone; the request dropped before Odoo read it, then Odoo gone; one reply lost
while Odoo stays up, so Python's xmlrpc.client sends the request again): one interrupted sync,
then a normal one, then a third that must write nothing. The scenario holds a hand-made
Outlook server for alice (adopted: `connection.adopt: true`), bob and an incoming mailbox to
create, and unmanaged records that must stay as they are.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest

from odoo_outlook.desired import ODOO_XMLID_MODULE
from odoo_outlook.odoo.errors import OdooError
from odoo_outlook.odoo.sync import SyncOptions, sync_target
from tests.fakes.odoo_server import DEFAULT_ADMIN_API_KEY, FakeOdoo
from tests.odoo_sync_helpers import APP, PASSWORD, spec, stack

SHAPES = ("15.0", "16.0", "17.0", "18.0", "19.0-json2")
CUTS = ("reply-lost", "request-dropped", "reply-lost-once")
USERS = ("alice@example.com", "bob@example.com")
INCOMING = ("catchall@example.com",)
SERVER_MODELS = ("ir.mail_server", "fetchmail.server")
TOKEN = "alice-refresh-token"

# Odoo going away makes the client re-send idempotent calls: the same retries, without the pause.
pytestmark = pytest.mark.usefixtures("no_retry_pause")


def _outlook(major: int, model: str) -> dict[str, Any]:
    if major == 15:
        return {"use_microsoft_outlook_service": True}
    return {"smtp_authentication" if model == "ir.mail_server" else "server_type": "outlook"}


def _scenario(version: str) -> tuple[FakeOdoo, dict[str, Any], str, dict[str, Any]]:
    """A fresh server, the stack, the credential and the unmanaged records (id -> values)."""
    major = int(version.split(".")[0])
    odoo = FakeOdoo(version.partition("-")[0]).start()
    db = odoo.db()
    db.install_modules(["microsoft_outlook", *(["fetchmail_outlook"] if major == 15 else [])])
    mass = db.seed(
        "ir.mail_server",
        {"name": "Mass mailing", "smtp_host": "mx.example.net", "smtp_port": 25, "sequence": 5},
    )
    other = db.seed(
        "ir.mail_server",
        {
            "name": "Other",
            "smtp_host": "smtp.example.org",
            "smtp_user": "other@example.org",
            "smtp_pass": "pw",
        },
    )
    alice = db.seed(
        "ir.mail_server",
        {
            "name": "Alice by hand",
            "smtp_host": "smtp.office365.com",
            "smtp_port": 587,
            "smtp_encryption": "starttls",
            "smtp_user": "alice@example.com",
            **_outlook(major, "ir.mail_server"),
        },
    )
    db.connect_outlook("ir.mail_server", alice, refresh_token=TOKEN)
    unmanaged = {("ir.mail_server", i): db.record("ir.mail_server", i) for i in (mass, other)}
    transport = {"transport": "json2"} if version == "19.0-json2" else {}
    raw = stack(odoo.url, mode="perUser", users=USERS, incoming=INCOMING, adopt=True, **transport)
    credential = DEFAULT_ADMIN_API_KEY if transport else PASSWORD
    return odoo, raw, credential, {"unmanaged": unmanaged, "alice": alice}


def _run(raw: dict[str, Any], credential: str) -> Any:
    return sync_target(spec(raw), APP, credential, SyncOptions(timeout=5))


def _assert_converged(odoo: FakeOdoo, seeded: dict[str, Any], where: str) -> None:
    db = odoo.db()
    owned = {
        (r["model"], r["res_id"]): r["name"]
        for r in db.records("ir.model.data", [("module", "=", ODOO_XMLID_MODULE)])
    }
    for (model, res_id), name in owned.items():
        assert res_id in db.tables[model], f"{where}: {name} names a missing record"
    wanted = {
        "ir.mail_server": {"notifications@example.com", *USERS},
        "fetchmail.server": set(INCOMING),
    }
    for model in SERVER_MODELS:
        login = "smtp_user" if model == "ir.mail_server" else "user"
        active = [
            r
            for r in db.records(model)
            if r["active"] and (model, r["id"]) not in seeded["unmanaged"]
        ]
        logins = sorted(r[login] for r in active)
        assert logins == sorted(wanted[model]), f"{where}: {model} {logins}"
        unowned = [r["id"] for r in active if (model, r["id"]) not in owned]
        assert unowned == [], f"{where}: unowned {model} {unowned}"
    alice = db.record("ir.mail_server", seeded["alice"])
    assert ("ir.mail_server", seeded["alice"]) in owned, where
    assert alice["microsoft_outlook_refresh_token"] == TOKEN, where
    for (model, res_id), before in seeded["unmanaged"].items():
        assert db.record(model, res_id) == before, f"{where}: {model} #{res_id} changed"


def _positions(version: str) -> int:
    odoo, raw, credential, _ = _scenario(version)
    try:
        _run(raw, credential)
        return odoo.requests
    finally:
        odoo.stop()


@functools.cache
def _count(version: str) -> int:
    return _positions(version)


@pytest.mark.parametrize("cut", CUTS)
@pytest.mark.parametrize("version", SHAPES)
def test_every_interrupted_sync_converges(version: str, cut: str) -> None:
    positions = _count(version)
    assert positions > 10
    for position in range(1, positions + 1):
        where = f"{version} {cut} at request {position}"
        odoo, raw, credential, seeded = _scenario(version)
        try:
            odoo.interrupt_at(
                position, committed=cut != "request-dropped", outage=cut != "reply-lost-once"
            )
            try:
                _run(raw, credential)
            except OdooError as exc:
                text = str(exc)
                assert "\n" not in text and "Traceback" not in text, where
                applied = [c for c in odoo.write_calls() if c.method != "button_immediate_install"]
                if applied and cut != "reply-lost-once":
                    # Odoo was reached and written to: say how far, not "cannot reach".
                    assert "interrupted after" in text and "run again to finish" in text, (
                        where,
                        text,
                    )
                    assert not text.startswith("cannot reach"), (where, text)
            odoo.clear_interruption()
            second = _run(raw, credential)
            assert second.ok, (where, second.conflicts)
            _assert_converged(odoo, seeded, where)
            odoo.reset_calls()
            third = _run(raw, credential)
            assert odoo.write_calls() == [] and third.changes == [], (where, third.changes)
            _assert_converged(odoo, seeded, where)
        finally:
            odoo.stop()


@pytest.mark.parametrize("version", ["15.0", "17.0", "19.0-json2"])
def test_calls_are_constant_in_the_number_of_mailboxes(version: str) -> None:
    """One `load` per model whatever the mailboxes: first sync and re-sync call counts."""
    counts = set()
    for size in (1, 10, 60):
        users = tuple(f"user{i:03d}@example.com" for i in range(size))
        with FakeOdoo(version.partition("-")[0]) as odoo:
            transport = {"transport": "json2"} if version.endswith("json2") else {}
            raw = stack(odoo.url, mode="perUser", users=users, **transport)
            credential = DEFAULT_ADMIN_API_KEY if transport else PASSWORD
            first = _run(raw, credential)
            assert odoo.count(method="load", model="ir.mail_server") == 1
            assert len(odoo.db().records("ir.mail_server")) == size + 1
            odoo.reset_calls()
            again = _run(raw, credential)
            counts.add((first.calls, first.writes, again.calls, again.writes))
    assert len(counts) == 1, counts
