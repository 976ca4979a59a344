"""The Pulumi dynamic resource: provider methods against the fake Odoo, and the program's
declaration under mocks (secret inputs stay secret)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pulumi
import pytest
from pulumi.runtime.rpc import _special_secret_sig, _special_sig_key

from components.odoo_export import EXPORT_TYPE, OdooExportProvider
from odoo_outlook.odoo.spec_io import spec_from_data, spec_to_data
from tests.fakes.odoo_server import FakeOdoo
from tests.odoo_sync_helpers import CLIENT_ID, CLIENT_SECRET, PASSWORD, spec, stack
from tests.pulumi_harness import run_program


def _props(url: str, **kwargs: Any) -> dict[str, Any]:
    return {
        "target": spec_to_data(spec(stack(url, **kwargs))),
        "clientId": CLIENT_ID,
        "clientSecret": CLIENT_SECRET,
        "password": PASSWORD,
    }


@pytest.fixture(params=["15.0", "18.0"])
def odoo(request: pytest.FixtureRequest) -> Any:
    with FakeOdoo(request.param) as server:
        yield server


def test_spec_round_trips_through_plain_data() -> None:
    target = spec(
        stack(
            "http://localhost:8069",
            mode="perUser",
            users=("a@example.com",),
            incoming=("c@example.com",),
            audience="AzureADMyOrg",
        )
    )
    assert spec_from_data(spec_to_data(target)) == target


def test_create_diff_update_read_delete(odoo: FakeOdoo) -> None:
    provider = OdooExportProvider()
    props = _props(odoo.url)
    created = provider.create(props)
    db = odoo.db()
    assert db.get_param("microsoft_outlook_client_secret") == CLIENT_SECRET
    assert created.outs["in_sync"] is True
    assert [s["mailbox"] for s in created.outs["servers_to_connect"]] == [
        "notifications@example.com"
    ]
    olds = created.outs

    same = provider.diff(created.id, olds, dict(props))
    assert same.changes is False and not same.replaces

    rotated = {**props, "clientSecret": "Rotated~secret-value-9876543210"}
    diff = provider.diff(created.id, olds, rotated)
    assert diff.changes is True and not diff.replaces
    assert CLIENT_SECRET not in repr(vars(diff)) and "Rotated" not in repr(vars(diff))

    odoo.reset_calls()
    updated = provider.update(created.id, olds, rotated)
    assert db.get_param("microsoft_outlook_client_secret") == "Rotated~secret-value-9876543210"
    assert odoo.count(method="unlink") == 0 and odoo.count(method="create") == 0  # in place

    per_user = _props(odoo.url, mode="perUser", users=("alice@example.com",))
    updated = provider.update(created.id, updated.outs, per_user)
    assert {s["smtp_user"] for s in db.records("ir.mail_server")} == {
        "alice@example.com",
        "notifications@example.com",
    }

    # Someone edits a managed server by hand: read (pulumi refresh) sees the drift.
    server_id = next(
        s["id"] for s in db.records("ir.mail_server") if s["smtp_user"] == "alice@example.com"
    )
    db.tables["ir.mail_server"][server_id]["smtp_port"] = 25
    odoo.reset_calls()
    read = provider.read(created.id, updated.outs)
    assert read.outs["in_sync"] is False and odoo.write_calls() == []
    assert provider.diff(created.id, read.outs, per_user).changes is True

    moved = {
        **per_user,
        "target": {
            **per_user["target"],
            "connection": {**per_user["target"]["connection"], "database": "other"},
        },
    }
    assert provider.diff(created.id, updated.outs, moved).replaces == ["target"]

    provider.delete(created.id, updated.outs)
    assert all(s["active"] is False for s in db.records("ir.mail_server"))
    assert db.get_param("microsoft_outlook_client_id") is False
    assert db.get_param("microsoft_outlook_client_secret") is False


def test_state_from_before_keeps_its_resource_and_the_variable_is_sent_once(
    odoo: FakeOdoo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stacks created before carry a top-level `passwordEnv` beside target.connection's: the
    # diff must not call that a change (no update, no replacement on upgrade).
    provider = OdooExportProvider()
    props = _props(odoo.url)
    created = provider.create(props)
    assert "passwordEnv" not in created.outs
    legacy = {**created.outs, "passwordEnv": "ODOO_ERP_PASSWORD"}
    same = provider.diff(created.id, legacy, props)
    assert same.changes is False and same.replaces == []
    # Without `odooPasswords`, the provider reads the variable named inside the target.
    assert props["target"]["connection"]["password_env"] == "ODOO_ERP_PASSWORD"
    monkeypatch.setenv("ODOO_ERP_PASSWORD", PASSWORD)
    assert provider.read(created.id, {**created.outs, "password": None}).outs["in_sync"] is True
    monkeypatch.delenv("ODOO_ERP_PASSWORD")
    with pytest.raises(RuntimeError, match="export ODOO_ERP_PASSWORD"):
        provider.read(created.id, {**created.outs, "password": None})


def test_state_without_the_audience_is_not_a_change_until_something_else_changes(
    odoo: FakeOdoo,
) -> None:
    # `target.sign_in_audience` came later: state written before has none; upgrading must not
    # update every stack's export, but a real change stores it.
    provider = OdooExportProvider()
    props = _props(odoo.url)
    assert props["target"]["sign_in_audience"] == "AzureADandPersonalMicrosoftAccount"
    created = provider.create(props)
    old_target = {k: v for k, v in created.outs["target"].items() if k != "sign_in_audience"}
    old = {**created.outs, "target": old_target}
    assert provider.diff(created.id, old, props).changes is False
    moved = {**props, "target": {**props["target"], "base_urls": ["https://other.example.com"]}}
    assert provider.diff(created.id, old, moved).changes is True
    # A stored audience that differs is a change.
    personal = {**created.outs, "target": {**old_target, "sign_in_audience": "AzureADMyOrg"}}
    assert provider.diff(created.id, personal, props).changes is True


def test_provider_errors_name_the_target_and_hide_secrets(odoo: FakeOdoo) -> None:
    props = {**_props(odoo.url), "password": "wrong-password-xyz"}
    with pytest.raises(RuntimeError) as caught:
        OdooExportProvider().create(props)
    text = str(caught.value)
    assert "target 'erp'" in text and "rejected login" in text
    assert "wrong-password-xyz" not in text and CLIENT_SECRET not in text


def _is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(_special_sig_key) == _special_secret_sig


def test_program_declares_the_export_with_secret_inputs() -> None:
    raw = stack("https://erp.example.com", base_urls=("https://erp.example.com",))
    raw["odooPasswords"] = {"erp": "Odoo-Secret-Pw-123"}
    run = run_program(raw, datetime(2025, 3, 1, tzinfo=UTC))
    wrapper = run.one("odoo-outlook:odoo:OdooOutlookExport")
    [resource] = [d for d in run.declared if d.type == EXPORT_TYPE]
    assert resource.parent.endswith(wrapper.name) or wrapper.name in resource.parent
    assert _is_secret(resource.inputs["clientSecret"])
    assert _is_secret(resource.inputs["password"])
    assert resource.inputs["clientId"]
    assert resource.inputs["target"]["connection"]["url"] == "https://erp.example.com"
    assert "passwordEnv" not in resource.inputs  # sent once, inside the target
    assert resource.inputs["target"]["connection"]["password_env"] == "ODOO_ERP_PASSWORD"


def test_program_without_connection_declares_no_export() -> None:
    raw = stack("https://erp.example.com", base_urls=("https://erp.example.com",))
    del raw["targets"][0]["connection"]
    run = run_program(raw, datetime(2025, 3, 1, tzinfo=UTC))
    assert run.of_type("odoo-outlook:odoo:OdooOutlookExport") == []


def test_export_has_its_own_type_with_an_alias_from_the_anonymous_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registered: list[tuple[str, str, pulumi.ResourceOptions | None]] = []
    register = pulumi.CustomResource.__init__

    def spy(
        self: pulumi.CustomResource,
        t: str,
        name: str,
        props: Any = None,
        opts: pulumi.ResourceOptions | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        registered.append((t, name, opts))
        register(self, t, name, props, opts, *args, **kwargs)

    monkeypatch.setattr(pulumi.CustomResource, "__init__", spy)
    raw = stack("https://erp.example.com", base_urls=("https://erp.example.com",))
    run = run_program(raw, datetime(2025, 3, 1, tzinfo=UTC))
    assert EXPORT_TYPE == "pulumi-python:dynamic/odoo:OdooExport"
    assert [d.name for d in run.of_type(EXPORT_TYPE)] == ["odoo-erp-sync"]
    assert run.of_type("pulumi-python:dynamic:Resource") == []
    [(_, _, opts)] = [r for r in registered if r[0] == EXPORT_TYPE]
    assert opts is not None
    # Old type, same name and parent (`...` = unchanged): Pulumi takes the existing state as
    # this resource.
    assert [
        (a.type_, a.name, a.parent) for a in opts.aliases or [] if isinstance(a, pulumi.Alias)
    ] == [("pulumi-python:dynamic:Resource", ..., ...)]
