"""The stack configuration: one typed model, validated in one place.

The same model is built from `Pulumi.<stack>.yaml` (offline commands: plan, sync, doctor) and
from the Pulumi program's config (pulumi up). Every error names the full key as a user types it
in `pulumi config set --path`, e.g. `odoo-outlook:targets[0].baseUrls[1]`, and says the fix.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit, urlunsplit

import yaml
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from odoo_outlook.errors import ConfigError, ConfigErrors
from odoo_outlook.sharing_rules import (
    check_companies,
    check_one_target_per_database,
    check_send_as,
)

NAMESPACE = "odoo-outlook"
# Marker for a `secure:` value read from a stack file: encrypted, unreadable without the Pulumi CLI.
ENCRYPTED = "<encrypted>"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
# Entra ID refuses client secrets that live longer than 24 months.
ENTRA_MAX_SECRET_DAYS = 730

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
_TARGET_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")


class SignInAudience(StrEnum):
    """Entra's supported account types, by their manifest value."""

    MY_ORG = "AzureADMyOrg"
    MULTIPLE_ORGS = "AzureADMultipleOrgs"
    ORGS_AND_PERSONAL = "AzureADandPersonalMicrosoftAccount"

    @property
    def is_multitenant(self) -> bool:
        return self is not SignInAudience.MY_ORG

    @property
    def allows_personal_accounts(self) -> bool:
        return self is SignInAudience.ORGS_AND_PERSONAL


class MailMode(StrEnum):
    GENERIC = "generic"
    PER_USER = "perUser"


class Transport(StrEnum):
    XMLRPC = "xmlrpc"
    JSON2 = "json2"
    AUTO = "auto"


def is_object_id(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _email(value: str) -> str:
    value = value.strip()
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an e-mail address (fix: write it as name@domain.tld)")
    local, domain = value.split("@", 1)
    return f"{local}@{domain.lower()}"


def _principal(value: str) -> str:
    value = value.strip()
    if is_object_id(value):
        return str(uuid.UUID(value))
    return _email(value)


def _split_url(raw: str) -> tuple[str, str, str, str]:
    """(scheme, lowercased netloc, host, path without trailing slash) of an absolute URL."""
    parts = urlsplit(raw)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(
            f"{raw!r} is not an absolute URL (fix: write it as https://erp.example.com)"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"{raw!r} has a query or fragment (fix: keep only scheme, host and path)")
    return parts.scheme, parts.netloc.lower(), parts.hostname.lower(), parts.path.rstrip("/")


def _normalise_base_url(value: str) -> str:
    raw = value.strip()
    scheme, netloc, host, path = _split_url(raw)
    if scheme == "http" and host not in LOOPBACK_HOSTS:
        raise ValueError(
            f"{raw!r} uses http; Microsoft only accepts https redirect URIs except for "
            f"localhost (fix: use https://{netloc}{path})"
        )
    if path.endswith("/microsoft_outlook/confirm"):
        raise ValueError(
            f"{raw!r} is a redirect URI, not a base URL (fix: drop '/microsoft_outlook/confirm';"
            " the tool adds it)"
        )
    return urlunsplit((scheme, netloc, path, "", ""))


def _normalise_api_url(value: str) -> str:
    # Where the tool reaches Odoo's API: plain http is refused later unless allowInsecureHttp.
    scheme, netloc, _host, path = _split_url(value.strip())
    return urlunsplit((scheme, netloc, path, "", ""))


def _unique(values: list[str]) -> list[str]:
    """Drop repeats, comparing case-insensitively (Entra names and UPNs are case-insensitive)."""
    kept: dict[str, str] = {}
    for value in values:
        kept.setdefault(value.lower(), value)
    return list(kept.values())


Email = Annotated[str, AfterValidator(_email)]
Principal = Annotated[str, AfterValidator(_principal)]
BaseUrl = Annotated[str, AfterValidator(_normalise_base_url)]
ApiUrl = Annotated[str, AfterValidator(_normalise_api_url)]


class _Model(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=False,
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
    )


class AppSettings(_Model):
    display_name: str = Field("Odoo", min_length=1, max_length=120)
    sign_in_audience: SignInAudience = SignInAudience.ORGS_AND_PERSONAL
    tenant_id: str | None = None
    owners: list[Principal] = Field(default_factory=list)
    assignment_required: bool = True
    admin_consent: bool = False

    @field_validator("tenant_id")
    @classmethod
    def _tenant_is_guid(cls, value: str | None) -> str | None:
        if value is not None and not is_object_id(value):
            raise ValueError(
                f"{value!r} is not a tenant id (fix: use the Directory (tenant) ID GUID from"
                " Entra ID > Overview)"
            )
        return value

    @field_validator("owners")
    @classmethod
    def _owners_unique(cls, value: list[str]) -> list[str]:
        return _unique(value)


class Assignments(_Model):
    users: list[Principal] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)

    @field_validator("users")
    @classmethod
    def _users_unique(cls, value: list[str]) -> list[str]:
        return _unique(value)

    @field_validator("groups")
    @classmethod
    def _groups_valid(cls, value: list[str]) -> list[str]:
        cleaned = [str(uuid.UUID(g)) if is_object_id(g) else g.strip() for g in value]
        if any(not g for g in cleaned):
            raise ValueError("a group is empty (fix: give a display name or an object id)")
        return _unique(cleaned)


class SecretSettings(_Model):
    display_name: str = Field("Odoo Fetchmail", min_length=1, max_length=80)
    rotation_days: int = Field(90, ge=1, le=365)
    grace_days: int = Field(14, ge=1, le=180)
    max_lifetime_days: int = Field(ENTRA_MAX_SECRET_DAYS, ge=2, le=ENTRA_MAX_SECRET_DAYS)
    forced_at: AwareDatetime | None = None
    anchor: date = date(2024, 1, 1)

    @model_validator(mode="after")
    def _fits_lifetime(self) -> SecretSettings:
        lifetime = 2 * self.rotation_days + self.grace_days
        if lifetime > self.max_lifetime_days:
            raise ValueError(
                f"rotationDays: each secret lives 2 x rotationDays + graceDays = {lifetime} days,"
                f" more than maxLifetimeDays = {self.max_lifetime_days} (fix: lower rotationDays"
                f" to at most {(self.max_lifetime_days - self.grace_days) // 2} or raise"
                " maxLifetimeDays)"
            )
        return self


class OdooConnection(_Model):
    url: ApiUrl | None = None
    database: str = Field(min_length=1)
    login: str = Field(min_length=1)
    password_env: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    transport: Transport = Transport.XMLRPC
    allow_insecure_http: bool = False
    verify_tls: bool = True
    install_modules: bool = True
    manage_base_url: bool = False

    @model_validator(mode="before")
    @classmethod
    def _no_plain_password(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in ("password", "apiKey", "api_key"):
                if key in data:
                    raise ValueError(
                        f"{key}: a password or API key must never be a plain config value (fix:"
                        " `pulumi config set --secret --path 'odooPasswords.<target>'` or export"
                        " the variable named by passwordEnv)"
                    )
        return data

    @model_validator(mode="after")
    def _http_needs_consent(self) -> OdooConnection:
        host = (urlsplit(self.url).hostname or "") if self.url else ""
        if self.url and self.url.startswith("http://") and host not in LOOPBACK_HOSTS and not (
            self.allow_insecure_http
        ):
            raise ValueError(
                f"url: {self.url!r} would send the Odoo password unencrypted (fix: use https://,"
                " or set allowInsecureHttp: true on a trusted network)"
            )
        return self


class MailSettings(_Model):
    mode: MailMode = MailMode.GENERIC
    notifications: Email
    users: list[Email] = Field(default_factory=list)
    incoming: list[Email] = Field(default_factory=list)
    catchall_alias: str = Field("catchall", pattern=r"^[A-Za-z0-9._+-]+$")
    bounce_alias: str = Field("bounce", pattern=r"^[A-Za-z0-9._+-]+$")
    # Delegated senders: From address (a shared mailbox) -> the licensed user who signs in and
    # holds Exchange's "Send As" permission on it (Odoo's Username, `smtp_user`).
    send_as: dict[Email, Email] = Field(default_factory=dict)

    def login_for(self, address: str) -> str:
        """The account that signs in to send as `address` (itself unless delegated)."""
        return self.send_as.get(address, address)

    @property
    def domain(self) -> str:
        return self.notifications.split("@", 1)[1]

    @property
    def default_from(self) -> str:
        return self.notifications.split("@", 1)[0]

    @model_validator(mode="after")
    def _mode_and_duplicates(self) -> MailSettings:
        if self.mode is MailMode.PER_USER and not self.users:
            raise ValueError(
                "users: mode perUser needs at least one user mailbox (fix: list them under"
                " mail.users, or use mode: generic)"
            )
        if self.mode is MailMode.GENERIC and self.users:
            raise ValueError(
                "users: user mailboxes are only used in mode perUser (fix: set mode: perUser"
                " or remove mail.users)"
            )
        outgoing = [self.notifications, *self.users]
        seen: set[str] = set()
        for address in outgoing:
            if address.lower() in seen:
                raise ValueError(
                    f"users: duplicate mailbox {address!r} (fix: list each outgoing mailbox"
                    " once; notifications is already an outgoing mailbox)"
                )
            seen.add(address.lower())
        if len({a.lower() for a in self.incoming}) != len(self.incoming):
            raise ValueError("incoming: duplicate mailbox (fix: list each incoming mailbox once)")
        check_send_as(self.send_as, outgoing)
        return self


class CompanyMail(_Model):
    """Another company of the target's database (`targets[].companies[]`): which
    `res.company` (its name as in Settings > Companies, or its id) and its own mail settings.
    The target's own `mail` stays the company of the connection's user, as before."""

    company: int | str
    mail: MailSettings


class Target(_Model):
    name: str
    base_urls: list[BaseUrl] = Field(min_length=1)
    connection: OdooConnection | None = None
    mail: MailSettings
    companies: list[CompanyMail] = Field(default_factory=list)

    @model_validator(mode="after")
    def _companies_distinct(self) -> Target:
        check_companies(self.mail, [(c.company, c.mail) for c in self.companies])
        return self

    @field_validator("name")
    @classmethod
    def _name_slug(cls, value: str) -> str:
        if not _TARGET_NAME.match(value):
            raise ValueError(
                f"{value!r} is not a target name (fix: 1-40 lowercase letters, digits or '-',"
                " e.g. 'erp-prod')"
            )
        return value

    @field_validator("base_urls")
    @classmethod
    def _dedupe_urls(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    @property
    def password_env(self) -> str:
        if self.connection and self.connection.password_env:
            return self.connection.password_env
        return "ODOO_" + re.sub(r"[^A-Z0-9]", "_", self.name.upper()) + "_PASSWORD"

    @property
    def odoo_url(self) -> str:
        if self.connection and self.connection.url:
            return self.connection.url
        return self.base_urls[0]


class StackConfig(_Model):
    """Everything under the `odoo-outlook:` namespace of a stack."""

    app: AppSettings = Field(default_factory=AppSettings)
    assignments: Assignments = Field(default_factory=Assignments)
    secret: SecretSettings = Field(default_factory=SecretSettings)
    targets: list[Target] = Field(min_length=1)
    odoo_passwords: dict[str, SecretStr] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _targets_consistent(self) -> StackConfig:
        names = [t.name for t in self.targets]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(
                    f"targets: duplicate target name {name!r} (fix: give each target its own name)"
                )
        check_one_target_per_database(self.targets)
        for name in self.odoo_passwords:
            if name not in names:
                raise ValueError(
                    f"odooPasswords: {name!r} names no target (fix: use one of {', '.join(names)})"
                )
        return self

    def target(self, name: str) -> Target:
        for target in self.targets:
            if target.name == name:
                return target
        raise ConfigError(
            "--target", f"no target named {name!r}",
            f"use one of {', '.join(t.name for t in self.targets)}",
        )


# ---------------------------------------------------------------------------------------------
# Loading and error translation


def _key_path(loc: tuple[int | str, ...]) -> str:
    text = f"{NAMESPACE}:"
    for index, part in enumerate(loc):
        if isinstance(part, int):
            text += f"[{part}]"
        elif index == 0:
            text += part
        else:
            text += f".{part}"
    return text


def _known_keys(loc: tuple[int | str, ...]) -> list[str]:
    model: Any = StackConfig
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        fields = {f.alias or n: f for n, f in model.model_fields.items()}
        field = fields.get(part)
        if field is None:
            return []
        annotation = field.annotation
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        model = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)),
            None,
        )
        if model is None:
            for c in candidates:
                for arg in getattr(c, "__args__", ()):
                    if isinstance(arg, type) and issubclass(arg, BaseModel):
                        model = arg
            if model is None:
                return []
    return sorted(f.alias or n for n, f in model.model_fields.items())


_TYPE_NAMES = {
    "string_type": "a string",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "date_type": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "datetime_parsing": "a UTC timestamp (YYYY-MM-DDTHH:MM:SSZ)",
    "datetime_type": "a UTC timestamp (YYYY-MM-DDTHH:MM:SSZ)",
    "timezone_aware": "a UTC timestamp (YYYY-MM-DDTHH:MM:SSZ)",
}


def _translate(error: Any) -> ConfigError:
    loc = tuple(error["loc"])
    kind = error["type"]
    message = str(error["msg"])
    if kind == "value_error":
        text = message.removeprefix("Value error, ")
        # A validator may name a sub-key first ("users: ...") to point at the exact key.
        head, sep, rest = text.partition(": ")
        if sep and re.fullmatch(r"[A-Za-z]+", head):
            loc = (*loc, head)
            text = rest
        problem, _, fix = text.partition(" (fix: ")
        return ConfigError(_key_path(loc), problem, fix.removesuffix(")") or None)
    if kind == "extra_forbidden":
        known = _known_keys(loc)
        hint = f"known keys here: {', '.join(known)}" if known else "see README 'Configuration'"
        return ConfigError(_key_path(loc), "unknown key", f"remove it or fix its spelling; {hint}")
    if kind == "missing":
        return ConfigError(_key_path(loc), "required key is missing", "add it (see README)")
    if kind in _TYPE_NAMES:
        got = type(error.get("input")).__name__
        return ConfigError(
            _key_path(loc), f"expected {_TYPE_NAMES[kind]}, got {got}",
            f"write {_TYPE_NAMES[kind]} here",
        )
    if kind == "enum":
        expected = error.get("ctx", {}).get("expected", "")
        return ConfigError(
            _key_path(loc), f"{error.get('input')!r} is not allowed", f"use one of {expected}"
        )
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = message.removeprefix("Input should be ")
        return ConfigError(
            _key_path(loc), f"{error.get('input')!r} is out of range", f"use a value {bound}"
        )
    if kind == "string_pattern_mismatch":
        return ConfigError(
            _key_path(loc), f"{error.get('input')!r} has characters that are not allowed",
            "use letters, digits, '.', '_', '+' or '-'",
        )
    if kind in ("too_short", "too_long", "string_too_short", "string_too_long"):
        return ConfigError(_key_path(loc), message.lower(), "see README 'Configuration'")
    return ConfigError(_key_path(loc), message, "see README 'Configuration'")


def parse_config(raw: dict[str, Any]) -> StackConfig:
    """Validate the `odoo-outlook:` keys of a stack (namespace already stripped or not)."""
    data: dict[str, Any] = {}
    for key, value in raw.items():
        namespace, sep, name = key.partition(":")
        if not sep:
            data[key] = value
        elif namespace == NAMESPACE:
            data[name] = value
    # The azuread provider's tenant is the app's home tenant unless app.tenantId says otherwise.
    provider_tenant = raw.get("azuread:tenantId")
    if provider_tenant and isinstance(data.get("app", {}), dict):
        app = dict(data.get("app") or {})
        app.setdefault("tenantId", provider_tenant)
        data["app"] = app
    try:
        return StackConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigErrors([_translate(e) for e in exc.errors()]) from None


def _decode_secure(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return ENCRYPTED
        return {k: _decode_secure(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode_secure(v) for v in value]
    return value


def stack_file(stack: str, project_dir: Path) -> Path:
    return project_dir / f"Pulumi.{stack}.yaml"


def load_stack_file(path: Path) -> StackConfig:
    """Read a `Pulumi.<stack>.yaml` with pyyaml; encrypted values stay encrypted."""
    key = f"--stack ({path.name})"
    if not path.is_file():
        raise ConfigError(key, f"{path} does not exist", "create it or pass --stack NAME")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(key, f"is not valid YAML{where}", "fix the YAML syntax") from None
    if not isinstance(document, dict):
        raise ConfigError(key, "is not a mapping", "start the file with `config:`")
    config = document.get("config") or {}
    if not isinstance(config, dict):
        raise ConfigError(f"{key} config", "is not a mapping", "indent keys under `config:`")
    return parse_config(_decode_secure(config))

