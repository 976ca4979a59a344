"""Tests of the fake Odoo server itself, driven with plain xmlrpc.client / urllib."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
import xmlrpc.client
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.fakes.odoo_server import (
    ADMIN_UID,
    DEFAULT_ADMIN_API_KEY,
    DEFAULT_DEMO_API_KEY,
    DEMO_UID,
    FakeOdoo,
    UserError,
)

Factory = Callable[..., FakeOdoo]

OUTLOOK_SMTP = {
    "name": "Outlook",
    "smtp_host": "smtp.outlook.com",
    "smtp_port": 587,
    "smtp_encryption": "starttls",
    "smtp_user": "info@example.com",
    "from_filter": "info@example.com",
}
ACCESS_TEXT = (
    "You are not allowed to access 'Mail Server' (ir.mail_server) records.\n\n"
    "This operation is allowed for the following groups:\n"
    "\t- Administration/Settings\n\n"
    "Contact your administrator to request access if necessary."
)


class Client:
    """Minimal execute_kw caller."""

    def __init__(
        self, odoo: FakeOdoo, db: str = "odoo", uid: int = ADMIN_UID, password: str = "admin"
    ) -> None:
        self.db, self.uid, self.password = db, uid, password
        self.proxy = xmlrpc.client.ServerProxy(f"{odoo.url}/xmlrpc/2/object", allow_none=True)

    def __call__(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        return self.proxy.execute_kw(
            self.db, self.uid, self.password, model, method, list(args), kwargs
        )


def common(odoo: FakeOdoo) -> Any:
    return xmlrpc.client.ServerProxy(f"{odoo.url}/xmlrpc/2/common", allow_none=True)


def fault(call: Callable[[], Any]) -> xmlrpc.client.Fault:
    with pytest.raises(xmlrpc.client.Fault) as info:
        call()
    return info.value


def outlook_vals(major: int, **extra: Any) -> dict[str, Any]:
    vals = dict(OUTLOOK_SMTP)
    if major == 15:
        vals["use_microsoft_outlook_service"] = True
    else:
        vals["smtp_authentication"] = "outlook"
    return {**vals, **extra}


def json2(
    odoo: FakeOdoo,
    model: str,
    method: str,
    body: Any = None,
    *,
    key: str | None = DEFAULT_ADMIN_API_KEY,
    db: str | None = None,
    http_method: str = "POST",
) -> tuple[int, Any, dict[str, str]]:
    data = json.dumps(body or {}).encode() if http_method == "POST" else None
    request = urllib.request.Request(
        f"{odoo.url}/json/2/{model}/{method}", data=data, method=http_method
    )
    request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("Authorization", f"bearer {key}")
    if db:
        request.add_header("X-Odoo-Database", db)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = raw.decode()
        return error.code, payload, dict(error.headers)


# ----------------------------------------------------------------------------- common
def test_version_shape(fake_odoo_any: FakeOdoo) -> None:
    info = common(fake_odoo_any).version()
    major = int(fake_odoo_any.version.split(".")[0])
    assert info == {
        "server_version": f"{major}.0",
        "server_version_info": [major, 0, 0, "final", 0, ""],
        "server_serie": f"{major}.0",
        "protocol_version": 1,
    }


def test_authenticate(fake_odoo: Factory) -> None:
    odoo = fake_odoo("17.0", admin_password="s3cret")
    proxy = common(odoo)
    assert proxy.authenticate("odoo", "admin", "s3cret", {}) == ADMIN_UID
    assert proxy.authenticate("odoo", "admin", DEFAULT_ADMIN_API_KEY, {}) == ADMIN_UID
    assert proxy.authenticate("odoo", "admin", "wrong", {}) is False
    assert proxy.authenticate("odoo", "nobody", "s3cret", {}) is False
    assert proxy.login("odoo", "demo", "demo") == DEMO_UID
    err = fault(lambda: proxy.authenticate("nope", "admin", "s3cret", {}))
    assert err.faultCode == 1
    assert 'database "nope" does not exist' in err.faultString
    assert "psycopg2.OperationalError" in err.faultString


def test_db_list_and_several_databases(fake_odoo: Factory) -> None:
    odoo = fake_odoo("16.0")
    odoo.add_database("second", admin_password="other")
    db = xmlrpc.client.ServerProxy(f"{odoo.url}/xmlrpc/2/db")
    assert db.list() == ["odoo", "second"]
    assert common(odoo).authenticate("second", "admin", "other", {}) == ADMIN_UID
    assert common(odoo).authenticate("second", "admin", "admin", {}) is False


# ----------------------------------------------------------------------------- faults
def test_every_call_rechecks_credentials(fake_odoo: Factory) -> None:
    odoo = fake_odoo("18.0")
    assert Client(odoo)("res.users", "search_count", [("login", "=", "admin")]) == 1
    assert (
        Client(odoo, password=DEFAULT_ADMIN_API_KEY)(
            "res.users", "read", [ADMIN_UID], fields=["login"]
        )[0]["login"]
        == "admin"
    )
    err = fault(lambda: Client(odoo, password="bad")("res.users", "search", []))
    assert (err.faultCode, err.faultString) == (3, "Access Denied")


@pytest.mark.parametrize(
    ("version", "private_text"),
    [
        ("15.0", "Private methods (such as _compute_outlook_uri) cannot be called remotely."),
        ("16.0", "Private methods (such as _compute_outlook_uri) cannot be called remotely."),
        (
            "17.0",
            "Private methods (such as 'ir.mail_server._compute_outlook_uri') "
            "cannot be called remotely.",
        ),
        (
            "19.0",
            "Private methods (such as 'ir.mail_server._compute_outlook_uri') "
            "cannot be called remotely.",
        ),
    ],
)
def test_fault_codes(fake_odoo: Factory, version: str, private_text: str) -> None:
    call = Client(fake_odoo(version))
    err = fault(lambda: call("no.such.model", "search", []))
    assert (err.faultCode, err.faultString) == (2, "Object no.such.model doesn't exist")
    err = fault(lambda: call("ir.mail_server", "_compute_outlook_uri", []))
    assert (err.faultCode, err.faultString) == (4, private_text)
    err = fault(lambda: call("ir.mail_server", "no_such_method", []))
    assert err.faultCode == 1 and "AttributeError" in err.faultString
    err = fault(lambda: call("ir.mail_server", "create", {"name": "x", "bogus": 1}))
    assert err.faultCode == 1
    assert err.faultString.startswith("Traceback (most recent call last):")
    assert "ValueError: Invalid field 'bogus' on model 'ir.mail_server'" in err.faultString
    err = fault(lambda: call("ir.mail_server", "search", [("bogus", "=", 1)]))
    assert err.faultCode == 1 and "Invalid field ir.mail_server.bogus in leaf" in err.faultString
    err = fault(lambda: call("ir.mail_server", "write", [999], {"name": "x"}))
    assert err.faultCode == 2
    assert err.faultString.startswith("Record does not exist or has been deleted.")


def test_create_single_and_multi_and_many2one_read(fake_odoo: Factory) -> None:
    call = Client(fake_odoo("15.0"))
    one = call("ir.mail_server", "create", {"name": "A", "smtp_host": "h"})
    many = call("ir.mail_server", "create", [{"name": "B"}, {"name": "C"}])
    assert isinstance(one, int) and len(many) == 2
    mail = call("mail.mail", "create", {"subject": "s", "mail_server_id": one})
    row = call("mail.mail", "read", [mail], fields=["mail_server_id", "state", "date"])[0]
    assert row["mail_server_id"] == [one, "A"]
    assert row["state"] == "outgoing"
    assert len(row["date"]) == len("2024-01-01 00:00:00")
    assert call("ir.mail_server", "write", many, {"smtp_port": 2525}) is True
    assert {r["smtp_port"] for r in call("ir.mail_server", "read", many, ["smtp_port"])} == {2525}
    assert call("ir.mail_server", "unlink", many) is True
    assert call("ir.mail_server", "search", []) == [one]


def test_search_domains_order_limit_and_active_test(fake_odoo: Factory) -> None:
    odoo = fake_odoo("16.0")
    call = Client(odoo)
    ids = call(
        "ir.mail_server",
        "create",
        [
            {"name": "alpha", "sequence": 3},
            {"name": "beta", "sequence": 1},
            {"name": "gamma", "sequence": 2, "active": False},
        ],
    )
    assert call("ir.mail_server", "search", []) == [ids[1], ids[0]]
    assert call("ir.mail_server", "search", [], context={"active_test": False}) == [
        ids[1],
        ids[2],
        ids[0],
    ]
    assert call("ir.mail_server", "search", [("active", "=", False)]) == [ids[2]]
    assert call(
        "ir.mail_server",
        "search",
        ["|", ("name", "ilike", "ALP"), ("name", "=", "beta")],
        order="name desc",
    ) == [ids[1], ids[0]]
    assert call("ir.mail_server", "search", ["!", ("name", "in", ["alpha"])]) == [ids[1]]
    assert call("ir.mail_server", "search_count", [("sequence", ">=", 2)]) == 1
    rows = call("ir.mail_server", "search_read", [], fields=["name"], limit=1, offset=1)
    assert rows == [{"id": ids[0], "name": "alpha"}]
    assert call("ir.mail_server", "read", [ids[2]], ["active"]) == [{"id": ids[2], "active": False}]


# ----------------------------------------------------------------------------- params
@pytest.mark.parametrize("version", ["15.0", "16.0", "17.0", "19.0"])
def test_config_parameters(fake_odoo: Factory, version: str) -> None:
    call = Client(fake_odoo(version))
    key = "microsoft_outlook_client_id"
    assert call("ir.config_parameter", "get_param", "web.base.url") == "http://localhost:8069"
    assert call("ir.config_parameter", "get_param", key) is False
    assert call("ir.config_parameter", "get_param", key, "dflt") == "dflt"
    assert call("ir.config_parameter", "set_param", key, "id-1") is False
    assert call("ir.config_parameter", "set_param", key, "id-2") == "id-1"
    assert call("ir.config_parameter", "get_param", key) == "id-2"
    assert call("ir.config_parameter", "set_param", key, False) == "id-2"
    assert call("ir.config_parameter", "search_count", [("key", "=", key)]) == 0
    catchall = call("ir.config_parameter", "get_param", "mail.catchall.alias")
    assert catchall == ("catchall" if version in ("15.0", "16.0") else False)
    assert call("ir.config_parameter", "get_param", "mail.catchall.domain") is False
    err = fault(
        lambda: call("ir.config_parameter", "create", {"key": "web.base.url", "value": "x"})
    )
    expected = "Key must be unique."
    if version != "15.0":
        expected = f"The operation cannot be completed: {expected}"
    assert (err.faultCode, err.faultString) == (2, expected)


def test_model_data_unique(fake_odoo: Factory) -> None:
    call = Client(fake_odoo("17.0"))
    vals = {"module": "odoo_outlook", "name": "smtp", "model": "ir.mail_server", "res_id": 1}
    call("ir.model.data", "create", vals)
    err = fault(lambda: call("ir.model.data", "create", vals))
    assert err.faultCode == 2
    assert 'unique constraint "ir_model_data_module_name_uniq_index"' in err.faultString
    assert (
        call(
            "ir.model.data",
            "search_read",
            [("module", "=", "odoo_outlook")],
            fields=["complete_name", "res_id"],
        )[0]["complete_name"]
        == "odoo_outlook.smtp"
    )


# ----------------------------------------------------------------------------- modules
def test_install_microsoft_outlook_adds_fields_16(fake_odoo: Factory) -> None:
    odoo = fake_odoo("16.0")
    call = Client(odoo)
    fields = call("ir.mail_server", "fields_get", [], ["selection"])
    assert "microsoft_outlook_uri" not in fields
    assert ["outlook", "Outlook OAuth Authentication"] not in fields["smtp_authentication"][
        "selection"
    ]
    server = call("ir.mail_server", "create", {"name": "x"})
    err = fault(
        lambda: call("ir.mail_server", "write", [server], {"smtp_authentication": "outlook"})
    )
    assert err.faultCode == 1
    assert "Wrong value for ir.mail_server.smtp_authentication: 'outlook'" in err.faultString
    err = fault(
        lambda: call("ir.mail_server", "write", [server], {"microsoft_outlook_refresh_token": "x"})
    )
    assert "Invalid field 'microsoft_outlook_refresh_token'" in err.faultString

    mod = call("ir.module.module", "search", [("name", "=", "microsoft_outlook")])
    action = call("ir.module.module", "button_immediate_install", mod)
    assert action["tag"] == "reload"
    assert call("ir.module.module", "read", mod, ["state"])[0]["state"] == "installed"
    fields = call("ir.mail_server", "fields_get", [], ["type", "selection"])
    assert fields["microsoft_outlook_uri"]["type"] == "char"
    assert "is_microsoft_outlook_configured" in fields
    assert ["outlook", "Outlook OAuth Authentication"] in fields["smtp_authentication"]["selection"]
    assert ["outlook", "Outlook OAuth Authentication"] in call(
        "fetchmail.server", "fields_get", ["server_type"]
    )["server_type"]["selection"]


def test_install_on_15_auto_installs_fetchmail_outlook(fake_odoo: Factory) -> None:
    odoo = fake_odoo("15.0")
    call = Client(odoo)
    assert "use_microsoft_outlook_service" not in call("fetchmail.server", "fields_get")
    mod = call("ir.module.module", "search", [("name", "=", "microsoft_outlook")])
    call("ir.module.module", "button_immediate_install", mod)
    states = {
        r["name"]: r["state"]
        for r in call(
            "ir.module.module",
            "search_read",
            [("name", "like", "outlook")],
            fields=["state", "name"],
        )
    }
    assert states == {"microsoft_outlook": "installed", "fetchmail_outlook": "installed"}
    fields = call("fetchmail.server", "fields_get", [], ["type"])
    assert fields["use_microsoft_outlook_service"]["type"] == "boolean"
    assert "smtp_authentication" in call("ir.mail_server", "fields_get")
    assert "outlook" not in dict(
        call("ir.mail_server", "fields_get", ["smtp_authentication"])["smtp_authentication"][
            "selection"
        ]
    )


def test_seeded_module_states(fake_odoo: Factory) -> None:
    odoo = fake_odoo("15.0", modules={"fetchmail": "uninstalled"})
    call = Client(odoo)
    mod = call("ir.module.module", "search", [("name", "=", "microsoft_outlook")])
    call("ir.module.module", "button_immediate_install", mod)
    assert odoo.db().module_state("fetchmail_outlook") == "uninstalled"
    assert odoo.db().module_state("microsoft_outlook") == "installed"


def test_19_ships_outlook_and_personal_servers(fake_odoo: Factory) -> None:
    call = Client(fake_odoo("19.0"))
    fields = call("ir.mail_server", "fields_get", [], ["selection"])
    assert "is_microsoft_outlook_configured" not in fields
    assert {"owner_user_id", "microsoft_outlook_uri"} <= set(fields)
    assert ["starttls_strict", "TLS (STARTTLS), encryption and validation"] in fields[
        "smtp_encryption"
    ]["selection"]
    user_fields = call("res.users", "fields_get", ["outgoing_mail_server_type"], ["selection"])
    assert ["outlook", "Outlook"] in user_fields["outgoing_mail_server_type"]["selection"]


# ----------------------------------------------------------------------------- Outlook rules
@pytest.mark.parametrize(
    ("version", "name"),
    [
        ("15.0", "'Outlook'"),
        ("16.0", "'Outlook'"),
        ("17.0", "“Outlook”"),
        ("18.0", "“Outlook”"),
        ("19.0", "“Outlook”"),
    ],
)
def test_outgoing_outlook_constraints(fake_odoo: Factory, version: str, name: str) -> None:
    major = int(version[:2])
    call = Client(fake_odoo(version, modules={"microsoft_outlook": "installed"}))
    err = fault(lambda: call("ir.mail_server", "create", outlook_vals(major, smtp_pass="pw")))
    assert (err.faultCode, err.faultString) == (
        2,
        f"Please leave the password field empty for Outlook mail server {name}. "
        "The OAuth process does not require it",
    )
    strict = "starttls_strict" if major >= 19 else "ssl"
    err = fault(
        lambda: call("ir.mail_server", "create", outlook_vals(major, smtp_encryption=strict))
    )
    assert err.faultString == (
        f"Incorrect Connection Security for Outlook mail server {name}. "
        'Please set it to "TLS (STARTTLS)".'
    )
    err = fault(lambda: call("ir.mail_server", "create", outlook_vals(major, smtp_user=False)))
    assert err.faultString.startswith(
        'Please fill the "Username" field with your '
        "Outlook/Office365 username (your email address)."
    )
    server = call("ir.mail_server", "create", outlook_vals(major))
    err = fault(lambda: call("ir.mail_server", "write", [server], {"smtp_pass": "x"}))
    assert err.faultCode == 2
    assert call("ir.mail_server", "read", [server], ["smtp_pass"])[0]["smtp_pass"] is False


def test_incoming_outlook_constraints_15(fake_odoo: Factory) -> None:
    call = Client(
        fake_odoo(
            "15.0", modules={"microsoft_outlook": "installed", "fetchmail_outlook": "installed"}
        )
    )
    base = {
        "name": "In",
        "use_microsoft_outlook_service": True,
        "server": "imap.outlook.com",
        "port": 993,
        "user": "info@example.com",
    }
    err = fault(lambda: call("fetchmail.server", "create", {**base, "server_type": "pop"}))
    assert err.faultString == "Outlook mail server 'In' only supports IMAP server type."
    err = fault(
        lambda: call(
            "fetchmail.server",
            "create",
            {**base, "server_type": "imap", "is_ssl": True, "password": "x"},
        )
    )
    assert err.faultString.startswith("Please leave the password field empty for Outlook")
    err = fault(lambda: call("fetchmail.server", "create", {**base, "server_type": "imap"}))
    assert err.faultCode == 1  # Odoo 15.0's `_('SSL is required .') % name` TypeError
    assert "TypeError: not all arguments converted during string formatting" in err.faultString
    sid = call("fetchmail.server", "create", {**base, "server_type": "imap", "is_ssl": True})
    assert call("fetchmail.server", "read", [sid], ["state"])[0]["state"] == "draft"


@pytest.mark.parametrize("version", ["16.0", "18.0", "19.0"])
def test_incoming_outlook_constraints_16plus(fake_odoo: Factory, version: str) -> None:
    call = Client(fake_odoo(version, modules={"microsoft_outlook": "installed"}))
    base = {
        "name": "In",
        "server_type": "outlook",
        "server": "imap.outlook.com",
        "port": 993,
        "user": "info@example.com",
    }
    err = fault(lambda: call("fetchmail.server", "create", base))
    text = (
        "SSL is required for the server 'In'."
        if version == "16.0"  # %r until 16.0
        else "SSL is required for server “In”."
    )
    assert (err.faultCode, err.faultString) == (2, text)
    sid = call("fetchmail.server", "create", {**base, "is_ssl": True})
    assert call("fetchmail.server", "read", [sid], ["state"])[0]["state"] == "draft"


@pytest.mark.parametrize("version", ["15.0", "16.0", "17.0", "18.0", "19.0"])
def test_outlook_uri(fake_odoo: Factory, version: str) -> None:
    major = int(version[:2])
    odoo = fake_odoo(version, modules={"microsoft_outlook": "installed"})
    call = Client(odoo)
    server = call("ir.mail_server", "create", outlook_vals(major))
    plain = call("ir.mail_server", "create", {"name": "plain"})
    assert (
        call("ir.mail_server", "read", [server], ["microsoft_outlook_uri"])[0][
            "microsoft_outlook_uri"
        ]
        is False
    )
    call("ir.config_parameter", "set_param", "microsoft_outlook_client_id", "cid")
    call("ir.config_parameter", "set_param", "microsoft_outlook_client_secret", "sec")
    if major >= 16:  # get_base_url() needs one record: read one at a time
        with pytest.raises(xmlrpc.client.Fault, match=r"Expected singleton: ir\.mail_server"):
            call("ir.mail_server", "read", [server, plain], ["microsoft_outlook_uri"])
    rows = {
        r["id"]: r["microsoft_outlook_uri"]
        for i in (server, plain)
        for r in call("ir.mail_server", "read", [i], ["microsoft_outlook_uri"])
    }
    uri = urlsplit(rows[server])
    assert (
        f"{uri.scheme}://{uri.netloc}{uri.path}"
        == "https://login.microsoftonline.com/common/oauth2/v2.0/authorize"
    )
    query = {k: v[0] for k, v in parse_qs(uri.query).items()}
    assert query["client_id"] == "cid"
    assert query["redirect_uri"] == "http://localhost:8069/microsoft_outlook/confirm"
    scope = "offline_access https://outlook.office.com/SMTP.Send"
    if major >= 18:
        scope = f"openid email offline_access https://outlook.office.com/User.read {scope[15:]}"
    assert query["scope"] == scope
    assert json.loads(query["state"])["id"] == server
    assert (rows[plain] is False) == (major <= 17)
    odoo.db().connect_outlook("ir.mail_server", server, refresh_token="rt")
    assert (
        call("ir.mail_server", "read", [server], ["microsoft_outlook_refresh_token"])[0][
            "microsoft_outlook_refresh_token"
        ]
        == "rt"
    )


# ----------------------------------------------------------------------------- access
@pytest.mark.parametrize("version", ["15.0", "17.0", "19.0"])
def test_demo_user_access_errors(fake_odoo: Factory, version: str) -> None:
    odoo = fake_odoo(version)
    demo = Client(odoo, uid=DEMO_UID, password="demo")
    err = fault(lambda: demo("ir.mail_server", "search_read", []))
    assert (err.faultCode, err.faultString) == (4, ACCESS_TEXT)
    err = fault(lambda: demo("ir.config_parameter", "get_param", "web.base.url"))
    assert err.faultCode == 4 and "'System Parameter' (ir.config_parameter)" in err.faultString
    err = fault(lambda: demo("ir.config_parameter", "set_param", "a", "b"))
    assert err.faultCode == 4
    err = fault(lambda: demo("fetchmail.server", "search", []))
    assert err.faultCode == 4
    mods = demo("ir.module.module", "search", [("name", "=", "mail")])
    err = fault(lambda: demo("ir.module.module", "button_immediate_install", mods))
    assert (err.faultCode, err.faultString) == (3, "Access Denied")
    imd = demo("ir.model.data", "search", [("name", "=", "main_company")])
    err = fault(lambda: demo("ir.model.data", "write", imd, {"noupdate": False}))
    assert err.faultCode == 4 and err.faultString.startswith(
        "You are not allowed to modify 'Model Data' (ir.model.data) records."
    )


# ----------------------------------------------------------------------------- alias domain
def test_alias_domain_absent_before_17(fake_odoo: Factory) -> None:
    call = Client(fake_odoo("16.0"))
    err = fault(lambda: call("mail.alias.domain", "search", []))
    assert (err.faultCode, err.faultString) == (2, "Object mail.alias.domain doesn't exist")
    assert "alias_domain_id" not in call("res.company", "fields_get")


@pytest.mark.parametrize("version", ["17.0", "18.0", "19.0"])
def test_alias_domain(fake_odoo: Factory, version: str) -> None:
    call = Client(fake_odoo(version))
    assert call("mail.alias.domain", "search", []) == []
    company = call("res.company", "read", [1], ["alias_domain_id", "default_from_email"])[0]
    assert company["alias_domain_id"] is False and company["default_from_email"] is False
    err = fault(lambda: call("mail.alias.domain", "create", {"name": "exämple.com"}))
    assert err.faultCode == 2 and err.faultString.startswith(
        "You cannot use anything else than unaccented latin characters in the domain name"
    )
    did = call(
        "mail.alias.domain",
        "create",
        {"name": "example.com", "default_from": "Odoo Bot", "catchall_alias": "Reply"},
    )
    row = call(
        "mail.alias.domain",
        "read",
        [did],
        ["default_from", "catchall_alias", "default_from_email", "company_ids"],
    )[0]
    assert row["default_from"] == "odoo-bot" and row["catchall_alias"] == "reply"
    assert row["default_from_email"] == "odoo-bot@example.com"
    assert row["company_ids"] == [1]  # the first domain is given to every company
    company = call("res.company", "read", [1], ["alias_domain_id", "default_from_email"])[0]
    assert company == {
        "id": 1,
        "alias_domain_id": [did, "example.com"],
        "default_from_email": "odoo-bot@example.com",
    }
    call("mail.alias.domain", "write", [did], {"default_from": "news@example.org"})
    assert (
        call("res.company", "read", [1], ["default_from_email"])[0]["default_from_email"]
        == "news@example.org"
    )
    other = call("mail.alias.domain", "create", {"name": "other.com"})
    call("res.company", "write", [1], {"alias_domain_id": other})
    assert call("mail.alias.domain", "read", [did], ["company_ids"])[0]["company_ids"] == []
    call("mail.alias.domain", "write", [did], {"company_ids": [(6, 0, [1])]})
    assert call("res.company", "read", [1], ["alias_domain_id"])[0]["alias_domain_id"][0] == did
    err = fault(lambda: call("mail.alias.domain", "create", {"name": "example.com"}))
    assert err.faultCode == 2 and "should be unique" in err.faultString


def test_failed_mail_seeding(fake_odoo: Factory) -> None:
    odoo = fake_odoo("17.0")
    server = odoo.db().seed("ir.mail_server", {"name": "SMTP"})
    odoo.db().seed_failed_mail(
        subject="Invoice",
        failure_reason="535 5.7.3 Authentication unsuccessful",
        mail_server_id=server,
    )
    rows = Client(odoo)(
        "mail.mail",
        "search_read",
        [("state", "=", "exception")],
        fields=["subject", "failure_type", "failure_reason", "mail_server_id"],
    )
    assert rows[0]["subject"] == "Invoice" and rows[0]["failure_type"] == "mail_smtp"
    assert rows[0]["mail_server_id"] == [server, "SMTP"]


# ----------------------------------------------------------------------------- JSON-2
def test_json2_happy_path(fake_odoo: Factory) -> None:
    odoo = fake_odoo("19.0")
    status, ids, _ = json2(odoo, "ir.mail_server", "create", {"vals_list": [outlook_vals(19)]})
    assert status == 200 and isinstance(ids, list) and len(ids) == 1
    status, result, _ = json2(
        odoo, "ir.mail_server", "write", {"ids": ids, "vals": {"from_filter": "example.com"}}
    )
    assert (status, result) == (200, True)
    status, rows, _ = json2(
        odoo,
        "ir.mail_server",
        "search_read",
        {"domain": [["smtp_authentication", "=", "outlook"]], "fields": ["from_filter"]},
    )
    assert rows == [{"id": ids[0], "from_filter": "example.com"}]
    status, old, _ = json2(
        odoo,
        "ir.config_parameter",
        "set_param",
        {"key": "web.base.url", "value": "https://erp.example.com"},
    )
    assert old == "http://localhost:8069"
    status, count, _ = json2(
        odoo, "ir.mail_server", "search_count", {"domain": [], "context": {"active_test": False}}
    )
    assert count == 1


def test_json2_errors(fake_odoo: Factory) -> None:
    odoo = fake_odoo("19.0")
    status, body, headers = json2(odoo, "res.users", "search", {"domain": []}, key="admin")
    assert status == 401 and body["name"] == "werkzeug.exceptions.Unauthorized"
    assert body["message"] == "Invalid apikey" and headers["WWW-Authenticate"] == "Bearer"
    status, body, _ = json2(odoo, "res.users", "search", {"domain": []}, key=None)
    assert status == 401
    status, body, _ = json2(odoo, "no.model", "search", {"domain": []})
    assert (status, body["message"]) == (404, "the model 'no.model' does not exist")
    status, body, _ = json2(odoo, "res.users", "nope", {})
    assert (status, body["message"]) == (404, "The method 'res.users.nope' does not exist")
    status, body, _ = json2(odoo, "res.users", "_private", {})
    assert status == 403 and body["name"] == "odoo.exceptions.AccessError"
    status, body, _ = json2(odoo, "res.users", "search", {"ids": [1], "domain": []})
    assert (status, body["message"]) == (422, "cannot call res.users.search with ids")
    status, body, _ = json2(odoo, "res.users", "write", {"ids": [2]})
    assert (status, body["message"]) == (422, "missing a required argument: 'vals'")
    status, body, _ = json2(
        odoo, "ir.mail_server", "create", {"vals_list": [outlook_vals(19, smtp_pass="x")]}
    )
    assert status == 422 and body["name"] == "odoo.exceptions.UserError"
    assert set(body) == {"name", "message", "arguments", "context", "debug"}
    assert body["arguments"] == [body["message"]]
    status, body, _ = json2(
        odoo, "ir.mail_server", "search", {"domain": []}, key=DEFAULT_DEMO_API_KEY
    )
    assert status == 403 and body["message"] == ACCESS_TEXT
    status, body, _ = json2(odoo, "res.users", "read", {"ids": [999], "fields": ["name"]})
    assert status == 404 and body["name"] == "odoo.exceptions.MissingError"
    status, body, _ = json2(odoo, "res.users", "search", http_method="GET")
    assert (status, body["message"]) == (404, "Did you mean POST /json/2/<model>/<method>?")


def test_json2_database_header_and_older_versions(fake_odoo: Factory) -> None:
    odoo = fake_odoo("19.0")
    odoo.add_database("second")
    status, _, _ = json2(odoo, "res.users", "search", {"domain": []})
    assert status == 404  # several databases and no X-Odoo-Database
    status, ids, _ = json2(odoo, "res.users", "search", {"domain": []}, db="second")
    assert (status, ids) == (200, [6, 2])  # res.users _order = "name, login"
    with urllib.request.urlopen(f"{odoo.url}/web/version", timeout=5) as response:
        assert json.loads(response.read()) == {
            "version_info": [19, 0, 0, "final", 0, ""],
            "version": "19.0",
        }
    old = fake_odoo("18.0")
    status, body, _ = json2(old, "res.users", "search", {"domain": []})
    assert status == 404 and "Not Found" in body
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{old.url}/web/version", timeout=5)
    assert info.value.code == 404


# ----------------------------------------------------------------------------- instrumentation
def test_call_recording_failures_and_latency(fake_odoo: Factory) -> None:
    odoo = fake_odoo("17.0")
    call = Client(odoo)
    common(odoo).authenticate("odoo", "admin", "admin", {})
    call("ir.config_parameter", "set_param", "a", "1")
    call("ir.mail_server", "create", {"name": "x"})
    call("ir.mail_server", "search", [])
    assert odoo.count(method="authenticate") == 1
    assert odoo.count(model="ir.mail_server") == 2
    assert [c.method for c in odoo.write_calls()] == ["set_param", "create"]
    assert odoo.calls[-1].transport == "xmlrpc" and odoo.calls[-1].db == "odoo"
    odoo.reset_calls()
    assert odoo.calls == []

    odoo.inject_failure(
        UserError("Mail server down"), model="ir.mail_server", method="create", times=1
    )
    err = fault(lambda: call("ir.mail_server", "create", {"name": "y"}))
    assert (err.faultCode, err.faultString) == (2, "Mail server down")
    assert isinstance(call("ir.mail_server", "create", {"name": "y"}), int)
    odoo.inject_failure(RuntimeError("boom"), method="search")
    assert fault(lambda: call("res.users", "search", [])).faultCode == 1
    odoo.clear_failures()
    odoo.latency = 0.05
    import time

    start = time.perf_counter()
    call("res.users", "search", [])
    assert time.perf_counter() - start >= 0.05


def test_concurrent_creates_get_distinct_ids(fake_odoo: Factory) -> None:
    odoo = fake_odoo("18.0")
    results: list[int] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        new = Client(odoo)(
            "ir.model.data",
            "create",
            {"module": "t", "name": f"x{n}", "model": "res.users", "res_id": 2},
        )
        with lock:
            results.append(new)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 12
    assert len(odoo.db().records("ir.model.data", [("module", "=", "t")])) == 12


def test_direct_state_access(fake_odoo: Factory) -> None:
    odoo = fake_odoo("16.0")
    db = odoo.db("odoo")
    sid = db.seed("ir.mail_server", {"name": "seeded", "active": False})
    assert db.records("ir.mail_server")[0]["name"] == "seeded"
    assert Client(odoo)("ir.mail_server", "search", []) == []
    db.set_module_state("microsoft_outlook", "installed")
    assert "microsoft_outlook_uri" in db.read("ir.mail_server", [sid])[0]
    assert db.set_param("mail.catchall.domain", "example.com") is False
    assert (
        Client(odoo)("res.company", "read", [1], ["catchall_email"])[0]["catchall_email"]
        == "catchall@example.com"
    )
