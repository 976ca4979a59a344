"""What Microsoft's failure texts mean for an Odoo + Microsoft 365 stack: a table, not branches.

Each `Entry` names one failure as Microsoft words it: a code token (an Exchange Online enhanced
status code such as ``5.7.139``, an Entra ``AADSTS`` code, or an OAuth error such as
``unauthorized_client``) plus, where one code has several causes, the text that tells them apart
(``535 5.7.139 ... basic authentication is disabled`` vs ``... SmtpClientAuthentication is
disabled for the Tenant``). The whole reply is read: within one code the first entry whose text
matches wins, so the table lists the specific variants before the code's generic entry.

Advice depends on the stack: an entry holds several `Advice` rows, each with the stack facts it
applies to (sign-in audience, admin consent, assignment required); the first row that applies
is given. `contradictions` checks a rendered fix against the stack (never "set X" when the stack
already has X, never the shared ``common`` authority for a single-tenant app); the tests run it
over every entry and every stack shape.

Sources are in the table, one per entry (Microsoft's documentation page, or the public report
the text comes from). AADSTS meanings: "Microsoft Entra authentication and authorization error
codes", https://learn.microsoft.com/entra/identity-platform/reference-error-codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from odoo_outlook.config import SignInAudience
from odoo_outlook.desired import OdooTargetSpec, admin_consent_url, oauth_endpoint
from odoo_outlook.doctor.model import Status

MY_ORG = SignInAudience.MY_ORG
MULTI = SignInAudience.MULTIPLE_ORGS
PERSONAL = SignInAudience.ORGS_AND_PERSONAL
WORK_ONLY = frozenset({MY_ORG, MULTI})
MULTITENANT = frozenset({MULTI, PERSONAL})

# Documentation pages the table cites.
AADSTS_REF = "https://learn.microsoft.com/entra/identity-platform/reference-error-codes"
SMTP_AUTH = (
    "https://learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/"
    "authenticated-client-smtp-submission"
)
OAUTH_IMAP_SMTP = (
    "https://learn.microsoft.com/exchange/client-developer/legacy-protocols/"
    "how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth"
)
BASIC_AUTH_RETIREMENT = (
    "https://techcommunity.microsoft.com/blog/exchange/exchange-online-to-"
    "retire-basic-auth-for-client-submission-smtp-auth/4114750"
)
SECURITY_DEFAULTS = "https://learn.microsoft.com/entra/fundamentals/security-defaults"
NDR_700_750 = (
    "https://learn.microsoft.com/exchange/mail-flow-best-practices/"
    "non-delivery-reports-in-exchange-online/fix-error-code-5-7-700-through-5-7-750"
)
NDR_451_4_7_500 = (
    "https://learn.microsoft.com/exchange/mail-flow-best-practices/"
    "non-delivery-reports-in-exchange-online/"
    "fix-error-code-451-4-7-500-699-asxxx-in-exchange-online"
)
NDR_550_5_4_1 = (
    "https://learn.microsoft.com/exchange/mail-flow-best-practices/"
    "non-delivery-reports-in-exchange-online/fix-error-code-550-5-4-1-in-exchange-online"
)
NDR_INDEX = (
    "https://learn.microsoft.com/exchange/mail-flow-best-practices/"
    "non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online"
)
SEND_AS = (
    "https://learn.microsoft.com/exchange/recipients-in-exchange-online/"
    "manage-permissions-for-recipients"
)
MFD_SMTP = (
    "https://learn.microsoft.com/exchange/mail-flow-best-practices/how-to-set-up-a-"
    "multifunction-device-or-application-to-send-email-using-microsoft-365-or-office-365"
)
EXO_LIMITS = (
    "https://learn.microsoft.com/office365/servicedescriptions/"
    "exchange-online-service-description/exchange-online-limits"
)
RESTRICTED_USERS = (
    "https://learn.microsoft.com/defender-office-365/outbound-spam-restore-restricted-users"
)
IMAP_ENABLE = (
    "https://learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/"
    "pop3-and-imap4/enable-or-disable-pop3-or-imap4-access"
)
USER_CONSENT = "https://learn.microsoft.com/entra/identity/enterprise-apps/configure-user-consent"
ADMIN_CONSENT = "https://learn.microsoft.com/entra/identity/enterprise-apps/grant-admin-consent"
ASSIGNMENT = (
    "https://learn.microsoft.com/entra/identity/enterprise-apps/assign-user-or-group-access-portal"
)
ACCOUNT_TYPES = "https://learn.microsoft.com/entra/identity-platform/supported-accounts-validation"
CONDITIONAL_ACCESS = (
    "https://learn.microsoft.com/entra/identity/conditional-access/troubleshoot-conditional-access"
)
REFRESH_TOKENS = "https://learn.microsoft.com/entra/identity-platform/refresh-tokens"
ODOO_AZURE_OAUTH = (
    "https://www.odoo.com/documentation/17.0/applications/general/"
    "email_communication/azure_oauth.html"
)
REPORT_NOT_CONNECTED = (
    "https://learn.microsoft.com/answers/questions/1371421/"
    "imap-oauth-user-is-authenticated-but-not-connected"
)
OAUTH_ERRORS = "https://datatracker.ietf.org/doc/html/rfc6749#section-5.2"

SYNC = "run `pulumi up` (or `odoo-outlook sync`)"
RECONNECT = (
    "open the server in Odoo (Settings > Technical > Outgoing/Incoming Mail Servers)"
    ' and click "Connect your Outlook account" again, signed in as {mailbox}'
)


class Fact(StrEnum):
    """Stack facts an entry's advice depends on."""

    AUDIENCE = "audience"  # app.signInAudience
    CONSENT = "admin consent"  # app.adminConsent
    TENANT = "tenant"  # app.tenantId, the authority Odoo signs in through
    MAILBOXES = "mailboxes"  # mail.notifications / users / incoming
    SERVERS = "servers"  # Odoo's ir.mail_server / fetchmail.server records
    ASSIGNMENTS = "assignments"  # assignmentRequired, assignments.users / groups
    SECRET = "secret"  # the client secret Odoo holds
    BASE_URL = "base url"  # web.base.url and the redirect URIs


class AppSettings(Protocol):
    """The app settings advice depends on: the stack's `app` (config.py) or the declared
    `AppRegistrationSpec` (desired.py) both have them."""

    @property
    def sign_in_audience(self) -> SignInAudience:
        """Entra's supported account types."""
        ...

    @property
    def admin_consent(self) -> bool:
        """Whether the stack grants admin consent."""
        ...

    @property
    def assignment_required(self) -> bool:
        """Whether only assigned users and groups may sign in."""
        ...

    @property
    def tenant_id(self) -> str | None:
        """The app's home tenant, when configured."""
        ...


@dataclass(frozen=True)
class StackFacts:
    """What the stack declares, as far as advice depends on it."""

    audience: SignInAudience
    admin_consent: bool = False
    assignment_required: bool = True
    tenant_id: str | None = None
    client_id: str | None = None
    mailboxes: tuple[str, ...] = ()
    expected_base_url: str | None = None
    web_base_url: str | None = None  # what Odoo holds, when read

    @classmethod
    def of(
        cls,
        app: AppSettings,
        targets: Sequence[OdooTargetSpec] = (),
        *,
        client_id: str | None = None,
        tenant_id: str | None = None,
        web_base_url: str | None = None,
    ) -> StackFacts:
        """The facts of `app` and `targets`: their mailboxes, and the base URL when there is one
        target; `tenant_id` when the app's is not configured, `web_base_url` as Odoo holds it."""
        return cls(
            audience=app.sign_in_audience,
            admin_consent=app.admin_consent,
            assignment_required=app.assignment_required,
            tenant_id=app.tenant_id or tenant_id,
            client_id=client_id,
            mailboxes=tuple(dict.fromkeys(s.mailbox for t in targets for s in t.servers)),
            expected_base_url=targets[0].expected_base_url if len(targets) == 1 else None,
            web_base_url=web_base_url,
        )

    @property
    def authority(self) -> str:
        """The authority Odoo must use for this app (`desired.oauth_endpoint`)."""
        return oauth_endpoint(self.audience, self.tenant_id)

    @property
    def consent_url(self) -> str:
        """Microsoft's admin consent URL for this app (`desired.admin_consent_url`)."""
        return admin_consent_url(self.tenant_id, self.client_id or "<client-id>")

    def context(self) -> dict[str, str]:
        """The values advice templates may name (`{audience}`, `{authority}`, ...), as text."""
        values = {
            "audience": str(self.audience),
            "authority": self.authority,
            "consent_url": self.consent_url,
            "client_id": self.client_id or "<client-id>",
            "tenant_id": self.tenant_id or "<tenant-id>",
            "expected_base_url": self.expected_base_url or "<base-url>",
            "web_base_url": self.web_base_url or "<web.base.url>",
        }
        if self.mailboxes:
            values["mailbox"] = " / ".join(self.mailboxes[:3])
        return values


@dataclass(frozen=True)
class Advice:
    """One fix, for the stacks it applies to (None: any)."""

    text: str  # a template: {authority}, {consent_url}, {mailbox}, {server}, ...
    audiences: frozenset[SignInAudience] | None = None
    admin_consent: bool | None = None
    assignment_required: bool | None = None

    def applies(self, stack: StackFacts) -> bool:
        """Whether this advice fits the stack (audience, admin consent, assignment); None fields
        match all."""
        return (
            (self.audiences is None or stack.audience in self.audiences)
            and (self.admin_consent is None or stack.admin_consent is self.admin_consent)
            and (
                self.assignment_required is None
                or stack.assignment_required is self.assignment_required
            )
        )


@dataclass(frozen=True)
class Entry:
    """One failure Microsoft reports: how to recognise it, why it happens, what to do."""

    key: str  # unique, e.g. "smtp-basic-auth-disabled"
    code: str  # shown to the user, e.g. "535 5.7.139"
    token: str  # regex of the code as a whole token (boundaries are added)
    cause: str
    advice: tuple[Advice, ...]
    source: str
    facts: frozenset[Fact] = frozenset()
    text: str | None = None  # regex the rest of the reply must match (case-insensitive)
    severity: Status = Status.FAIL
    # A generic OAuth error ("invalid_grant: AADSTS50076 ..."): only given when no other entry
    # explains the reply, since the AADSTS code says more.
    fallback: bool = False

    def matches(self, reply: str) -> bool:
        """Whether an Odoo error `reply` carries this entry's token (an AADSTS code, ...) and
        text."""
        return bool(_token(self.token).search(reply)) and (
            self.text is None or re.search(self.text, reply, re.IGNORECASE | re.DOTALL) is not None
        )

    def advice_for(self, stack: StackFacts) -> Advice:
        """The first advice of this entry that applies to `stack`; raises LookupError when none
        does (the knowledge table is tested to cover every audience)."""
        for advice in self.advice:
            if advice.applies(stack):
                return advice
        raise LookupError(f"{self.key}: no advice for {stack.audience}")  # the tests forbid it


def _token(pattern: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w.])(?:" + pattern + r")(?![\w]|\.\d)", re.IGNORECASE)


def _e(
    key: str,
    code: str,
    token: str,
    cause: str,
    advice: str | Iterable[Advice],
    source: str,
    facts: Iterable[Fact] = (),
    text: str | None = None,
    severity: Status = Status.FAIL,
    fallback: bool = False,
) -> Entry:
    rows = (Advice(advice),) if isinstance(advice, str) else tuple(advice)
    return Entry(key, code, token, cause, rows, source, frozenset(facts), text, severity, fallback)


_5_7_139 = r"5\.7\.139"
_SWITCH_TO_OAUTH = (
    "a server logs in to Exchange Online with a password{server_hint}: set it to Outlook OAuth"
    ' Authentication (Odoo: smtp_authentication / server_type "outlook"; the stack\'s servers'
    " already are: " + SYNC + ' and archive the password server), then click "Connect your'
    ' Outlook account"'
)

# --------------------------------------------------------------------------- the table
# Order matters within one code: specific texts first, the code's generic entry last.
ENTRIES: tuple[Entry, ...] = (
    # ---------------------------------------------------------------- Exchange Online SMTP
    _e(
        "smtp-basic-auth-disabled",
        "535 5.7.139",
        _5_7_139,
        "Exchange Online refused a password (basic authentication) login: basic auth for SMTP"
        " AUTH is disabled or retired for the tenant",
        _SWITCH_TO_OAUTH,
        BASIC_AUTH_RETIREMENT,
        [Fact.SERVERS],
        text=r"basic authentication is disabled",
    ),
    _e(
        "smtp-auth-disabled-tenant",
        "535 5.7.139",
        _5_7_139,
        "SMTP AUTH (client submission) is disabled for the whole tenant; Odoo's OAuth login"
        " (XOAUTH2) uses SMTP AUTH too",
        "enable SMTP AUTH tenant-wide in Exchange Online PowerShell: `Set-TransportConfig"
        " -SmtpClientAuthenticationDisabled $false` (or per mailbox: `Set-CASMailbox -Identity"
        " {mailbox} -SmtpClientAuthenticationDisabled $false`)",
        SMTP_AUTH,
        [Fact.MAILBOXES],
        text=r"SmtpClientAuthentication is disabled for the Tenant",
    ),
    _e(
        "smtp-auth-disabled-mailbox",
        "535 5.7.139",
        _5_7_139,
        "SMTP AUTH (client submission) is disabled for the sending mailbox",
        "enable it for the mailbox in Exchange Online PowerShell: `Set-CASMailbox -Identity"
        " {mailbox} -SmtpClientAuthenticationDisabled $false`",
        SMTP_AUTH,
        [Fact.MAILBOXES],
        text=r"SmtpClientAuthentication is disabled for the Mailbox",
    ),
    _e(
        "smtp-security-defaults",
        "535 5.7.139",
        _5_7_139,
        "security defaults block every legacy (password) login, including SMTP AUTH with a"
        " password",
        _SWITCH_TO_OAUTH,
        SECURITY_DEFAULTS,
        [Fact.SERVERS],
        text=r"security defaults",
    ),
    _e(
        "smtp-auth-criteria",
        "535 5.7.139",
        _5_7_139,
        "Exchange Online refused the login for a policy reason (the request did not meet the"
        " criteria: Conditional Access, a blocked sign-in, or SMTP AUTH off for the mailbox)",
        "check the mailbox's sign-ins in Entra ID > Sign-in logs (Conditional Access tab) and"
        " `Get-CASMailbox -Identity {mailbox} | fl SmtpClientAuthenticationDisabled`",
        SMTP_AUTH,
        [Fact.MAILBOXES],
    ),
    _e(
        "smtp-5.7.3",
        "535 5.7.3",
        r"5\.7\.3",
        "Exchange Online refused the SMTP login: with OAuth, the token's user is not the mailbox"
        " the server logs in as, or the token lacks SMTP.Send",
        RECONNECT + " (the account that signs in must be the server's From mailbox)",
        OAUTH_IMAP_SMTP,
        [Fact.MAILBOXES, Fact.SERVERS],
    ),
    _e(
        "smtp-5.7.57",
        "530 5.7.57",
        r"5\.7\.57",
        "the server sent without logging in (no SMTP AUTH): Exchange Online accepts no anonymous"
        " mail on smtp.office365.com",
        _SWITCH_TO_OAUTH,
        MFD_SMTP,
        [Fact.SERVERS],
    ),
    _e(
        "smtp-send-as-5.7.60",
        "550 5.7.60",
        r"5\.7\.60",
        "Exchange refused the From address: it is not the signed-in mailbox and that mailbox has"
        " no Send As right on it",
        "let Odoo send From an address the stack's servers sign in as: add the address to"
        " mail.users (mode perUser) and `pulumi up`, or let mail go out From the default address"
        " (mail.notifications), or grant Send As: `Add-RecipientPermission -Identity <From"
        " address> -Trustee {mailbox} -AccessRights SendAs`",
        SEND_AS,
        [Fact.MAILBOXES, Fact.SERVERS],
    ),
    _e(
        "smtp-send-as-denied",
        "554 5.2.252",
        r"5\.2\.252",
        "SendAsDenied: the signed-in mailbox may not send as the message's From address",
        "let Odoo send From an address the stack's servers sign in as: add the address to"
        " mail.users (mode perUser) and `pulumi up`, or let mail go out From the default address"
        " (mail.notifications), or grant Send As: `Add-RecipientPermission -Identity <From"
        " address> -Trustee {mailbox} -AccessRights SendAs`",
        SEND_AS,
        [Fact.MAILBOXES, Fact.SERVERS],
        text=r"SendAsDenied|not allowed to send as",
    ),
    _e(
        "smtp-tenant-threshold",
        "550 5.7.705",
        r"5\.7\.705",
        "the tenant is blocked from sending: too much of its mail was spam (often a compromised"
        " account)",
        "nothing in the stack causes this: secure compromised accounts, then ask Microsoft"
        " support to unblock the tenant",
        NDR_700_750,
        severity=Status.FAIL,
    ),
    _e(
        "smtp-tenant-ip-blocked",
        "550 5.7.708",
        r"5\.7\.708",
        "Exchange Online does not accept traffic from the tenant's sending IP (new or"
        " low-reputation tenant sending suspicious mail)",
        "nothing in the stack causes this: add a verified domain, keep volumes low for a new"
        " tenant, and contact Microsoft support",
        NDR_700_750,
    ),
    _e(
        "smtp-unregistered-domain",
        "550 5.7.750",
        r"5\.7\.750",
        "the tenant sends from domains it has not registered (accepted domains)",
        "send From addresses of an accepted domain of the tenant (Exchange admin center >"
        " Accepted domains); mail.notifications and mail.users must use one",
        NDR_700_750,
        [Fact.MAILBOXES],
    ),
    _e(
        "smtp-throttled",
        "451 4.7.500",
        r"4\.7\.5\d\d",
        "Exchange Online throttles the sender for now (server busy)",
        "nothing to change: Odoo retries queued mail; if it persists, spread sending over time",
        NDR_451_4_7_500,
        severity=Status.WARN,
    ),
    _e(
        "smtp-bad-outbound-sender",
        "550 5.1.8",
        r"5\.1\.8",
        "the sending mailbox is on the Restricted entities list (it sent what looked like spam)",
        "check the mailbox for compromise, then release it in the Microsoft Defender portal >"
        " Restricted entities",
        RESTRICTED_USERS,
        [Fact.MAILBOXES],
    ),
    _e(
        "smtp-recipient-blocked",
        "550 5.4.1",
        r"5\.4\.1",
        "the recipient's domain rejected the address (Directory-Based Edge Blocking: the"
        " recipient does not exist there)",
        "nothing in the stack causes this: check the recipient address",
        NDR_550_5_4_1,
        severity=Status.WARN,
    ),
    _e(
        "smtp-sending-limit",
        "554 5.2.0",
        r"5\.2\.0",
        "the mailbox exceeded Exchange Online's sending limits (recipients per day or message"
        " rate): SubmissionQuotaExceeded",
        "spread mail over more mailboxes (mail.users in mode perUser) or send less per day;"
        " the limit is counted over 24 hours",
        EXO_LIMITS,
        [Fact.MAILBOXES],
        text=r"SubmissionQuotaExceeded",
    ),
    # ---------------------------------------------------------------- Exchange Online IMAP
    _e(
        "imap-authenticate-failed",
        "IMAP AUTHENTICATE failed",
        r"AUTHENTICATE",
        "Exchange Online refused the IMAP OAuth login: IMAP is disabled for the mailbox, the"
        " token's user is not the mailbox, or the token lacks IMAP.AccessAsUser.All",
        "enable IMAP for the mailbox (`Set-CASMailbox -Identity {mailbox} -ImapEnabled $true`),"
        " then " + RECONNECT,
        IMAP_ENABLE,
        [Fact.MAILBOXES],
        text=r"AUTHENTICATE\s+failed",
    ),
    _e(
        "imap-login-failed",
        "IMAP LOGIN failed",
        r"LOGIN",
        "an incoming server logs in to Exchange Online with a password (IMAP LOGIN); basic"
        " authentication is retired",
        'set the incoming server to Outlook OAuth Authentication (server_type "outlook"; the'
        " stack's incoming servers already are: " + SYNC + " and archive the password server),"
        ' then click "Connect your Outlook account"',
        OAUTH_IMAP_SMTP,
        [Fact.SERVERS],
        text=r"LOGIN\s+failed",
    ),
    _e(
        "imap-not-connected",
        "IMAP not connected",
        r"connected",
        "the OAuth login succeeded but no mailbox could be opened: the account that signed in"
        " has no Exchange Online mailbox (no licence), or is not the mailbox the server reads",
        "sign in as a licensed mailbox: " + RECONNECT,
        REPORT_NOT_CONNECTED,
        [Fact.MAILBOXES],
        text=r"User is authenticated but not connected",
    ),
    # ---------------------------------------------------------------- Entra ID sign-in
    _e(
        "aadsts50011",
        "AADSTS50011",
        r"AADSTS50011",
        "redirect URI mismatch: Odoo sent {web_base_url}/microsoft_outlook/confirm, which the"
        " app does not list",
        "set web.base.url to {expected_base_url} (and web.base.url.freeze = True), or add the"
        " URL to the target's baseUrls and " + SYNC,
        AADSTS_REF,
        [Fact.BASE_URL],
    ),
    _e(
        "aadsts50020-personal",
        "AADSTS50020",
        r"AADSTS50020",
        "a personal Microsoft account (outlook.com, hotmail, live) tried to sign in",
        [
            Advice(
                "only app.signInAudience AzureADandPersonalMicrosoftAccount admits personal"
                " accounts: set app.signInAudience to AzureADandPersonalMicrosoftAccount and"
                " `pulumi up`, or connect a work (Microsoft 365) mailbox instead",
                audiences=WORK_ONLY,
            ),
            Advice(
                "the app admits personal accounts, so Odoo signs in through a tenant's own"
                " authority: it must use {authority} (" + SYNC + ")",
                audiences=frozenset({PERSONAL}),
            ),
        ],
        ACCOUNT_TYPES,
        [Fact.AUDIENCE, Fact.TENANT],
        text=r"identity provider '?(?:live\.com|MSA)|live\.com|outlook\.com|hotmail\.",
    ),
    _e(
        "aadsts50020-guest",
        "AADSTS50020",
        r"AADSTS50020",
        "an account of another tenant signed in, and the app or the authority admits only the"
        " app's tenant",
        [
            Advice(
                "connect a mailbox of the app's tenant, or set app.signInAudience to"
                " AzureADMultipleOrgs and `pulumi up` to admit other tenants",
                audiences=frozenset({MY_ORG}),
            ),
            Advice(
                "the app is multitenant, so Odoo signs in through a tenant's own authority: it"
                " must use {authority} (" + SYNC + ")",
                audiences=MULTITENANT,
            ),
        ],
        AADSTS_REF,
        [Fact.AUDIENCE, Fact.TENANT],
    ),
    _e(
        "aadsts90072",
        "AADSTS90072",
        r"AADSTS90072",
        "the account's home identity provider has no account in the app's tenant (an external"
        " or personal account signed in to a single-tenant authority)",
        [
            Advice(
                "connect a mailbox of the app's tenant, or set app.signInAudience to"
                " AzureADMultipleOrgs and `pulumi up`",
                audiences=frozenset({MY_ORG}),
            ),
            Advice(
                "Odoo signs in through a tenant's own authority: it must use {authority} ("
                + SYNC
                + ")",
                audiences=MULTITENANT,
            ),
        ],
        AADSTS_REF,
        [Fact.AUDIENCE, Fact.TENANT],
    ),
    _e(
        "aadsts50034",
        "AADSTS50034",
        r"AADSTS50034",
        "the account does not exist in the directory Odoo signed in to (typo, deleted user, or"
        " an account of another tenant)",
        [
            Advice(
                "sign in with an account of the app's tenant ({tenant_id}); check the address",
                audiences=frozenset({MY_ORG}),
            ),
            Advice(
                "check the address; Odoo must sign in through {authority} (" + SYNC + ")",
                audiences=MULTITENANT,
            ),
        ],
        AADSTS_REF,
        [Fact.AUDIENCE, Fact.TENANT],
    ),
    _e(
        "aadsts50057",
        "AADSTS50057",
        r"AADSTS50057",
        "the user account that signed in is disabled in Entra ID",
        "enable the account in Entra ID > Users, or connect the server with another mailbox",
        AADSTS_REF,
        [Fact.MAILBOXES],
    ),
    _e(
        "aadsts50076",
        "AADSTS50076",
        r"AADSTS50076",
        "multi-factor authentication is now required (policy change or new location) and the"
        " refresh token Odoo holds was issued without it",
        RECONNECT + " and complete the MFA prompt",
        AADSTS_REF,
        [Fact.MAILBOXES],
    ),
    _e(
        "aadsts50079",
        "AADSTS50079",
        r"AADSTS50079",
        "the user must register for multi-factor authentication first",
        "sign in once at https://aka.ms/mfasetup as the mailbox's user, then " + RECONNECT,
        AADSTS_REF,
        [Fact.MAILBOXES],
    ),
    _e(
        "aadsts50105",
        "AADSTS50105",
        r"AADSTS50105",
        "the signed-in user is not assigned to the enterprise application (assignment required)",
        [
            Advice(
                "add the user to assignments.users (or a group in assignments.groups) and"
                " `pulumi up`",
                assignment_required=True,
            ),
            Advice(
                "the stack does not require assignment but the live app does: `pulumi up`",
                assignment_required=False,
            ),
        ],
        ASSIGNMENT,
        [Fact.ASSIGNMENTS],
    ),
    _e(
        "aadsts50126",
        "AADSTS50126",
        r"AADSTS50126",
        "invalid username or password at the Microsoft sign-in page (a typo in the browser,"
        " not a setting)",
        "sign in again with the mailbox's own password; reset it in Entra ID if it is lost",
        AADSTS_REF,
        severity=Status.WARN,
    ),
    _e(
        "aadsts50158",
        "AADSTS50158",
        r"AADSTS50158",
        "an external security challenge (Conditional Access with a third-party MFA or device"
        " check) was not satisfied",
        RECONNECT + " from a browser and device that satisfy the policy",
        CONDITIONAL_ACCESS,
        [Fact.MAILBOXES],
    ),
    _e(
        "aadsts50173",
        "AADSTS50173",
        r"AADSTS50173",
        "the grant was revoked (password changed or reset, or sessions revoked): Odoo's refresh"
        " token is void",
        RECONNECT,
        REFRESH_TOKENS,
        [Fact.MAILBOXES],
    ),
    _e(
        "aadsts50194",
        "AADSTS50194",
        r"AADSTS50194",
        "a single-tenant app was used through a shared authority ('common')",
        [
            Advice(
                "set Odoo's microsoft_outlook.endpoint to {authority} (" + SYNC + "); Odoo 15.0"
                " cannot: set app.signInAudience to AzureADMultipleOrgs",
                audiences=frozenset({MY_ORG}),
            ),
            Advice(
                "the stack's app is multitenant but the live app is single-tenant: `pulumi up`",
                audiences=MULTITENANT,
            ),
        ],
        AADSTS_REF,
        [Fact.AUDIENCE, Fact.TENANT],
    ),
    _e(
        "aadsts53003",
        "AADSTS53003",
        r"AADSTS53003",
        "a Conditional Access policy blocked the sign-in",
        "find the policy in Entra ID > Sign-in logs > Conditional Access for this sign-in;"
        " exclude the app or satisfy its conditions (device, location)",
        CONDITIONAL_ACCESS,
    ),
    _e(
        "aadsts65001",
        "AADSTS65001",
        r"AADSTS65001",
        "consent missing: nobody consented to the app's permissions for this user or tenant",
        [
            Advice(
                "the stack grants admin consent but the live grant lacks scopes: `pulumi up` (or"
                " open {consent_url} as an administrator)",
                admin_consent=True,
            ),
            Advice(
                "grant admin consent: open {consent_url} as an administrator (or set"
                " app.adminConsent: true and `pulumi up`)",
                admin_consent=False,
            ),
        ],
        ADMIN_CONSENT,
        [Fact.CONSENT, Fact.TENANT],
    ),
    _e(
        "aadsts65004",
        "AADSTS65004",
        r"AADSTS65004",
        "the user declined the consent prompt",
        [
            Advice(
                'click "Connect your Outlook account" again and accept; or let an'
                " administrator consent once for everyone: {consent_url} (app.adminConsent: true)",
                admin_consent=False,
            ),
            Advice(
                "the stack grants admin consent, so no prompt should show: `pulumi up` restores"
                ' the grant, then click "Connect your Outlook account" again',
                admin_consent=True,
            ),
        ],
        USER_CONSENT,
        [Fact.CONSENT],
        severity=Status.WARN,
    ),
    _e(
        "aadsts90094",
        "AADSTS90094",
        r"AADSTS90094",
        "only an administrator may consent to these permissions in this tenant (users may not"
        " consent to SMTP.Send / IMAP.AccessAsUser.All)",
        [
            Advice(
                "open {consent_url} as an administrator before anyone connects (or set"
                " app.adminConsent: true and `pulumi up`)",
                admin_consent=False,
            ),
            Advice(
                "the stack grants admin consent but the live grant lacks scopes: `pulumi up` (or"
                " open {consent_url} as an administrator)",
                admin_consent=True,
            ),
        ],
        USER_CONSENT,
        [Fact.CONSENT, Fact.TENANT],
    ),
    _e(
        "aadsts500011",
        "AADSTS500011",
        r"AADSTS500011",
        "the resource (Exchange Online, https://outlook.office.com) is not in the tenant: the"
        " tenant has no Exchange Online subscription",
        "sign in with a mailbox of a tenant that has Exchange Online (a licensed Microsoft 365"
        " mailbox)",
        AADSTS_REF,
        [Fact.TENANT, Fact.MAILBOXES],
    ),
    _e(
        "aadsts700016",
        "AADSTS700016",
        r"AADSTS700016",
        "the app was not found in the directory Odoo signed in to",
        [
            Advice(
                "Odoo's client id or authority is wrong: microsoft_outlook_client_id must be"
                " {client_id} and the endpoint {authority} (" + SYNC + ")",
                audiences=frozenset({MY_ORG}),
            ),
            Advice(
                "Odoo's client id is not the app's ({client_id}), or the app was deleted: " + SYNC,
                audiences=MULTITENANT,
            ),
        ],
        AADSTS_REF,
        [Fact.TENANT, Fact.AUDIENCE],
    ),
    _e(
        "aadsts700025",
        "AADSTS700025",
        r"AADSTS700025",
        "the app is treated as a public client (redirect URI on a mobile/desktop or SPA"
        " platform, or public client flows on) while Odoo sends a client secret",
        "register Odoo's confirm URL under the Web platform and turn public client flows off: "
        "`pulumi up` (the stack declares it so)",
        AADSTS_REF,
        [Fact.BASE_URL],
    ),
    _e(
        "aadsts700082",
        "AADSTS700082",
        r"AADSTS700082",
        "the refresh token expired after 90 days unused",
        RECONNECT,
        REFRESH_TOKENS,
        [Fact.MAILBOXES],
    ),
    _e(
        "aadsts7000215",
        "AADSTS7000215",
        r"AADSTS7000215",
        "invalid client secret: the secret Odoo holds is not one of the app's",
        "`pulumi up` (it hands Odoo the current secret), or `odoo-outlook rotate --now` then"
        " `pulumi up`",
        AADSTS_REF,
        [Fact.SECRET],
    ),
    _e(
        "aadsts7000222",
        "AADSTS7000222",
        r"AADSTS7000222",
        "the client secret Odoo holds has expired",
        "`pulumi up` (or `odoo-outlook rotate --now` then `pulumi up`)",
        AADSTS_REF,
        [Fact.SECRET],
    ),
    _e(
        "aadsts7000112",
        "AADSTS7000112",
        r"AADSTS7000112",
        "the app (its enterprise application) is disabled",
        "Entra ID > Enterprise applications > the app > Properties > Enabled for users to"
        " sign-in: Yes",
        AADSTS_REF,
    ),
    _e(
        "aadsts70000",
        "AADSTS70000",
        r"AADSTS70000",
        "invalid_grant: the scopes in Odoo's grant are unauthorized or expired (permissions"
        " changed since the user connected)",
        RECONNECT,
        AADSTS_REF,
        [Fact.MAILBOXES],
    ),
    _e(
        "aadsts70011",
        "AADSTS70011",
        r"AADSTS70011",
        "invalid scope: Odoo asked for a scope the app or the account type does not support",
        [
            Advice(
                "personal accounts need the app to admit them: set app.signInAudience to"
                " AzureADandPersonalMicrosoftAccount or connect a work mailbox; otherwise update"
                " Odoo's microsoft_outlook module",
                audiences=WORK_ONLY,
            ),
            Advice(
                "update Odoo's microsoft_outlook module (it builds the scope list), then"
                " connect again",
                audiences=frozenset({PERSONAL}),
            ),
        ],
        AADSTS_REF,
        [Fact.AUDIENCE],
    ),
    _e(
        "aadsts900144",
        "AADSTS900144",
        r"AADSTS900144",
        "Odoo sent no client id (or another required parameter): its system parameter is empty",
        "set microsoft_outlook_client_id to {client_id}: " + SYNC,
        AADSTS_REF,
        [Fact.SECRET],
    ),
    # ---------------------------------------------------------------- OAuth errors (RFC 6749)
    _e(
        "unauthorized-client-consumers",
        "unauthorized_client",
        r"unauthorized_client",
        "the app does not admit personal Microsoft accounts (a consumer account signed in)",
        [
            Advice(
                "only app.signInAudience AzureADandPersonalMicrosoftAccount admits personal"
                " accounts: set app.signInAudience to AzureADandPersonalMicrosoftAccount and"
                " `pulumi up`, or connect a work (Microsoft 365) mailbox",
                audiences=WORK_ONLY,
            ),
            Advice(
                "the stack admits personal accounts but the live app does not: `pulumi up`"
                " (the audience change needs access token version 2)",
                audiences=frozenset({PERSONAL}),
            ),
        ],
        ACCOUNT_TYPES,
        [Fact.AUDIENCE],
        text=r"not enabled for consumers",
    ),
    _e(
        "unauthorized-client",
        "unauthorized_client",
        r"unauthorized_client",
        "the client id Odoo uses is unknown or not allowed for this flow",
        "microsoft_outlook_client_id must be {client_id}: " + SYNC,
        OAUTH_ERRORS,
        [Fact.SECRET],
        fallback=True,
    ),
    _e(
        "invalid-client",
        "invalid_client",
        r"invalid_client",
        "the client authentication failed: wrong or expired client secret in Odoo",
        "`pulumi up` (it hands Odoo the current secret), or `odoo-outlook rotate --now` then"
        " `pulumi up`",
        OAUTH_ERRORS,
        [Fact.SECRET],
        fallback=True,
    ),
    _e(
        "invalid-grant",
        "invalid_grant",
        r"invalid_grant",
        "Odoo's refresh token or authorization code was refused (expired, revoked or already used)",
        RECONNECT,
        OAUTH_ERRORS,
        [Fact.MAILBOXES],
        fallback=True,
    ),
)

# Codes worth naming when the table does not know them; OAuth error words only when nothing
# more precise is in the reply.
_UNKNOWN = re.compile(r"AADSTS\d+|(?<![\w.])[245]\.\d{1,3}\.\d{1,3}(?![\w]|\.\d)")
_UNKNOWN_OAUTH = re.compile(
    r"\b(?:invalid_request|invalid_scope|access_denied|interaction_required|consent_required"
    r"|login_required|temporarily_unavailable|server_error)\b"
)


@dataclass(frozen=True)
class Diagnosis:
    """One entry matched in one reply, with the advice for this stack filled in."""

    entry: Entry | None  # None: no entry knows it
    code: str
    cause: str
    fix: str
    severity: Status
    source: str


class _Context(dict[str, str]):
    def __missing__(self, key: str) -> str:
        if key == "server_hint":
            return ""
        return f"<{key}>"


def render(template: str, stack: StackFacts, extra: Mapping[str, str] | None = None) -> str:
    """`template` with `{name}` fields filled from `stack.context()` and `extra` (empty values
    ignored); an unknown field stays as `<name>`.
    """
    values = _Context(stack.context())
    values.update({k: v for k, v in (extra or {}).items() if v})
    if "server" in values and "server_hint" not in values:
        values["server_hint"] = f" ({values['server']})"
    return template.format_map(values)


def match(reply: str) -> list[Entry]:
    """The entries a reply shows: per code, the first entry whose text matches."""
    seen: set[str] = set()
    found = []
    for entry in ENTRIES:
        if entry.code in seen:
            continue
        if entry.matches(reply):
            seen.add(entry.code)
            found.append(entry)
    precise = [e for e in found if not e.fallback]
    if precise or (_UNKNOWN.search(reply) and unknown_codes(reply, found)):
        return precise
    return found


def unknown_codes(reply: str, known: Iterable[Entry]) -> list[str]:
    """Codes in the reply that no matched entry accounts for."""
    known = list(known)
    covered = [_token(e.token) for e in known]
    out: list[str] = []
    for found in _UNKNOWN.finditer(reply):
        code = found.group(0)
        if code not in out and not any(p.fullmatch(code) for p in covered):
            out.append(code)
    if not out and not known:
        out = list(dict.fromkeys(m.group(0) for m in _UNKNOWN_OAUTH.finditer(reply)))
    return out


def diagnose(
    reply: str, stack: StackFacts, extra: Mapping[str, str] | None = None
) -> list[Diagnosis]:
    """Every diagnosis of one failure text, advice chosen for this stack. A code the table
    does not know gets a generic line naming it; a text without any code gets none."""
    entries = match(reply)
    out = [
        Diagnosis(
            e,
            e.code,
            render(e.cause, stack, extra),
            render(e.advice_for(stack).text, stack, extra),
            e.severity,
            e.source,
        )
        for e in entries
    ]
    for code in unknown_codes(reply, entries):
        where = AADSTS_REF if code.upper().startswith("AADSTS") else NDR_INDEX
        out.append(
            Diagnosis(
                None,
                code,
                f"Microsoft answered {code}, which this tool does not know",
                f"look {code} up at {where}; the full reply is in Odoo"
                " (Settings > Technical > Emails / Incoming Mail Servers)",
                Status.WARN,
                where,
            )
        )
    return out


# --------------------------------------------------------------------------- stack check

_SET_AUDIENCE = re.compile(r"set app\.signInAudience to (\w+)")


def contradictions(fix: str, stack: StackFacts) -> list[str]:
    """Ways a rendered fix contradicts the stack: it tells the user to set what the stack
    already has, or sends a single-tenant app through a shared authority."""
    problems = []
    for wanted in _SET_AUDIENCE.findall(fix):
        if wanted == str(stack.audience):
            problems.append(f"tells to set app.signInAudience to {wanted}, which the stack has")
    if stack.admin_consent and re.search(r"app\.adminConsent: true", fix):
        problems.append("tells to set app.adminConsent: true, which the stack has")
    if stack.audience is MY_ORG and re.search(
        r"/common/|'common'|\bcommon authority|delete the system parameter", fix
    ):
        problems.append("sends a single-tenant app through the 'common' authority")
    if not stack.assignment_required and "add the user to assignments" in fix:
        problems.append("asks for an assignment the stack does not require")
    return problems
