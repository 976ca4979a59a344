"""One fake Odoo database: tables, users, modules, and the public methods that
``execute_kw`` and JSON-2 can call (with Odoo's parameter names per version)."""

from __future__ import annotations

import datetime as dt
import inspect
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import orm, outlook_flow
from .exceptions import AccessDenied, AccessError, UserError
from .load import load as load_records
from .orm import Env
from .schema import ModelDef, build_schema, default_installed, module_catalog

Record = dict[str, Any]
ADMIN_UID = 2
DEMO_UID = 6
SUPERUSER_UID = 1
_REQUIRED = inspect.Parameter.empty


@dataclass(frozen=True)
class Method:
    """A public model method: its Python signature and implementation."""

    name: str
    params: tuple[tuple[str, Any], ...]
    api_model: bool
    impl: Callable[..., Any]
    models: frozenset[str] | None = None

    def signature(self) -> inspect.Signature:
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        params = [inspect.Parameter("self", kind)]
        params += [inspect.Parameter(n, kind, default=d) for n, d in self.params]
        return inspect.Signature(params)


class Database:
    def __init__(
        self,
        name: str,
        version: str,
        *,
        modules: dict[str, str] | None = None,
        admin_password: str = "admin",
        admin_api_key: str | None = None,
        demo_password: str = "demo",
        demo_api_key: str | None = None,
        base_url: str = "http://localhost:8069",
    ) -> None:
        self.name = name
        self.version = version
        self.major = int(version.split(".")[0])
        self.lock = threading.RLock()
        self.tables: dict[str, dict[int, Record]] = defaultdict(dict)
        self._next_id: dict[str, int] = defaultdict(lambda: 1)
        self.passwords: dict[int, str] = {ADMIN_UID: admin_password, DEMO_UID: demo_password}
        self.api_keys: dict[str, int] = {}
        if admin_api_key:
            self.api_keys[admin_api_key] = ADMIN_UID
        if demo_api_key:
            self.api_keys[demo_api_key] = DEMO_UID
        self.catalog = module_catalog(self.major)
        installed = default_installed(self.major)
        self.module_states = {
            n: ("installed" if n in installed else "uninstalled") for n in self.catalog
        }
        self.module_states.update(modules or {})
        self.schema: dict[str, ModelDef] = {}
        # (model, id) -> ("token" | "reply", Microsoft's text): see outlook_flow.py.
        self.outlook_failures: dict[tuple[str, int], tuple[str, str]] = {}
        # OCA server_environment configuration: section name -> key -> raw value.
        self.server_env: dict[str, dict[str, str]] = {}
        self._rebuild_schema()
        self._init_data(base_url)

    # ------------------------------------------------------------------ basics
    @property
    def installed(self) -> set[str]:
        return {n for n, s in self.module_states.items() if s == "installed"}

    def _rebuild_schema(self) -> None:
        self.schema = build_schema(self.major, self.installed)
        self._reflect_fields()

    def _reflect_fields(self) -> None:
        """ir.model.fields rows for the registry (ir_model.py `_reflect_fields`): ids stay
        stable across installs; fields of uninstalled modules have no row."""
        table = self.tables["ir.model.fields"]
        by_key = {(r["model"], r["name"]): rid for rid, r in table.items()}
        keep: set[int] = set()
        for model in self.schema.values():
            for f in model.fields.values():
                row = {
                    "name": f.name,
                    "model": model.name,
                    "field_description": f.string,
                    "ttype": f.type,
                    "relation": f.relation or False,
                    "selection": str([tuple(item) for item in f.selection])
                    if f.selection is not None
                    else False,
                    "required": f.required,
                    "readonly": f.readonly,
                    "store": f.store,
                }
                rid = by_key.get((model.name, f.name))
                if rid is None:
                    rid = self.insert("ir.model.fields", row)
                else:
                    table[rid] = {**row, "id": rid}
                keep.add(rid)
        for rid in set(table) - keep:
            del table[rid]

    def now(self) -> str:
        return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")

    def peek_id(self, model: str) -> int:
        return self._next_id[model]

    def insert(self, model: str, rec: Record, rid: int | None = None) -> int:
        rid = rid or self._next_id[model]
        self._next_id[model] = max(self._next_id[model], rid + 1)
        rec["id"] = rid
        self.tables[model][rid] = rec
        return rid

    def env(self, uid: int = SUPERUSER_UID, context: dict[str, Any] | None = None) -> Env:
        return Env(self, uid, dict(context or {}))

    def param(self, key: str) -> Any:
        for rec in self.tables["ir.config_parameter"].values():
            if rec.get("key") == key:
                return rec.get("value") or False
        return False

    def is_admin(self, uid: int) -> bool:
        return uid in (SUPERUSER_UID, ADMIN_UID)

    # ------------------------------------------------------------------ initial data
    def _init_data(self, base_url: str) -> None:
        env = self.env()
        self.insert(
            "res.company",
            {"name": "My Company", "active": True, "sequence": 0, "email": "info@yourcompany.com"},
            1,
        )
        users = [
            (SUPERUSER_UID, "OdooBot", "__system__", False),
            (ADMIN_UID, "Mitchell Admin", "admin", True),
            (DEMO_UID, "Marc Demo", "demo", True),
        ]
        for uid, uname, login, active in users:
            rec = {
                "name": uname,
                "login": login,
                "active": active,
                "company_id": 1,
                "email": f"{login}@example.com",
            }
            if "outgoing_mail_server_type" in self.schema["res.users"].fields:
                rec["outgoing_mail_server_type"] = "default"
            self.insert("res.users", rec, uid)
        params = {
            "web.base.url": base_url,
            "database.secret": str(uuid.uuid4()),
            "database.uuid": str(uuid.uuid1()),
            "database.create_date": self.now(),
        }
        if self.major <= 16:
            params |= {
                "mail.catchall.alias": "catchall",
                "mail.bounce.alias": "bounce",
                "mail.default.from": "notifications",
            }
        orm.create(env, "ir.config_parameter", [{"key": k, "value": v} for k, v in params.items()])
        for name, module in self.catalog.items():
            self.insert(
                "ir.module.module",
                {
                    "name": name,
                    "shortdesc": module.shortdesc,
                    "state": self.module_states[name],
                    "auto_install": module.auto_install,
                    "application": module.application,
                    "author": "Odoo S.A.",
                    "latest_version": f"{self.version}.1.0",
                    "demo": False,
                    "summary": False,
                },
            )
        xmlids = [
            ("base", "main_company", "res.company", 1),
            ("base", "user_root", "res.users", SUPERUSER_UID),
            ("base", "user_admin", "res.users", ADMIN_UID),
            ("base", "user_demo", "res.users", DEMO_UID),
        ]
        orm.create(
            env,
            "ir.model.data",
            [
                {"module": m, "name": n, "model": model, "res_id": rid, "noupdate": True}
                for m, n, model, rid in xmlids
            ],
        )

    # ------------------------------------------------------------------ auth
    def authenticate(self, login: str, password: str) -> int | bool:
        for uid, user in self.tables["res.users"].items():
            if user.get("login") == login and user.get("active"):
                if password and self._password_ok(uid, password):
                    return uid
                return False
        return False

    def _password_ok(self, uid: int, password: str) -> bool:
        return self.passwords.get(uid) == password or self.api_keys.get(password) == uid

    def check_credentials(self, uid: Any, password: Any) -> int:
        """res.users.check (service/security.py): AccessDenied on any mismatch."""
        try:
            uid = int(uid)
        except (TypeError, ValueError):
            raise AccessDenied() from None
        user = self.tables["res.users"].get(uid)
        if (
            not user
            or not user.get("active")
            or not password
            or not self._password_ok(uid, str(password))
        ):
            raise AccessDenied()
        return uid

    def uid_for_api_key(self, key: str) -> int | None:
        uid = self.api_keys.get(key)
        user = self.tables["res.users"].get(uid or 0)
        return uid if user and user.get("active") else None

    # ------------------------------------------------------------------ modules
    def set_module_state(self, name: str, state: str) -> None:
        self.module_states[name] = state
        for rec in self.tables["ir.module.module"].values():
            if rec["name"] == name:
                rec["state"] = state
        self._rebuild_schema()

    def install_modules(self, names: Sequence[str]) -> list[str]:
        """button_install + auto_install closure, then load (schema rebuild)."""
        todo: list[str] = []

        def add(name: str) -> None:
            if name not in self.catalog:
                raise UserError(f"Module {name!r} is not available in your system.")
            if self.module_states.get(name) == "installed" or name in todo:
                return
            for dep in self.catalog[name].depends:
                add(dep)
            todo.append(name)

        for name in names:
            add(name)
        changed = True
        while changed:
            changed = False
            done = self.installed | set(todo)
            for mod in self.catalog.values():
                if (
                    mod.auto_install
                    and mod.name not in done
                    and all(d in done for d in mod.depends)
                ):
                    todo.append(mod.name)
                    changed = True
        was_mail = "mail" in self.installed
        for name in todo:
            self.set_module_state(name, "installed")
        if self.major >= 17 and not was_mail and "mail" in self.installed:
            self._migrate_icp_to_domain()
        return todo

    def _migrate_icp_to_domain(self) -> None:
        domain = self.param("mail.catchall.domain")
        if domain:
            orm.create(
                self.env(),
                "mail.alias.domain",
                [
                    {
                        "name": domain,
                        "bounce_alias": self.param("mail.bounce.alias") or "bounce",
                        "catchall_alias": self.param("mail.catchall.alias") or "catchall",
                        "default_from": self.param("mail.default.from") or "notifications",
                    }
                ],
            )

    # ------------------------------------------------------------------ test helpers
    def records(self, model: str, domain: Sequence[Any] | None = None) -> list[Record]:
        """Stored values of every record (archived included), as copies."""
        with self.lock:
            env = self.env(context={"active_test": False})
            found = orm.search_records(env, model, domain or [])
            return [dict(r) for r in found]

    def record(self, model: str, res_id: int) -> Record:
        with self.lock:
            return dict(self.tables[model][res_id])

    def read(
        self,
        model: str,
        ids: Sequence[int],
        fields: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """``read()`` as the superuser, computed fields included."""
        with self.lock:
            env = self.env()
            return orm.read_records(env, model, orm.existing(env, model, ids), fields)

    def seed(
        self, model: str, vals: dict[str, Any] | list[dict[str, Any]], *, check: bool = False
    ) -> Any:
        """Insert records directly (defaults applied; constraints only if ``check``)."""
        vals_list = [vals] if isinstance(vals, dict) else list(vals)
        with self.lock:
            if check:
                ids = orm.create(self.env(), model, vals_list)
            else:
                ids = [self._seed_one(model, v) for v in vals_list]
        return ids[0] if isinstance(vals, dict) else ids

    def _seed_one(self, model: str, vals: dict[str, Any]) -> int:
        mdef = self.schema[model]
        env = self.env()
        rec: Record = {}
        for name, f in mdef.fields.items():
            if f.store and name != "id":
                rec[name] = orm._default(env, model, f)
        for name, value in vals.items():
            f = mdef.fields.get(name)
            if f is None:
                raise ValueError(f"Invalid field {name!r} on model {model!r}")
            if f.store:
                rec[name] = orm.convert(env, model, f, value)
        return self.insert(model, rec)

    def get_param(self, key: str) -> Any:
        with self.lock:
            return self.param(key)

    def set_param(self, key: str, value: Any) -> Any:
        with self.lock:
            return _set_param(self.env(), "ir.config_parameter", [], key, value)

    def module_state(self, name: str) -> str:
        return self.module_states[name]

    def connect_outlook(
        self,
        model: str,
        res_id: int,
        *,
        refresh_token: str = "fake-refresh",
        access_token: str = "fake-access",
        expiration: int | None = None,
    ) -> None:
        """What "Connect your Outlook account" leaves behind on a server record."""
        with self.lock:
            self.tables[model][res_id].update(
                {
                    "microsoft_outlook_refresh_token": refresh_token,
                    "microsoft_outlook_access_token": access_token,
                    "microsoft_outlook_access_token_expiration": expiration
                    if expiration is not None
                    else int(time.time()) + 3600,
                }
            )

    def fail_outlook(self, model: str, res_id: int, kind: str, text: str) -> None:
        """Make Microsoft refuse this server's Outlook login in the test buttons: kind "token"
        (the token endpoint's error_description) or "reply" (the SMTP/IMAP server's answer)."""
        if kind not in ("token", "reply"):
            raise ValueError(kind)
        with self.lock:
            self.outlook_failures[(model, res_id)] = (kind, text)

    def seed_failed_mail(
        self,
        *,
        subject: str = "Test",
        email_from: str = "admin@example.com",
        failure_reason: str = "Authentication failed",
        failure_type: str = "mail_smtp",
        mail_server_id: int | bool = False,
        date: str | None = None,
    ) -> int:
        return self.seed(
            "mail.mail",
            {
                "subject": subject,
                "email_from": email_from,
                "email_to": "to@example.com",
                "state": "exception",
                "failure_reason": failure_reason,
                "failure_type": failure_type,
                "mail_server_id": mail_server_id,
                "date": date or self.now(),
            },
        )

    def add_api_key(self, uid: int, key: str) -> None:
        self.api_keys[key] = uid

    def set_password(self, uid: int, password: str) -> None:
        self.passwords[uid] = password

    # ------------------------------------------------------------------ dispatch
    def get_method(self, model: str, name: str) -> Method | None:
        for method in methods(self.major):
            if method.name == name and (method.models is None or model in method.models):
                return method
        return None

    def check_model(self, model: str) -> None:
        if model not in self.schema:
            raise UserError(f"Object {model} doesn't exist")

    def public_method(self, model: str, name: str) -> Method:
        """odoo/service/model.py get_public_method (17+) / check_method_name (15-16)."""
        if name.startswith("_"):
            if self.major <= 16:
                raise AccessError(f"Private methods (such as {name}) cannot be called remotely.")
            raise AccessError(
                f"Private methods (such as '{model}.{name}') cannot be called remotely."
            )
        method = self.get_method(model, name)
        if method is None:
            if self.major <= 17:
                raise AttributeError(f"type object {model!r} has no attribute {name!r}")
            raise AttributeError(f"The method '{model}.{name}' does not exist")
        return method

    def execute_kw(
        self, uid: int, model: str, name: str, args: Sequence[Any], kwargs: dict[str, Any]
    ) -> Any:
        """odoo.api.call_kw: ids come first for record methods, context is a kwarg."""
        if self.major <= 16 and name.startswith("_"):
            self.public_method(model, name)  # check_method_name runs before the model lookup
        self.check_model(model)
        method = self.public_method(model, name)
        kwargs = dict(kwargs or {})
        context = kwargs.pop("context", None) or {}
        args = list(args or [])
        ids: list[int] = []
        if not method.api_model:
            if not args:
                raise TypeError(f"{name}() missing 1 required positional argument: 'ids'")
            raw = args.pop(0)
            ids = [raw] if isinstance(raw, int) else list(raw or [])
        bound = method.signature().bind(None, *args, **kwargs)
        bound.apply_defaults()
        call_args = dict(list(bound.arguments.items())[1:])
        with self.lock:
            result = method.impl(self.env(uid, context), model, ids, **call_args)
        if name == "create":
            first = args[0] if args else kwargs.get("vals_list")
            return result[0] if isinstance(first, dict) else result
        return result

    def call_json2(
        self,
        uid: int,
        model: str,
        name: str,
        ids: Sequence[int],
        context: dict[str, Any],
        kwargs: dict[str, Any],
    ) -> Any:
        """addons/rpc/controllers/json2.py ``web_json_2_rpc``."""
        from .exceptions import NotFound, UnprocessableEntity

        if model not in self.schema:
            raise NotFound(f"the model {model!r} does not exist")
        try:
            method = self.public_method(model, name)
        except AttributeError as exc:
            raise NotFound(exc.args[0]) from exc
        if method.api_model and ids:
            raise UnprocessableEntity(f"cannot call {model}.{name} with ids")
        try:
            bound = method.signature().bind(None, **kwargs)
        except TypeError as exc:
            raise UnprocessableEntity(exc.args[0]) from exc
        bound.apply_defaults()
        call_args = dict(list(bound.arguments.items())[1:])
        if name == "create" and isinstance(call_args.get("vals_list"), dict):
            call_args["vals_list"] = [call_args["vals_list"]]
        with self.lock:
            return method.impl(self.env(uid, context), model, list(ids or []), **call_args)


# ---------------------------------------------------------------------- methods
def _search(
    env: Env,
    model: str,
    ids: list[int],
    domain: Any,
    offset: int = 0,
    limit: Any = None,
    order: Any = None,
    count: bool = False,
) -> Any:
    recs = orm.search_records(env, model, domain, offset, limit, order)
    return len(recs) if count else [r["id"] for r in recs]


def _search_count(env: Env, model: str, ids: list[int], domain: Any, limit: Any = None) -> int:
    return len(orm.search_records(env, model, domain, 0, limit, None))


def _search_read(
    env: Env,
    model: str,
    ids: list[int],
    domain: Any = None,
    fields: Any = None,
    offset: int = 0,
    limit: Any = None,
    order: Any = None,
) -> list[dict[str, Any]]:
    recs = orm.search_records(env, model, domain, offset, limit, order)
    return orm.read_records(env, model, recs, fields)


def _read(
    env: Env, model: str, ids: list[int], fields: Any = None, load: str = "_classic_read"
) -> list[dict[str, Any]]:
    orm.check_access(env, model, "read")
    return orm.read_records(env, model, orm.existing(env, model, ids), fields)


def _create(env: Env, model: str, ids: list[int], vals_list: Any) -> list[int]:
    if isinstance(vals_list, dict):
        vals_list = [vals_list]
    return orm.create(env, model, list(vals_list))


def _get_param(env: Env, model: str, ids: list[int], key: str, default: Any = False) -> Any:
    orm.check_access(env, model, "read")
    return env.db.param(key) or default


def _set_param(env: Env, model: str, ids: list[int], key: str, value: Any) -> Any:
    """ir_config_parameter.py set_param: returns the old value or False."""
    found = orm.search_records(env, model, [("key", "=", key)])
    if found:
        old = found[0].get("value")
        if value is not False and value is not None:
            if str(value) != old:
                orm.write(env, model, [found[0]["id"]], {"value": value})
        else:
            orm.unlink(env, model, [found[0]["id"]])
        return old
    if value is not False and value is not None:
        orm.create(env, model, [{"key": key, "value": value}])
    return False


def _button_immediate_install(env: Env, model: str, ids: list[int]) -> dict[str, Any]:
    """ir_module.py: @assert_log_admin_access raises AccessDenied for non-admins."""
    recs = orm.existing(env, model, ids)
    if not env.is_admin:
        raise AccessDenied()
    env.db.install_modules([r["name"] for r in recs])
    return {"type": "ir.actions.client", "tag": "reload", "params": {"menu_id": 1}}


def _name_get(env: Env, model: str, ids: list[int]) -> list[list[Any]]:
    orm.check_access(env, model, "read")
    return [
        [r["id"], orm.value_of(env, model, r, "display_name")]
        for r in orm.existing(env, model, ids)
    ]


def methods(major: int) -> list[Method]:
    dom = "args" if major <= 16 else "domain"
    search_params: tuple[tuple[str, Any], ...] = (
        (dom, _REQUIRED),
        ("offset", 0),
        ("limit", None),
        ("order", None),
    )
    if major <= 16:
        search_params += (("count", False),)
    count_params: tuple[tuple[str, Any], ...] = ((dom, _REQUIRED),)
    if major >= 17:
        count_params += (("limit", None),)

    def rename(fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(env: Env, model: str, ids: list[int], **kw: Any) -> Any:
            if dom in kw:
                kw["domain"] = kw.pop(dom)
            return fn(env, model, ids, **kw)

        return call

    out = [
        Method("search", search_params, True, rename(_search)),
        Method("search_count", count_params, True, rename(_search_count)),
        Method(
            "search_read",
            (("domain", None), ("fields", None), ("offset", 0), ("limit", None), ("order", None)),
            True,
            _search_read,
        ),
        Method("read", (("fields", None), ("load", "_classic_read")), False, _read),
        Method("create", (("vals_list", _REQUIRED),), True, _create),
        Method("load", (("fields", _REQUIRED), ("data", _REQUIRED)), True, load_records),
        Method(
            "write",
            (("vals", _REQUIRED),),
            False,
            lambda env, model, ids, vals: orm.write(env, model, ids, vals),
        ),
        Method("unlink", (), False, lambda env, model, ids: orm.unlink(env, model, ids)),
        Method(
            "fields_get",
            (("allfields", None), ("attributes", None)),
            True,
            lambda env, model, ids, allfields, attributes: orm.fields_get(
                env, model, allfields, attributes
            ),
        ),
        Method(
            "exists",
            (),
            False,
            lambda env, model, ids: [i for i in ids if i in env.db.tables[model]],
        ),
        Method(
            "get_param",
            (("key", _REQUIRED), ("default", False)),
            True,
            _get_param,
            frozenset({"ir.config_parameter"}),
        ),
        Method(
            "set_param",
            (("key", _REQUIRED), ("value", _REQUIRED)),
            True,
            _set_param,
            frozenset({"ir.config_parameter"}),
        ),
        Method(
            "button_immediate_install",
            (),
            False,
            _button_immediate_install,
            frozenset({"ir.module.module"}),
        ),
        Method(
            "test_smtp_connection",
            (),
            False,
            outlook_flow.test_smtp_connection,
            frozenset({"ir.mail_server"}),
        ),
        Method(
            "button_confirm_login",
            (),
            False,
            outlook_flow.button_confirm_login,
            frozenset({"fetchmail.server"}),
        ),
    ]
    if major <= 16:
        out.append(Method("name_get", (), False, _name_get))
    return out
