"""The desired state: what the stack declares, computed from the config with no I/O.

The Pulumi components, `plan`, the Odoo sync and the doctor all read this, so each rule (a
redirect URI, a scope, a server's From filter) is written here once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from odoo_outlook.config import (
    CompanyMail,
    MailMode,
    MailSettings,
    SignInAudience,
    StackConfig,
    Target,
    unknown_target,
)
from odoo_outlook.external_ids import fetchmail_server_xmlid, mail_server_xmlid
from odoo_outlook.rotation import SecretSchedule, schedule
from odoo_outlook.transport_kind import TransportKind

# Microsoft Graph is looked up by this name in azuread's published app ids at deploy time.
GRAPH_PUBLISHED_APP_NAME = "MicrosoftGraph"
# Microsoft Graph's well-known application id, for offline output (plan) and live reads (doctor).
MICROSOFT_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
# Delegated Microsoft Graph scopes Odoo's Outlook integration uses (ids resolved at deploy time).
ODOO_SCOPES: tuple[str, ...] = (
    "SMTP.Send",
    "IMAP.AccessAsUser.All",
    "User.Read",
    "offline_access",
    "openid",
    "email",
)
# The "Default Access" app role every enterprise app has, used for plain user/group assignment.
DEFAULT_ACCESS_ROLE_ID = "00000000-0000-0000-0000-000000000000"
# Odoo redeems the authorization code as a confidential web client: its token request carries the
# client secret. Microsoft refuses that (AADSTS700025, "Client is public so neither
# 'client_assertion' nor 'client_secret' should be presented") when it treats the app or the
# redirect URI as a public client: `isFallbackPublicClient` true, or the confirm URL registered
# under `publicClient` (mobile and desktop) or `spa`. The implicit grant is never used by Odoo.
# These safe values are declared whether or not the stack mentions them, so `pulumi up` repairs
# drift and the doctor checks them. Source: Microsoft identity platform, "Authorization code
# flow" and "Public client and confidential client applications" (learn.microsoft.com/entra/
# identity-platform/v2-oauth2-auth-code-flow, .../msal-client-applications).
FALLBACK_PUBLIC_CLIENT = False
PUBLIC_CLIENT_REDIRECT_URIS: tuple[str, ...] = ()
SPA_REDIRECT_URIS: tuple[str, ...] = ()
IMPLICIT_GRANT_ACCESS_TOKEN = False
IMPLICIT_GRANT_ID_TOKEN = False
LOGIN_AUTHORITY = "https://login.microsoftonline.com"
CONFIRM_PATH = "/microsoft_outlook/confirm"
# Prefix of the external ids (ir.model.data.module) that mark the records this tool owns in Odoo.
ODOO_XMLID_MODULE = "odoo_outlook"

SMTP_HOST = "smtp.outlook.com"
SMTP_PORT = 587
SMTP_ENCRYPTION = "starttls"
IMAP_HOST = "imap.outlook.com"
IMAP_PORT = 993

# Personal servers sort before the fallback, so Odoo tries them first.
USER_SERVER_SEQUENCE = 10
FALLBACK_SERVER_SEQUENCE = 20


def confirm_uri(base_url: str) -> str:
    """The redirect URI Odoo sends to Microsoft for a database reached at `base_url`."""
    return base_url.rstrip("/") + CONFIRM_PATH


def oauth_endpoint(audience: SignInAudience, tenant_id: str | None) -> str:
    """The authority Odoo must use: `common` for multitenant apps, the tenant's own otherwise."""
    tenant = "common" if audience.is_multitenant else (tenant_id or "<tenant-id>")
    return f"{LOGIN_AUTHORITY}/{tenant}/oauth2/v2.0/"


def authority_tenant(url: str) -> str:
    """The tenant segment of an authority URL (`https://login.microsoftonline.com/<tenant>/...`),
    lower-cased; '' when the URL has none."""
    parts = url.strip().split("/")
    return parts[3].lower() if len(parts) > 3 else ""


def accepted_authorities(audience: SignInAudience) -> frozenset[str]:
    """The shared authorities (tenant segments) through which every account the app admits can
    sign in: `common` for every multitenant audience, `organizations` too when the app admits
    work and school accounts only; none for a single-tenant app (its own tenant only).
    Source: Microsoft identity platform, "Application configuration options" (authority)."""
    if not audience.is_multitenant:
        return frozenset()
    if audience is SignInAudience.MULTIPLE_ORGS:
        return frozenset({"common", "organizations"})
    return frozenset({"common"})


def admin_consent_url(tenant_id: str | None, client_id: str) -> str:
    """Microsoft's admin consent URL for the app (`/{tenant}/adminconsent?client_id=...`, Microsoft
    identity platform admin consent endpoint); `organizations` when the tenant is not known.
    """
    return f"{LOGIN_AUTHORITY}/{tenant_id or 'organizations'}/adminconsent?client_id={client_id}"


@dataclass(frozen=True)
class OutgoingServer:
    """One `ir.mail_server` the tool declares: external id, name, mailbox (login), `from_filter`,
    priority `sequence`, whether it is the fallback, and Outlook's SMTP host/port/encryption.
    """

    xmlid: str
    name: str
    mailbox: str
    from_filter: str
    sequence: int
    is_fallback: bool
    host: str = SMTP_HOST
    port: int = SMTP_PORT
    encryption: str = SMTP_ENCRYPTION
    # The account that signs in (Odoo's Username, `smtp_user`) when it is not the mailbox
    # itself: a delegate with Exchange "Send As" on a shared mailbox (`mail.sendAs`).
    login: str = ""

    @property
    def username(self) -> str:
        """Odoo's `smtp_user`: who clicks "Connect your Outlook account" and signs in."""
        return self.login or self.mailbox


@dataclass(frozen=True)
class IncomingServer:
    """One `fetchmail.server` the tool declares: external id, name, mailbox, IMAP host/port/SSL."""

    xmlid: str
    name: str
    mailbox: str
    host: str = IMAP_HOST
    port: int = IMAP_PORT
    is_ssl: bool = True

    @property
    def username(self) -> str:
        """Odoo's `user`: the mailbox itself signs in (no delegation for IMAP)."""
        return self.mailbox


@dataclass(frozen=True)
class AliasDomain:
    """Catch-all / default From: parameters up to 16.0, a `mail.alias.domain` record from 17.0."""

    domain: str
    default_from: str
    catchall_alias: str
    bounce_alias: str

    @property
    def default_from_address(self) -> str:
        """The default From address, `default_from@domain`."""
        return f"{self.default_from}@{self.domain}"


@dataclass(frozen=True)
class CompanySpec:
    """Another company of the target's database (`targets[].companies[]`)."""

    company: int | str  # res.company id, or its name
    mode: MailMode
    outgoing: tuple[OutgoingServer, ...]
    incoming: tuple[IncomingServer, ...]
    alias: AliasDomain

    @property
    def servers(self) -> tuple[OutgoingServer | IncomingServer, ...]:
        """The company's outgoing servers, then its incoming ones."""
        return (*self.outgoing, *self.incoming)


@dataclass(frozen=True)
class OdooConnectionSpec:
    """How to reach a target's Odoo: URL, database, login, the environment variable with the
    password or API key, transport, and the HTTP/TLS switches.
    """

    url: str
    database: str
    login: str
    password_env: str
    transport: TransportKind
    allow_insecure_http: bool
    verify_tls: bool
    install_modules: bool
    manage_base_url: bool
    adopt: bool = False
    timeout_seconds: float = 60.0  # one call to Odoo; connection.timeoutSeconds


@dataclass(frozen=True)
class OdooTargetSpec:
    """The declared state of one Odoo database: base URLs and redirect URIs, mail mode, the
    servers, the alias domain, the authority (None for multitenant apps) and the connection.
    """

    name: str
    base_urls: tuple[str, ...]
    redirect_uris: tuple[str, ...]
    mode: MailMode
    outgoing: tuple[OutgoingServer, ...]
    incoming: tuple[IncomingServer, ...]
    alias: AliasDomain
    # None when the app is multitenant: Odoo's default authority (`common`) is right then.
    endpoint: str | None
    connection: OdooConnectionSpec | None
    # The other companies of the database; the fields above are the connection user's company.
    companies: tuple[CompanySpec, ...] = ()
    # The app's audience: which authority Odoo's endpoint parameter may name.
    sign_in_audience: SignInAudience = SignInAudience.MULTIPLE_ORGS

    @property
    def accepted_authorities(self) -> frozenset[str]:
        """The shared authorities an Odoo endpoint parameter may name (`accepted_authorities`)."""
        return accepted_authorities(self.sign_in_audience)

    @property
    def all_outgoing(self) -> tuple[OutgoingServer, ...]:
        """The outgoing servers of every company the target serves, its own first."""
        return (*self.outgoing, *(s for c in self.companies for s in c.outgoing))

    @property
    def all_incoming(self) -> tuple[IncomingServer, ...]:
        """The incoming servers of every company the target serves, its own first."""
        return (*self.incoming, *(s for c in self.companies for s in c.incoming))

    @property
    def expected_base_url(self) -> str:
        """The `web.base.url` Odoo must have for its redirect URI to match the app's."""
        return self.base_urls[0]

    @property
    def servers(self) -> tuple[OutgoingServer | IncomingServer, ...]:
        """The outgoing servers, then the incoming ones (each has `name` and `mailbox`)."""
        return (*self.outgoing, *self.incoming)


@dataclass(frozen=True)
class AppRegistrationSpec:
    """The declared Entra app registration: name, audience, redirect URIs, access token version
    (2 when personal accounts may sign in, as Microsoft requires), delegated scopes, assignment,
    consent, owners, users, groups and tenant.
    """

    display_name: str
    sign_in_audience: SignInAudience
    redirect_uris: tuple[str, ...]
    requested_access_token_version: int | None
    scopes: tuple[str, ...]
    assignment_required: bool
    admin_consent: bool
    owners: tuple[str, ...]
    users: tuple[str, ...]
    groups: tuple[str, ...]
    tenant_id: str | None

    @property
    def oauth_endpoint(self) -> str:
        """The authority Odoo must use (see `oauth_endpoint`)."""
        return oauth_endpoint(self.sign_in_audience, self.tenant_id)


@dataclass(frozen=True)
class DesiredState:
    """Everything the stack declares at instant `at`: the app, the secret schedule, the targets."""

    app: AppRegistrationSpec
    secret: SecretSchedule
    targets: tuple[OdooTargetSpec, ...]
    at: datetime

    def target(self, name: str) -> OdooTargetSpec:
        """The target named `name`; raises `ConfigError` (`--target`) listing the names there
        are."""
        for target in self.targets:
            if target.name == name:
                return target
        raise unknown_target(name, [t.name for t in self.targets])


def _delegate(target: Target | CompanyMail, address: str) -> str:
    login = target.mail.login_for(address)
    return "" if login == address else login


def _outgoing(target: Target | CompanyMail) -> tuple[OutgoingServer, ...]:
    mail = target.mail
    if mail.mode is MailMode.GENERIC:
        return (
            OutgoingServer(
                xmlid=mail_server_xmlid(mail.notifications),
                name=f"Outlook {mail.notifications}",
                mailbox=mail.notifications,
                from_filter=mail.notifications,
                sequence=USER_SERVER_SEQUENCE,
                is_fallback=False,
                login=_delegate(target, mail.notifications),
            ),
        )
    personal = tuple(
        OutgoingServer(
            xmlid=mail_server_xmlid(address),
            name=f"Outlook {address}",
            mailbox=address,
            from_filter=address,
            sequence=USER_SERVER_SEQUENCE,
            is_fallback=False,
            login=_delegate(target, address),
        )
        for address in mail.users
    )
    fallback = OutgoingServer(
        xmlid=mail_server_xmlid(mail.notifications),
        name=f"Outlook {mail.notifications} (fallback)",
        mailbox=mail.notifications,
        from_filter=mail.notifications,
        sequence=FALLBACK_SERVER_SEQUENCE,
        is_fallback=True,
        login=_delegate(target, mail.notifications),
    )
    return (*personal, fallback)


def _incoming(target: Target | CompanyMail) -> tuple[IncomingServer, ...]:
    return tuple(
        IncomingServer(
            xmlid=fetchmail_server_xmlid(address),
            name=f"Outlook {address}",
            mailbox=address,
        )
        for address in target.mail.incoming
    )


def _connection(target: Target) -> OdooConnectionSpec | None:
    conn = target.connection
    if conn is None:
        return None
    return OdooConnectionSpec(
        url=target.odoo_url,
        database=conn.database,
        login=conn.login,
        password_env=target.password_env,
        transport=conn.transport,
        allow_insecure_http=conn.allow_insecure_http,
        verify_tls=conn.verify_tls,
        install_modules=conn.install_modules,
        manage_base_url=conn.manage_base_url,
        adopt=conn.adopt,
        timeout_seconds=conn.timeout_seconds,
    )


def target_spec(config: StackConfig, target: Target) -> OdooTargetSpec:
    """The declared state of `target` (pure; no I/O)."""
    audience = config.app.sign_in_audience
    endpoint = None if audience.is_multitenant else oauth_endpoint(audience, config.app.tenant_id)
    return OdooTargetSpec(
        name=target.name,
        base_urls=tuple(target.base_urls),
        redirect_uris=tuple(confirm_uri(url) for url in target.base_urls),
        mode=target.mail.mode,
        outgoing=_outgoing(target),
        incoming=_incoming(target),
        alias=_alias(target.mail),
        endpoint=endpoint,
        connection=_connection(target),
        sign_in_audience=audience,
        companies=tuple(
            CompanySpec(
                company=c.company,
                mode=c.mail.mode,
                outgoing=_outgoing(c),
                incoming=_incoming(c),
                alias=_alias(c.mail),
            )
            for c in target.companies
        ),
    )


def target_specs(config: StackConfig, names: Sequence[str] = ()) -> list[OdooTargetSpec]:
    """The declared state of the targets named `names` in that order, or of every target in
    stack order when `names` is empty (the commands' `--target`). Pure; raises `ConfigError`
    (`--target`, listing the names there are) for an unknown name."""
    targets = [config.target(n) for n in names] if names else config.targets
    return [target_spec(config, t) for t in targets]


def _alias(mail: MailSettings) -> AliasDomain:
    return AliasDomain(
        domain=mail.domain,
        default_from=mail.default_from,
        catchall_alias=mail.catchall_alias,
        bounce_alias=mail.bounce_alias,
    )


def desired_state(config: StackConfig, now: datetime) -> DesiredState:
    """The whole declared state at `now` (aware datetime): pure, the single input of the
    Pulumi components, `plan`, `sync` and `doctor`.
    """
    targets = tuple(target_spec(config, t) for t in config.targets)
    redirect_uris = tuple(dict.fromkeys(uri for t in targets for uri in t.redirect_uris))
    app = config.app
    return DesiredState(
        app=AppRegistrationSpec(
            display_name=app.display_name,
            sign_in_audience=app.sign_in_audience,
            redirect_uris=redirect_uris,
            requested_access_token_version=2
            if app.sign_in_audience.allows_personal_accounts
            else None,
            scopes=ODOO_SCOPES,
            assignment_required=app.assignment_required,
            admin_consent=app.admin_consent,
            owners=tuple(app.owners),
            users=tuple(config.assignments.users),
            groups=tuple(config.assignments.groups),
            tenant_id=app.tenant_id,
        ),
        secret=schedule(config.secret, now),
        targets=targets,
        at=now,
    )
