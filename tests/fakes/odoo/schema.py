"""Model and field definitions per Odoo version and installed module.

Only the models and fields the Outlook integration touches are defined; each
field carries the attributes ``fields_get`` reports (type, string, required,
readonly, selection, relation). ``build_schema`` assembles them from the
modules installed in a database, so installing ``microsoft_outlook`` adds the
Outlook fields and selection values exactly where Odoo adds them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

Selection = list[tuple[str, str]]

SYSTEM = "base.group_system"


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    string: str
    required: bool = False
    readonly: bool = False
    selection: tuple[tuple[str, str], ...] | None = None
    relation: str | None = None
    inverse_name: str | None = None
    default: Any = None
    compute: str | None = None
    groups: str | None = None
    help: str | None = None

    @property
    def store(self) -> bool:
        return self.compute is None and self.type != "one2many"

    def describe(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "type": self.type,
            "string": self.string,
            "required": self.required,
            "readonly": self.readonly or self.compute is not None,
            "store": self.store,
            "searchable": self.store or self.type == "one2many",
            "sortable": self.store,
            "name": self.name,
        }
        if self.help:
            info["help"] = self.help
        if self.selection is not None:
            info["selection"] = [list(item) for item in self.selection]
        if self.relation:
            info["relation"] = self.relation
        if self.inverse_name:
            info["relation_field"] = self.inverse_name
        return info


@dataclass
class ModelDef:
    name: str
    description: str
    fields: dict[str, Field] = field(default_factory=dict)
    order: str = "id"
    rec_name: str = "name"
    # ACL of a user without base.group_system: subset of read/write/create/unlink
    user_access: frozenset[str] = frozenset()

    def add(self, *new_fields: Field) -> None:
        for f in new_fields:
            self.fields[f.name] = f

    def selection_add(self, fname: str, items: Selection) -> None:
        f = self.fields[fname]
        self.fields[fname] = replace(f, selection=(*(f.selection or ()), *items))

    @property
    def has_active(self) -> bool:
        return "active" in self.fields


@dataclass(frozen=True)
class Module:
    name: str
    shortdesc: str
    depends: tuple[str, ...] = ()
    auto_install: bool = False
    application: bool = False


def _c(name: str, string: str, **kw: Any) -> Field:
    return Field(name, "char", string, **kw)


def _b(name: str, string: str, **kw: Any) -> Field:
    return Field(name, "boolean", string, **kw)


def _i(name: str, string: str, **kw: Any) -> Field:
    return Field(name, "integer", string, **kw)


def _sel(name: str, string: str, items: Selection, **kw: Any) -> Field:
    return Field(name, "selection", string, selection=tuple(items), **kw)


def _m2o(name: str, string: str, relation: str, **kw: Any) -> Field:
    return Field(name, "many2one", string, relation=relation, **kw)


# --------------------------------------------------------------------------- modules
def module_catalog(major: int) -> dict[str, Module]:
    """The modules the fake knows, with Odoo's dependencies and auto_install flags."""
    mods = [
        Module("base", "Base"),
        Module("web", "Web", ("base",), auto_install=True),
        Module("mail", "Discuss", ("base", "web"), application=True),
    ]
    if major == 15:
        mods += [
            Module("fetchmail", "Fetchmail", ("mail",)),
            Module("microsoft_outlook", "Microsoft Outlook", ("mail",)),
            Module(
                "fetchmail_outlook",
                "Fetchmail Outlook",
                ("microsoft_outlook", "fetchmail"),
                auto_install=True,
            ),
            Module("google_gmail", "Google Gmail", ("mail",)),
        ]
    elif major < 19:
        mods += [
            Module("microsoft_outlook", "Microsoft Outlook", ("mail",)),
            Module("google_gmail", "Google Gmail", ("mail",)),
        ]
    else:
        mods += [
            Module("google_gmail", "Google Gmail", ("mail",), auto_install=True),
            Module(
                "microsoft_outlook",
                "Microsoft Outlook",
                ("mail", "google_gmail"),
                auto_install=True,
            ),
        ]
    mods += list(OCA_MODULES)
    return {m.name: m for m in mods}


# OCA server-env (not part of Odoo): available on every version, installed only on request.
OCA_MODULES = (
    Module("server_environment", "server configuration environment files", ("base",)),
    Module(
        "mail_environment",
        "Mail configuration with server_environment",
        ("mail", "server_environment"),
    ),
)


def default_installed(major: int) -> set[str]:
    if major == 15:
        return {"base", "web", "mail", "fetchmail"}
    if major < 19:
        return {"base", "web", "mail"}
    return {"base", "web", "mail", "google_gmail", "microsoft_outlook"}


MODULE_STATES: Selection = [
    ("uninstallable", "Uninstallable"),
    ("uninstalled", "Not Installed"),
    ("installed", "Installed"),
    ("to upgrade", "To be upgraded"),
    ("to remove", "To be removed"),
    ("to install", "To be installed"),
]


# --------------------------------------------------------------------------- base models
def _base_models(major: int) -> dict[str, ModelDef]:
    models: dict[str, ModelDef] = {}

    icp = ModelDef("ir.config_parameter", "System Parameter", order="key", rec_name="key")
    icp.add(_c("key", "Key", required=True), Field("value", "text", "Value", required=True))
    models[icp.name] = icp

    # odoo/addons/base/models/ir_model.py `IrModelFields`: one record per field of the
    # registry (so only fields of installed modules); `selection` is the computed text
    # str([(value, label), ...]) of `_compute_selection`. Readable by internal users.
    imf = ModelDef("ir.model.fields", "Fields", order="name", user_access=frozenset({"read"}))
    imf.add(
        _c("name", "Field Name", required=True),
        _c("model", "Model Name", required=True),
        _c("field_description", "Field Label", required=True),
        _c("ttype", "Field Type", required=True),
        _c("selection", "Selection Options (Deprecated)"),
        _c("relation", "Related Model"),
        _b("required", "Required"),
        _b("readonly", "Readonly"),
        _b("store", "Stored"),
    )
    models[imf.name] = imf

    mod = ModelDef(
        "ir.module.module",
        "Module",
        order="name",
        rec_name="shortdesc",
        user_access=frozenset({"read"}),
    )
    mod.add(
        _c("name", "Technical Name", required=True, readonly=True),
        _c("shortdesc", "Module Name", readonly=True),
        _c("summary", "Summary", readonly=True),
        _c("author", "Author", readonly=True),
        _c("latest_version", "Latest Version", readonly=True),
        _sel("state", "Status", MODULE_STATES, readonly=True, default="uninstallable"),
        _b("auto_install", "Automatic Installation"),
        _b("application", "Application", readonly=True),
        _b("demo", "Demo Data", default=False, readonly=True),
    )
    models[mod.name] = mod

    imd = ModelDef(
        "ir.model.data",
        "Model Data",
        order="module, model, name",
        rec_name="complete_name",
        user_access=frozenset({"read"}),
    )
    imd.add(
        _c("name", "External Identifier", required=True),
        _c("complete_name", "Complete ID", compute="imd_complete_name"),
        _c("module", "Module", required=True, default=""),
        _c("model", "Model Name", required=True),
        Field("res_id", "many2one_reference", "Record ID"),
        _b("noupdate", "Non Updatable", default=False),
    )
    models[imd.name] = imd

    company = ModelDef(
        "res.company", "Companies", order="sequence, name", user_access=frozenset({"read"})
    )
    company.add(
        _c("name", "Company Name", required=True),
        _b("active", "Active", default=True),
        _i("sequence", "Sequence", default=10),
        _c("email", "Email"),
    )
    models[company.name] = company

    users = ModelDef(
        "res.users",
        "Users" if major < 17 else "User",
        order="name, login",
        user_access=frozenset({"read"}),
    )
    users.add(
        _c("name", "Name", required=True),
        _c("login", "Login", required=True),
        _b("active", "Active", default=True),
        _c("email", "Email"),
        _m2o("company_id", "Company", "res.company", required=True, default=1),
    )
    models[users.name] = users

    server = ModelDef("ir.mail_server", "Mail Server", order="sequence, id")
    auth: Selection = [("login", "Username"), ("certificate", "SSL Certificate")]
    if major >= 16:
        auth.append(("cli", "Command Line Interface"))
    if major >= 19:
        encryption: Selection = [
            ("none", "None"),
            ("starttls_strict", "TLS (STARTTLS), encryption and validation"),
            ("starttls", "TLS (STARTTLS), encryption only"),
            ("ssl_strict", "SSL/TLS, encryption and validation"),
            ("ssl", "SSL/TLS, encryption only"),
        ]
    else:
        encryption = [("none", "None"), ("starttls", "TLS (STARTTLS)"), ("ssl", "SSL/TLS")]
    server.add(
        _c("name", "Name" if major >= 16 else "Description", required=True),
        _c("from_filter", "FROM Filtering"),
        _c("smtp_host", "SMTP Server"),
        _i("smtp_port", "SMTP Port", default=25),
        _sel("smtp_authentication", "Authenticate with", auth, required=True, default="login"),
        _c("smtp_user", "Username", groups=SYSTEM),
        _c("smtp_pass", "Password", groups=SYSTEM),
        _sel(
            "smtp_encryption",
            "Connection Encryption" if major >= 19 else "Connection Security",
            encryption,
            required=True,
            default="none",
        ),
        Field("smtp_ssl_certificate", "binary", "SSL Certificate", groups=SYSTEM),
        Field("smtp_ssl_private_key", "binary", "SSL Private Key", groups=SYSTEM),
        _b("smtp_debug", "Debugging"),
        _i("sequence", "Priority", default=10),
        _b("active", "Active", default=True),
    )
    if major >= 19:
        server.add(Field("max_email_size", "float", "Max Email Size"))
    models[server.name] = server
    return models


# --------------------------------------------------------------------------- per module
def _add_mail(models: dict[str, ModelDef], major: int) -> None:
    mail = ModelDef("mail.mail", "Outgoing Mails", order="id desc", rec_name="subject")
    failure_types: Selection = [
        ("unknown", "Unknown error"),
        ("mail_email_invalid", "Invalid email address"),
        ("mail_email_missing", "Missing email"),
        ("mail_smtp", "Connection failed (outgoing mail server problem)"),
    ]
    if major >= 16:
        failure_types += [
            ("mail_from_invalid", "Invalid from address"),
            ("mail_from_missing", "Missing from address"),
        ]
    mail.add(
        _c("subject", "Subject"),
        _c("email_from", "From"),
        Field("email_to", "text", "To"),
        Field("body_html", "text", "Text Contents"),
        _sel(
            "state",
            "Status",
            [
                ("outgoing", "Outgoing"),
                ("sent", "Sent"),
                ("received", "Received"),
                ("exception", "Delivery Failed"),
                ("cancel", "Cancelled"),
            ],
            default="outgoing",
            readonly=True,
        ),
        Field("failure_reason", "text", "Failure Reason", readonly=True),
        _sel("failure_type", "Failure type", failure_types),
        _m2o("mail_server_id", "Outgoing mail server", "ir.mail_server"),
        Field("date", "datetime", "Date", default="now"),
        _b("auto_delete", "Auto Delete", default=True),
    )
    models[mail.name] = mail
    company = models["res.company"]
    if major >= 17:
        domain = ModelDef(
            "mail.alias.domain",
            "Email Domain",
            order="sequence ASC, id ASC",
            user_access=frozenset({"read"}),
        )
        domain.add(
            _c("name", "Name", required=True),
            Field(
                "company_ids",
                "one2many",
                "Companies",
                relation="res.company",
                inverse_name="alias_domain_id",
            ),
            _i("sequence", "Sequence", default=10),
            _c("bounce_alias", "Bounce Alias", required=True, default="bounce"),
            _c("bounce_email", "Bounce Email", compute="domain_bounce_email"),
            _c("catchall_alias", "Catchall Alias", required=True, default="catchall"),
            _c("catchall_email", "Catchall Email", compute="domain_catchall_email"),
            _c("default_from", "Default From Alias", default="notifications"),
            _c("default_from_email", "Default From", compute="domain_default_from_email"),
        )
        models[domain.name] = domain
        company.add(
            _m2o(
                "alias_domain_id", "Email Domain", "mail.alias.domain", default="first_alias_domain"
            ),
            _c("alias_domain_name", "Alias Domain Name", compute="company_alias_domain_name"),
            _c("default_from_email", "Default From", compute="company_default_from_email"),
            _c("bounce_email", "Bounce Email", compute="company_bounce_email"),
            _c("catchall_email", "Catchall Email", compute="company_catchall_email"),
        )
    else:
        company.add(_c("catchall_email", "Catchall Email", compute="company_catchall_email_icp"))
    if major >= 16:
        _add_fetchmail(models, major)
    if major >= 19:
        models["ir.mail_server"].add(_m2o("owner_user_id", "Owner", "res.users"))
        models["res.users"].add(
            _sel(
                "outgoing_mail_server_type",
                "Outgoing Mail Server Type",
                [("default", "Default")],
                required=True,
                default="default",
            ),
            _m2o(
                "outgoing_mail_server_id", "Outgoing Mail Server", "ir.mail_server", groups=SYSTEM
            ),
        )


def _add_fetchmail(models: dict[str, ModelDef], major: int) -> None:
    server = ModelDef("fetchmail.server", "Incoming Mail Server", order="priority")
    ro = major < 17  # readonly with states={'draft': ...} until 16.0
    server.add(
        _c("name", "Name", required=True),
        _b("active", "Active", default=True),
        _sel(
            "state",
            "Status",
            [("draft", "Not Confirmed"), ("done", "Confirmed")],
            default="draft",
            readonly=True,
        ),
        _c("server", "Server Name", readonly=ro),
        _i("port", "Port", readonly=ro),
        _sel(
            "server_type",
            "Server Type",
            [
                ("imap", "IMAP Server"),
                ("pop", "POP Server"),
                ("local", "Local Server"),
            ],
            required=True,
            default="pop",
        ),
        _b("is_ssl", "SSL/TLS", default=False),
        _b("attach", "Keep Attachments", default=True),
        _b("original", "Keep Original", default=False),
        Field("date", "datetime", "Last Fetch Date", readonly=True),
        _c("user", "Username", readonly=ro),
        _c("password", "Password", readonly=ro),
        _i("priority", "Server Priority", readonly=ro, default=5),
    )
    if major >= 19:
        # odoo/odoo 19.0 addons/mail/models/fetchmail.py: set by _fetch_mail on the first
        # failure of a run of failures, reset (False) by the next successful fetch.
        server.add(
            Field(
                "error_date",
                "datetime",
                "Last Error Date",
                readonly=True,
                help="Date of last failure, reset on success.",
            ),
            Field("error_message", "text", "Last Error Message", readonly=True),
        )
    models[server.name] = server


def _mixin_fields(major: int, *, with_checkbox: bool) -> list[Field]:
    out: list[Field] = []
    if with_checkbox:
        out.append(_b("use_microsoft_outlook_service", "Outlook Authentication", default=False))
    if major <= 18:
        out.append(
            _b(
                "is_microsoft_outlook_configured",
                "Is Outlook Credential Configured",
                compute="outlook_configured",
            )
        )
    out += [
        _c("microsoft_outlook_refresh_token", "Outlook Refresh Token", groups=SYSTEM),
        _c("microsoft_outlook_access_token", "Outlook Access Token", groups=SYSTEM),
        _i(
            "microsoft_outlook_access_token_expiration",
            "Outlook Access Token Expiration Timestamp",
            groups=SYSTEM,
        ),
        _c(
            "microsoft_outlook_uri",
            "Authentication URI",
            compute="outlook_uri",
            groups=SYSTEM,
            help="The URL to generate the authorization code from Outlook",
        ),
    ]
    return out


def _add_microsoft_outlook(models: dict[str, ModelDef], major: int) -> None:
    server = models["ir.mail_server"]
    server.add(*_mixin_fields(major, with_checkbox=major == 15))
    if major >= 16:
        server.selection_add("smtp_authentication", [("outlook", "Outlook OAuth Authentication")])
        fetch = models["fetchmail.server"]
        fetch.add(*_mixin_fields(major, with_checkbox=False))
        fetch.selection_add("server_type", [("outlook", "Outlook OAuth Authentication")])
    if major >= 19:
        models["res.users"].selection_add("outgoing_mail_server_type", [("outlook", "Outlook")])


def _add_google_gmail(models: dict[str, ModelDef], major: int) -> None:
    if major == 15:
        models["ir.mail_server"].add(_b("use_google_gmail_service", "Gmail Authentication"))
        return
    models["ir.mail_server"].selection_add(
        "smtp_authentication", [("gmail", "Gmail OAuth Authentication")]
    )
    models["fetchmail.server"].selection_add(
        "server_type", [("gmail", "Gmail OAuth Authentication")]
    )
    if major >= 19:
        models["res.users"].selection_add("outgoing_mail_server_type", [("gmail", "Gmail")])


# OCA/server-env mail_environment: `_server_env_fields` of ir.mail_server
# (mail_environment/models/ir_mail_server.py) and fetchmail.server
# (mail_environment/models/fetchmail_server.py), global sections outgoing_mail / incoming_mail.
SERVER_ENV_FIELDS = {
    "ir.mail_server": (
        "smtp_host",
        "smtp_port",
        "smtp_user",
        "smtp_pass",
        "smtp_ssl_certificate",
        "smtp_ssl_private_key",
        "smtp_encryption",
        "smtp_authentication",
    ),
    "fetchmail.server": (
        "server",
        "port",
        "server_type",
        "is_ssl",
        "attach",
        "original",
        "user",
        "password",
    ),
}
SERVER_ENV_SECTIONS = {"ir.mail_server": "outgoing_mail", "fetchmail.server": "incoming_mail"}


def _add_mail_environment(models: dict[str, ModelDef], _major: int) -> None:
    """server.env.mixin (OCA/server-env server_environment/models/server_env_mixin.py): each
    env field becomes computed from the configuration (`compute='_compute_server_env'`, not
    stored, not required) with an inverse that stores the value in `x_<f>_env_default` only
    while `x_<f>_env_is_editable` (no key in the configuration); the defaults are sparse fields
    of the serialized `server_env_defaults`."""
    for model, names in SERVER_ENV_FIELDS.items():
        mdef = models.get(model)
        if mdef is None:
            continue
        mdef.add(Field("server_env_defaults", "serialized", "Server Env Defaults"))
        for name in names:
            base = mdef.fields[name]
            mdef.fields[name] = replace(base, compute=f"server_env:{name}", required=False)
            mdef.add(
                replace(
                    base,
                    name=f"x_{name}_env_default",
                    string=f"{base.string} (default)",
                    required=False,
                    readonly=False,
                ),
                _b(
                    f"x_{name}_env_is_editable",
                    f"{base.string} is editable",
                    compute=f"server_env_editable:{name}",
                ),
            )


_MODULE_HOOKS: dict[str, Callable[[dict[str, ModelDef], int], None]] = {
    "mail": _add_mail,
    "fetchmail": _add_fetchmail,
    "google_gmail": _add_google_gmail,
    "microsoft_outlook": _add_microsoft_outlook,
    "fetchmail_outlook": lambda models, major: models["fetchmail.server"].add(
        *_mixin_fields(major, with_checkbox=True)
    ),
    "mail_environment": _add_mail_environment,
}
_HOOK_ORDER = [
    "mail",
    "fetchmail",
    "google_gmail",
    "microsoft_outlook",
    "fetchmail_outlook",
    "mail_environment",
]


# Models whose `create_uid` the sync reads (every Odoo model has it; the fake adds it where used).
LOG_ACCESS_MODELS = frozenset({"ir.mail_server", "fetchmail.server"})


def build_schema(major: int, installed: set[str]) -> dict[str, ModelDef]:
    models = _base_models(major)
    for module in _HOOK_ORDER:
        if module in installed:
            _MODULE_HOOKS[module](models, major)
    for model in models.values():
        model.add(
            Field("id", "integer", "ID", readonly=True),
            _c("display_name", "Display Name", compute="display_name"),
        )
        if model.name in LOG_ACCESS_MODELS:
            # models.py _add_magic_fields: create_uid is set by create() to the calling user
            model.add(_m2o("create_uid", "Created by", "res.users", readonly=True))
    return models
