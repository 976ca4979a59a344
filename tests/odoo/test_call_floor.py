"""Calls of a sync near the floor (issue 16): one `ir.model.fields` read instead of three
`fields_get`, the module states read only when Outlook is missing and never again after the
install, the user's company found with the alias domains; the same over XML-RPC and JSON-2."""

from __future__ import annotations

from typing import Any

import pytest

from odoo_outlook.odoo.sync import sync_target
from tests.fakes.odoo.server import DEFAULT_ADMIN_API_KEY, WRITE_METHODS
from tests.fakes.odoo_server import FakeOdoo
from tests.odoo_sync_helpers import APP, PASSWORD, spec, stack

RESYNC_17 = [
    (None, "version"),
    (None, "authenticate"),
    ("ir.config_parameter", "search_read"),
    ("ir.model.fields", "search_read"),
    ("ir.model.data", "search_read"),
    ("ir.mail_server", "search_read"),
    ("fetchmail.server", "search_read"),
    ("mail.alias.domain", "search_read"),
    ("res.users", "read"),
]


def _raw(url: str, n: int, transport: str = "xmlrpc") -> dict[str, Any]:
    users = tuple(f"user{i}@example.com" for i in range(n))
    incoming = tuple(f"in{i}@example.com" for i in range(n))
    return stack(url, mode="perUser", users=users, incoming=incoming, transport=transport)


def _reads_before_first_write(odoo: FakeOdoo) -> list[tuple[str | None, str]]:
    out = []
    for call in odoo.calls:
        if call.method in WRITE_METHODS and call.method != "button_immediate_install":
            break
        out.append((call.model, call.method))
    return out


@pytest.mark.parametrize("version", ["17.0", "18.0", "19.0"])
@pytest.mark.parametrize("n", [1, 25])
def test_resync_is_nine_reads(version: str, n: int) -> None:
    with FakeOdoo(version) as odoo:
        assert sync_target(spec(_raw(odoo.url, n)), APP, PASSWORD).ok
        odoo.reset_calls()
        report = sync_target(spec(_raw(odoo.url, n)), APP, PASSWORD)
        assert report.changes == [] and odoo.write_calls() == []
        assert [(c.model, c.method) for c in odoo.calls] == RESYNC_17
        assert report.calls == 9


@pytest.mark.parametrize("version", ["15.0", "17.0", "19.0"])
def test_first_sync_reads_modules_once_and_fields_in_one_call(version: str) -> None:
    with FakeOdoo(version) as odoo:  # microsoft_outlook not installed (19.0: comes with mail)
        assert sync_target(spec(_raw(odoo.url, 3)), APP, PASSWORD).ok
        assert odoo.count("fields_get") == 0
        installs = odoo.count("button_immediate_install")
        assert installs == (0 if version == "19.0" else 1)
        assert odoo.count("search_read", "ir.module.module") == installs
        reads = _reads_before_first_write(odoo)
        # version, log-in, parameters, fields, [modules, install, fields again], external
        # ids, outgoing, incoming, [17.0+: alias domains; no user read while there is none]
        expected = 7 + 3 * installs + (1 if version >= "17.0" else 0)
        assert len(reads) == expected, reads


def test_same_calls_over_both_transports() -> None:
    counts = {}
    for transport, credential in (("xmlrpc", PASSWORD), ("json2", DEFAULT_ADMIN_API_KEY)):
        with FakeOdoo("19.0") as odoo:
            first = sync_target(spec(_raw(odoo.url, 5, transport)), APP, credential)
            again = sync_target(spec(_raw(odoo.url, 5, transport)), APP, credential)
            counts[transport] = (first.calls, again.calls)
    assert counts["xmlrpc"] == counts["json2"]
    assert counts["json2"][1] == 9


def test_installed_shape_after_install_matches_a_fresh_read() -> None:
    """The module states the install leaves (not read again) are the ones Odoo reports."""
    from odoo_outlook.odoo.capabilities import install, read_modules
    from odoo_outlook.odoo.client import connect

    with FakeOdoo("15.0", modules={"fetchmail": "uninstalled"}) as odoo:
        target = spec(stack(odoo.url))
        assert target.connection is not None
        client = connect(target.connection, PASSWORD)
        before = read_modules(client)
        after = install(client, before, before.missing_for(incoming=True))
        assert dict(after.states) == dict(read_modules(client).states)


@pytest.mark.parametrize("version", ["17.0", "18.0", "19.0"])
@pytest.mark.parametrize("n", [1, 25])
def test_first_sync_is_at_most_fifteen_calls_and_odoo_links_the_company(
    version: str, n: int
) -> None:
    """The module install included. Creating a database's first alias domain links every
    company without one (mail_alias_domain.py `create`), so no `res.company` write is sent."""
    with FakeOdoo(version) as odoo:
        report = sync_target(spec(_raw(odoo.url, n)), APP, PASSWORD)
        assert report.ok
        assert report.calls == len(odoo.calls) <= 15
        assert odoo.count("write", "res.company") == 0
        [domain] = odoo.db().records("mail.alias.domain")
        linked = {c.get("alias_domain_id") for c in odoo.db().records("res.company")}
        assert linked == {domain["id"]}
        assert any(c.action == "link" and "by Odoo" in c.detail for c in report.changes)


def test_a_second_alias_domain_is_linked_by_a_write() -> None:
    """Odoo links only the first alias domain by itself: with another one present, the
    company gets an explicit write."""
    with FakeOdoo("17.0") as odoo:
        db = odoo.db()
        other = db.seed("mail.alias.domain", {"name": "other.example"})
        for company in db.tables["res.company"].values():  # as Odoo's create of the first did
            company["alias_domain_id"] = other
        assert sync_target(spec(_raw(odoo.url, 1)), APP, PASSWORD).ok
        assert odoo.count("write", "res.company") == 1
        ours = next(d["id"] for d in db.records("mail.alias.domain") if d["name"] == "example.com")
        assert {c.get("alias_domain_id") for c in db.records("res.company")} == {ours}
