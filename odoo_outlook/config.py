"""The stack configuration: one typed model, validated in one place.

The same model is built from `Pulumi.<stack>.yaml` (offline commands: plan, sync, doctor) and
from the Pulumi program's config (pulumi up). Every error names the full key as a user types it
in `pulumi config set --path`, e.g. `odoo-outlook:targets[0].baseUrls[1]`, and says the fix.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    Strict,
    StrictBool,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from odoo_outlook.consumer_domains import personal_mailbox_problems
from odoo_outlook.entra_limits import redirect_uri_breaches
from odoo_outlook.errors import ConfigError, ConfigErrors
from odoo_outlook.sharing_rules import (
    check_companies,
    check_one_target_per_database,
    check_send_as,
)
from odoo_outlook.strict_files import load_yaml, read_text
from odoo_outlook.transport_kind import TransportKind
from odoo_outlook.urls import (
    ENTRA_MAX_REDIRECT_URI_LENGTH,
    normalise_email,
    normalise_url,
    shown,
    url_host,
)

NAMESPACE = "odoo-outlook"
# Marker for a `secure:` value read from a stack file: encrypted, unreadable without the Pulumi CLI.
ENCRYPTED = "<encrypted>"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
# Entra ID refuses client secrets that live longer than 24 months.
ENTRA_MAX_SECRET_DAYS = 730
# Where Odoo's microsoft_outlook module receives the authorization code (its redirect URI).
REDIRECT_PATH = "/microsoft_outlook/confirm"
# Seconds a call to Odoo may take before the tool gives up (connection.timeoutSeconds).
DEFAULT_TIMEOUT_SECONDS = 60.0
# Keys whose values must be Pulumi secrets (`pulumi config set --secret`), never plain text.
SECRET_ONLY_KEYS = (f"{NAMESPACE}:odooPasswords",)
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_TARGET_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")


class SignInAudience(StrEnum):
    """Entra's supported account types, by their manifest value."""

    MY_ORG = "AzureADMyOrg"
    MULTIPLE_ORGS = "AzureADMultipleOrgs"
    ORGS_AND_PERSONAL = "AzureADandPersonalMicrosoftAccount"

    @property
    def is_multitenant(self) -> bool:
        """Whether accounts of other tenants can sign in (every value but `AzureADMyOrg`;
        Microsoft identity platform, app manifest `signInAudience`).
        """
        return self is not SignInAudience.MY_ORG

    @property
    def allows_personal_accounts(self) -> bool:
        """Whether personal Microsoft accounts can sign in too."""
        return self is SignInAudience.ORGS_AND_PERSONAL


class MailMode(StrEnum):
    """How mail is sent: `generic` (one notifications mailbox sends for everyone, Odoo's
    "generic configuration") or `perUser` (one outgoing server per user mailbox).
    """

    GENERIC = "generic"
    PER_USER = "perUser"


def is_object_id(value: str) -> bool:
    """True for a GUID in Entra's own form `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (any case);
    braces, `urn:uuid:` and unhyphenated forms are not how Entra writes ids and are refused."""
    return bool(_GUID.match(value))


def _email(value: str) -> str:
    return normalise_email(value)


def _principal(value: str) -> str:
    value = value.strip()
    if is_object_id(value):
        return str(uuid.UUID(value))
    return _email(value)


def _normalise_base_url(value: str) -> str:
    """A base URL in canonical form (see `odoo_outlook.urls.normalise_url`) whose redirect URI
    Entra accepts: https (http only for localhost), at most 256 characters."""
    url = normalise_url(value)
    if url.startswith("http://") and url_host(url) not in LOOPBACK_HOSTS:
        raise ValueError(
            f"{shown(value.strip())!r} uses http; Microsoft only accepts https redirect URIs"
            f" except for localhost (fix: use {'https://' + url.removeprefix('http://')})"
        )
    if url.endswith(REDIRECT_PATH):
        raise ValueError(
            f"{url!r} is a redirect URI, not a base URL (fix: drop {REDIRECT_PATH!r};"
            " the tool adds it)"
        )
    redirect = url + REDIRECT_PATH
    if len(redirect) > ENTRA_MAX_REDIRECT_URI_LENGTH:
        raise ValueError(
            f"its redirect URI {redirect[:40]}... is {len(redirect)} characters; Entra allows"
            f" at most {ENTRA_MAX_REDIRECT_URI_LENGTH} (fix: shorten the base URL to at most"
            f" {ENTRA_MAX_REDIRECT_URI_LENGTH - len(REDIRECT_PATH)} characters)"
        )
    return url


def _normalise_api_url(value: str) -> str:
    # Where the tool reaches Odoo's API: plain http is refused later unless allowInsecureHttp.
    return normalise_url(value)


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
    """Stack key `odoo-outlook:app`: the app registration's name, audience, tenant, owners,
    consent."""

    display_name: str = Field("Odoo", min_length=1, max_length=120)
    sign_in_audience: SignInAudience = SignInAudience.ORGS_AND_PERSONAL
    tenant_id: str | None = None
    owners: list[Principal] = Field(default_factory=list)
    assignment_required: StrictBool = True
    admin_consent: StrictBool = False

    @field_validator("tenant_id")
    @classmethod
    def _tenant_is_guid(cls, value: str | None) -> str | None:
        if value is not None and not is_object_id(value):
            raise ValueError(
                f"{value!r} is not a tenant id (fix: use the Directory (tenant) ID GUID from"
                " Entra ID > Overview, written xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx without"
                " braces)"
            )
        return value.lower() if value is not None else None

    @field_validator("owners")
    @classmethod
    def _owners_unique(cls, value: list[str]) -> list[str]:
        return _unique(value)


class Assignments(_Model):
    """Stack key `odoo-outlook:assignments`: users (UPN or object id) and groups allowed to sign
    in."""

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
    """Stack key `odoo-outlook:secret`: the rotation period, grace and lifetime cap (days), the
    anchor date, and a forced rotation (`forcedAt`, `forcedSlot`).
    """

    display_name: str = Field("Odoo Fetchmail", min_length=1, max_length=80)
    rotation_days: StrictInt = Field(90, ge=1, le=365)
    grace_days: StrictInt = Field(14, ge=1, le=180)
    max_lifetime_days: StrictInt = Field(ENTRA_MAX_SECRET_DAYS, ge=2, le=ENTRA_MAX_SECRET_DAYS)
    forced_at: AwareDatetime | None = None
    # The slot Odoo held at forcedAt (the leaked one); `rotate --now` records it.
    forced_slot: Literal["a", "b"] | None = None
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
    """A target's `connection`: URL, database, login, the environment variable holding the
    password or API key, transport, TLS and timeout settings.
    """

    url: ApiUrl | None = None
    database: str = Field(min_length=1)
    login: str = Field(min_length=1)
    password_env: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    transport: TransportKind = TransportKind.XMLRPC
    allow_insecure_http: StrictBool = False
    verify_tls: StrictBool = True
    install_modules: StrictBool = True
    manage_base_url: StrictBool = False
    # How long one call to Odoo may take (seconds); `--timeout` overrides it.
    timeout_seconds: Annotated[float, Strict()] = Field(DEFAULT_TIMEOUT_SECONDS, gt=0, le=3600)
    # Take over unmanaged Outlook servers for declared mailboxes (same login); off by default.
    adopt: StrictBool = False

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
        host = url_host(self.url) if self.url else ""
        if (
            self.url
            and self.url.startswith("http://")
            and host not in LOOPBACK_HOSTS
            and not (self.allow_insecure_http)
        ):
            raise ValueError(
                f"url: {self.url!r} would send the Odoo password unencrypted (fix: use https://,"
                " or set allowInsecureHttp: true on a trusted network)"
            )
        return self


class MailSettings(_Model):
    """A target's `mail`: mode, the notifications mailbox (its domain is the alias domain),
    user and incoming mailboxes, catch-all and bounce aliases.
    """

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
        """The domain of the notifications address (the catch-all / alias domain)."""
        return self.notifications.split("@", 1)[1]

    @property
    def default_from(self) -> str:
        """The local part of the notifications address (Odoo's default From)."""
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
    """One Odoo database under `odoo-outlook:targets`: its name, base URLs, connection and mail."""

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
        """The environment variable holding the Odoo password: `connection.passwordEnv`, else
        `ODOO_<NAME>_PASSWORD` (non-alphanumerics as `_`).
        """
        if self.connection and self.connection.password_env:
            return self.connection.password_env
        return "ODOO_" + re.sub(r"[^A-Z0-9]", "_", self.name.upper()) + "_PASSWORD"

    @property
    def odoo_url(self) -> str:
        """The URL the tool calls Odoo at: `connection.url`, else the first base URL."""
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

    @model_validator(mode="after")
    def _within_entra_limits(self) -> StackConfig:
        # One redirect URI per distinct base URL over all targets (desired.confirm_uri).
        uris = len({url for target in self.targets for url in target.base_urls})
        for breach in redirect_uri_breaches(self.app.sign_in_audience.value, uris):
            raise ValueError(
                f"targets: {breach.count} distinct baseUrls give {breach.count} redirect URIs"
                f" (web.redirectUris), Entra accepts at most {breach.limit} for signInAudience"
                f" {breach.audience} [{breach.source}] (fix: list fewer base URLs, or"
                " use a work-or-school-only app.signInAudience)"
            )
        return self

    def missing_tenant(self) -> ConfigError | None:
        """The problem when a single-tenant app has no tenant id in the stack, else None.

        Odoo's authority for an `AzureADMyOrg` app is login.microsoftonline.com/<tenant id>/...:
        `pulumi up` takes the id from the signed-in deployer and `doctor` from the outputs, but
        `plan` can only warn and `sync` refuses rather than write a placeholder into Odoo.
        """
        if self.app.sign_in_audience is SignInAudience.MY_ORG and self.app.tenant_id is None:
            return ConfigError(
                f"{NAMESPACE}:app.tenantId",
                "signInAudience AzureADMyOrg (single tenant) needs the tenant id for the"
                " authority Odoo signs in with",
                "`pulumi config set --path app.tenantId <Directory (tenant) ID>`, or set"
                " azuread:tenantId",
            )
        return None

    def with_transport(self, kind: TransportKind | None) -> StackConfig:
        """This stack with every target's `connection.transport` set to `kind` (the commands'
        `--transport` override); the stack itself when `kind` is None. Targets without
        connection settings are kept as they are."""
        if kind is None:
            return self
        targets = [
            t
            if t.connection is None
            else t.model_copy(
                update={"connection": t.connection.model_copy(update={"transport": kind})}
            )
            for t in self.targets
        ]
        return self.model_copy(update={"targets": targets})

    def target(self, name: str) -> Target:
        """The target named `name`; raises `ConfigError` listing the names there are."""
        for target in self.targets:
            if target.name == name:
                return target
        raise unknown_target(name, [t.name for t in self.targets])


def unknown_target(name: str, names: Collection[str]) -> ConfigError:
    """The `--target` error for a name that is not among `names` (the stack's targets)."""
    return ConfigError("--target", f"no target named {name!r}", f"use one of {', '.join(names)}")


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
    "float_type": "a number",
    "float_parsing": "a number",
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
            _key_path(loc),
            f"expected {_TYPE_NAMES[kind]}, got {got}",
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
            _key_path(loc),
            f"{error.get('input')!r} has characters that are not allowed",
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
        config = StackConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigErrors([_translate(e) for e in exc.errors()]) from None
    personal = personal_mailbox_problems(
        ((t.mail.notifications, t.mail.users, t.mail.incoming) for t in config.targets),
        config.app.sign_in_audience.allows_personal_accounts,
    )
    if personal:
        raise ConfigErrors(
            [ConfigError(f"{NAMESPACE}:{p.key}", p.problem, p.fix) for p in personal]
        )
    return config


def _decode_secure(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return ENCRYPTED
        return {k: _decode_secure(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode_secure(v) for v in value]
    return value


# libyaml's loader where PyYAML was built with it (5x faster on a 1,000-target stack file),
# the pure-Python one otherwise; both are the safe loader.


def stack_file(stack: str, project_dir: Path) -> Path:
    """`Pulumi.<stack>.yaml` in `project_dir` (not checked for existence)."""
    return project_dir / f"Pulumi.{stack}.yaml"


def require_secrets(raw: dict[str, Any], secret_keys: Collection[str]) -> None:
    """Refuse a SECRET_ONLY_KEYS value that is not a Pulumi secret.

    `raw` is the stack's config by full key; `secret_keys` the keys Pulumi marks secret (the
    program: `PULUMI_CONFIG_SECRET_KEYS`; a stack file: keys holding a `secure:` value). The
    message names the key, never the value.
    """
    for key in SECRET_ONLY_KEYS:
        if key in raw and key not in secret_keys:
            raise ConfigError(
                key,
                "holds plain text; a password or API key must be a Pulumi secret",
                f"`pulumi config rm {key.split(':', 1)[1]}` then `pulumi config set --secret"
                " --path 'odooPasswords.<target>' <password>`",
            )


def _plain_members(value: Any) -> list[str]:
    """The names under a secret-only mapping whose value is not `{secure: ...}`."""
    if not isinstance(value, dict):
        return ["(the whole value)"]
    return [
        str(name)
        for name, member in value.items()
        if not (isinstance(member, dict) and set(member) == {"secure"})
    ]


def load_stack_file(path: Path) -> StackConfig:
    """Read a `Pulumi.<stack>.yaml` strictly; encrypted values stay encrypted.

    Raises ConfigError naming the file (and line where there is one) for a missing,
    unreadable or non-UTF-8 file, invalid YAML, duplicate or non-string keys, a misspelt
    namespace, and plain values where a secret is required; ConfigErrors for the model.
    """
    key = f"--stack ({path.name})"
    text = read_text(path, key, "create it or pass --stack NAME")
    document = load_yaml(text, key, NAMESPACE) or {}
    if not isinstance(document, dict):
        raise ConfigError(key, "is not a mapping", "start the file with `config:`")
    config = document.get("config") or {}
    if not isinstance(config, dict):
        raise ConfigError(f"{key} config", "is not a mapping", "indent keys under `config:`")
    for secret_key in SECRET_ONLY_KEYS:
        if secret_key in config:
            plain = _plain_members(config[secret_key])
            if plain:
                raise ConfigError(
                    f"{secret_key}.{plain[0]}",
                    f"is plain text in {path.name}; a password or API key must be a Pulumi secret",
                    f"`pulumi config set --secret --path '{secret_key.split(':', 1)[1]}."
                    f"{plain[0]}' <password>` (it replaces the plain value)",
                )
    return parse_config(_decode_secure(config))
