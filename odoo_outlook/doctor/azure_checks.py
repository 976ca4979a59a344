"""Pure checks of the Entra side: fetched Graph data + the desired state in, `Check`s out.

A read that failed is carried as its one-line `GraphAccessError` message (it already names the
Graph permission the caller lacks, or the missing object); the checks that need that data turn
into one failed check and the rest go on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from odoo_outlook.desired import MICROSOFT_GRAPH_APP_ID, AppRegistrationSpec, admin_consent_url
from odoo_outlook.doctor.model import Check, fail, ok, warn
from odoo_outlook.doctor.secrets import expiry_checks
from odoo_outlook.graph import (
    Application,
    AppManagementPolicy,
    AppRoleAssignment,
    AuthorizationPolicy,
    DelegatedGrant,
    DirectoryObjectRef,
    Permission,
    PermissionClassification,
    ServicePrincipal,
)

PULUMI_FIX = "run `pulumi up` (it makes the app registration match the stack)"
T = TypeVar("T")

ACCOUNT_ENABLED_FIX = (
    "grant the identity running the doctor the Graph permission"
    f" {Permission.USER_ACCOUNT_ENABLED.hint}"
    f" ({Permission.USER_ACCOUNT_ENABLED.reference}), then run it again"
)
GRAPH_ACCESS_FIX = (
    "sign in with an identity that has the Graph permission named above (README: Entra roles)"
)


@dataclass(frozen=True)
class Read(Generic[T]):
    """A Graph read's result, or why it failed (one line, no secrets)."""

    value: T | None = None
    error: str | None = None
    missing: bool = False  # the error is a 404 / not found

    @property
    def ok(self) -> bool:
        """Whether the read succeeded and found a value."""
        return self.error is None and self.value is not None


@dataclass(frozen=True)
class Principal:
    """A configured user (UPN or id) or group (name or id), resolved to an object id."""

    kind: str  # "user", "group" or "owner" (a user by UPN, or any object id)
    name: str
    read: Read[str]  # the object id
    enabled: bool | None = None


@dataclass(frozen=True)
class AzureFacts:
    """Everything the Azure checks read from Microsoft Graph for one app (`gather_azure`), each
    read kept with its failure; tenant policies need Policy.Read.All.
    """

    client_id: str
    app: Read[Application]
    sp: Read[ServicePrincipal] = field(default_factory=Read)
    graph_sp: Read[ServicePrincipal] = field(default_factory=Read)
    assignments: Read[tuple[AppRoleAssignment, ...]] = field(default_factory=Read)
    grants: Read[tuple[DelegatedGrant, ...]] = field(default_factory=Read)
    principals: tuple[Principal, ...] = ()
    owners: Read[tuple[DirectoryObjectRef, ...]] = field(default_factory=Read)
    owner_principals: tuple[Principal, ...] = ()  # the stack's app.owners, resolved
    # Tenant policies (Policy.Read.All): user consent, secret lifetime caps.
    authorization: Read[AuthorizationPolicy] = field(default_factory=Read)
    default_policy: Read[AppManagementPolicy] = field(default_factory=Read)
    app_policies: Read[tuple[AppManagementPolicy, ...]] = field(default_factory=Read)
    classifications: Read[tuple[PermissionClassification, ...]] = field(default_factory=Read)


def _read_failed(name: str, read: Read[T], missing_fix: str = PULUMI_FIX) -> Check:
    return fail(name, read.error or "not read", missing_fix if read.missing else GRAPH_ACCESS_FIX)


def check_app(facts: AzureFacts) -> Check:
    """The app registration exists and is not disabled by Microsoft
    (`disabledByMicrosoftStatus`)."""
    if not facts.app.ok:
        fix = (
            f"check --client-id / the stack outputs' clientId, and the tenant (--tenant);"
            f" {PULUMI_FIX}"
        )
        return _read_failed("app registration", facts.app, fix)
    app = facts.app.value
    assert app is not None
    status = app.disabled_by_microsoft_status
    if status and status != "NotDisabled":
        # Graph v1.0 `application.disabledByMicrosoftStatus`: null or NotDisabled when usable.
        return fail(
            "app registration",
            f"{app.display_name!r} is disabled by Microsoft"
            f" ({status}): nobody can sign in (AADSTS7000112)",
            "see the app's overview in the Microsoft Entra admin center and contact"
            " Microsoft support",
        )
    return ok("app registration", f"{app.display_name!r} has client id {app.client_id}")


def check_audience(app: Application, spec: AppRegistrationSpec) -> Check:
    """The app's `signInAudience` is the declared one."""
    wanted = str(spec.sign_in_audience)
    if app.sign_in_audience != wanted:
        return fail(
            "sign-in audience",
            f"supported account types are {app.sign_in_audience}, the stack wants {wanted}",
            PULUMI_FIX,
        )
    version = spec.requested_access_token_version
    if version is not None and app.requested_access_token_version != version:
        return fail(
            "sign-in audience",
            f"{wanted} needs access token version {version}, the app"
            f" has {app.requested_access_token_version or 'the default (1)'}",
            PULUMI_FIX,
        )
    return ok("sign-in audience", wanted)


def check_redirect_uris(app: Application, spec: AppRegistrationSpec) -> Check:
    """Every declared redirect URI (Odoo's `/microsoft_outlook/confirm`) is on the app's web
    platform."""
    have = set(app.redirect_uris)
    missing = [u for u in spec.redirect_uris if u not in have]
    if missing:
        return fail(
            "redirect URIs",
            f"missing {', '.join(missing)} (Microsoft answers AADSTS50011 to Odoo)",
            PULUMI_FIX,
        )
    extra = sorted(have - set(spec.redirect_uris))
    tail = f"; also {', '.join(extra)}" if extra else ""
    return ok("redirect URIs", f"all {len(spec.redirect_uris)} Odoo confirm URLs{tail}")


def check_client_type(app: Application, spec: AppRegistrationSpec) -> list[Check]:
    """The application properties that decide whether Microsoft treats Odoo as the confidential
    web client it is, read whether or not the stack declares them: checks "client type" and
    "implicit grant".

    Odoo redeems the authorization code with its client secret at the token endpoint, from the
    server. Microsoft refuses that when it takes the sign-in for a public client's: the app's
    `isFallbackPublicClient` is true, or the confirm URL is registered under `publicClient`
    (mobile and desktop) — AADSTS700025 "Client is public so neither 'client_assertion' nor
    'client_secret' should be presented" — or under `spa`, whose codes only a browser's
    cross-origin request may redeem (AADSTS9002327). The implicit grant is never used by Odoo.
    Sources: Microsoft identity platform docs "Public client and confidential client
    applications", "Microsoft identity platform and OAuth 2.0 authorization code flow", and the
    Graph v1.0 `application` resource reference.
    """
    confirm = set(spec.redirect_uris)
    problems: list[str] = []
    fixes: list[str] = []
    if app.is_fallback_public_client:
        problems.append(
            "isFallbackPublicClient is true: Microsoft treats the app as a public"
            " client and refuses Odoo's client secret (AADSTS700025)"
        )
        fixes.append("set isFallbackPublicClient to false")
    public = [u for u in app.public_client_redirect_uris if u in confirm]
    if public:
        problems.append(
            f"Odoo's confirm URL {', '.join(public)} is also a mobile and desktop"
            " (publicClient) redirect URI: Microsoft treats the sign-in as a public"
            " client's and refuses Odoo's client secret (AADSTS700025)"
        )
        fixes.append("remove it from publicClient.redirectUris")
    spa = [u for u in app.spa_redirect_uris if u in confirm]
    if spa:
        problems.append(
            f"Odoo's confirm URL {', '.join(spa)} is also a single-page application"
            " (spa) redirect URI: Microsoft then lets only a browser redeem the"
            " sign-in code, not Odoo's server (AADSTS9002327)"
        )
        fixes.append("remove it from spa.redirectUris")
    others = [
        u for u in (*app.public_client_redirect_uris, *app.spa_redirect_uris) if u not in confirm
    ]
    if problems:
        client_type = fail("client type", "; ".join(problems), f"{'; '.join(fixes)}: {PULUMI_FIX}")
    elif others:
        client_type = warn(
            "client type",
            f"public-client or SPA redirect URIs the stack does not declare: {', '.join(others)}",
            f"{PULUMI_FIX} removes them",
        )
    else:
        client_type = ok(
            "client type",
            "confidential web client (isFallbackPublicClient false,"
            " no public-client or SPA redirect URIs)",
        )
    implicit = [
        kind
        for kind, on in (
            ("access tokens", app.implicit_access_token),
            ("ID tokens", app.implicit_id_token),
        )
        if on
    ]
    if implicit:
        grant = warn(
            "implicit grant",
            f"on for {' and '.join(implicit)}: Odoo never uses it,"
            " and it hands tokens to the browser",
            f"turn web.implicitGrantSettings off: {PULUMI_FIX}",
        )
    else:
        grant = ok("implicit grant", "off (Odoo uses the authorization code flow)")
    return [client_type, grant]


def check_permissions(
    app: Application, graph_sp: Read[ServicePrincipal], spec: AppRegistrationSpec
) -> list[Check]:
    """The app requests the declared delegated Microsoft Graph scopes (`requiredResourceAccess`),
    resolved by name on Graph's service principal (`oauth2PermissionScopes`).
    """
    if not graph_sp.ok:
        return [_read_failed("API permissions", graph_sp)]
    assert graph_sp.value is not None
    ids = {s.value: s.id for s in graph_sp.value.oauth2_permission_scopes if s.is_enabled}
    requested = app.required_scope_ids(MICROSOFT_GRAPH_APP_ID)
    unknown = [name for name in spec.scopes if name not in ids]
    missing = [name for name in spec.scopes if name in ids and ids[name] not in requested]
    checks: list[Check] = []
    if missing or unknown:
        text = f"Microsoft Graph delegated permissions missing: {', '.join(missing + unknown)}"
        checks.append(fail("API permissions", text, PULUMI_FIX))
    else:
        checks.append(ok("API permissions", "delegated " + ", ".join(spec.scopes)))
    roles = {r.id: r.value or r.id for r in graph_sp.value.app_roles}
    extra_roles = [
        roles.get(access.id, access.id)
        if rra.resource_app_id == MICROSOFT_GRAPH_APP_ID
        else f"{access.id} on {rra.resource_app_id}"
        for rra in app.required_resource_access
        for access in rra.resource_access
        if access.type == "Role"
    ]
    if extra_roles:
        checks.append(
            warn(
                "application permissions",
                "the app also requests application"
                f" permissions Odoo never uses: {', '.join(extra_roles)}",
                "remove them (least privilege): `pulumi up`",
            )
        )
    return checks


def _owner_name(owner: DirectoryObjectRef) -> str:
    return owner.user_principal_name or owner.display_name or owner.id


def check_owners(facts: AzureFacts) -> list[Check]:
    """At least one owner, and every configured `app.owners` principal among them."""
    if not facts.owners.ok:
        return [_read_failed("app owners", facts.owners)]
    owners = facts.owners.value or ()
    checks: list[Check] = []
    if owners:
        checks.append(
            ok(
                "app owners",
                f"{len(owners)} owner(s): " + ", ".join(_owner_name(o) for o in owners),
            )
        )
    else:
        checks.append(
            warn(
                "app owners",
                "the app registration has no owner: only Entra"
                " administrators can manage it (and a deploying identity with"
                " Application.ReadWrite.OwnedBy cannot)",
                "run `pulumi up` (the"
                " deploying identity becomes an owner), or add one in Entra ID > App"
                " registrations > Owners",
            )
        )
    ids = {o.id.lower() for o in owners}
    for principal in facts.owner_principals:
        name = f"app owner {principal.name}"
        if not principal.read.ok:
            if principal.read.missing:
                checks.append(
                    warn(
                        name,
                        principal.read.error or "not found",
                        "fix the name in the stack (app.owners) or create the account",
                    )
                )
            else:
                checks.append(fail(name, principal.read.error or "not read", GRAPH_ACCESS_FIX))
        elif str(principal.read.value).lower() not in ids:
            checks.append(
                warn(
                    name,
                    f"{principal.read.value} is not an owner of the app registration",
                    PULUMI_FIX,
                )
            )
        else:
            checks.append(ok(name, f"owner ({principal.read.value})"))
    return checks


def check_service_principal(facts: AzureFacts) -> Check:
    """The enterprise application (service principal) exists and is enabled."""
    if not facts.sp.ok:
        return _read_failed("enterprise application", facts.sp)
    sp = facts.sp.value
    assert sp is not None
    if sp.account_enabled is False:
        return fail(
            "enterprise application",
            "sign-in is disabled for users (accountEnabled false)",
            "Entra ID > Enterprise applications > Properties > Enabled for users to sign-in: Yes",
        )
    return ok("enterprise application", f"service principal {sp.object_id}")


def check_assignment_required(sp: ServicePrincipal, spec: AppRegistrationSpec) -> Check:
    """The service principal's `appRoleAssignmentRequired` is the declared value."""
    wanted, have = spec.assignment_required, sp.app_role_assignment_required
    if wanted != have:
        return fail(
            "assignment required",
            f"is {'yes' if have else 'no'}, the stack wants {'yes' if wanted else 'no'}",
            PULUMI_FIX,
        )
    return ok("assignment required", "yes" if have else "no (any user of the tenant may sign in)")


def check_assignments(facts: AzureFacts) -> list[Check]:
    """Each declared user and group is assigned to the enterprise application
    (`appRoleAssignedTo`) and, for users, enabled; nothing when none are declared.
    """
    if not facts.principals:
        return []
    if not facts.assignments.ok:
        return [_read_failed("assigned users and groups", facts.assignments)]
    assigned = {a.principal_id for a in facts.assignments.value or ()}
    checks = []
    for principal in facts.principals:
        name = f"assigned {principal.kind} {principal.name}"
        if not principal.read.ok:
            fix = (
                "fix the name in the stack (assignments) or create the account"
                if principal.read.missing
                else GRAPH_ACCESS_FIX
            )
            checks.append(fail(name, principal.read.error or "not found", fix))
        elif principal.read.value not in assigned:
            checks.append(
                fail(
                    name,
                    f"{principal.kind} {principal.read.value} is not assigned"
                    " to the enterprise application (Microsoft answers AADSTS50105)",
                    PULUMI_FIX,
                )
            )
        elif principal.enabled is False:
            checks.append(
                warn(
                    name,
                    "assigned, but the account is disabled",
                    "enable the account in Entra ID, or remove it from the stack",
                )
            )
        elif principal.kind == "user" and principal.enabled is None:
            # Graph answers null for accountEnabled when the identity reads basic profiles
            # only (User.ReadBasic.All): unknown, not enabled.
            checks.append(
                warn(
                    name,
                    f"assigned ({principal.read.value}), but Graph returned no"
                    " accountEnabled value, so the doctor could not tell whether the"
                    " account is enabled (the signed-in identity can read basic"
                    " profiles only)",
                    ACCOUNT_ENABLED_FIX,
                )
            )
        else:
            checks.append(ok(name, f"assigned ({principal.read.value})"))
    return checks


def check_admin_consent(
    facts: AzureFacts, spec: AppRegistrationSpec, tenant_id: str | None
) -> Check | None:
    """With `admin_consent`, an `AllPrincipals` delegated grant covers every declared scope;
    None when the stack does not ask for admin consent. The fix names the admin consent URL.
    """
    if not spec.admin_consent:
        return None
    url = admin_consent_url(tenant_id or spec.tenant_id, facts.client_id)
    if not facts.grants.ok:
        return _read_failed("admin consent", facts.grants)
    graph_id = facts.graph_sp.value.object_id if facts.graph_sp.value else None
    granted: set[str] = set()
    for grant in facts.grants.value or ():
        if grant.consent_type == "AllPrincipals" and (
            graph_id is None or grant.resource_id == graph_id
        ):
            granted |= {s.lower() for s in grant.scopes}
    missing = [s for s in spec.scopes if s.lower() not in granted]
    if missing:
        return fail(
            "admin consent",
            f"not granted for {', '.join(missing)} (Microsoft answers AADSTS65001)",
            f"`pulumi up`, or open {url} as an administrator",
        )
    return ok("admin consent", "granted for all users (AllPrincipals)")


def azure_checks(
    facts: AzureFacts,
    spec: AppRegistrationSpec,
    *,
    now: datetime,
    warn_days: int,
    held: frozenset[str],
    tenant_id: str | None,
) -> list[Check]:
    """Every Azure check that the fetched data allows, in a reader's order."""
    checks = [check_app(facts)]
    app = facts.app.value
    if app is None:
        return checks
    checks += [check_audience(app, spec), check_redirect_uris(app, spec)]
    checks += check_client_type(app, spec)
    checks += check_permissions(app, facts.graph_sp, spec)
    checks += check_owners(facts)
    checks.append(check_service_principal(facts))
    if facts.sp.value is not None:
        checks.append(check_assignment_required(facts.sp.value, spec))
        checks += check_assignments(facts)
        consent = check_admin_consent(facts, spec, tenant_id)
        if consent is not None:
            checks.append(consent)
    checks += expiry_checks(app.password_credentials, now, warn_days, held)
    return checks
