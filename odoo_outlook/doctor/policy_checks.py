"""Tenant policies that break a setup before anyone sees an error: user consent and client
secret lifetimes. Pure: fetched Graph data + the stack in, `Check`s out.

User consent (app.adminConsent false): the tenant's authorizationPolicy lists, in
`defaultUserRolePermissions.permissionGrantPoliciesAssigned`, the permission grant policies
users may consent under ("ManagePermissionGrantsForSelf.<id>"). Microsoft's built-in ones
(https://learn.microsoft.com/entra/identity/enterprise-apps/configure-user-consent):
- `microsoft-user-default-legacy`: users consent to any delegated permission that does not
  need an administrator (SMTP.Send and IMAP.AccessAsUser.All are such "User" permissions);
- `microsoft-user-default-low`: only permissions an administrator classified "low impact"
  (apps of verified publishers or of this tenant; Microsoft Graph's
  delegatedPermissionClassifications, read here) -- SMTP.Send and IMAP.AccessAsUser.All are
  mail access, never low impact by default;
- `microsoft-user-default-recommended`: Microsoft's current recommendation, low-impact
  permissions as Microsoft classifies them -- again not mail access;
- none: users cannot consent at all.
When users cannot consent, whoever clicks "Connect your Outlook account" first gets "Need admin
approval" (AADSTS90094 / AADSTS65001): warn now, with the admin-consent URL.

Secret lifetime: a passwordLifetime restriction (tenant default
`policies/defaultAppManagementPolicy` or a policy applied to the app, which takes precedence;
https://learn.microsoft.com/graph/api/resources/tenantappmanagementpolicy) caps a new client
secret's lifetime for apps created after `restrictForAppsCreatedAfterDateTime`. The stack
gives each secret 2 x rotationDays + graceDays; beyond the cap `pulumi up` fails with
CredentialInvalidLifetimeAsPerAppPolicy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from odoo_outlook.desired import AppRegistrationSpec, admin_consent_url
from odoo_outlook.doctor.model import Check, fail, ok, warn
from odoo_outlook.graph import (
    Application,
    AppManagementPolicy,
    AuthorizationPolicy,
    CredentialRestriction,
    DelegatedGrant,
    ServicePrincipal,
)

SELF_PREFIX = "ManagePermissionGrantsForSelf."
LEGACY = "microsoft-user-default-legacy"
LOW = "microsoft-user-default-low"  # low-impact as the tenant classifies them
# Built-in policies under which users cannot consent to mail access (SMTP / IMAP).
LOW_IMPACT_ONLY = ("microsoft-user-default-low", "microsoft-user-default-recommended")
POLICY_FIX = (
    "grant the identity running doctor Policy.Read.All (README: Entra roles), or"
    " check Entra ID > Enterprise applications > Consent and permissions by hand"
)


@dataclass(frozen=True)
class PolicyFacts:
    """Graph reads for the policy checks; `error` set when a read failed (one line)."""

    authorization: AuthorizationPolicy | None = None
    authorization_error: str | None = None
    default_policy: AppManagementPolicy | None = None
    default_policy_error: str | None = None
    app_policies: tuple[AppManagementPolicy, ...] = ()
    app_policies_error: str | None = None
    grants: tuple[DelegatedGrant, ...] = field(default_factory=tuple)
    grants_error: str | None = None
    # Microsoft Graph permissions the tenant classified "low" (None: not read).
    low_impact: tuple[str, ...] | None = None


def check_user_consent(
    facts: PolicyFacts,
    spec: AppRegistrationSpec,
    client_id: str,
    tenant_id: str | None,
    graph_sp: ServicePrincipal | None,
) -> Check | None:
    """With app.adminConsent false: can the users who click "Connect your Outlook account"
    consent to the app's scopes themselves? None when the stack grants admin consent."""
    if spec.admin_consent:
        return None
    name = "user consent"
    url = admin_consent_url(tenant_id or spec.tenant_id, client_id)
    if facts.grants_error:
        return warn(name, facts.grants_error, POLICY_FIX)
    graph_id = graph_sp.object_id if graph_sp else None
    granted = {
        s.lower()
        for g in facts.grants
        if g.consent_type == "AllPrincipals" and (graph_id is None or g.resource_id == graph_id)
        for s in g.scopes
    }
    if all(s.lower() in granted for s in spec.scopes):
        return ok(name, "an administrator already consented for all users (AllPrincipals)")
    if facts.authorization_error or facts.authorization is None:
        return warn(name, facts.authorization_error or "not read", POLICY_FIX)
    admin_only = []
    if graph_sp is not None:
        kinds = {s.value: s.type for s in graph_sp.oauth2_permission_scopes}
        admin_only = [s for s in spec.scopes if kinds.get(s) == "Admin"]
    assigned = [
        p.removeprefix(SELF_PREFIX)
        for p in facts.authorization.permission_grant_policies_assigned
        if p.startswith(SELF_PREFIX)
    ]
    users = len({g.principal_id for g in facts.grants if g.consent_type == "Principal"})
    done = f"; {users} user(s) consented already" if users else ""
    before = (
        f'before anyone clicks "Connect your Outlook account", open {url} as an'
        " administrator (or set app.adminConsent: true and `pulumi up`)"
    )
    if admin_only:
        return warn(name, f"{', '.join(admin_only)} need an administrator's consent{done}", before)
    if LEGACY in assigned:
        return ok(
            name,
            "users may consent to the app's delegated permissions themselves"
            f" (user consent policy {LEGACY}){done}",
        )
    if not assigned:
        return warn(
            name,
            "users may not consent to apps in this tenant: the first user to"
            f' connect gets "Need admin approval"{done}',
            before,
        )
    if LOW in assigned and facts.low_impact is not None:
        low = {p.lower() for p in facts.low_impact}
        missing = [s for s in spec.scopes if s.lower() not in low]
        if not missing:
            return ok(
                name,
                f"users may consent to low-impact permissions ({LOW}) and the"
                f" tenant classified all of {', '.join(spec.scopes)} low{done}",
            )
        return warn(
            name,
            f"users may consent only to low-impact permissions ({LOW});"
            f" {', '.join(missing)} are not classified low in this tenant (mail access"
            f' never is by default): users get "Need admin approval"{done}',
            before,
        )
    known = [p for p in assigned if p in LOW_IMPACT_ONLY]
    if known:
        return warn(
            name,
            f"users may consent only to low-impact permissions ({known[0]});"
            " SMTP.Send and IMAP.AccessAsUser.All are mail access, not low impact:"
            f' users get "Need admin approval"{done}',
            before,
        )
    return warn(
        name,
        f"user consent follows custom policy {', '.join(assigned)}; whether it"
        " admits SMTP.Send and IMAP.AccessAsUser.All is not known" + done,
        "to be sure, " + before,
    )


@dataclass(frozen=True)
class LifetimeCap:
    """A client secret lifetime cap in whole days and the tenant policy that sets it."""

    days: int
    source: str  # "tenant default policy" or "app management policy '<name>'"


def _cap_days(max_lifetime: timedelta) -> int:
    return max_lifetime.days  # a partial day does not make room for one more day


def _applies(restriction: CredentialRestriction, created: datetime | None) -> bool:
    if restriction.restriction_type != "passwordLifetime" or restriction.max_lifetime is None:
        return False
    if not restriction.enforced:
        return False
    after = restriction.restrict_for_apps_created_after
    return after is None or created is None or created > after


def lifetime_cap(facts: PolicyFacts, app: Application) -> LifetimeCap | None:
    """The secret lifetime cap in force for this app: an enabled policy applied to the app
    takes precedence over the tenant default; None when nothing caps it."""
    for policies, label in (
        (facts.app_policies, "app management policy"),
        (
            (facts.default_policy,) if facts.default_policy else (),
            "tenant default app management policy",
        ),
    ):
        caps = [
            LifetimeCap(
                _cap_days(r.max_lifetime),
                f"{label} {p.display_name!r}" if label == "app management policy" else label,
            )
            for p in policies
            if p.is_enabled
            for r in p.password_restrictions
            if _applies(r, app.created) and r.max_lifetime
        ]
        if caps:
            return min(caps, key=lambda c: c.days)
    return None


def check_secret_lifetime(
    facts: PolicyFacts,
    app: Application,
    rotation_days: int,
    grace_days: int,
    max_lifetime_days: int,
) -> Check:
    """The declared secret lifetime (2 x rotationDays + graceDays) against the tenant's cap."""
    name = "secret lifetime policy"
    errors = [e for e in (facts.default_policy_error, facts.app_policies_error) if e]
    if errors:
        return warn(name, errors[0], POLICY_FIX)
    lifetime = 2 * rotation_days + grace_days
    cap = lifetime_cap(facts, app)
    if cap is None:
        return ok(
            name,
            f"no tenant cap on client secret lifetimes (the stack's secrets live {lifetime} days)",
        )
    if lifetime <= cap.days and max_lifetime_days <= cap.days:
        return ok(
            name, f"{cap.source} caps secrets at {cap.days} days; the stack's live {lifetime}"
        )
    rotation = (cap.days - grace_days) // 2
    if lifetime > cap.days:
        if rotation >= 1:
            fix = (
                f"set secret.maxLifetimeDays: {cap.days} and secret.rotationDays:"
                f" {rotation} (or less), then `pulumi up`"
            )
        else:
            grace = max(1, cap.days // 3)
            fix = (
                f"set secret.maxLifetimeDays: {cap.days}, secret.graceDays: {grace} and"
                f" secret.rotationDays: {max(1, (cap.days - grace) // 2)}, then `pulumi up`"
            )
        return fail(
            name,
            f"{cap.source} caps client secrets at {cap.days} days; the stack's"
            f" live 2 x rotationDays + graceDays = {lifetime} days, so `pulumi up`"
            " fails with CredentialInvalidLifetimeAsPerAppPolicy",
            fix,
        )
    return warn(
        name,
        f"{cap.source} caps client secrets at {cap.days} days, secret."
        f"maxLifetimeDays is {max_lifetime_days}",
        f"set secret.maxLifetimeDays: {cap.days} so the stack's own check matches the tenant",
    )


def policy_checks(
    facts: PolicyFacts,
    spec: AppRegistrationSpec,
    app: Application,
    client_id: str,
    tenant_id: str | None,
    graph_sp: ServicePrincipal | None,
    secret: tuple[int, int, int],
) -> Sequence[Check]:
    """Both policy checks; `secret` is (rotationDays, graceDays, maxLifetimeDays)."""
    checks = []
    consent = check_user_consent(facts, spec, client_id, tenant_id, graph_sp)
    if consent is not None:
        checks.append(consent)
    checks.append(check_secret_lifetime(facts, app, *secret))
    return checks
