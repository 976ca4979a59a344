"""Model-specific behaviour copied from Odoo's source: computed fields, Python
constraints (with Odoo's exact UserError texts per version), SQL constraints,
create/write hooks and public model methods."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urljoin

from .exceptions import UserError, ValidationError

if TYPE_CHECKING:
    from .database import Database

Record = dict[str, Any]

OUTLOOK_ENDPOINT = "https://login.microsoftonline.com/common/oauth2/v2.0/"
SCOPES = {
    "ir.mail_server": "https://outlook.office.com/SMTP.Send",
    "fetchmail.server": "https://outlook.office.com/IMAP.AccessAsUser.All",
}


# Versions whose Outlook constraint requires From filter = Username (see _check_outlook_smtp).
FROM_FILTER_MUST_BE_USERNAME = frozenset({17})


# --------------------------------------------------------------------------- helpers
def quote_name(major: int, name: Any) -> str:
    """15.0/16.0 format server names with %r, 17.0+ with “%s”."""
    return repr(name) if major <= 16 else f"“{name}”"


def is_outlook(db: Database, model: str, rec: Record) -> bool:
    if db.major == 15:
        return bool(rec.get("use_microsoft_outlook_service"))
    key = "smtp_authentication" if model == "ir.mail_server" else "server_type"
    return rec.get(key) == "outlook"


# --------------------------------------------------------------------------- computes
def _outlook_configured(db: Database, model: str, rec: Record) -> bool:
    configured = bool(
        db.param("microsoft_outlook_client_id") and db.param("microsoft_outlook_client_secret")
    )
    if db.major == 15:  # microsoft_outlook_mixin.py 15.0: no per-server filter
        return configured
    return configured and is_outlook(db, model, rec)


def _outlook_uri(db: Database, model: str, rec: Record) -> str | bool:
    """microsoft_outlook_mixin.py ``_compute_outlook_uri`` per version."""
    client_id = db.param("microsoft_outlook_client_id")
    if db.major >= 18:
        configured = bool(client_id and db.param("microsoft_outlook_client_secret"))
    else:
        configured = _outlook_configured(db, model, rec)
    if db.major == 15 and not rec.get("use_microsoft_outlook_service"):
        configured = False
    if not rec.get("id") or not configured:
        return False
    # `_get_microsoft_endpoint` of current 15.0-19.0 builds (odoo/odoo#104795, February 2023);
    # older 16.0 builds read 'microsoft.outlook.endpoint', older 15.0 ones no parameter.
    endpoint = db.param("microsoft_outlook.endpoint") or OUTLOOK_ENDPOINT
    scope = f"offline_access {SCOPES[model]}"
    if db.major >= 18:
        scope = f"openid email offline_access https://outlook.office.com/User.read {SCOPES[model]}"
    base_url = db.param("web.base.url") or ""
    query = urlencode(
        {
            "client_id": client_id,
            "response_type": "code",
            "redirect_uri": urljoin(base_url, "/microsoft_outlook/confirm"),
            "response_mode": "query",
            "scope": scope,
            "state": json.dumps(
                {"model": model, "id": rec["id"], "csrf_token": csrf_token(db, model, rec["id"])}
            ),
        }
    )
    return urljoin(endpoint, f"authorize?{query}")


def csrf_token(db: Database, model: str, res_id: int) -> str:
    secret = (db.param("database.secret") or "").encode()
    message = repr((db.name, "microsoft_outlook_oauth", model, res_id)).encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def _alias_domain(db: Database, rec: Record) -> Record | None:
    domain_id = rec.get("alias_domain_id")
    return db.tables["mail.alias.domain"].get(domain_id) if domain_id else None


def _domain_default_from_email(_db: Database, _model: str, rec: Record) -> str:
    default_from = rec.get("default_from")
    if not default_from:
        return ""
    return default_from if "@" in default_from else f"{default_from}@{rec.get('name')}"


def _company_from_domain(key: str) -> Callable[[Database, str, Record], Any]:
    def compute(db: Database, _model: str, rec: Record) -> Any:
        domain = _alias_domain(db, rec)
        return COMPUTES[key](db, "mail.alias.domain", domain) if domain else False

    return compute


def _company_catchall_icp(db: Database, _model: str, _rec: Record) -> str:
    alias, domain = db.param("mail.catchall.alias"), db.param("mail.catchall.domain")
    return f"{alias}@{domain}" if alias and domain else ""


def _display_name(db: Database, model: str, rec: Record) -> Any:
    mdef = db.schema[model]
    if model == "ir.model.data":
        return f"{rec.get('module')}.{rec.get('name')}"
    value = rec.get(mdef.rec_name) if mdef.rec_name in mdef.fields else None
    return value or f"{model},{rec.get('id')}"


# ------------------------------------------------------------ OCA server.env.mixin
def _env_key_defined(db: Database, model: str, rec: Record, fname: str) -> tuple[bool, Any]:
    """`_server_env_has_key_defined` + `_server_env_read_from_config`: the record's section
    `<global>.<name>` first, then the global section."""
    from .schema import SERVER_ENV_SECTIONS

    base = SERVER_ENV_SECTIONS[model]
    for section in (f"{base}.{rec.get('name')}", base):
        values = db.server_env.get(section, {})
        if fname in values:
            return True, values[fname]
    return False, None


def _env_value(db: Database, model: str, rec: Record, fname: str) -> Any:
    defined, raw = _env_key_defined(db, model, rec, fname)
    if not defined:
        return rec.get(f"x_{fname}_env_default", False)
    ftype = db.schema[model].fields[fname].type
    if ftype == "integer":  # configparser getint / getboolean
        return int(raw)
    if ftype == "boolean":
        return str(raw).strip().lower() in ("1", "yes", "true", "on")
    return raw


class _Computes(dict[str, Callable[["Database", str, Record], Any]]):
    """The compute functions by name; `server_env:<field>` and `server_env_editable:<field>`
    are made on demand for the fields server.env.mixin replaces."""

    def __missing__(self, key: str) -> Callable[[Database, str, Record], Any]:
        kind, _, fname = key.partition(":")
        if kind == "server_env":
            return lambda db, m, r: _env_value(db, m, r, fname)
        if kind == "server_env_editable":
            return lambda db, m, r: not _env_key_defined(db, m, r, fname)[0]
        raise KeyError(key)


def server_env_inverse(db: Database, model: str, rec: Record, vals: dict[str, Any]) -> None:
    """`_inverse_server_env`: a written env field lands in `x_<f>_env_default` only while no
    configuration key holds it (`x_<f>_env_is_editable`); otherwise the value is dropped."""
    mdef = db.schema[model]
    for fname, value in vals.items():
        f = mdef.fields.get(fname)
        if f is None or not (f.compute or "").startswith("server_env:"):
            continue
        if not _env_key_defined(db, model, rec, fname)[0]:
            rec[f"x_{fname}_env_default"] = value


def effective(db: Database, model: str, rec: Record) -> Record:
    """The record as constraints see it: env-computed fields with their computed value."""
    env_fields = [
        n for n, f in db.schema[model].fields.items() if (f.compute or "").startswith("server_env:")
    ]
    if not env_fields:
        return rec
    return {**rec, **{n: _env_value(db, model, rec, n) for n in env_fields}}


COMPUTES: dict[str, Callable[[Database, str, Record], Any]] = _Computes(
    {
        "display_name": _display_name,
        "imd_complete_name": lambda _db, _m, r: f"{r.get('module')}.{r.get('name')}",
        "outlook_configured": _outlook_configured,
        "outlook_uri": _outlook_uri,
        "domain_bounce_email": lambda _db, _m, r: (
            f"{r['bounce_alias']}@{r['name']}" if r.get("bounce_alias") else ""
        ),
        "domain_catchall_email": lambda _db, _m, r: (
            f"{r['catchall_alias']}@{r['name']}" if r.get("catchall_alias") else ""
        ),
        "domain_default_from_email": _domain_default_from_email,
        "company_alias_domain_name": lambda db, _m, r: (
            (_alias_domain(db, r) or {}).get("name") or False
        ),
        "company_default_from_email": _company_from_domain("domain_default_from_email"),
        "company_bounce_email": _company_from_domain("domain_bounce_email"),
        "company_catchall_email": _company_from_domain("domain_catchall_email"),
        "company_catchall_email_icp": _company_catchall_icp,
    }
)


# --------------------------------------------------------------------------- constraints
@dataclass(frozen=True)
class Constraint:
    triggers: frozenset[str]
    check: Callable[[Database, Record], None]


def _check_outlook_smtp(db: Database, rec: Record) -> None:
    """microsoft_outlook/models/ir_mail_server.py ``_check_use_microsoft_outlook_service``."""
    if not is_outlook(db, "ir.mail_server", rec):
        return
    name = quote_name(db.major, rec.get("name"))
    if rec.get("smtp_pass"):
        raise UserError(
            f"Please leave the password field empty for Outlook mail server {name}. "
            "The OAuth process does not require it"
        )
    if rec.get("smtp_encryption") != "starttls":
        raise UserError(
            f"Incorrect Connection Security for Outlook mail server {name}. "
            'Please set it to "TLS (STARTTLS)".'
        )
    if not rec.get("smtp_user"):
        raise UserError(
            'Please fill the "Username" field with your Outlook/Office365 username '
            "(your email address). This should be the same account as the one used "
            "for the Outlook OAuthentication Token."
        )
    from_filter = rec.get("from_filter")
    if (
        db.major in FROM_FILTER_MUST_BE_USERNAME
        and from_filter
        and from_filter != rec.get("smtp_user")
    ):
        # Not a verbatim copy: the 17.0 build checked in the lab refuses Username != From filter
        # (microsoft_outlook/models/ir_mail_server.py `_check_use_microsoft_outlook_service`);
        # 16.0 since the 2024 fix, 18.0 and 19.0 accept a delegate sending as a shared mailbox
        # (the project's rule table: odoo_outlook/odoo/neighbours.py `delegation_rule`).
        raise UserError(
            f"The From Filter of Outlook mail server {name} must be the same as its Username"
            " (the Outlook account used for the OAuthentication Token)."
        )


def _check_outlook_imap_15(_db: Database, rec: Record) -> None:
    """fetchmail_outlook/models/fetchmail_server.py (15.0)."""
    if not rec.get("use_microsoft_outlook_service"):
        return
    name = repr(rec.get("name"))
    if rec.get("server_type") != "imap":
        raise UserError(f"Outlook mail server {name} only supports IMAP server type.")
    if rec.get("password"):
        raise UserError(
            f"Please leave the password field empty for Outlook mail server {name}. "
            "The OAuth process does not require it"
        )
    if not rec.get("is_ssl"):
        # Odoo 15.0 ships `_('SSL is required .') % server.name`, which raises
        # TypeError instead of the intended UserError (fault code 1).
        template = "SSL is required ."
        raise UserError(template % rec.get("name"))


def _check_outlook_imap(db: Database, rec: Record) -> None:
    """microsoft_outlook/models/fetchmail_server.py (16.0+)."""
    if rec.get("server_type") == "outlook" and not rec.get("is_ssl"):
        if db.major == 16:  # 16.0: _('SSL is required for the server %r.', server.name)
            raise UserError(f"SSL is required for the server {rec.get('name')!r}.")
        raise UserError(f"SSL is required for server “{rec.get('name')}”.")


_ATOM = r"[-!#$%&'*+/=?^_`{|}~0-9A-Za-z]+"
DOT_ATOM_TEXT = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*$")


def _check_alias_domain_name(_db: Database, rec: Record) -> None:
    if not DOT_ATOM_TEXT.match(rec.get("name") or ""):
        raise ValidationError(
            "You cannot use anything else than unaccented latin characters in the "
            f"domain name {rec.get('name')}."
        )


def _match_from_filter(address: str, from_filter: Any) -> bool:
    """ir.mail_server ``_match_from_filter``: the exact address or its domain, among the
    comma-separated parts of the filter."""
    address = (address or "").lower()
    domain = address.rpartition("@")[2]
    parts = [p.strip().lower() for p in str(from_filter or "").split(",") if p.strip()]
    return any(p == address if "@" in p else p == domain for p in parts)


def _check_default_from_not_used_by_users(db: Database, rec: Record) -> None:
    """19.0 mail_alias_domain.py: create() and write() refuse a default From that an active
    personal server's From filter matches."""
    address = _domain_default_from_email(db, "mail.alias.domain", rec)
    for server in db.tables["ir.mail_server"].values():
        if (
            server.get("owner_user_id")
            and server.get("active")
            and address
            and _match_from_filter(address, server.get("from_filter"))
        ):
            raise UserError("A personal mail server is using that address, you can not use it.")


def constraints(db: Database, model: str) -> list[Constraint]:
    if model == "ir.mail_server" and "microsoft_outlook" in db.installed:
        triggers = {"use_microsoft_outlook_service", "smtp_pass", "smtp_encryption"}
        if db.major >= 16:
            triggers = {"smtp_authentication", "smtp_pass", "smtp_encryption", "smtp_user"}
        if db.major in FROM_FILTER_MUST_BE_USERNAME:
            triggers.add("from_filter")
        return [Constraint(frozenset(triggers), _check_outlook_smtp)]
    if model == "fetchmail.server":
        if db.major == 15 and "fetchmail_outlook" in db.installed:
            triggers = {"use_microsoft_outlook_service", "server_type", "password", "is_ssl"}
            return [Constraint(frozenset(triggers), _check_outlook_imap_15)]
        if db.major >= 16 and "microsoft_outlook" in db.installed:
            return [Constraint(frozenset({"server_type", "is_ssl"}), _check_outlook_imap)]
    if model == "mail.alias.domain":
        out = [Constraint(frozenset({"name"}), _check_alias_domain_name)]
        if db.major >= 19:  # checked on every create and write, whatever the fields
            every = frozenset(db.schema[model].fields)
            out.append(Constraint(every, _check_default_from_not_used_by_users))
        return out
    return []


@dataclass(frozen=True)
class SqlUnique:
    name: str
    fields: tuple[str, ...]
    message: str | None  # None: a unique index, Odoo shows psycopg2's text


def sql_uniques(db: Database, model: str) -> list[SqlUnique]:
    if model == "ir.config_parameter":
        return [SqlUnique("ir_config_parameter_key_uniq", ("key",), "Key must be unique.")]
    if model == "ir.model.data":
        return [SqlUnique("ir_model_data_module_name_uniq_index", ("module", "name"), None)]
    if model == "mail.alias.domain":
        return [
            SqlUnique(
                "mail_alias_domain_bounce_email_uniques",
                ("bounce_alias", "name"),
                "Bounce emails should be unique",
            ),
            SqlUnique(
                "mail_alias_domain_catchall_email_uniques",
                ("catchall_alias", "name"),
                "Catchall emails should be unique",
            ),
        ]
    if model == "ir.mail_server" and db.major >= 19:
        return [
            SqlUnique(
                "ir_mail_server_unique_owner_user_id",
                ("owner_user_id",),
                "owner_user_id must be unique",
            )
        ]
    return []


def unique_violation(db: Database, uniq: SqlUnique, values: tuple[Any, ...]) -> ValidationError:
    """The ValidationError Odoo builds from an IntegrityError (service/model.py)."""
    if uniq.message is not None:
        text = uniq.message
    else:
        cols = ", ".join(uniq.fields)
        vals = ", ".join(str(v) for v in values)
        text = (
            f'duplicate key value violates unique constraint "{uniq.name}"\n'
            f"DETAIL:  Key ({cols})=({vals}) already exists.\n"
        )
    error = ValidationError(
        text if db.major == 15 else f"The operation cannot be completed: {text}"
    )
    error.sql_unique = uniq  # type: ignore[attr-defined]  # what psycopg2's diag names (load)
    return error


# --------------------------------------------------------------------------- hooks
def sanitize_alias_name(name: Any, *, is_email: bool = False) -> Any:
    """mail.alias ``_sanitize_alias_name`` (approximation)."""
    if not name:
        return name
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    if not is_email:
        text = text.split("@")[0]
    text = re.sub(r"[^\w+.@]+" if is_email else r"[^\w+.]+", "-", text)
    text = re.sub(r"^\.+|\.+$|\.+(?=\.)", "", text)
    return text or False


def before_save(_db: Database, model: str, vals: dict[str, Any]) -> None:
    if model == "mail.alias.domain":
        for key in ("bounce_alias", "catchall_alias"):
            if vals.get(key):
                vals[key] = sanitize_alias_name(vals[key])
        if vals.get("default_from"):
            vals["default_from"] = sanitize_alias_name(vals["default_from"], is_email=True)


def after_create(db: Database, model: str, ids: list[int]) -> None:
    if model == "mail.alias.domain" and ids and len(db.tables[model]) == len(ids):
        # mail_alias_domain.py create(): the first domain goes to every company
        for company in db.tables["res.company"].values():
            if not company.get("alias_domain_id"):
                company["alias_domain_id"] = ids[0]


def default_value(db: Database, _model: str, key: Any) -> Any:
    if key == "now":
        return db.now()
    if key == "first_alias_domain":
        domains = db.tables.get("mail.alias.domain") or {}
        return min(domains) if domains else False
    return key
