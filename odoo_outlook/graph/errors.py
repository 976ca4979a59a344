"""One product exception for every way a Graph read can fail, with a one-line message.

Status codes are mapped per read: a 401/403 names the Graph permission that read needs
(least-privileged permission from the Graph API reference page of that call), a 404
names the missing object, 429/503/504 arrive here only after msgraph-sdk's own
RetryHandler gave up (it honours Retry-After; see ``client.py`` for the bound), and
azure-identity failures say how to sign in. Messages never carry tokens or secrets.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import StrEnum

import httpx
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import CredentialUnavailableError
from kiota_abstractions.api_error import APIError

from odoo_outlook.masking import clean


class GraphFailure(StrEnum):
    SIGN_IN = "sign-in"  # no credential / azure-identity could not get a token
    UNAUTHORIZED = "unauthorized"  # 401 from Graph
    FORBIDDEN = "forbidden"  # 403 from Graph: a permission is missing
    NOT_FOUND = "not-found"  # 404, or a search that found nothing
    AMBIGUOUS = "ambiguous"  # a search by name found more than one object
    THROTTLED = "throttled"  # 429/503/504 after the SDK's bounded retries
    UNREACHABLE = "unreachable"  # network / TLS / timeout
    CONFIG = "config"  # bad base URL and similar local settings
    OTHER = "other"


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


# Permissions named in 401/403 messages: least privileged first, from the "Permissions"
# table of each call's page under learn.microsoft.com/graph/api/.
class Permission:
    # application-get, serviceprincipal-get, serviceprincipal-list-approleassignedto
    APPLICATION_READ = "Application.Read.All"
    # application-list-owners (application permission Application.ReadWrite.OwnedBy is
    # least privileged for an app reading its own owners; Application.Read.All works too)
    OWNERS_READ = "Application.Read.All"
    # oauth2permissiongrant-list: Directory.Read.All; DelegatedPermissionGrant.Read.All
    # is the narrower permission dedicated to reading grants
    GRANTS_READ = "DelegatedPermissionGrant.Read.All (or Directory.Read.All)"
    # user-get: application User.Read.All; delegated, another user: User.ReadBasic.All
    USER_READ = "User.Read.All (or delegated User.ReadBasic.All)"
    # group-get / group-list: GroupMember.Read.All
    GROUP_READ = "GroupMember.Read.All (or Group.Read.All)"
    # organization-get: application Organization.Read.All; delegated User.Read
    ORGANIZATION_READ = "Organization.Read.All (or delegated User.Read)"


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
    permission: str
    missing: str | None = None  # 404 sentence; default: "<what> does not exist"


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


def api_error(exc: APIError, read: ReadSpec) -> GraphAccessError:
    status = exc.response_status_code
    code, graph_message, request_id = _odata_parts(exc)
    label = f"{status} {code}" if code else f"{status}"
    common = {"status": status, "code": code, "request_id": request_id}
    if status == 401:
        return GraphAccessError(
            f"Microsoft Graph rejected the access token while reading {read.what} ({label}); "
            f"sign in again (`az login`) for the right tenant; this read needs "
            f"{read.permission}.",
            failure=GraphFailure.UNAUTHORIZED,
            permission=read.permission,
            **common,
        )
    if status == 403:
        return GraphAccessError(
            f"Microsoft Graph denied reading {read.what} ({label}): the signed-in identity "
            f"needs the Graph permission {read.permission} (admin-consented).",
            failure=GraphFailure.FORBIDDEN,
            permission=read.permission,
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
            f"Microsoft Graph kept answering {label} while reading {read.what}, also after the "
            f"bounded retries that honour Retry-After; try again later.",
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
