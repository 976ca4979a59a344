"""Read what the sync compares against: one batched read per model, whatever the mailbox count."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from odoo_outlook.desired import ODOO_XMLID_MODULE
from odoo_outlook.odoo.capabilities import (
    INCOMING_MODEL,
    OUTGOING_MODEL,
    OUTLOOK_BOOLEAN,
    TOKEN_FIELD,
    Capabilities,
)
from odoo_outlook.odoo.client import OdooClient

CLIENT_ID_PARAM = "microsoft_outlook_client_id"
CLIENT_SECRET_PARAM = "microsoft_outlook_client_secret"
# Current name first; the second is only read by 16.0 builds before February 2023.
ENDPOINT_PARAMS = ("microsoft_outlook.endpoint", "microsoft.outlook.endpoint")
BASE_URL_PARAM = "web.base.url"
BASE_URL_FREEZE_PARAM = "web.base.url.freeze"
CATCHALL_DOMAIN_PARAM = "mail.catchall.domain"
DEFAULT_FROM_PARAM = "mail.default.from"
CATCHALL_ALIAS_PARAM = "mail.catchall.alias"
BOUNCE_ALIAS_PARAM = "mail.bounce.alias"
SECRET_PARAMS = frozenset({CLIENT_SECRET_PARAM})
PARAM_KEYS = (
    CLIENT_ID_PARAM,
    CLIENT_SECRET_PARAM,
    *ENDPOINT_PARAMS,
    BASE_URL_PARAM,
    BASE_URL_FREEZE_PARAM,
    CATCHALL_DOMAIN_PARAM,
    DEFAULT_FROM_PARAM,
    CATCHALL_ALIAS_PARAM,
    BOUNCE_ALIAS_PARAM,
)

OUTGOING = OUTGOING_MODEL
INCOMING = INCOMING_MODEL
ALIAS_DOMAIN = "mail.alias.domain"


def server_kind(model: str) -> str:
    """'outgoing' for `ir.mail_server`, 'incoming' for `fetchmail.server`: how checks and
    tables name a server model."""
    return "outgoing" if model == OUTGOING else "incoming"


PARAM_MODEL = "ir.config_parameter"
# How Odoo writes a Datetime field over RPC, in UTC (odoo/tools/misc.py
# DEFAULT_SERVER_DATETIME_FORMAT).
ODOO_DATETIME = "%Y-%m-%d %H:%M:%S"

# Fields the sync manages, per model (the Outlook marker fields are added per shape).
OUTGOING_FIELDS = (
    "name",
    "smtp_host",
    "smtp_port",
    "smtp_encryption",
    "smtp_user",
    "from_filter",
    "sequence",
    "active",
    "smtp_authentication",
    "owner_user_id",
)  # 19.0+: a user's own server (neighbours.py)
INCOMING_FIELDS = ("name", "server", "port", "is_ssl", "user", "server_type", "active", "state")
ALIAS_DOMAIN_FIELDS = ("name", "default_from", "catchall_alias", "bounce_alias")
# Password fields are read only to know whether they are empty; the value is dropped at once.
PASSWORD_FIELD = {OUTGOING: "smtp_pass", INCOMING: "password"}
LOGIN_FIELD = {OUTGOING: "smtp_user", INCOMING: "user"}
# The server fields the sync reads or tells the shape from: its `ir.model.fields` read asks
# for these only (`capabilities.read_fields`).
SHAPE_FIELDS = tuple(
    sorted(
        {*OUTGOING_FIELDS, *INCOMING_FIELDS, *PASSWORD_FIELD.values(), OUTLOOK_BOOLEAN, TOKEN_FIELD}
    )
)


def normalise(value: Any) -> Any:
    """Odoo answers False for an empty char/many2one; many2one values come as [id, name]."""
    if value in (None, ""):
        return False
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], int):
        return value[0]
    return value


@dataclass(frozen=True)
class Param:
    """One `ir.config_parameter` record: its id, `key` and `value` (hidden from repr)."""

    id: int
    key: str
    value: str = field(repr=False)


@dataclass(frozen=True)
class XmlId:
    """One `ir.model.data` record: external id `name` (module `odoo_outlook`) of `model` record
    `res_id`."""

    id: int
    name: str
    model: str
    res_id: int


@dataclass(frozen=True)
class Server:
    """One `ir.mail_server` or `fetchmail.server` record as read for the plan.

    `values` are the read fields (many2one normalised to the id); `has_password` and
    `connected` say whether a password / refresh token is stored, never their values.
    """

    model: str
    id: int
    values: Mapping[str, Any]
    has_password: bool
    connected: bool

    @property
    def login(self) -> str:
        """The mailbox the server logs in as (`smtp_user` or `user`), or ''."""
        return str(self.values.get(LOGIN_FIELD[self.model]) or "")

    @property
    def active(self) -> bool:
        """Odoo's `active` flag (True when the field is not read)."""
        return bool(self.values.get("active", True))

    @property
    def name(self) -> str:
        """The record's `name`, or ''."""
        return str(self.values.get("name") or "")

    def sends_as(self, mailbox: str) -> bool:
        """Whether the server sends as `mailbox`: its login or its `from_filter` is that address
        (case-insensitive)."""
        wanted = mailbox.lower()
        from_filter = str(self.values.get("from_filter") or "").lower()
        return self.login.lower() == wanted or from_filter == wanted


@dataclass(frozen=True)
class AliasDomainRecord:
    """One `mail.alias.domain` record (Odoo 17.0+): its id and read `values`."""

    id: int
    values: Mapping[str, Any]

    @property
    def name(self) -> str:
        """The alias domain's `name` (the domain), or ''."""
        return str(self.values.get("name") or "")


@dataclass(frozen=True)
class Company:
    """The main `res.company`: id, name and `alias_domain_id` (False when not set or before
    17.0)."""

    id: int
    name: str
    alias_domain_id: int | bool


@dataclass(frozen=True)
class OdooState:
    """What the sync and the doctor read from one database: the parameters the tool sets, its
    external ids, every mail server, the alias domains and the company.
    """

    params: Mapping[str, Param]
    xmlids: Mapping[str, XmlId]
    servers: tuple[Server, ...]
    alias_domains: tuple[AliasDomainRecord, ...]
    company: Company | None
    # Every company, read only when the target declares other companies (companies.py).
    companies: tuple[Company, ...] = ()

    def param(self, key: str) -> str | None:
        """The value of system parameter `key`, or None when it is not set."""
        found = self.params.get(key)
        return found.value if found else None

    def owned(self, model: str, res_id: int) -> XmlId | None:
        """The tool's external id of record `res_id` of `model`, or None (not created by the
        tool)."""
        return next(
            (x for x in self.xmlids.values() if x.model == model and x.res_id == res_id), None
        )

    def record_for(self, xmlid: str) -> Server | None:
        """The server an external id (full name) points to, or None."""
        ref = self.xmlids.get(xmlid)
        if ref is None:
            return None
        return next((s for s in self.servers if s.model == ref.model and s.id == ref.res_id), None)


def _server_fields(model: str, caps: Capabilities) -> list[str]:
    available = caps.fields_of(model)
    wanted = [
        *(OUTGOING_FIELDS if model == OUTGOING else INCOMING_FIELDS),
        OUTLOOK_BOOLEAN,
        PASSWORD_FIELD[model],
        TOKEN_FIELD,
    ]
    # create_uid is one of the log-access fields every model has (odoo/models.py
    # MAGIC_COLUMNS), so the shape read does not ask for it.
    return [*(f for f in wanted if f in available), "create_uid"]


def _servers(client: OdooClient, model: str, caps: Capabilities) -> list[Server]:
    fields = _server_fields(model, caps)
    rows = client.search_read(model, [], fields, active_test=False)
    servers = []
    for row in rows:
        has_password = bool(row.pop(PASSWORD_FIELD[model], False))
        connected = bool(row.pop(TOKEN_FIELD, False))
        values = {k: normalise(v) for k, v in row.items() if k != "id"}
        servers.append(Server(model, int(row["id"]), values, has_password, connected))
    return servers


def read_params(client: OdooClient) -> dict[str, Param]:
    """The `ir.config_parameter` records the tool manages, by key (one `search_read`)."""
    return {
        str(r["key"]): Param(int(r["id"]), str(r["key"]), str(r["value"] or ""))
        for r in client.search_read(
            PARAM_MODEL, [("key", "in", list(PARAM_KEYS))], ["key", "value"]
        )
    }


def read_state(
    client: OdooClient,
    caps: Capabilities,
    params: Mapping[str, Param] | None = None,
    *,
    all_companies: bool = False,
) -> OdooState:
    """Everything the plan compares; pass `params` when they were just read, `all_companies`
    when the target declares other companies (one more `search_read` on res.company)."""
    if params is None:
        params = read_params(client)
    xmlids = {
        str(r["name"]): XmlId(int(r["id"]), str(r["name"]), str(r["model"]), int(r["res_id"]))
        for r in client.search_read(
            "ir.model.data", [("module", "=", ODOO_XMLID_MODULE)], ["name", "model", "res_id"]
        )
    }
    servers = _servers(client, OUTGOING, caps)
    if caps.has_fetchmail_model:
        servers += _servers(client, INCOMING, caps)
    alias_domains: list[AliasDomainRecord] = []
    company: Company | None = None
    if caps.has_alias_domain:
        # Each domain's `company_ids` (the inverse of res.company.alias_domain_id) tells which
        # domain the user's company links: the user's read is the only other call needed.
        # `company` stays None when the database has no alias domain.
        rows = client.search_read(ALIAS_DOMAIN, [], [*ALIAS_DOMAIN_FIELDS, "company_ids"])
        alias_domains = [
            AliasDomainRecord(int(r["id"]), {k: normalise(r.get(k)) for k in ALIAS_DOMAIN_FIELDS})
            for r in rows
        ]
        # With no alias domain at all, no company links one, and creating the first one links
        # them all (mail_alias_domain.py `create`): the user's company need not be read, unless
        # the target serves several companies (which must tell the user's apart).
        user = (
            client.call("res.users", "read", [client.uid], fields=["company_id"])
            if (rows or all_companies)
            else []
        )
        link = user[0]["company_id"] if user else False
        if isinstance(link, list) and len(link) == 2:
            company_id = int(link[0])
            linked = next(
                (int(r["id"]) for r in rows if company_id in (r.get("company_ids") or [])), False
            )
            company = Company(company_id, str(link[1]), linked)
    companies: tuple[Company, ...] = ()
    if all_companies:
        fields = ["name", "alias_domain_id"] if caps.has_alias_domain else ["name"]
        companies = tuple(
            Company(int(r["id"]), str(r["name"]), normalise(r.get("alias_domain_id")))
            for r in client.search_read("res.company", [], fields)
        )
    return OdooState(params, xmlids, tuple(servers), tuple(alias_domains), company, companies)
