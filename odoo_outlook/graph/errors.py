"""One product exception for every way a Graph read can fail, with a one-line message.

Status codes are mapped per read: a 401/403 names the Graph permissions that read needs
(the least-privileged ones the Graph API reference page of that call lists, with the page;
see ``permissions.py``), a 404 names the missing object, 429/503/504 arrive here only
after msgraph-sdk's own RetryHandler gave up (it honours Retry-After up to 180 s and makes
no retry beyond; the message says how long Graph asked to wait), and azure-identity
failures say how to sign in. Messages never carry tokens or secrets.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import TypedDict

import httpx
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import CredentialUnavailableError
from kiota_abstractions.api_error import APIError
from kiota_http.middleware.options import RetryHandlerOption

from odoo_outlook.masking import clean

from .permissions import GRAPH_CALL_PERMISSIONS, CallPermissions


class GraphFailure(StrEnum):
    """Why a Graph read failed: the kind decides the advice (sign in, permission, missing,
    retry)."""

    SIGN_IN = "sign-in"  # no credential / azure-identity could not get a token
    UNAUTHORIZED = "unauthorized"  # 401 from Graph
    FORBIDDEN = "forbidden"  # 403 from Graph: a permission is missing
    NOT_FOUND = "not-found"  # 404, or a search that found nothing
    AMBIGUOUS = "ambiguous"  # a search by name found more than one object
    THROTTLED = "throttled"  # 429/503/504 after the SDK's bounded retries
    UNREACHABLE = "unreachable"  # network / TLS / timeout
    CONFIG = "config"  # bad base URL and similar local settings
    OTHER = "other"


class _Common(TypedDict):
    """The HTTP facts every `GraphAccessError` built from an `APIError` carries."""

    status: int | None
    code: str | None
    request_id: str | None


class GraphAccessError(Exception):
    """A Graph read failed. ``str(error)`` is one line meant for the user."""

    def __init__(
        self,
        message: str,
        *,
        failure: GraphFailure,
        status: int | None = None,
        code: str | None = None,
        permission: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.failure = failure
        self.status = status
        self.code = code
        self.permission = permission
        self.request_id = request_id

    def __str__(self) -> str:
        return self.message


# Permissions named in 401/403 messages: the least-privileged ones the reference page of
# each call lists (table and pages in permissions.py).
class Permission:
    """The least-privileged Graph permission of each read, as the Microsoft Graph v1.0
    reference page of the call lists it (table in permissions.py).
    """

    APPLICATION_READ = GRAPH_CALL_PERMISSIONS["application-get"]
    SERVICE_PRINCIPAL_READ = GRAPH_CALL_PERMISSIONS["serviceprincipal-get"]
    ASSIGNMENTS_READ = GRAPH_CALL_PERMISSIONS["serviceprincipal-list-approleassignedto"]
    OWNERS_READ = GRAPH_CALL_PERMISSIONS["application-list-owners"]
    GRANTS_READ = GRAPH_CALL_PERMISSIONS["oauth2permissiongrant-list"]
    USER_READ = GRAPH_CALL_PERMISSIONS["user-get"]
    USER_LIST = GRAPH_CALL_PERMISSIONS["user-list"]
    USER_ACCOUNT_ENABLED = GRAPH_CALL_PERMISSIONS["user-accountenabled"]
    GROUP_READ = GRAPH_CALL_PERMISSIONS["group-get"]
    GROUP_LIST = GRAPH_CALL_PERMISSIONS["group-list"]
    POLICY_READ = GRAPH_CALL_PERMISSIONS["authorizationpolicy-get"]
    APP_POLICIES_READ = GRAPH_CALL_PERMISSIONS["application-list-appmanagementpolicies"]
    TENANT_APP_POLICY_READ = GRAPH_CALL_PERMISSIONS["tenantappmanagementpolicy-get"]
    CLASSIFICATIONS_READ = GRAPH_CALL_PERMISSIONS[
        "serviceprincipal-list-delegatedpermissionclassifications"
    ]


SIGN_IN_HELP = (
    "sign in with `az login` (add `--tenant <tenant-id>` for another tenant), or set "
    "AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET for a service principal, or "
    "AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE for workload identity "
    "federation (OIDC in CI)"
)


@dataclass(frozen=True)
class ReadSpec:
    """What a read is about, for messages: ``what`` in a sentence, and its permission."""

    what: str  # e.g. "the application with client id 1234…"
    permission: CallPermissions | str  # a row of permissions.py, or a permission's name
    missing: str | None = None  # 404 sentence; default: "<what> does not exist"

    @property
    def needs(self) -> str:
        """The permission sentence, with the reference page that lists it when known."""
        if isinstance(self.permission, CallPermissions):
            return (
                f"{self.permission.hint}, the least privileged one Graph's reference lists"
                f" ({self.permission.reference})"
            )
        return self.permission


_JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]*")
_BEARER = re.compile(r"(?i)bearer\s+\S+")
_AADSTS = re.compile(r"AADSTS\d+")


def _clean(text: str | None, limit: int = 200) -> str:
    """One line, bounded, with anything token-like removed."""
    if not text:
        return ""
    # Token-like values are removed first; then the product's one fold-and-cut.
    text = _BEARER.sub("Bearer [redacted]", _JWT.sub("[redacted]", text))
    return clean(text, (), limit, ellipsis="…")


# azure-identity's ChainedTokenCredential (and so DefaultAzureCredential) raises a plain
# ClientAuthenticationError with this text when no credential in the chain produced a token;
# when a credential was tried and refused, its AADSTS code is in the text too.
_CHAIN_FAILED = "failed to retrieve a token from the included credentials"


def sign_in_error(exc: ClientAuthenticationError) -> GraphAccessError:
    """One line: no credential found, or the credential refused; both say how to sign in."""
    text = str(exc)
    if isinstance(exc, CredentialUnavailableError) or (
        _CHAIN_FAILED in text and not _AADSTS.search(text)
    ):
        message = f"No Azure credential found to call Microsoft Graph: {SIGN_IN_HELP}."
    else:
        found = _AADSTS.search(str(exc))
        where = f" ({found.group(0)})" if found else ""
        message = (
            f"Azure sign-in for Microsoft Graph failed{where}: the credential was refused or "
            f"has expired; {SIGN_IN_HELP}."
        )
    return GraphAccessError(message, failure=GraphFailure.SIGN_IN)


def _odata_parts(exc: APIError) -> tuple[str | None, str | None, str | None]:
    """(code, message, request-id) from a msgraph ODataError, else from APIError."""
    error = getattr(exc, "error", None)
    if error is None:
        return None, exc.message, None
    inner = getattr(error, "inner_error", None)
    request_id = getattr(inner, "request_id", None) if inner is not None else None
    return getattr(error, "code", None), getattr(error, "message", None), request_id


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP-date), else None.
    RFC 9110 section 10.2.3; Graph sends delta-seconds
    (https://learn.microsoft.com/en-us/graph/throttling)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


def _wait_text(seconds: float) -> str:
    whole = int(seconds)
    if whole < 120:
        return f"{whole} seconds"
    minutes = round(whole / 60)
    return f"{whole} seconds (about {minutes} minutes)"


def _throttled_message(label: str, read: ReadSpec, headers: Mapping[str, str] | None) -> str:
    """What happened on a final 429/503/504, in the terms Graph used.

    msgraph-sdk's RetryHandler (kiota-http) waits what ``Retry-After`` asks, but makes no
    retry at all when that is ``RetryHandlerOption.MAX_DELAY`` (180 s) or more; without the
    header it backs off exponentially on its own."""
    raw = None
    if headers is not None:
        raw = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    seconds = retry_after_seconds(raw)
    limit = int(RetryHandlerOption.MAX_DELAY)
    if seconds is not None and seconds >= limit:
        return (
            f"Microsoft Graph answered {label} while reading {read.what} and asked to wait"
            f" {_wait_text(seconds)} (Retry-After), longer than the {limit} seconds the"
            f" retry policy waits at most, so no retry was made; try again after that"
            f" time."
        )
    if seconds is not None:
        return (
            f"Microsoft Graph kept answering {label} while reading {read.what}, also after"
            f" the bounded retries (Graph asked to wait {_wait_text(seconds)} each time);"
            f" try again later."
        )
    return (
        f"Microsoft Graph kept answering {label} while reading {read.what}, also after the"
        f" bounded retries with exponential backoff (Graph sent no Retry-After); try again"
        f" later."
    )


def api_error(exc: APIError, read: ReadSpec) -> GraphAccessError:
    """The one-line `GraphAccessError` for a Graph HTTP error `exc` during `read`.

    401 says sign in again, 403 names the missing permission, 404 what is missing, 429/503/504
    what Retry-After asked (msgraph-sdk's RetryHandler already retried); Graph's own message is
    kept, on one line, for anything else. Never raises.
    """
    status = exc.response_status_code
    code, graph_message, request_id = _odata_parts(exc)
    label = f"{status} {code}" if code else f"{status}"
    common = _Common(status=status, code=code, request_id=request_id)
    permission = str(read.permission)
    if status == 401:
        return GraphAccessError(
            f"Microsoft Graph rejected the access token while reading {read.what} ({label}); "
            f"sign in again (`az login`) for the right tenant; this read needs "
            f"{read.needs}.",
            failure=GraphFailure.UNAUTHORIZED,
            permission=permission,
            **common,
        )
    if status == 403:
        return GraphAccessError(
            f"Microsoft Graph denied reading {read.what} ({label}): the signed-in identity "
            f"needs the Graph permission {read.needs}, admin-consented.",
            failure=GraphFailure.FORBIDDEN,
            permission=permission,
            **common,
        )
    if status == 404:
        missing = read.missing or f"{read.what} does not exist"
        return GraphAccessError(
            f"Not found in Microsoft Graph: {missing} ({label}).",
            failure=GraphFailure.NOT_FOUND,
            **common,
        )
    if status in (429, 503, 504):
        return GraphAccessError(
            _throttled_message(label, read, exc.response_headers),
            failure=GraphFailure.THROTTLED,
            **common,
        )
    detail = _clean(graph_message)
    return GraphAccessError(
        f"Microsoft Graph failed reading {read.what} ({label})"
        + (f": {detail}" if detail else "."),
        failure=GraphFailure.OTHER,
        **common,
    )


@asynccontextmanager
async def graph_read(read: ReadSpec) -> AsyncIterator[None]:
    """Translate anything raised inside into :class:`GraphAccessError`."""
    try:
        yield
    except GraphAccessError:
        raise
    except ClientAuthenticationError as exc:
        raise sign_in_error(exc) from exc
    except APIError as exc:
        raise api_error(exc, read) from exc
    except httpx.TransportError as exc:
        raise GraphAccessError(
            f"Could not reach Microsoft Graph while reading {read.what}: "
            f"{type(exc).__name__} {_clean(str(exc), 120)}".rstrip()
            + ".",
            failure=GraphFailure.UNREACHABLE,
        ) from exc
