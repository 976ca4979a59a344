"""The JSON-2 transport on its own: argument translation, the `auto` rule, the CLI override."""

from __future__ import annotations

from typing import Any

import pytest

from odoo_outlook.config import parse_config
from odoo_outlook.odoo.client import connect
from odoo_outlook.odoo.errors import OdooError
from odoo_outlook.odoo.json2 import Json2Transport, json2_body, looks_like_api_key
from odoo_outlook.odoo.sync import sync_target
from odoo_outlook.odoo.transport import XmlRpcTransport
from odoo_outlook.transport_kind import TransportKind
from tests.fakes.odoo_server import DEFAULT_ADMIN_API_KEY, FakeOdoo
from tests.odoo_sync_helpers import APP, PASSWORD, spec, stack

DOMAIN = [("key", "in", ["a", "b"])]


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "body"),
    [
        ("search_read", [DOMAIN], {"fields": ["key"]}, {"domain": DOMAIN, "fields": ["key"]}),
        (
            "search_read",
            [DOMAIN, ["key"], 0, 5, "id desc"],
            {"context": {"active_test": False}},
            {
                "domain": DOMAIN,
                "fields": ["key"],
                "offset": 0,
                "limit": 5,
                "order": "id desc",
                "context": {"active_test": False},
            },
        ),
        ("search", [DOMAIN], {"limit": 1}, {"domain": DOMAIN, "limit": 1}),
        ("search_count", [DOMAIN], {}, {"domain": DOMAIN}),
        ("read", [[1, 2]], {"fields": ["name"]}, {"ids": [1, 2], "fields": ["name"]}),
        ("read", [7, ["name"]], {}, {"ids": [7], "fields": ["name"]}),
        ("create", [[{"name": "x"}]], {}, {"vals_list": [{"name": "x"}]}),
        ("write", [[3, 4], {"active": False}], {}, {"ids": [3, 4], "vals": {"active": False}}),
        ("unlink", [[5]], {}, {"ids": [5]}),
        ("fields_get", [], {"attributes": ["type"]}, {"attributes": ["type"]}),
        ("get_param", ["web.base.url"], {}, {"key": "web.base.url"}),
        ("set_param", ["k", "v"], {}, {"key": "k", "value": "v"}),
        ("button_immediate_install", [[9]], {}, {"ids": [9]}),
        ("context_get", [], {}, {}),
    ],
)
def test_positional_arguments_become_odoo_19_parameter_names(
    method: str, args: list[Any], kwargs: dict[str, Any], body: dict[str, Any]
) -> None:
    assert json2_body("m", method, args, kwargs) == body


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "text"),
    [
        ("write", [], {}, "pass the ids first"),
        ("search", [DOMAIN, 0, 1, "id", "extra"], {}, "at most 4"),
        ("search", [DOMAIN], {"domain": []}, "domain given twice"),
        ("action_confirm", [[1]], {}, "pass its arguments by name"),
    ],
)
def test_calls_that_cannot_be_translated_are_refused(
    method: str, args: list[Any], kwargs: dict[str, Any], text: str
) -> None:
    with pytest.raises(OdooError, match=text):
        json2_body("m", method, args, kwargs)


def test_api_key_shape() -> None:
    assert looks_like_api_key(DEFAULT_ADMIN_API_KEY)
    assert not looks_like_api_key(PASSWORD)
    assert not looks_like_api_key(DEFAULT_ADMIN_API_KEY.upper())
    assert not looks_like_api_key(DEFAULT_ADMIN_API_KEY + "0")


def _connect(odoo: FakeOdoo, transport: str, credential: str) -> Any:
    return connect(
        spec(stack(odoo.url, transport=transport)).connection,  # type: ignore[arg-type]
        credential,
    )


@pytest.mark.parametrize(
    ("version", "credential", "chosen", "extra"),
    [
        ("19.0", DEFAULT_ADMIN_API_KEY, Json2Transport, 0),  # the probe is the version call
        ("19.0", PASSWORD, XmlRpcTransport, 0),  # a password never goes to JSON-2: no probe
        ("17.0", DEFAULT_ADMIN_API_KEY, XmlRpcTransport, 1),  # probed, no JSON-2: XML-RPC + key
        ("17.0", PASSWORD, XmlRpcTransport, 0),
    ],
    ids=["19.0-api-key", "19.0-password", "17.0-api-key", "17.0-password"],
)  # no secret in ids
def test_auto_rule(fake_odoo: Any, version: str, credential: str, chosen: type, extra: int) -> None:
    odoo = fake_odoo(version)
    client = _connect(odoo, "auto", credential)
    inner = getattr(client.transport, "_inner", client.transport)
    assert isinstance(inner, chosen)
    assert client.calls == 2 + extra == len(odoo.calls)
    assert odoo.count(transport="json2" if chosen is XmlRpcTransport else "xmlrpc") == 0
    assert client.uid == 2


def test_json2_connect_costs_what_xmlrpc_costs(fake_odoo: Any) -> None:
    odoo = fake_odoo("19.0")
    over_xmlrpc = _connect(odoo, "xmlrpc", PASSWORD)
    over_json2 = _connect(odoo, "json2", DEFAULT_ADMIN_API_KEY)
    assert over_xmlrpc.calls == over_json2.calls == 2
    assert over_json2.version == over_xmlrpc.version
    assert over_json2.uid == over_xmlrpc.uid
    headers = [c for c in odoo.calls if c.transport == "json2"]
    assert [(c.model, c.method, c.db) for c in headers] == [("res.users", "search_read", "odoo")]


def test_json2_picks_its_database_by_header(fake_odoo: Any) -> None:
    odoo = fake_odoo("19.0")
    odoo.add_database("second")
    client = connect(
        spec(stack(odoo.url, transport="json2", database="second")).connection,  # type: ignore[arg-type]
        DEFAULT_ADMIN_API_KEY,
    )
    client.call("ir.config_parameter", "set_param", "x.y", "1")
    assert odoo.db("second").get_param("x.y") == "1"
    assert odoo.db("odoo").get_param("x.y") is False


def test_cli_override_replaces_every_targets_setting() -> None:
    raw = stack("http://localhost:8069", transport="json2")
    config = parse_config(raw)
    assert config.with_transport(None) is config
    changed = config.with_transport(TransportKind.XMLRPC)
    assert changed.targets[0].connection.transport is TransportKind.XMLRPC  # type: ignore[union-attr]
    assert config.targets[0].connection.transport is TransportKind.JSON2  # type: ignore[union-attr]


def test_json2_create_returns_ids_like_xmlrpc(fake_odoo: Any) -> None:
    odoo = fake_odoo("19.0")
    report = sync_target(spec(stack(odoo.url, transport="json2")), APP, DEFAULT_ADMIN_API_KEY)
    assert report.ok and report.writes > 0
    loads = [c for c in odoo.calls if c.method == "load"]
    assert loads and all(
        c.transport == "json2" and set(c.kwargs) == {"fields", "data"} for c in loads
    )
    client = connect(
        spec(stack(odoo.url, transport="json2")).connection,  # type: ignore[arg-type]
        DEFAULT_ADMIN_API_KEY,
    )
    [new_id] = client.create("ir.config_parameter", [{"key": "x.z", "value": "2"}])
    assert odoo.db().record("ir.config_parameter", new_id)["value"] == "2"
    assert "vals_list" in odoo.calls[-1].kwargs
