"""The Odoo export against the fake Odoo over real HTTP, on every shape from 15.0 to 19.0."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

from odoo_outlook.cli import main
from odoo_outlook.desired import ODOO_XMLID_MODULE
from odoo_outlook.odoo.errors import OdooBaseUrlMismatch
from odoo_outlook.odoo.sync import SyncOptions, sync_target
from tests.fakes.odoo_server import DEFAULT_ADMIN_API_KEY, FakeOdoo
from tests.odoo_sync_helpers import (
    APP,
    CLIENT_ID,
    CLIENT_SECRET,
    PASSWORD,
    cli_args,
    spec,
    stack,
    write_project,
)

VERSIONS = ("15.0", "16.0", "17.0", "18.0", "19.0")


# The same scenarios over JSON-2, which the fake (like Odoo) offers from 19.0.
JSON2 = "19.0-json2"


@pytest.fixture(params=[*VERSIONS, JSON2])
def odoo(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Any:
    version, _, transport = request.param.partition("-")
    with FakeOdoo(version) as server:
        if transport:  # every stack below selects JSON-2 and every credential is the API key
            monkeypatch.setitem(globals(), "stack", functools.partial(stack, transport=transport))
            monkeypatch.setitem(globals(), "PASSWORD", DEFAULT_ADMIN_API_KEY)
        yield server
        if transport:
            assert server.count(transport="xmlrpc") == 0


def _major(odoo: FakeOdoo) -> int:
    return int(odoo.version.split(".")[0])


def _servers(odoo: FakeOdoo, model: str = "ir.mail_server") -> list[dict[str, Any]]:
    return sorted(odoo.db().records(model), key=lambda r: r["id"])


def _xmlids(odoo: FakeOdoo) -> dict[str, dict[str, Any]]:
    rows = odoo.db().records("ir.model.data", [("module", "=", ODOO_XMLID_MODULE)])
    return {r["name"]: r for r in rows}


def _is_outlook(odoo: FakeOdoo, server: dict[str, Any]) -> bool:
    if _major(odoo) == 15:
        return server["use_microsoft_outlook_service"] is True
    return server["smtp_authentication"] == "outlook"


def _resync_writes_nothing(odoo: FakeOdoo, raw: dict[str, Any]) -> None:
    odoo.reset_calls()
    report = sync_target(spec(raw), APP, PASSWORD)
    assert odoo.write_calls() == []
    assert report.changes == [] and report.writes == 0


def test_generic_mode(odoo: FakeOdoo) -> None:
    raw = stack(odoo.url)
    report = sync_target(spec(raw), APP, PASSWORD)
    assert report.ok
    db = odoo.db()
    assert db.module_state("microsoft_outlook") == "installed"
    assert db.get_param("microsoft_outlook_client_id") == CLIENT_ID
    assert db.get_param("microsoft_outlook_client_secret") == CLIENT_SECRET
    [server] = _servers(odoo)
    assert _is_outlook(odoo, server)
    assert server["smtp_host"] == "smtp.outlook.com" and server["smtp_port"] == 587
    assert server["smtp_encryption"] == "starttls"
    assert server["smtp_user"] == server["from_filter"] == "notifications@example.com"
    assert not server["smtp_pass"]
    if _major(odoo) <= 16:
        assert db.get_param("mail.catchall.domain") == "example.com"
        assert db.get_param("mail.default.from") == "notifications"
    else:
        [company] = db.read("res.company", [1], ["default_from_email", "alias_domain_id"])
        assert company["default_from_email"] == "notifications@example.com"
    assert f"mail_server_{'notifications_example_com'}" in next(iter(_xmlids(odoo))) or any(
        name.startswith("mail_server_notifications_example_com") for name in _xmlids(odoo)
    )
    assert [s.mailbox for s in report.to_connect] == ["notifications@example.com"]
    _resync_writes_nothing(odoo, raw)


def test_per_user_mode_with_fallback_and_incoming(odoo: FakeOdoo) -> None:
    raw = stack(
        odoo.url,
        mode="perUser",
        users=("alice@example.com", "bob@example.com"),
        incoming=("catchall@example.com",),
    )
    report = sync_target(spec(raw), APP, PASSWORD)
    servers = {s["smtp_user"]: s for s in _servers(odoo)}
    assert set(servers) == {"alice@example.com", "bob@example.com", "notifications@example.com"}
    assert servers["alice@example.com"]["from_filter"] == "alice@example.com"
    assert (
        servers["alice@example.com"]["sequence"] < servers["notifications@example.com"]["sequence"]
    )
    assert servers["notifications@example.com"]["name"].endswith("(fallback)")
    [imap] = _servers(odoo, "fetchmail.server")
    assert imap["server"] == "imap.outlook.com" and imap["port"] == 993 and imap["is_ssl"]
    assert imap["user"] == "catchall@example.com" and not imap["password"]
    if _major(odoo) == 15:
        assert odoo.db().module_state("fetchmail_outlook") == "installed"
        assert imap["use_microsoft_outlook_service"] and imap["server_type"] == "imap"
    else:
        assert imap["server_type"] == "outlook"
    assert len(report.to_connect) == 4
    assert all(s.needs for s in report.to_connect)
    _resync_writes_nothing(odoo, raw)


def test_connected_server_is_reported_connected(odoo: FakeOdoo) -> None:
    raw = stack(odoo.url)
    sync_target(spec(raw), APP, PASSWORD)
    [server] = _servers(odoo)
    odoo.db().connect_outlook("ir.mail_server", server["id"])
    report = sync_target(spec(raw), APP, PASSWORD)
    assert report.to_connect == [] and report.servers[0].connected


def test_single_tenant_endpoint_then_multitenant_unsets_it(odoo: FakeOdoo) -> None:
    single = stack(odoo.url, audience="AzureADMyOrg")
    endpoint = f"https://login.microsoftonline.com/{'8f2c1a7e-4b9d-4e3a-9c61-2d5f0e7b1a44'}"
    endpoint += "/oauth2/v2.0/"
    # Current 15.0-19.0 builds read microsoft_outlook.endpoint (_get_microsoft_endpoint,
    # odoo/odoo#104795); 16.0 builds older than that fix read microsoft.outlook.endpoint.
    keys = ["microsoft_outlook.endpoint"]
    if _major(odoo) == 16:
        keys.append("microsoft.outlook.endpoint")
    report = sync_target(spec(single), APP, PASSWORD)
    for key in keys:
        assert odoo.db().get_param(key) == endpoint
    if _major(odoo) != 16:
        assert odoo.db().get_param("microsoft.outlook.endpoint") is False
    assert any("before February 2023" in n for n in report.notes) == (_major(odoo) == 15)
    [server] = _servers(odoo)
    uri = odoo.db().read("ir.mail_server", [server["id"]], ["microsoft_outlook_uri"])[0]
    assert uri["microsoft_outlook_uri"].startswith(endpoint + "authorize?")
    _resync_writes_nothing(odoo, single)
    multi = stack(odoo.url, audience="AzureADMultipleOrgs")
    sync_target(spec(multi), APP, PASSWORD)
    for key in keys:
        assert odoo.db().get_param(key) is False


def test_multitenant_leaves_an_endpoint_it_did_not_set(odoo: FakeOdoo) -> None:
    """Someone else's authority parameter is never changed: a shared authority the app accepts
    is a note; one tenant's authority, which refuses the app's other accounts, is a conflict
    whose fix sets it by hand (the doctor fails the same way: test_plan_checks.py)."""
    common = "https://login.microsoftonline.com/common/oauth2/v2.0/"
    odoo.db().set_param("microsoft_outlook.endpoint", common)
    report = sync_target(spec(stack(odoo.url)), APP, PASSWORD)
    assert odoo.db().get_param("microsoft_outlook.endpoint") == common
    assert report.ok and any("not set by odoo-outlook" in n for n in report.notes)
    odoo.db().set_param("microsoft_outlook.endpoint", "https://login.example/x/")
    report = sync_target(spec(stack(odoo.url)), APP, PASSWORD)
    assert odoo.db().get_param("microsoft_outlook.endpoint") == "https://login.example/x/"
    [conflict] = report.conflicts
    assert "microsoft_outlook.endpoint is https://login.example/x/" in conflict
    assert f"(fix: set it to {common} in Settings > Technical > System Parameters)" in conflict


def test_no_install_names_the_module(
    odoo: FakeOdoo,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ODOO_ERP_PASSWORD", PASSWORD)
    write_project(tmp_path, stack(odoo.url))
    code = main(cli_args(tmp_path, "--no-install"))
    err = capsys.readouterr().err
    if _major(odoo) == 19:  # microsoft_outlook comes with mail on 19.0
        assert code == 0
        return
    assert code == 2
    assert "microsoft_outlook is not installed" in err and "install" in err
    assert odoo.db().module_state("microsoft_outlook") != "installed"
    assert odoo.write_calls() == []


def test_removed_mailbox_is_archived_not_deleted(odoo: FakeOdoo) -> None:
    users = ("alice@example.com", "bob@example.com")
    sync_target(
        spec(stack(odoo.url, mode="perUser", users=users, incoming=("catchall@example.com",))),
        APP,
        PASSWORD,
    )
    smaller = stack(odoo.url, mode="perUser", users=("alice@example.com",))
    report = sync_target(spec(smaller), APP, PASSWORD)
    servers = {s["smtp_user"]: s for s in _servers(odoo)}
    assert len(servers) == 3
    assert servers["bob@example.com"]["active"] is False
    assert servers["alice@example.com"]["active"] is True
    [imap] = _servers(odoo, "fetchmail.server")
    assert imap["active"] is False
    assert [c.action for c in report.changes].count("archive") == 2
    _resync_writes_nothing(odoo, smaller)
    # Bring bob back: the same record is re-activated.
    sync_target(spec(stack(odoo.url, mode="perUser", users=users)), APP, PASSWORD)
    assert {s["smtp_user"]: s["active"] for s in _servers(odoo)}["bob@example.com"] is True
    assert len(_servers(odoo)) == 3


def test_unmanaged_records_are_untouched(
    odoo: FakeOdoo,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = odoo.db()
    mass = db.seed(
        "ir.mail_server",
        {
            "name": "Mass mailing",
            "smtp_host": "mx.example.net",
            "smtp_port": 25,
            "from_filter": False,
            "sequence": 5,
        },
    )
    rival = db.seed(
        "ir.mail_server",
        {
            "name": "Alice by hand",
            "smtp_host": "smtp.office365.com",
            "smtp_port": 587,
            "smtp_user": "alice@example.com",
            "from_filter": "alice@example.com",
        },
    )
    before = {i: db.record("ir.mail_server", i) for i in (mass, rival)}
    raw = stack(odoo.url, mode="perUser", users=("alice@example.com", "bob@example.com"))
    monkeypatch.setenv("ODOO_ERP_PASSWORD", PASSWORD)
    write_project(tmp_path, raw)
    code = main(cli_args(tmp_path))
    captured = capsys.readouterr()
    assert code == 2
    assert f"#{rival}" in captured.err and "alice@example.com" in captured.err
    assert {i: db.record("ir.mail_server", i) for i in (mass, rival)} == before
    mailboxes = [s["smtp_user"] for s in _servers(odoo)]
    assert mailboxes.count("alice@example.com") == 1  # ours was not created next to it
    assert "bob@example.com" in mailboxes
    odoo.reset_calls()
    sync_target(spec(raw), APP, PASSWORD)
    assert odoo.write_calls() == []


def test_base_url_mismatch_is_an_error_naming_both_values(
    odoo: FakeOdoo,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = stack(odoo.url, base_urls=("https://erp.example.com",))
    monkeypatch.setenv("ODOO_ERP_PASSWORD", PASSWORD)
    write_project(tmp_path, raw)
    code = main(cli_args(tmp_path))
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1
    assert "http://localhost:8069" in err and "https://erp.example.com" in err
    assert "AADSTS50011" in err and "fix:" in err
    assert odoo.write_calls() == []
    with pytest.raises(OdooBaseUrlMismatch):
        sync_target(spec(raw), APP, PASSWORD)


def test_manage_base_url_sets_and_freezes_it(odoo: FakeOdoo) -> None:
    raw = stack(odoo.url, base_urls=("https://erp.example.com",), manageBaseUrl=True)
    report = sync_target(spec(raw), APP, PASSWORD)
    assert odoo.db().get_param("web.base.url") == "https://erp.example.com"
    assert odoo.db().get_param("web.base.url.freeze") == "True"
    assert report.servers[0].form_url.startswith("https://erp.example.com/")
    _resync_writes_nothing(odoo, raw)


def test_any_freeze_value_counts_as_frozen(odoo: FakeOdoo) -> None:
    """res_users.py: `if not ICP.get_param('web.base.url.freeze')`: any stored value (even
    'False') stops Odoo from rewriting web.base.url, so no warning and nothing rewritten."""
    odoo.db().set_param("web.base.url.freeze", "False")
    raw = stack(odoo.url)
    report = sync_target(spec(raw), APP, PASSWORD)
    assert not any("web.base.url.freeze" in n for n in report.notes)
    managed = stack(odoo.url, manageBaseUrl=True)
    report = sync_target(spec(managed), APP, PASSWORD)
    assert not [c for c in report.changes if c.what == "web.base.url.freeze"]
    assert odoo.db().get_param("web.base.url.freeze") == "False"


def test_dry_run_writes_nothing_and_masks_secrets(odoo: FakeOdoo) -> None:
    raw = stack(odoo.url, mode="perUser", users=("alice@example.com",))
    report = sync_target(spec(raw), APP, PASSWORD, SyncOptions(dry_run=True))
    assert odoo.write_calls() == []
    text = "\n".join(f"{c.action} {c.model} {c.what} {c.detail}" for c in report.changes)
    assert "microsoft_outlook_client_secret" in text and CLIENT_SECRET not in text
    assert "create ir.mail_server Outlook alice@example.com" in text
    if _major(odoo) < 19:
        assert "install ir.module.module microsoft_outlook" in text


def test_server_form_link_format(odoo: FakeOdoo) -> None:
    report = sync_target(spec(stack(odoo.url)), APP, PASSWORD)
    [status] = report.servers
    if _major(odoo) >= 18:
        assert status.form_url == (
            f"http://localhost:8069/odoo/action-base.action_ir_mail_server_list/{status.id}?db=odoo"
        )
    else:
        assert status.form_url == (
            f"http://localhost:8069/web?db=odoo#id={status.id}&model=ir.mail_server&view_type=form"
        )


def test_install_rereads_module_states_15_without_fetchmail() -> None:
    """15.0 with `fetchmail` not installed: installing fetchmail_outlook brings fetchmail in
    (a dependency), so the incoming servers exist right after the first run and the report
    lists them to connect; module states are read again after the install."""
    with FakeOdoo("15.0", modules={"fetchmail": "uninstalled"}) as odoo:
        raw = stack(odoo.url, incoming=("catchall@example.com",))
        report = sync_target(spec(raw), APP, PASSWORD)
        assert odoo.db().module_state("fetchmail") == "installed"
        assert {(s.model, s.mailbox) for s in report.to_connect} == {
            ("ir.mail_server", "notifications@example.com"),
            ("fetchmail.server", "catchall@example.com"),
        }
        _resync_writes_nothing(odoo, raw)
