"""What this Odoo database can do, from one read of `ir.model.fields` and, only when Outlook
is not installed yet, the `ir.module.module` states.

`ir.model.fields` (odoo/addons/base/models/ir_model.py) holds one row per field of the
registry, so only fields of installed modules, with `ttype` and the computed `selection`
text `str([(value, label), ...])`: one search_read answers what three `fields_get` did.
When the Outlook fields are there, the modules the sync needs are installed and their
states are not read at all (`read_fields`, `outlook_ready`).

Shapes (from Odoo's source: addons/microsoft_outlook/models/ir_mail_server.py and
fetchmail_server.py, addons/fetchmail_outlook (15.0), addons/mail/models/mail_alias_domain.py):
- Outgoing Outlook marker: boolean `use_microsoft_outlook_service` (15.0) or
  `smtp_authentication = 'outlook'` (16.0+).
- Incoming: model `fetchmail.server` comes from module `fetchmail` (15.0) or `mail` (16.0+,
  where no `fetchmail` module exists); its Outlook marker is the boolean plus
  `server_type = 'imap'` from `fetchmail_outlook` (15.0), or `server_type = 'outlook'`.
- Catch-all / default From: `mail.alias.domain` + `res.company.alias_domain_id` (17.0+), else
  the `mail.catchall.domain` / `mail.default.from` system parameters.
- Endpoint parameter: `microsoft_outlook.endpoint`, read by the mixin's `_get_microsoft_endpoint`
  on every maintained version (the single-tenant fix odoo/odoo#104795, merged on the stable
  branches in February 2023, 15.0 included). 16.0 builds from before that fix read
  `microsoft.outlook.endpoint` instead, so on 16.0 both names are written; 15.0 builds from
  before it hard-code the `common` authority (nothing can be configured there). No field
  reveals the build, so this is the one rule keyed on the version.
When `microsoft_outlook` is not installed yet (a dry run), the markers are inferred from the
module catalogue: `fetchmail_outlook` only exists on 15.0.
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from odoo_outlook.odoo.client import OdooClient
from odoo_outlook.odoo.errors import OdooSetupError
from odoo_outlook.odoo.transport import INSTALL_TIMEOUT, ServerVersion

OUTLOOK_MODULE = "microsoft_outlook"
FETCHMAIL_MODULE = "fetchmail"
FETCHMAIL_OUTLOOK_MODULE = "fetchmail_outlook"
INSTALLED_STATES = frozenset({"installed", "to upgrade"})
OUTLOOK_BOOLEAN = "use_microsoft_outlook_service"
TOKEN_FIELD = "microsoft_outlook_refresh_token"


@dataclass(frozen=True)
class ModuleStates:
    """`ir.module.module` states by module name (`installed`, `uninstalled`, ...) and their ids."""

    states: Mapping[str, str]
    ids: Mapping[str, int] = field(default_factory=dict)

    def installed(self, name: str) -> bool:
        """Whether module `name` is installed (or being upgraded)."""
        return self.states.get(name) in INSTALLED_STATES

    def exists(self, name: str) -> bool:
        """Whether module `name` is in the catalogue and installable on this version."""
        return name in self.states and self.states[name] != "uninstallable"

    def missing_for(self, incoming: bool) -> list[str]:
        """Modules to install so Outlook servers of the wanted kinds can exist."""
        wanted = [OUTLOOK_MODULE]
        if incoming and FETCHMAIL_OUTLOOK_MODULE in self.states:
            wanted.append(FETCHMAIL_OUTLOOK_MODULE)
        return [name for name in wanted if not self.installed(name)]


@dataclass(frozen=True)
class Capabilities:
    """What one database supports: version, module states, the mail server fields present and
    how Outlook servers are marked (see the module docstring for each version's shape).
    """

    version: ServerVersion
    modules: ModuleStates
    mail_server_fields: frozenset[str]
    fetchmail_fields: frozenset[str]
    # "boolean" (15.0) or "selection" (16.0+)
    smtp_marker: str
    imap_marker: str
    has_fetchmail_model: bool
    has_alias_domain: bool
    # The authority parameter current builds of every version read (`_get_microsoft_endpoint`):
    # ENDPOINT_PARAM on every version since the stable fix odoo/odoo#104795.
    endpoint_param: str
    # Older names the same version may read instead (16.0 before February 2023).
    legacy_endpoint_params: tuple[str, ...] = ()

    def fields_of(self, model: str) -> frozenset[str]:
        """The fields `model` (`ir.mail_server` or `fetchmail.server`) has in this database."""
        return self.mail_server_fields if model == OUTGOING_MODEL else self.fetchmail_fields

    def outgoing_marker(self) -> dict[str, Any]:
        """The `ir.mail_server` values that make a server Outlook's: `use_microsoft_outlook_service`
        (15.0) or `smtp_authentication = 'outlook'` (16.0+,
        addons/microsoft_outlook/models/ir_mail_server.py).
        """
        if self.smtp_marker == "boolean":
            return {OUTLOOK_BOOLEAN: True}
        return {"smtp_authentication": "outlook"}

    def incoming_marker(self) -> dict[str, Any]:
        """The `fetchmail.server` values that make a server Outlook's: the boolean with
        `server_type = 'imap'` (15.0, fetchmail_outlook) or `server_type = 'outlook'` (16.0+).
        """
        if self.imap_marker == "boolean":
            return {OUTLOOK_BOOLEAN: True, "server_type": "imap"}
        return {"server_type": "outlook"}


ENDPOINT_PARAM = "microsoft_outlook.endpoint"
LEGACY_ENDPOINT_PARAM = "microsoft.outlook.endpoint"


def legacy_endpoint_params_for(version: ServerVersion) -> tuple[str, ...]:
    """16.0 builds older than the February 2023 fix read `microsoft.outlook.endpoint`."""
    return (LEGACY_ENDPOINT_PARAM,) if version.major == 16 else ()


def read_modules(client: OdooClient) -> ModuleStates:
    """The states of `microsoft_outlook`, `fetchmail` and `fetchmail_outlook` (one
    `search_read`)."""
    rows = client.search_read(
        "ir.module.module",
        [("name", "in", [OUTLOOK_MODULE, FETCHMAIL_MODULE, FETCHMAIL_OUTLOOK_MODULE])],
        ["name", "state"],
    )
    return ModuleStates(
        {str(r["name"]): str(r["state"]) for r in rows},
        {str(r["name"]): int(r["id"]) for r in rows},
    )


def install(client: OdooClient, modules: ModuleStates, names: list[str]) -> ModuleStates:
    """`button_immediate_install` on the named modules; returns the states it leaves, without
    reading them again: the named modules and their dependencies are installed (15.0:
    `fetchmail` under `fetchmail_outlook`), and on 15.0 `fetchmail_outlook` auto-installs once
    `microsoft_outlook` and `fetchmail` are in (ir_module.py `button_install`, auto_install).
    The field shape, which is what the sync depends on, is read again by the caller."""
    unavailable = [n for n in names if not modules.exists(n)]
    if unavailable:
        raise OdooSetupError(
            f"{client.errors.where()}: module {', '.join(unavailable)} is not available"
            " (fix: add it to the addons path and update the apps list)"
        )
    client.write_call(
        "ir.module.module",
        "button_immediate_install",
        [modules.ids[n] for n in names],
        timeout=INSTALL_TIMEOUT,
    )
    states = dict(modules.states)
    done = set(names)
    if FETCHMAIL_OUTLOOK_MODULE in done:
        done |= {OUTLOOK_MODULE, FETCHMAIL_MODULE}
    states.update(dict.fromkeys(done & set(states), "installed"))
    if (
        FETCHMAIL_OUTLOOK_MODULE in states
        and states.get(OUTLOOK_MODULE) == "installed"
        and states.get(FETCHMAIL_MODULE) == "installed"
    ):
        states[FETCHMAIL_OUTLOOK_MODULE] = "installed"
    return ModuleStates(states, modules.ids)


FieldShape = dict[str, dict[str, dict[str, Any]]]  # model -> field -> {type, selection}
OUTGOING_MODEL = "ir.mail_server"
INCOMING_MODEL = "fetchmail.server"
SHAPE_MODELS = (OUTGOING_MODEL, INCOMING_MODEL)
COMPANY_ALIAS_FIELD = "alias_domain_id"
# CPython before 3.11.8 / 3.12.1 counts the AST constructor's recursion depth per interpreter,
# not per thread: `ast.literal_eval` in two fleet threads at once can raise "SystemError: AST
# constructor recursion depth mismatch" (python/cpython#106905). One parse at a time.
_AST_LOCK = threading.Lock()


def _parse_selection(text: Any) -> list[list[str]]:
    """`ir.model.fields.selection` as Odoo's `_compute_selection` writes it:
    `str([('value', 'Label'), ...])`; anything else reads as no values."""
    if not isinstance(text, str) or not text:
        return []
    try:
        with _AST_LOCK:
            items = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return []
    return [
        [str(item[0]), str(item[1])]
        for item in items
        if isinstance(item, (list, tuple)) and len(item) == 2
    ]


def read_fields(client: OdooClient, names: Sequence[str] | None = None) -> FieldShape:
    """The fields of the mail server models (all, or those in `names`) and
    `res.company.alias_domain_id`, in one `ir.model.fields` search_read; a model that does
    not exist has no entry."""
    servers: list[Any] = [("model", "in", list(SHAPE_MODELS))]
    if names is not None:
        # Plus OCA server_environment's fields (`server_env_defaults`, `x_<field>_env_is_editable`:
        # server_env_mixin.py), which tell the fields the environment manages (neighbours.py);
        # SQL's `_` matches any character, and neighbours.py keeps the exact names only.
        servers = [
            "&",
            *servers,
            "|",
            "|",
            ("name", "in", sorted(names)),
            ("name", "=", "server_env_defaults"),
            ("name", "=like", "x_%_env_is_editable"),
        ]
    rows = client.search_read(
        "ir.model.fields",
        ["|", *servers, "&", ("model", "=", "res.company"), ("name", "=", COMPANY_ALIAS_FIELD)],
        ["model", "name", "ttype", "selection"],
    )
    shape: FieldShape = {}
    for row in rows:
        shape.setdefault(str(row["model"]), {})[str(row["name"])] = {
            "type": row["ttype"],
            "selection": _parse_selection(row.get("selection")),
        }
    return shape


def outlook_ready(shape: FieldShape, incoming: bool) -> bool:
    """The Outlook fields are on the outgoing model (and the incoming one when wanted): the
    module(s) `ModuleStates.missing_for` would ask for are installed."""
    models = [OUTGOING_MODEL, *([INCOMING_MODEL] if incoming else [])]
    return all(TOKEN_FIELD in shape.get(m, {}) for m in models)


def implied_modules(shape: FieldShape) -> ModuleStates:
    """The states the field shape proves, when the module catalogue was not read."""
    states = {OUTLOOK_MODULE: "installed"}
    if OUTLOOK_BOOLEAN in shape.get(INCOMING_MODEL, {}):
        states[FETCHMAIL_OUTLOOK_MODULE] = "installed"
        states[FETCHMAIL_MODULE] = "installed"
    return ModuleStates(states)


def _selection(fields: Mapping[str, Mapping[str, Any]], name: str) -> tuple[str, ...]:
    return tuple(str(item[0]) for item in fields.get(name, {}).get("selection") or ())


def detect(
    client: OdooClient, modules: ModuleStates, shape: FieldShape | None = None
) -> Capabilities:
    """The capabilities from `shape` (one `read_fields` call when not given); read the shape
    again after any module install."""
    if shape is None:
        shape = read_fields(client)
    mail_server = shape.get(OUTGOING_MODEL, {})
    company = shape.get("res.company", {})
    fetchmail = shape.get(INCOMING_MODEL, {})
    fifteen_shape = FETCHMAIL_OUTLOOK_MODULE in modules.states
    if OUTLOOK_BOOLEAN in mail_server:
        smtp_marker = "boolean"
    elif "outlook" in _selection(mail_server, "smtp_authentication"):
        smtp_marker = "selection"
    else:
        smtp_marker = "boolean" if fifteen_shape else "selection"
    if OUTLOOK_BOOLEAN in fetchmail:
        imap_marker = "boolean"
    elif "outlook" in _selection(fetchmail, "server_type"):
        imap_marker = "selection"
    else:
        imap_marker = "boolean" if fifteen_shape else "selection"
    return Capabilities(
        version=client.version,
        modules=modules,
        mail_server_fields=frozenset(mail_server),
        fetchmail_fields=frozenset(fetchmail),
        smtp_marker=smtp_marker,
        imap_marker=imap_marker,
        has_fetchmail_model=bool(fetchmail),
        has_alias_domain="alias_domain_id" in company,
        endpoint_param=ENDPOINT_PARAM,
        legacy_endpoint_params=legacy_endpoint_params_for(client.version),
    )
