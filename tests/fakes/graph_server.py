"""A local, Graph-like HTTP server for tests (Microsoft Graph v1.0 JSON shapes).

Real HTTP on 127.0.0.1 (ephemeral port, one thread per request), so the product's
msgraph-sdk client is driven exactly as against graph.microsoft.com; only the base
URL and the credential differ.

    with FakeGraph() as graph:
        seeded = graph.seed_healthy(users=["alice@contoso.com"])
        graph.url                     # http://127.0.0.1:PORT/v1.0
        graph.fail("/applications*", 403, times=1)
        graph.requests                # what the client sent (no token values)

Shapes follow learn.microsoft.com/graph/api/resources/* (application, servicePrincipal,
appRoleAssignment, oAuth2PermissionGrant, user, group, organization, authorizationPolicy,
tenantAppManagementPolicy, appManagementPolicy) and the error
body of learn.microsoft.com/graph/errors. Collections carry ``@odata.context`` and
``value``; pages beyond the first are linked with an absolute ``@odata.nextLink``
carrying an opaque ``$skiptoken``.

Strict like Graph (each rule cites its reference next to the code): the ``/users/{upn}``
path form refuses a name starting with ``$``; ``$search``, the ``/$count`` segment and
advanced ``$filter`` operators need ``ConsistencyLevel: eventual``; an unknown ``$select``
property, ``$filter`` on a single entity and ``$top`` above 999 are 400s. Dates carry seven
fractional digits; directory objects of a type the caller may not read come back as
"limited information" (``@odata.type`` and ``id`` only); ``unavailable()`` sends no
``Retry-After`` unless asked. The query rules live in ``_check_query`` / ``_collection`` /
``_entity`` / ``_select`` so every route (including new ones) gets them.
"""

from __future__ import annotations

import base64
import copy
import fnmatch
import json
import re
import threading
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from tests.fakes.serving import ServingThread

Json = dict[str, Any]

# --------------------------------------------------------------------------- data tables

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
DEFAULT_ACCESS_ROLE_ID = "00000000-0000-0000-0000-000000000000"
DEFAULT_TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
DEFAULT_TENANT_DOMAIN = "contoso.onmicrosoft.com"

# Delegated permissions (oauth2PermissionScopes) of the Microsoft Graph service principal,
# ids as published in the Graph permissions reference. One table: tests and the fake
# read the ids from here.
GRAPH_DELEGATED_SCOPES: dict[str, tuple[str, str]] = {
    # name: (id, type)   type "User" = users may consent, "Admin" = admin consent only
    "SMTP.Send": ("258f6531-6087-4cc4-bb90-092c5fb3ed3f", "User"),
    "IMAP.AccessAsUser.All": ("652390e4-393a-48de-9484-05f9b1212954", "User"),
    "User.Read": ("e1fe6dd8-ba31-4d61-89e7-88639da4683d", "User"),
    "offline_access": ("7427e0e9-2fba-42fe-b0c0-848c9e6a8182", "User"),
    "openid": ("37f7f235-527c-4136-accd-4a02d197296e", "User"),
    "email": ("64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0", "User"),
    "profile": ("14dad69e-099b-42c9-810b-d002981feec1", "User"),
}

# A few application permissions (appRoles) of the Microsoft Graph service principal.
GRAPH_APP_ROLES: dict[str, str] = {
    "Application.Read.All": "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
    "Directory.Read.All": "7ab1d382-f21e-4acd-a863-ba3e13f7da61",
    "User.Read.All": "df021288-bdef-4463-88db-98f22de89214",
    "DelegatedPermissionGrant.Read.All": "81b4724a-58aa-41c1-8a55-84ef97466587",
}

# The scopes Odoo's Outlook integration needs (odoo_outlook/desired.py, the app's delegated
# Microsoft Graph permissions: SMTP.Send, IMAP.AccessAsUser.All, User.Read and the sign-in ones).
ODOO_SCOPES: tuple[str, ...] = (
    "SMTP.Send",
    "IMAP.AccessAsUser.All",
    "User.Read",
    "offline_access",
    "openid",
    "email",
)

# Properties GET /users/{id} returns when no $select is given (user-get reference).
USER_DEFAULT_PROPERTIES = (
    "businessPhones",
    "displayName",
    "givenName",
    "id",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
)

# The basic profile User.ReadBasic.All may read (other properties come back null):
# https://learn.microsoft.com/en-us/graph/permissions-reference#userreadbasicall
USER_BASIC_PROFILE = frozenset(
    {"id", "displayName", "givenName", "surname", "mail", "userPrincipalName"}
)

# Graph type names of the fake's collections / entity sets, for error messages.
_TYPE_BY_SET = {
    "applications": "application",
    "servicePrincipals": "servicePrincipal",
    "users": "user",
    "groups": "group",
    "oauth2PermissionGrants": "oAuth2PermissionGrant",
    "appRoleAssignedTo": "appRoleAssignment",
    "directoryObjects": "directoryObject",
    "organization": "organization",
}

ERROR_DEFAULTS: dict[int, tuple[str, str]] = {
    400: ("BadRequest", "Invalid request."),
    401: ("InvalidAuthenticationToken", "Access token validation failure. Invalid audience."),
    403: ("Authorization_RequestDenied", "Insufficient privileges to complete the operation."),
    404: (
        "Request_ResourceNotFound",
        "Resource '{key}' does not exist or one of its queried reference-property objects "
        "are not present.",
    ),
    429: ("activityLimitReached", "Too many requests. The app or user has been throttled."),
    500: ("generalException", "An unspecified error has occurred."),
    503: ("serviceNotAvailable", "The service is temporarily unavailable. Try again later."),
    504: ("gatewayTimeout", "The gateway did not receive a timely response."),
}

_STATUS_TEXT = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def _iso(moment: datetime) -> str:
    """A resource dateTime as Graph writes it: UTC, seven fractional digits (.NET ticks), Z.

    e.g. ``2026-11-29T10:00:00.1234567Z``; the passwordCredential and appRoleAssignment
    examples of https://learn.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0
    and https://learn.microsoft.com/en-us/graph/api/resources/passwordcredential?view=graph-rest-1.0
    carry this precision (Edm.DateTimeOffset)."""
    utc = moment.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond:06d}{utc.microsecond % 7}Z"


def _inner_error_date(moment: datetime) -> str:
    # innerError.date has no fraction and no zone suffix: https://learn.microsoft.com/en-us/graph/errors
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _new_id() -> str:
    return str(uuid.uuid4())


def _opaque_id() -> str:
    # appRoleAssignment / oAuth2PermissionGrant ids are opaque base64url strings.
    return base64.urlsafe_b64encode(uuid.uuid4().bytes + uuid.uuid4().bytes).decode().rstrip("=")


# --------------------------------------------------------------------------- log + faults


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake saw it. The bearer token value is never kept here."""

    method: str
    path: str  # decoded, without the /v1.0 prefix, e.g. "/applications(appId='…')"
    query: dict[str, str]
    authorized: bool  # an "Authorization: Bearer <non-empty>" header was present
    status: int
    headers: dict[str, str] = field(default_factory=dict, repr=False)  # minus Authorization


@dataclass
class _Fault:
    pattern: str
    status: int
    remaining: int | None  # None: forever
    retry_after: int | None
    code: str | None
    message: str | None
    method: str


class _GraphError(Exception):
    def __init__(self, status: int, code: str | None = None, message: str | None = None) -> None:
        super().__init__(status)
        self.status = status
        default_code, default_message = ERROR_DEFAULTS.get(status, ("UnknownError", "Error."))
        self.code = code or default_code
        self.message = message or default_message


def _not_found(key: str) -> _GraphError:
    return _GraphError(404, message=ERROR_DEFAULTS[404][1].format(key=key))


# --------------------------------------------------------------------------- seeding result


@dataclass
class Seeded:
    """What :meth:`FakeGraph.seed_healthy` built (live dicts: mutate them to break things)."""

    app: Json
    sp: Json
    graph_sp: Json
    users: list[Json]
    groups: list[Json]
    owners: list[Json]
    assignments: list[Json]
    grants: list[Json]

    @property
    def client_id(self) -> str:
        return str(self.app["appId"])


# --------------------------------------------------------------------------- the fake


class FakeGraph:
    """Graph v1.0 look-alike over real HTTP. Thread-safe; start/stop or use as a context."""

    def __init__(
        self,
        *,
        tenant_id: str = DEFAULT_TENANT_ID,
        tenant_domain: str = DEFAULT_TENANT_DOMAIN,
        page_size: int = 100,
    ) -> None:
        self.tenant_id = tenant_id
        self.tenant_domain = tenant_domain
        self.page_size = page_size
        # Base of @odata.nextLink URLs; None: this server's url. Point it elsewhere to check
        # that a client never sends its token to a host it was not configured for.
        self.next_link_base: str | None = None
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._serving: ServingThread | None = None
        self._log: list[RecordedRequest] = []
        self._tokens: list[str] = []
        self._faults: list[_Fault] = []
        self.applications: dict[str, Json] = {}  # by object id
        self.service_principals: dict[str, Json] = {}  # by object id
        self.users: dict[str, Json] = {}
        self.groups: dict[str, Json] = {}
        self.owners: dict[str, list[str]] = {}  # application object id -> directory object ids
        self.app_role_assignments: list[Json] = []
        self.grants: list[Json] = []
        # Directory object types the caller may not read (e.g. {"servicePrincipal"}): they
        # come back as "limited information" in directoryObject collections (owners).
        self.unreadable_types: set[str] = set()
        # The caller holds only User.ReadBasic.All: non-basic user properties come back null.
        self.basic_profile_only = False
        self.organization: Json = {
            "id": tenant_id,
            "displayName": "Contoso",
            "tenantType": "AAD",
            "countryLetterCode": "US",
            "verifiedDomains": [
                {
                    "capabilities": "Email, OfficeCommunicationsOnline",
                    "isDefault": True,
                    "isInitial": True,
                    "name": tenant_domain,
                    "type": "Managed",
                }
            ],
        }
        self.graph_sp = self._make_graph_sp()
        # Tenant policies (Policy.Read.All): user consent and credential lifetimes.
        self.authorization_policy: Json = _authorization_policy(
            [USER_CONSENT_LEGACY, *OWNED_RESOURCE_GRANT_POLICIES]
        )
        self.default_app_management_policy: Json = _default_app_management_policy()
        self.app_management_policies: dict[str, Json] = {}  # by id
        self.applied_policies: dict[str, list[str]] = {}  # application object id -> policy ids
        # service principal object id -> delegatedPermissionClassification items
        self.permission_classifications: dict[str, list[Json]] = {}

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeGraph:
        if self._server is not None:
            return self
        handler = _make_handler(self)
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        self._server = server
        self._serving = ServingThread(server, name="fake-graph").start()
        return self

    def stop(self) -> None:
        """Stop at once (see tests/fakes/serving.py) and close the listening socket."""
        serving, self._server, self._serving = self._serving, None, None
        if serving is not None:
            serving.stop()

    def __enter__(self) -> FakeGraph:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeGraph is not started")
        return int(self._server.server_address[1])

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """Base URL to give the client, like https://graph.microsoft.com/v1.0."""
        return f"{self.root}/v1.0"

    # ------------------------------------------------------------------ request log

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._log)

    def calls(self, pattern: str = "*", method: str = "GET") -> list[RecordedRequest]:
        """Logged requests whose decoded path matches the glob ``pattern``."""
        return [
            r for r in self.requests if r.method == method and fnmatch.fnmatchcase(r.path, pattern)
        ]

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()
            self._tokens.clear()

    def saw_token(self, token: str) -> bool:
        """Whether some request carried this bearer token (the values are never exposed)."""
        with self._lock:
            return token in self._tokens

    # ------------------------------------------------------------------ error injection

    def fail(
        self,
        pattern: str,
        status: int,
        *,
        times: int | None = 1,
        retry_after: int | None = None,
        code: str | None = None,
        message: str | None = None,
        method: str = "GET",
    ) -> None:
        """Answer requests whose path matches the glob ``pattern`` with ``status``.

        ``times``: how many matching requests fail before normal service resumes
        (None: all of them). ``retry_after`` adds a ``Retry-After`` header (seconds).
        The pattern is matched against the decoded path without ``/v1.0``, e.g.
        ``/applications*`` or ``/servicePrincipals/*/appRoleAssignedTo``.
        """
        # Graph's throttling answers (429) carry Retry-After; a 503 may come without it,
        # and the client then backs off on its own:
        # https://learn.microsoft.com/en-us/graph/throttling#best-practices-to-handle-throttling
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._lock:
            self._faults.append(_Fault(pattern, status, times, retry_after, code, message, method))

    def deny(self, pattern: str, *, times: int | None = None) -> None:
        """403 Authorization_RequestDenied for matching paths."""
        self.fail(pattern, 403, times=times)

    def throttle(self, pattern: str, *, times: int = 1, retry_after: int = 1) -> None:
        """429 with Retry-After for the next ``times`` matching requests."""
        self.fail(pattern, 429, times=times, retry_after=retry_after)

    def unavailable(
        self, pattern: str, *, times: int | None = 1, retry_after: int | None = None
    ) -> None:
        """503 for the next ``times`` matching requests (None: always); ``Retry-After``
        only when ``retry_after`` is given (Graph sends 503 with or without it)."""
        self.fail(pattern, 503, times=times, retry_after=retry_after)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.method != method or not fnmatch.fnmatchcase(path, fault.pattern):
                    continue
                if fault.remaining is not None:
                    if fault.remaining <= 0:
                        continue
                    fault.remaining -= 1
                return fault
        return None

    # ------------------------------------------------------------------ seeding

    def _make_graph_sp(self) -> Json:
        scopes = [
            {
                "adminConsentDescription": f"Allows the app to use {name}.",
                "adminConsentDisplayName": name,
                "id": scope_id,
                "isEnabled": True,
                "type": scope_type,
                "userConsentDescription": f"Allows the app to use {name} on your behalf.",
                "userConsentDisplayName": name,
                "value": name,
            }
            for name, (scope_id, scope_type) in GRAPH_DELEGATED_SCOPES.items()
        ]
        roles = [
            {
                "allowedMemberTypes": ["Application"],
                "description": f"Allows the app to {name} without a signed-in user.",
                "displayName": name,
                "id": role_id,
                "isEnabled": True,
                "origin": "Application",
                "value": name,
            }
            for name, role_id in GRAPH_APP_ROLES.items()
        ]
        return self.add_service_principal(
            GRAPH_APP_ID,
            display_name="Microsoft Graph",
            oauth2_permission_scopes=scopes,
            app_roles=roles,
            app_owner_organization_id="f8cdef31-a31e-4b4a-93e4-5f571e91255a",
        )

    def add_application(
        self,
        display_name: str = "Odoo Outlook",
        *,
        app_id: str | None = None,
        object_id: str | None = None,
        sign_in_audience: str = "AzureADMyOrg",
        redirect_uris: Iterable[str] = (),
        requested_access_token_version: int | None = None,
        scopes: Iterable[str] = ODOO_SCOPES,
        publisher_domain: str | None = None,
    ) -> Json:
        app: Json = {
            "id": object_id or _new_id(),
            "deletedDateTime": None,
            "appId": app_id or _new_id(),
            "disabledByMicrosoftStatus": None,
            "createdDateTime": _iso(datetime.now(UTC) - timedelta(days=30)),
            "displayName": display_name,
            "description": None,
            "identifierUris": [],
            "isFallbackPublicClient": None,
            "publisherDomain": publisher_domain or self.tenant_domain,
            "signInAudience": sign_in_audience,
            "tags": [],
            "api": {
                "acceptMappedClaims": None,
                "knownClientApplications": [],
                "requestedAccessTokenVersion": requested_access_token_version,
                "oauth2PermissionScopes": [],
                "preAuthorizedApplications": [],
            },
            "appRoles": [],
            "keyCredentials": [],
            "passwordCredentials": [],
            "publicClient": {"redirectUris": []},
            "requiredResourceAccess": [],
            "spa": {"redirectUris": []},
            "web": {
                "homePageUrl": None,
                "logoutUrl": None,
                "redirectUris": list(redirect_uris),
                "implicitGrantSettings": {
                    "enableAccessTokenIssuance": False,
                    "enableIdTokenIssuance": False,
                },
            },
        }
        scope_list = list(scopes)
        if scope_list:
            app["requiredResourceAccess"].append(
                {
                    "resourceAppId": GRAPH_APP_ID,
                    "resourceAccess": [
                        {"id": GRAPH_DELEGATED_SCOPES[name][0], "type": "Scope"}
                        for name in scope_list
                    ],
                }
            )
        with self._lock:
            self.applications[app["id"]] = app
            self.owners.setdefault(app["id"], [])
        return app

    def add_password(
        self,
        app: Json,
        *,
        display_name: str = "odoo-a",
        hint: str = "Xy9",
        start: datetime | None = None,
        end: datetime | None = None,
        key_id: str | None = None,
    ) -> Json:
        start = start or datetime.now(UTC) - timedelta(days=1)
        end = end or start + timedelta(days=180)
        cred = {
            "customKeyIdentifier": None,
            "displayName": display_name,
            "endDateTime": _iso(end),
            "hint": hint,
            "keyId": key_id or _new_id(),
            "secretText": None,
            "startDateTime": _iso(start),
        }
        with self._lock:
            app["passwordCredentials"].append(cred)
        return cred

    def add_service_principal(
        self,
        app_id: str,
        *,
        display_name: str | None = None,
        object_id: str | None = None,
        app_role_assignment_required: bool = False,
        oauth2_permission_scopes: list[Json] | None = None,
        app_roles: list[Json] | None = None,
        app_owner_organization_id: str | None = None,
    ) -> Json:
        app = self._app_by_app_id(app_id)
        sp: Json = {
            "id": object_id or _new_id(),
            "deletedDateTime": None,
            "accountEnabled": True,
            "appDisplayName": display_name or (app["displayName"] if app else None),
            "appId": app_id,
            "appOwnerOrganizationId": app_owner_organization_id or self.tenant_id,
            "appRoleAssignmentRequired": app_role_assignment_required,
            "displayName": display_name or (app["displayName"] if app else app_id),
            "servicePrincipalNames": [app_id],
            "servicePrincipalType": "Application",
            "signInAudience": app["signInAudience"] if app else "AzureADMultipleOrgs",
            "tags": ["WindowsAzureActiveDirectoryIntegratedApp"],
            "replyUrls": list(app["web"]["redirectUris"]) if app else [],
            "appRoles": app_roles or [],
            "oauth2PermissionScopes": oauth2_permission_scopes or [],
            "keyCredentials": [],
            "passwordCredentials": [],
        }
        with self._lock:
            self.service_principals[sp["id"]] = sp
        return sp

    def add_user(
        self,
        user_principal_name: str,
        *,
        display_name: str | None = None,
        object_id: str | None = None,
        account_enabled: bool = True,
        mail: str | None = None,
    ) -> Json:
        local = user_principal_name.split("@", 1)[0]
        user = {
            "id": object_id or _new_id(),
            "businessPhones": [],
            "displayName": display_name or local.replace(".", " ").title(),
            "givenName": local.split(".")[0].title(),
            "jobTitle": None,
            "mail": mail if mail is not None else user_principal_name,
            "mobilePhone": None,
            "officeLocation": None,
            "preferredLanguage": "en-US",
            "surname": None,
            "userPrincipalName": user_principal_name,
            "accountEnabled": account_enabled,
            "userType": "Member",
        }
        with self._lock:
            self.users[user["id"]] = user
        return user

    def add_group(self, display_name: str, *, object_id: str | None = None) -> Json:
        group = {
            "id": object_id or _new_id(),
            "deletedDateTime": None,
            "createdDateTime": _iso(datetime.now(UTC) - timedelta(days=90)),
            "description": None,
            "displayName": display_name,
            "groupTypes": [],
            "mail": None,
            "mailEnabled": False,
            "mailNickname": re.sub(r"[^A-Za-z0-9]", "", display_name) or "group",
            "securityEnabled": True,
            "visibility": None,
        }
        with self._lock:
            self.groups[group["id"]] = group
        return group

    def add_owner(self, app: Json, owner: Json) -> None:
        with self._lock:
            self.owners.setdefault(app["id"], []).append(owner["id"])

    def assign(
        self, sp: Json, principal: Json, *, app_role_id: str = DEFAULT_ACCESS_ROLE_ID
    ) -> Json:
        """Assign ``principal`` (a user, group or service principal dict) to ``sp``."""
        if principal["id"] in self.users:
            principal_type = "User"
        elif principal["id"] in self.groups:
            principal_type = "Group"
        else:
            principal_type = "ServicePrincipal"
        assignment = {
            "id": _opaque_id(),
            "deletedDateTime": None,
            "appRoleId": app_role_id,
            "createdDateTime": _iso(datetime.now(UTC) - timedelta(days=7)),
            "principalDisplayName": principal.get("displayName"),
            "principalId": principal["id"],
            "principalType": principal_type,
            "resourceDisplayName": sp["displayName"],
            "resourceId": sp["id"],
        }
        with self._lock:
            self.app_role_assignments.append(assignment)
        return assignment

    def grant(
        self,
        client_sp: Json,
        scopes: Iterable[str] = ODOO_SCOPES,
        *,
        consent_type: str = "AllPrincipals",
        principal: Json | None = None,
        resource_sp: Json | None = None,
    ) -> Json:
        """A delegated permission grant (admin consent when consent_type is AllPrincipals)."""
        grant = {
            "id": _opaque_id(),
            "clientId": client_sp["id"],
            "consentType": consent_type,
            "principalId": principal["id"] if principal and consent_type == "Principal" else None,
            "resourceId": (resource_sp or self.graph_sp)["id"],
            "scope": " ".join(scopes),
        }
        with self._lock:
            self.grants.append(grant)
        return grant

    def seed_healthy(
        self,
        *,
        display_name: str = "Odoo Outlook",
        client_id: str | None = None,
        redirect_uris: Iterable[str] = ("https://odoo.example.com/microsoft_outlook/confirm",),
        sign_in_audience: str = "AzureADMyOrg",
        scopes: Iterable[str] = ODOO_SCOPES,
        users: Iterable[str] = ("alice@contoso.com",),
        groups: Iterable[str] = (),
        owners: Iterable[str] = ("admin@contoso.com",),
        assignment_required: bool = True,
        consent_type: str = "AllPrincipals",
        secret_hints: Iterable[str] = ("Ab1",),
    ) -> Seeded:
        """A healthy app registration + enterprise app, assignments and admin consent."""
        scope_list = list(scopes)
        app = self.add_application(
            display_name,
            app_id=client_id,
            sign_in_audience=sign_in_audience,
            redirect_uris=redirect_uris,
            requested_access_token_version=(
                2 if sign_in_audience == "AzureADandPersonalMicrosoftAccount" else None
            ),
            scopes=scope_list,
        )
        for index, hint in enumerate(secret_hints):
            self.add_password(app, display_name=f"odoo-{'ab'[index % 2]}", hint=hint)
        sp = self.add_service_principal(
            app["appId"], app_role_assignment_required=assignment_required
        )
        owner_objs = [self._user_by_upn(u) or self.add_user(u) for u in owners]
        for owner in owner_objs:
            self.add_owner(app, owner)
        user_objs = [self._user_by_upn(u) or self.add_user(u) for u in users]
        group_objs = [self.add_group(g) for g in groups]
        assignments = [self.assign(sp, p) for p in [*user_objs, *group_objs]]
        if consent_type == "AllPrincipals":
            grants = [self.grant(sp, scope_list)]
        else:
            grants = [
                self.grant(sp, scope_list, consent_type="Principal", principal=u) for u in user_objs
            ]
        return Seeded(
            app, sp, self.graph_sp, user_objs, group_objs, owner_objs, assignments, grants
        )

    # ------------------------------------------------------------------ lookups + mutators

    def _app_by_app_id(self, app_id: str) -> Json | None:
        with self._lock:
            return next((a for a in self.applications.values() if a["appId"] == app_id), None)

    def _sp_by_app_id(self, app_id: str) -> Json | None:
        with self._lock:
            return next((s for s in self.service_principals.values() if s["appId"] == app_id), None)

    def _user_by_upn(self, upn: str) -> Json | None:
        with self._lock:
            return next(
                (u for u in self.users.values() if u["userPrincipalName"].lower() == upn.lower()),
                None,
            )

    def application(self, client_id: str) -> Json:
        """The live application dict for a client id (mutate it to break anything)."""
        app = self._app_by_app_id(client_id)
        if app is None:
            raise KeyError(client_id)
        return app

    def service_principal(self, client_id: str) -> Json:
        sp = self._sp_by_app_id(client_id)
        if sp is None:
            raise KeyError(client_id)
        return sp

    def user(self, upn: str) -> Json:
        user = self._user_by_upn(upn)
        if user is None:
            raise KeyError(upn)
        return user

    def set_redirect_uris(self, client_id: str, uris: Iterable[str]) -> None:
        with self._lock:
            self.application(client_id)["web"]["redirectUris"] = list(uris)

    def set_sign_in_audience(self, client_id: str, audience: str) -> None:
        with self._lock:
            self.application(client_id)["signInAudience"] = audience

    def set_token_version(self, client_id: str, version: int | None) -> None:
        with self._lock:
            self.application(client_id)["api"]["requestedAccessTokenVersion"] = version

    def remove_required_scope(self, client_id: str, scope_name: str) -> None:
        scope_id = GRAPH_DELEGATED_SCOPES[scope_name][0]
        with self._lock:
            for rra in self.application(client_id)["requiredResourceAccess"]:
                rra["resourceAccess"] = [ra for ra in rra["resourceAccess"] if ra["id"] != scope_id]

    def expire_secrets(self, client_id: str, *, ago: timedelta = timedelta(days=1)) -> None:
        with self._lock:
            for cred in self.application(client_id)["passwordCredentials"]:
                cred["endDateTime"] = _iso(datetime.now(UTC) - ago)

    def remove_secrets(self, client_id: str) -> None:
        with self._lock:
            self.application(client_id)["passwordCredentials"] = []

    def delete_application(self, client_id: str) -> None:
        with self._lock:
            app = self.application(client_id)
            del self.applications[app["id"]]
            self.owners.pop(app["id"], None)

    def delete_service_principal(self, client_id: str) -> None:
        with self._lock:
            sp = self.service_principal(client_id)
            del self.service_principals[sp["id"]]
            self.app_role_assignments = [
                a for a in self.app_role_assignments if a["resourceId"] != sp["id"]
            ]
            self.grants = [g for g in self.grants if g["clientId"] != sp["id"]]

    def set_assignment_required(self, client_id: str, required: bool) -> None:
        with self._lock:
            self.service_principal(client_id)["appRoleAssignmentRequired"] = required

    def unassign(self, client_id: str, principal_id: str | None = None) -> None:
        """Remove the assignment of one principal (or all when principal_id is None)."""
        with self._lock:
            sp_id = self.service_principal(client_id)["id"]
            self.app_role_assignments = [
                a
                for a in self.app_role_assignments
                if not (
                    a["resourceId"] == sp_id
                    and (principal_id is None or a["principalId"] == principal_id)
                )
            ]

    def revoke_scope(self, client_id: str, scope_name: str) -> None:
        """Remove one scope from every delegated grant of the app."""
        with self._lock:
            sp_id = self.service_principal(client_id)["id"]
            for grant in self.grants:
                if grant["clientId"] == sp_id:
                    kept = [s for s in grant["scope"].split() if s != scope_name]
                    grant["scope"] = " ".join(kept)

    def delete_grants(self, client_id: str) -> None:
        with self._lock:
            sp_id = self.service_principal(client_id)["id"]
            self.grants = [g for g in self.grants if g["clientId"] != sp_id]

    # ------------------------------------------------------------------ tenant policies

    def set_user_consent(self, *policy_ids: str) -> None:
        """What users may consent to: ``ManagePermissionGrantsForSelf.<id>`` policy ids
        (``USER_CONSENT_LEGACY``, ``USER_CONSENT_LOW``, ...; none: users may not consent).
        The owned-resource (Teams chat/team) policies a tenant also lists are kept."""
        with self._lock:
            perms = self.authorization_policy["defaultUserRolePermissions"]
            perms["permissionGrantPoliciesAssigned"] = [*policy_ids, *OWNED_RESOURCE_GRANT_POLICIES]

    def classify_permission(self, name: str, classification: str = "low") -> Json:
        """Classify one of Microsoft Graph's delegated permissions (as an administrator does
        under Enterprise applications > Consent and permissions > Permission classifications)."""
        with self._lock:
            scope_id = GRAPH_DELEGATED_SCOPES[name][0]
            item = {
                "id": _opaque_id(),
                "permissionId": scope_id,
                "permissionName": name,
                "classification": classification,
            }
            self.permission_classifications.setdefault(self.graph_sp["id"], []).append(item)
            return item

    def set_password_lifetime(
        self,
        max_lifetime: str | None,
        *,
        created_after: str = "2019-01-01T00:00:00Z",
        enabled: bool = True,
        state: str = "enabled",
    ) -> None:
        """Cap client secret lifetimes in the tenant default policy (ISO 8601 ``P90D``);
        None removes the cap."""
        with self._lock:
            policy = self.default_app_management_policy
            policy["isEnabled"] = enabled
            creds = policy["applicationRestrictions"]["passwordCredentials"]
            creds[:] = [c for c in creds if c["restrictionType"] != "passwordLifetime"]
            if max_lifetime is not None:
                creds.append(
                    _password_restriction("passwordLifetime", max_lifetime, created_after, state)
                )

    def apply_app_management_policy(
        self,
        client_id: str,
        max_lifetime: str,
        *,
        created_after: str = "2019-01-01T00:00:00Z",
        display_name: str = "Credential lifetime policy",
        enabled: bool = True,
    ) -> Json:
        """Create an appManagementPolicy capping secret lifetimes and apply it to one app."""
        with self._lock:
            policy: Json = {
                "id": _new_id(),
                "displayName": display_name,
                "description": "Lifetime for client secrets of applications.",
                "isEnabled": enabled,
                "restrictions": {
                    "passwordCredentials": [
                        _password_restriction("passwordLifetime", max_lifetime, created_after)
                    ],
                    "keyCredentials": [],
                },
            }
            self.app_management_policies[policy["id"]] = policy
            app = self.application(client_id)
            self.applied_policies.setdefault(app["id"], []).append(policy["id"])
            return policy

    def disable_user(self, upn: str) -> None:
        with self._lock:
            self.user(upn)["accountEnabled"] = False

    def delete_user(self, upn: str) -> None:
        with self._lock:
            del self.users[self.user(upn)["id"]]

    # ------------------------------------------------------------------ routing

    def _dispatch(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str] | None = None
    ) -> Json | str:
        if method != "GET":
            raise _GraphError(405, "Request_BadRequest", f"The fake serves GET only, not {method}.")
        eventual = any(
            k.lower() == "consistencylevel" and v.strip().lower() == "eventual"
            for k, v in (headers or {}).items()
        )
        _check_query(query, eventual)
        count_segment = path.endswith("/$count")
        if count_segment:
            # /{collection}/$count needs ConsistencyLevel: eventual, else 400 (code and message
            # from https://learn.microsoft.com/en-us/graph/aad-advanced-queries, "Error handling
            # for advanced queries on directory objects"); it answers a text/plain number.
            if not eventual:
                raise _GraphError(400, "Request_BadRequest", "$count is not currently supported.")
            path = path.removesuffix("/$count") or "/"
            query = {**query, "$count": "true"}
        for pattern, handler in self._routes():
            match = re.fullmatch(pattern, path)
            if match:
                with self._lock:
                    _REQUEST.eventual = eventual
                    body = handler(query, *match.groups())
                if count_segment:
                    if "@odata.count" not in body:
                        raise _GraphError(
                            400, "Request_BadRequest", "$count is not supported on this resource."
                        )
                    return str(body["@odata.count"])
                return body
        segment = path.strip("/").split("/")[0] or path
        raise _GraphError(400, "BadRequest", f"Resource not found for the segment '{segment}'.")

    def _routes(self) -> Iterator[tuple[str, Any]]:
        key = r"\(appId='((?:[^']|'')*)'\)"
        yield r"/applications", self._list_applications
        yield rf"/applications{key}", self._get_application_by_app_id
        yield r"/applications/([^/]+)", self._get_application
        yield r"/applications/([^/]+)/owners", self._list_owners
        yield r"/servicePrincipals", self._list_service_principals
        yield rf"/servicePrincipals{key}", self._get_sp_by_app_id
        yield r"/servicePrincipals/([^/]+)", self._get_sp
        yield r"/servicePrincipals/([^/]+)/appRoleAssignedTo", self._list_assigned_to
        yield r"/oauth2PermissionGrants", self._list_grants
        yield r"/users", self._list_users
        yield r"/users\('((?:[^']|'')*)'\)", self._get_user_by_key
        yield r"/users/([^/]+)", self._get_user
        yield r"/groups", self._list_groups
        yield r"/groups/([^/]+)", self._get_group
        yield r"/organization", self._list_organization
        yield r"/policies/authorizationPolicy", self._get_authorization_policy
        yield r"/policies/defaultAppManagementPolicy", self._get_default_app_management_policy
        yield r"/applications/([^/]+)/appManagementPolicies", self._list_app_policies
        yield (
            r"/servicePrincipals/([^/]+)/delegatedPermissionClassifications",
            self._list_classifications,
        )

    # each handler returns the JSON body (dict); errors raise _GraphError

    def _entity(
        self, entity_set: str, item: Json, query: dict[str, str], *, known: Iterable[str] = ()
    ) -> Json:
        """One entity's body. ``known``: selectable properties beyond the item's own keys."""
        # $filter applies to collections only, a single entity refuses it: answer of the
        # Graph docs team in https://github.com/microsoftgraph/microsoft-graph-docs/issues/22100
        # (user-get vs user-list), error shape from microsoft-graph-docs#128.
        if "$filter" in query:
            raise _GraphError(
                400,
                "Request_BadRequest",
                "The following query options are not supported by this request method or "
                "cannot be applied to the requested resource: $filter",
            )
        _check_select(query, [item], _type_name(entity_set, [item]), known)
        body = {"@odata.context": f"{self.url}/$metadata#{entity_set}/$entity"}
        body.update(_select(item, query))
        return body

    def _collection(
        self,
        context: str,
        items: list[Json],
        path: str,
        query: dict[str, str],
        *,
        known: Iterable[str] = (),
        shown: list[Json] | None = None,
    ) -> Json:
        """A page of ``items`` (``shown``: what to answer for each, e.g. limited information)
        with ``@odata.nextLink`` to the rest; ``$top`` (1..999, checked in ``_check_query``)
        is the page size, else ``page_size``: https://learn.microsoft.com/en-us/graph/paging"""
        _check_select(query, items, _type_name(context, items), known)
        shown = items if shown is None else shown
        top = int(query.get("$top", self.page_size))
        offset = _decode_skiptoken(query.get("$skiptoken"))
        page = shown[offset : offset + top]
        body: Json = {"@odata.context": f"{self.url}/$metadata#{context}"}
        # $count=true is honoured with ConsistencyLevel: eventual and silently ignored
        # without it (aad-advanced-queries, "Error handling for advanced queries").
        if query.get("$count", "").lower() == "true" and getattr(_REQUEST, "eventual", False):
            body["@odata.count"] = len(shown)
        body["value"] = [_select(item, query) for item in page]
        if offset + top < len(shown):
            rest = {k: v for k, v in query.items() if k != "$skiptoken"}
            rest["$skiptoken"] = _encode_skiptoken(offset + top)
            qs = "&".join(f"{k}={quote(v, safe=chr(39) + ',')}" for k, v in rest.items())
            body["@odata.nextLink"] = f"{self.next_link_base or self.url}{path}?{qs}"
        return body

    def _list_applications(self, query: dict[str, str]) -> Json:
        items = _filtered(self.applications.values(), query, {"appId", "displayName", "id"})
        return self._collection("applications", items, "/applications", query)

    def _get_application_by_app_id(self, query: dict[str, str], app_id: str) -> Json:
        app_id = app_id.replace("''", "'")
        app = self._app_by_app_id(app_id)
        if app is None:
            raise _not_found(app_id)
        return self._entity("applications", app, query)

    def _get_application(self, query: dict[str, str], object_id: str) -> Json:
        app = self.applications.get(object_id)
        if app is None:
            raise _not_found(object_id)
        return self._entity("applications", app, query)

    def _typed(self, oid: str) -> Json | None:
        """A directory object with its ``@odata.type``, or None when it does not exist."""
        for kind, table in (
            ("user", self.users),
            ("servicePrincipal", self.service_principals),
            ("group", self.groups),
            ("application", self.applications),
        ):
            if oid in table:
                return {"@odata.type": f"#microsoft.graph.{kind}", **table[oid]}
        return None

    def _as_readable(self, obj: Json) -> Json:
        """``obj`` as the caller may see it in a directoryObject collection: a type listed in
        ``unreadable_types`` comes back as "limited information", only ``@odata.type`` and
        ``id``: https://learn.microsoft.com/en-us/graph/permissions-overview#limited-information-returned-for-inaccessible-member-objects
        (applies to every directoryObject relationship, owners included)."""
        kind = str(obj.get("@odata.type", "")).removeprefix("#microsoft.graph.")
        if kind in self.unreadable_types:
            return {"@odata.type": obj["@odata.type"], "id": obj["id"]}
        return obj

    def _list_owners(self, query: dict[str, str], object_id: str) -> Json:
        if object_id not in self.applications:
            raise _not_found(object_id)
        owners = [o for o in map(self._typed, self.owners.get(object_id, [])) if o is not None]
        return self._collection(
            "directoryObjects",
            owners,
            f"/applications/{object_id}/owners",
            query,
            shown=[self._as_readable(o) for o in owners],
        )

    def _list_service_principals(self, query: dict[str, str]) -> Json:
        items = _filtered(self.service_principals.values(), query, {"appId", "displayName", "id"})
        return self._collection("servicePrincipals", items, "/servicePrincipals", query)

    def _get_sp_by_app_id(self, query: dict[str, str], app_id: str) -> Json:
        app_id = app_id.replace("''", "'")
        sp = self._sp_by_app_id(app_id)
        if sp is None:
            raise _not_found(app_id)
        return self._entity("servicePrincipals", sp, query)

    def _get_sp(self, query: dict[str, str], object_id: str) -> Json:
        sp = self.service_principals.get(object_id)
        if sp is None:
            raise _not_found(object_id)
        return self._entity("servicePrincipals", sp, query)

    def _list_assigned_to(self, query: dict[str, str], object_id: str) -> Json:
        if object_id not in self.service_principals:
            raise _not_found(object_id)
        items = [a for a in self.app_role_assignments if a["resourceId"] == object_id]
        return self._collection(
            f"servicePrincipals('{object_id}')/appRoleAssignedTo",
            items,
            f"/servicePrincipals/{object_id}/appRoleAssignedTo",
            query,
        )

    def _list_grants(self, query: dict[str, str]) -> Json:
        items = _filtered(
            self.grants, query, {"clientId", "consentType", "principalId", "resourceId"}
        )
        return self._collection("oauth2PermissionGrants", items, "/oauth2PermissionGrants", query)

    def _user_view(self, user: Json, query: dict[str, str]) -> Json:
        """A user as answered: the default properties without $select (user-get), and with
        ``basic_profile_only`` (caller holds User.ReadBasic.All) every property outside the
        basic profile comes back null:
        https://learn.microsoft.com/en-us/graph/permissions-reference#userreadbasicall"""
        if "$select" not in query:
            user = {k: user[k] for k in USER_DEFAULT_PROPERTIES}
        if self.basic_profile_only:
            user = {k: (v if k in USER_BASIC_PROFILE else None) for k, v in user.items()}
        return user

    def _get_user(self, query: dict[str, str], key: str) -> Json:
        # GET /users/{id | userPrincipalName}: a name starting with "$" breaks the OData URL
        # convention ($ prefixes system query options) and answers 400 Bad Request; it must
        # be addressed as /users('$x@y.com'):
        # https://learn.microsoft.com/en-us/graph/api/user-get?view=graph-rest-1.0 (TIP)
        if key.startswith("$"):
            raise _GraphError(400, "BadRequest", f"Resource not found for the segment '{key}'.")
        return self._get_user_by_key(query, key.replace("'", "''"))

    def _get_user_by_key(self, query: dict[str, str], key: str) -> Json:
        key = key.replace("''", "'")
        user = self.users.get(key) or self._user_by_upn(key)
        if user is None:
            raise _not_found(key)
        return self._entity("users", self._user_view(user, query), query, known=user)

    def _list_users(self, query: dict[str, str]) -> Json:
        # user-list: $filter eq on id, userPrincipalName, mail, displayName by default:
        # https://learn.microsoft.com/en-us/graph/api/user-list?view=graph-rest-1.0
        users = list(self.users.values())
        items = _filtered(users, query, {"id", "userPrincipalName", "mail", "displayName"})
        known = {k for u in users for k in u}
        return self._collection(
            "users",
            items,
            "/users",
            query,
            known=known,
            shown=[self._user_view(u, query) for u in items],
        )

    def _list_groups(self, query: dict[str, str]) -> Json:
        items = _filtered(self.groups.values(), query, {"displayName", "id", "mailNickname"})
        return self._collection("groups", items, "/groups", query)

    def _get_group(self, query: dict[str, str], object_id: str) -> Json:
        group = self.groups.get(object_id)
        if group is None:
            raise _not_found(object_id)
        return self._entity("groups", group, query)

    def _list_organization(self, query: dict[str, str]) -> Json:
        return self._collection("organization", [self.organization], "/organization", query)

    def _get_authorization_policy(self, query: dict[str, str]) -> Json:
        return self._entity("policies/authorizationPolicy", self.authorization_policy, query)

    def _get_default_app_management_policy(self, query: dict[str, str]) -> Json:
        return self._entity(
            "policies/defaultAppManagementPolicy", self.default_app_management_policy, query
        )

    def _list_app_policies(self, query: dict[str, str], object_id: str) -> Json:
        if object_id not in self.applications:
            raise _not_found(object_id)
        items = [
            self.app_management_policies[pid] for pid in self.applied_policies.get(object_id, [])
        ]
        return self._collection(
            "appManagementPolicies",
            items,
            f"/applications/{object_id}/appManagementPolicies",
            query,
        )

    def _list_classifications(self, query: dict[str, str], object_id: str) -> Json:
        # servicePrincipal-list-delegatedpermissionclassifications
        if object_id not in self.service_principals:
            raise _not_found(object_id)
        return self._collection(
            f"servicePrincipals('{object_id}')/delegatedPermissionClassifications",
            self.permission_classifications.get(object_id, []),
            f"/servicePrincipals/{object_id}/delegatedPermissionClassifications",
            query,
        )

    # ------------------------------------------------------------------ HTTP plumbing

    def _record(self, request: RecordedRequest, token: str | None) -> None:
        with self._lock:
            self._log.append(request)
            if token:
                self._tokens.append(token)


# --------------------------------------------------------------------------- policies
# Shapes: learn.microsoft.com/graph/api/authorizationpolicy-get (v1.0: a single object whose
# defaultUserRolePermissions.permissionGrantPoliciesAssigned lists "ManagePermissionGrantsFor
# Self.<policy id>" for user consent), .../tenantappmanagementpolicy-get (id all zeros,
# applicationRestrictions.passwordCredentials[] of passwordCredentialConfiguration:
# restrictionType, state, maxLifetime as an ISO 8601 duration or null,
# restrictForAppsCreatedAfterDateTime) and .../application-list-appmanagementpolicies
# (appManagementPolicy: restrictions.passwordCredentials[]). User-consent policy ids:
# learn.microsoft.com/entra/identity/enterprise-apps/configure-user-consent.

USER_CONSENT_LEGACY = "ManagePermissionGrantsForSelf.microsoft-user-default-legacy"
USER_CONSENT_LOW = "ManagePermissionGrantsForSelf.microsoft-user-default-low"
USER_CONSENT_RECOMMENDED = "ManagePermissionGrantsForSelf.microsoft-user-default-recommended"
OWNED_RESOURCE_GRANT_POLICIES = (
    "ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team",
    "ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-chat",
)


def _authorization_policy(assigned: list[str]) -> Json:
    return {
        "id": "authorizationPolicy",
        "allowInvitesFrom": "everyone",
        "allowedToSignUpEmailBasedSubscriptions": True,
        "allowedToUseSSPR": True,
        "allowEmailVerifiedUsersToJoinOrganization": False,
        "blockMsolPowerShell": None,
        "displayName": "Authorization Policy",
        "description": "Used to manage authorization related settings across the company.",
        "guestUserRoleId": "10dae51f-b6af-4016-8d66-8c2a99b929b3",
        "defaultUserRolePermissions": {
            "allowedToCreateApps": True,
            "allowedToCreateSecurityGroups": True,
            "allowedToCreateTenants": True,
            "allowedToReadBitlockerKeysForOwnedDevice": True,
            "allowedToReadOtherUsers": True,
            "permissionGrantPoliciesAssigned": list(assigned),
        },
    }


def _password_restriction(
    kind: str, max_lifetime: str | None, created_after: str, state: str = "enabled"
) -> Json:
    return {
        "restrictionType": kind,
        "state": state,
        "maxLifetime": max_lifetime,
        "restrictForAppsCreatedAfterDateTime": created_after,
    }


def _default_app_management_policy() -> Json:
    return {
        "id": "00000000-0000-0000-0000-000000000000",
        "displayName": "Default app management tenant policy",
        "description": "Default tenant policy that enforces app management restrictions on"
        " applications and service principals. To apply policy to targeted resources, create a"
        " new policy under appManagementPolicies collection.",
        "isEnabled": False,
        "applicationRestrictions": {"passwordCredentials": [], "keyCredentials": []},
        "servicePrincipalRestrictions": {"passwordCredentials": [], "keyCredentials": []},
    }


# --------------------------------------------------------------------------- helpers

_REQUEST = threading.local()  # per request: .eventual (ConsistencyLevel: eventual was sent)

_ADVANCED_QUERIES = "https://aka.ms/graph-docs/advanced-queries"
_EQ_NE = re.compile(r"(\w+)\s+(eq|ne)\s+'((?:[^']|'')*)'", re.IGNORECASE)
_STRING_FUNCTION = re.compile(
    r"(startsWith|endsWith)\(\s*(\w+)\s*,\s*'((?:[^']|'')*)'\s*\)", re.IGNORECASE
)


def _check_query(query: dict[str, str], eventual: bool) -> None:
    """Rules every route shares (collections and single entities)."""
    top = query.get("$top")
    # Directory collections page 1..999 items; anything else is refused, not capped:
    # https://learn.microsoft.com/en-us/graph/paging (page size) and the answer Graph
    # gives, as quoted in turbot/steampipe-plugin-azuread (azuread/table_azuread_group.go):
    # "Request_UnsupportedQuery: Invalid page size specified: '1000'. Must be between 1
    # and 999 inclusive."
    if top is not None and (not top.isdigit() or not 1 <= int(top) <= 999):
        raise _GraphError(
            400,
            "Request_UnsupportedQuery",
            f"Invalid page size specified: '{top}'. Must be between 1 and 999 inclusive.",
        )
    if "$search" in query and not eventual:
        # https://learn.microsoft.com/en-us/graph/aad-advanced-queries ("Error handling for
        # advanced queries on directory objects"): $search needs ConsistencyLevel: eventual.
        raise _GraphError(
            400,
            "Request_UnsupportedQuery",
            "Request with $search query parameter only works through MSGraph with a special "
            "request header: 'ConsistencyLevel: eventual'",
        )


def _type_name(context: str, items: list[Json]) -> str:
    kinds = {str(i.get("@odata.type", "")).removeprefix("#microsoft.graph.") for i in items}
    if len(kinds) == 1 and "" not in kinds:
        return f"microsoft.graph.{kinds.pop()}"
    last = context.split("/")[-1].split("(")[0]
    return "microsoft.graph." + _TYPE_BY_SET.get(last, last.removesuffix("s"))


def _check_select(
    query: dict[str, str], items: list[Json], type_name: str, known: Iterable[str] = ()
) -> None:
    """An unknown property in $select fails the whole request with 400 (it is not ignored;
    https://learn.microsoft.com/en-us/graph/query-parameters#select). The body is the one
    Graph's OData layer gives ("Parsing OData Select and Expand failed: Could not find a
    property named 'x' on type 'microsoft.graph.y'.", code BadRequest, as quoted in public
    Graph client code); the reference does not document the directory's exact code, so
    clients must rely on the status only. Known properties: every key the items carry plus
    ``known``; with no item and nothing known, nothing can be checked."""
    fields = [f.strip() for f in query.get("$select", "").split(",") if f.strip()]
    names = {k for i in items for k in i} | set(known)
    if not fields or not names:
        return
    for name in fields:
        if name not in names:
            raise _GraphError(
                400,
                "BadRequest",
                "Parsing OData Select and Expand failed: Could not find a property named "
                f"'{name}' on type '{type_name}'.",
            )


def _advanced_refused(operator: str) -> _GraphError:
    # Operators only advanced queries support, sent without ConsistencyLevel: eventual and
    # $count=true: https://learn.microsoft.com/en-us/graph/aad-advanced-queries (endsWith
    # example); `ne` as reported in microsoftgraph/microsoft-graph-docs-contrib#9043.
    if operator.lower() == "ne":
        return _GraphError(
            400, "Request_UnsupportedQuery", "Filter operator 'NotEqualsMatch' is not supported."
        )
    return _GraphError(
        400,
        "Request_UnsupportedQuery",
        f"Operator '{operator}' is not supported because the required parameters might be "
        "missing. Try adding $count=true query parameter and ConsistencyLevel:eventual "
        f"header. Refer to {_ADVANCED_QUERIES} for more information",
    )


def _filter_term(part: str, allowed: set[str], advanced: bool) -> Any:
    """One `and`-joined clause as a predicate; eq and startsWith work by default, ne, not and
    endsWith only in advanced queries (aad-advanced-queries, "Support for filter by
    properties of Microsoft Entra ID (directory) objects")."""
    unsupported = _GraphError(
        400, "Request_UnsupportedQuery", f"Unsupported or invalid query filter clause: {part}"
    )
    if re.match(r"not\b", part, re.IGNORECASE):
        if not advanced:
            raise _advanced_refused("Not")
        raise unsupported  # the fake evaluates no `not`
    match = _EQ_NE.fullmatch(part)
    if match:
        name, op, raw = match.group(1), match.group(2).lower(), match.group(3)
        if op == "ne" and not advanced:
            raise _advanced_refused("ne")
        if name not in allowed:
            raise unsupported
        value = raw.replace("''", "'")
        if op == "eq":
            return lambda i: str(i.get(name)).lower() == value.lower()
        return lambda i: str(i.get(name)).lower() != value.lower()
    match = _STRING_FUNCTION.fullmatch(part)
    if match:
        func, name, raw = match.group(1).lower(), match.group(2), match.group(3)
        if func == "endswith" and not advanced:
            raise _advanced_refused("endsWith")
        if name not in allowed:
            raise unsupported
        value = raw.replace("''", "'").lower()
        if func == "startswith":
            return lambda i: str(i.get(name) or "").lower().startswith(value)
        return lambda i: str(i.get(name) or "").lower().endswith(value)
    raise unsupported


def _filtered(items: Iterable[Json], query: dict[str, str], allowed: set[str]) -> list[Json]:
    """``items`` matching $filter (and $search), deep-copied. String comparisons ignore case
    like Entra ID's. Advanced operators need ConsistencyLevel: eventual and $count=true."""
    result = [copy.deepcopy(i) for i in items]
    eventual = bool(getattr(_REQUEST, "eventual", False))
    advanced = eventual and query.get("$count", "").lower() == "true"
    expression = (query.get("$filter") or "").strip()
    if expression:
        parts = re.split(r"\s+and\s+", expression, flags=re.IGNORECASE)
        predicates = [_filter_term(p.strip(), allowed, advanced) for p in parts]
        result = [i for i in result if all(p(i) for p in predicates)]
    search = query.get("$search")
    if search:  # '"property:text"' tokens (the header was checked in _check_query)
        for token in re.findall(r'"([^"]*)"', search) or [search]:
            name, _, text = token.partition(":")
            if name not in allowed:
                raise _GraphError(400, "Request_UnsupportedQuery", f"Invalid $search: {token}")
            result = [i for i in result if text.lower() in str(i.get(name) or "").lower()]
    return result


def _select(item: Json, query: dict[str, str]) -> Json:
    fields = query.get("$select")
    data = copy.deepcopy(item)
    if not fields:
        return data
    wanted = {f.strip() for f in fields.split(",") if f.strip()}
    return {k: v for k, v in data.items() if k in wanted or k == "@odata.type"}


def _encode_skiptoken(offset: int) -> str:
    return "RFNwdAIA" + base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def _decode_skiptoken(token: str | None) -> int:
    if not token:
        return 0
    try:
        raw = token.removeprefix("RFNwdAIA")
        raw += "=" * (-len(raw) % 4)
        return int(base64.urlsafe_b64decode(raw).decode().split(":", 1)[1])
    except (ValueError, IndexError) as exc:
        raise _GraphError(400, "Request_BadRequest", "Invalid skip token.") from exc


def _error_body(error: _GraphError, client_request_id: str | None) -> Json:
    return {
        "error": {
            "code": error.code,
            "message": error.message,
            "innerError": {
                "date": _inner_error_date(datetime.now(UTC)),
                "request-id": _new_id(),
                "client-request-id": client_request_id or _new_id(),
            },
        }
    }


def _make_handler(graph: FakeGraph) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "FakeGraph/1.0"

        def log_message(self, _format: str, *_args: Any) -> None:
            return  # silent: never print requests (or anything near a token)

        def _handle(self) -> None:
            method = self.command
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)  # drain, keep the connection usable
            split = urlsplit(self.path)
            raw_path = split.path
            path = unquote(raw_path.removeprefix("/v1.0")) or "/"
            query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
            auth = self.headers.get("Authorization", "")
            token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
            headers = {k: v for k, v in self.headers.items() if k.lower() != "authorization"}
            client_request_id = self.headers.get("client-request-id")

            extra_headers: dict[str, str] = {}
            try:
                if not raw_path.startswith("/v1.0/"):
                    raise _GraphError(400, "BadRequest", "Invalid version.")
                fault = graph._take_fault(method, path)
                if fault is not None:
                    if fault.retry_after is not None:
                        extra_headers["Retry-After"] = str(fault.retry_after)
                    raise _GraphError(fault.status, fault.code, fault.message)
                if not token:
                    raise _GraphError(401, "InvalidAuthenticationToken", "Access token is empty.")
                status, body = 200, graph._dispatch(method, path, query, headers)
            except _GraphError as error:
                status, body = error.status, _error_body(error, client_request_id)

            graph._record(
                RecordedRequest(method, path, query, bool(token), status, headers), token or None
            )
            if isinstance(body, str):  # /$count: a bare number
                payload, content_type = body.encode(), "text/plain"
            else:
                payload = json.dumps(body).encode()
                content_type = "application/json;odata.metadata=minimal;charset=utf-8"
            self.send_response(status, _STATUS_TEXT.get(status))
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("request-id", _new_id())
            if client_request_id:
                self.send_header("client-request-id", client_request_id)
            for name, value in extra_headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = _handle
        do_POST = _handle
        do_PATCH = _handle
        do_PUT = _handle
        do_DELETE = _handle

    return Handler


# --------------------------------------------------------------------------- test credential


class StaticTokenCredential:
    """A ``TokenCredential`` returning a fixed token; records the scopes asked for.

    Stands in for azure-identity's credentials in tests (same ``get_token`` contract)."""

    def __init__(self, token: str = "fake-graph-token", *, expires_in: int = 3600) -> None:
        self._token = token
        self._expires_in = expires_in
        self.requests: list[tuple[tuple[str, ...], dict[str, Any]]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        self.requests.append((scopes, dict(kwargs)))
        return AccessToken(self._token, int(datetime.now(UTC).timestamp()) + self._expires_in)

    def __repr__(self) -> str:  # never show the token
        return "StaticTokenCredential(token=***)"
