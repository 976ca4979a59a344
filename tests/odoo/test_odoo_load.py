"""`Model.load` in the fake Odoo (as odoo/models.py does it) and the client's use of it."""

from __future__ import annotations

import xmlrpc.client
from typing import Any

import pytest

from odoo_outlook.odoo.client import connect
from odoo_outlook.odoo.errors import OdooUserError
from odoo_outlook.odoo.loader import LoadRow, load_rows
from tests.fakes.odoo_server import DEFAULT_ADMIN_API_KEY, FakeOdoo
from tests.odoo_sync_helpers import PASSWORD, spec, stack

FIELDS = [
    "id",
    "name",
    "smtp_host",
    "smtp_port",
    "smtp_encryption",
    "smtp_user",
    "smtp_authentication",
    "active",
]


def _row(xmlid: str, user: str, encryption: str = "starttls") -> list[str]:
    return [xmlid, f"Outlook {user}", "smtp.office365.com", "587", encryption, user, "outlook", "1"]


@pytest.fixture
def odoo() -> Any:
    with FakeOdoo("17.0") as server:
        server.db().install_modules(["microsoft_outlook"])
        yield server


def _proxy(odoo: FakeOdoo) -> Any:
    return xmlrpc.client.ServerProxy(f"{odoo.url}/xmlrpc/2/object", allow_none=True)


def _load(odoo: FakeOdoo, fields: list[str], data: list[list[str]]) -> dict[str, Any]:
    return _proxy(odoo).execute_kw("odoo", 2, "admin", "ir.mail_server", "load", [fields, data])


def _xmlids(odoo: FakeOdoo) -> dict[str, int]:
    return {
        f"{r['module']}.{r['name']}": r["res_id"]
        for r in odoo.db().records("ir.model.data", [("model", "=", "ir.mail_server")])
    }


def test_load_creates_records_and_external_ids_then_repeats_without_creating(
    odoo: FakeOdoo,
) -> None:
    data = [_row("odoo_outlook.a", "a@example.com"), _row("odoo_outlook.b", "b@example.com")]
    first = _load(odoo, FIELDS, data)
    assert first["messages"] == [] and first["nextrow"] == 0
    ids = first["ids"]
    assert len(ids) == 2
    assert _xmlids(odoo) == {"odoo_outlook.a": ids[0], "odoo_outlook.b": ids[1]}
    record = odoo.db().record("ir.mail_server", ids[0])
    assert record["smtp_port"] == 587 and record["active"] is True
    assert record["smtp_authentication"] == "outlook"
    again = _load(odoo, FIELDS, data)
    assert again["ids"] == ids
    assert len(odoo.db().records("ir.mail_server")) == 2
    assert len(_xmlids(odoo)) == 2


def test_load_updates_the_record_its_external_id_names(odoo: FakeOdoo) -> None:
    [rid] = _load(odoo, FIELDS, [_row("odoo_outlook.a", "a@example.com")])["ids"]
    changed = _row("odoo_outlook.a", "a@example.com")
    changed[3] = "25"
    assert _load(odoo, FIELDS, [changed])["ids"] == [rid]
    assert odoo.db().record("ir.mail_server", rid)["smtp_port"] == 25


def test_a_refused_row_writes_nothing_of_the_call(odoo: FakeOdoo) -> None:
    data = [
        _row("odoo_outlook.a", "a@example.com"),
        _row("odoo_outlook.b", "b@example.com", encryption="ssl"),
    ]
    answer = _load(odoo, FIELDS, data)
    assert answer["ids"] is False
    [message] = answer["messages"]
    assert message["type"] == "error" and message["record"] == 1
    assert message["rows"] == {"from": 1, "to": 1}
    assert "Incorrect Connection Security" in message["message"]
    assert odoo.db().records("ir.mail_server") == [] and _xmlids(odoo) == {}


def test_a_conversion_error_names_the_field(odoo: FakeOdoo) -> None:
    bad = _row("odoo_outlook.a", "a@example.com")
    bad[3] = "five-eight-seven"
    answer = _load(odoo, FIELDS, [bad])
    assert answer["ids"] is False
    assert answer["messages"][0]["field"] == "smtp_port"
    assert "does not seem to be an integer" in answer["messages"][0]["message"]
    unknown = _load(odoo, [".id", "name"], [["9999", "x"]])
    assert unknown["ids"] is False and unknown["messages"][0]["field"] == ".id"


def test_load_rows_maps_messages_to_the_one_line_error(odoo: FakeOdoo) -> None:
    client = connect(spec(stack(odoo.url)).connection, PASSWORD)  # type: ignore[arg-type]
    good = {
        "name": "A",
        "smtp_host": "h",
        "smtp_port": 587,
        "smtp_encryption": "starttls",
        "smtp_user": "a@example.com",
        "smtp_authentication": "outlook",
        "active": True,
    }
    with pytest.raises(OdooUserError) as caught:
        load_rows(
            client,
            "ir.mail_server",
            [LoadRow("a", good), LoadRow("b", {**good, "smtp_encryption": "ssl"}, "write")],
        )
    text = str(caught.value)
    assert "refused to write on ir.mail_server" in text
    assert "Incorrect Connection Security" in text and "\n" not in text
    assert odoo.db().records("ir.mail_server") == []
    ids = load_rows(client, "ir.mail_server", [LoadRow("a", good)], frozenset({"active"}))
    assert _xmlids(odoo) == {"odoo_outlook.a": ids[0]}


def test_load_over_json2_takes_fields_and_data() -> None:
    with FakeOdoo("19.0") as server:
        client = connect(
            spec(stack(server.url, transport="json2")).connection,  # type: ignore[arg-type]
            DEFAULT_ADMIN_API_KEY,
        )
        ids = load_rows(client, "ir.config_parameter", [LoadRow("p", {"key": "x.y", "value": "1"})])
        assert server.db().record("ir.config_parameter", ids[0])["value"] == "1"
        assert server.calls[-1].kwargs.keys() == {"fields", "data"}


def test_xmlrpc_client_resend_of_load_is_harmless_and_of_create_is_not(odoo: FakeOdoo) -> None:
    """Python's xmlrpc.client sends a request again once when the connection closes without
    an answer: the fake carries out the first request and closes (a lost reply)."""
    data = [_row("odoo_outlook.a", "a@example.com")]
    odoo.interrupt_at(1, committed=True, outage=False)
    answer = _load(odoo, FIELDS, data)  # answered by the re-sent request
    assert odoo.count(method="load") == 2  # the server ran it twice
    assert len(odoo.db().records("ir.mail_server")) == 1
    assert _xmlids(odoo) == {"odoo_outlook.a": answer["ids"][0]}
    # The same lost reply on `create` makes two records: why the sync never uses it for them.
    odoo.interrupt_at(1, committed=True, outage=False)
    _proxy(odoo).execute_kw(
        "odoo",
        2,
        "admin",
        "ir.mail_server",
        "create",
        [{"name": "Copy", "smtp_host": "h", "smtp_user": "c@example.com"}],
    )
    assert len([r for r in odoo.db().records("ir.mail_server") if r["name"] == "Copy"]) == 2


def test_external_ids_take_noupdate_from_the_context_and_a_dangling_one_is_recreated(
    odoo: FakeOdoo,
) -> None:
    proxy = _proxy(odoo)
    [rid] = proxy.execute_kw(
        "odoo",
        2,
        "admin",
        "ir.mail_server",
        "load",
        [FIELDS, [_row("odoo_outlook.a", "a@example.com")]],
        {"context": {"noupdate": True}},
    )["ids"]
    [mark] = odoo.db().records("ir.model.data", [("name", "=", "a")])
    assert mark["noupdate"] is True and mark["res_id"] == rid
    odoo.db().tables["ir.mail_server"].pop(rid)  # gone without Odoo's unlink: mark dangles
    [new_id] = _load(odoo, FIELDS, [_row("odoo_outlook.a", "a@example.com")])["ids"]
    assert new_id != rid and _xmlids(odoo) == {"odoo_outlook.a": new_id}
