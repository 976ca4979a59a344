"""Build a msgraph-sdk ``GraphServiceClient`` for a base URL and an azure-identity credential.

Both are injectable and nothing else differs between production and tests:

* base URL: ``GraphSettings.base_url``, else env ``ODOO_OUTLOOK_GRAPH_URL``, else
  ``https://graph.microsoft.com/v1.0`` (national clouds: e.g. ``https://graph.microsoft.us/v1.0``).
  It is set on the httpx client and on the request adapter (the SDK's supported way);
  https is required, plain http only for loopback hosts (kiota's token provider has the
  same rule: it hands tokens to http://localhost / 127.0.0.1 / ::1 only).
* credential: any ``azure.core.credentials.TokenCredential`` (sync or async); default
  ``DefaultAzureCredential`` without the interactive browser.

The token scope is derived per request by kiota from the URL host
(``https://graph.microsoft.com/.default``), and tokens are only sent to the base URL's
host (``allowed_hosts``). Retries on 429/503/504 are the SDK's RetryHandler, configured
once here with a bounded ``max_retries``; the product adds no retry loop of its own. The
handler waits what ``Retry-After`` asks, makes no retry when that is 180 s or more
(``RetryHandlerOption.MAX_DELAY``; ``errors.py`` then says how long Graph asked), and backs
off exponentially when a 503 comes without the header.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import urlsplit

import httpx
from azure.core.credentials import TokenCredential
from azure.core.credentials_async import AsyncTokenCredential
from azure.identity import AzureAuthorityHosts, DefaultAzureCredential
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from kiota_http.kiota_client_factory import KiotaClientFactory
from kiota_http.middleware.options import RetryHandlerOption, UrlReplaceHandlerOption
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.graph_service_client import GraphServiceClient
from msgraph_core import APIVersion, GraphClientFactory
from msgraph_core.middleware.options import GraphTelemetryHandlerOption

from odoo_outlook.graph.token_reuse import RunTokenReuse

from .errors import GraphAccessError, GraphFailure

DEFAULT_GRAPH_URL = "https://graph.microsoft.com/v1.0"
GRAPH_URL_ENV = "ODOO_OUTLOOK_GRAPH_URL"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
DEFAULT_MAX_RETRIES = 3
MAX_RETRIES_LIMIT = RetryHandlerOption.MAX_MAX_RETRIES  # the SDK's own ceiling (10)

# Graph host -> Entra ID authority host, for DefaultAzureCredential in national clouds.
_AUTHORITY_BY_GRAPH_HOST = {
    "graph.microsoft.com": AzureAuthorityHosts.AZURE_PUBLIC_CLOUD,
    "graph.microsoft.us": AzureAuthorityHosts.AZURE_GOVERNMENT,
    "dod-graph.microsoft.us": AzureAuthorityHosts.AZURE_GOVERNMENT,
    "microsoftgraph.chinacloudapi.cn": AzureAuthorityHosts.AZURE_CHINA,
}

Credential = TokenCredential | AsyncTokenCredential


@dataclass(frozen=True)
class GraphSettings:
    """User-facing Graph options. ``base_url`` None: env var, then the global cloud."""

    base_url: str | None = None
    tenant_id: str | None = None
    max_retries: int = DEFAULT_MAX_RETRIES

    def resolved_url(self, environ: Mapping[str, str] | None = None) -> str:
        """The Graph base URL: the setting, else `$ODOO_OUTLOOK_GRAPH_URL` (read from `environ`,
        default
        `os.environ`), else https://graph.microsoft.com/v1.0; validated by `normalize_base_url`
        (raises `GraphAccessError` for a URL that is not https, or http on loopback).
        """
        env = os.environ if environ is None else environ
        return normalize_base_url(self.base_url or env.get(GRAPH_URL_ENV) or DEFAULT_GRAPH_URL)


def normalize_base_url(url: str) -> str:
    """Validate a Graph base URL (https, or http on loopback) and drop a trailing slash."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise GraphAccessError(
            f"Invalid Microsoft Graph URL {url!r}: expected e.g. {DEFAULT_GRAPH_URL} "
            f"(set with {GRAPH_URL_ENV}).",
            failure=GraphFailure.CONFIG,
        )
    if parts.scheme == "http" and host not in LOOPBACK_HOSTS:
        raise GraphAccessError(
            f"Invalid Microsoft Graph URL {url!r}: tokens are only sent over https "
            f"(plain http is accepted for localhost only).",
            failure=GraphFailure.CONFIG,
        )
    if parts.query or parts.fragment:
        raise GraphAccessError(
            f"Invalid Microsoft Graph URL {url!r}: no query or fragment allowed.",
            failure=GraphFailure.CONFIG,
        )
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def default_credential(base_url: str, tenant_id: str | None = None) -> DefaultAzureCredential:
    """The production credential chain: env (secret / OIDC), workload and managed identity,
    Azure CLI, Azure Developer CLI, PowerShell; never an interactive browser."""
    kwargs: dict[str, Any] = {"exclude_interactive_browser_credential": True}
    authority = _AUTHORITY_BY_GRAPH_HOST.get(urlsplit(base_url).hostname or "")
    if authority:
        kwargs["authority"] = authority
    if tenant_id:
        kwargs["additionally_allowed_tenants"] = [tenant_id]
    return DefaultAzureCredential(**kwargs)


def _middleware_options(settings: GraphSettings) -> dict[str, Any]:
    if not 0 <= settings.max_retries <= MAX_RETRIES_LIMIT:
        raise GraphAccessError(
            f"max_retries must be between 0 and {MAX_RETRIES_LIMIT}, not {settings.max_retries}.",
            failure=GraphFailure.CONFIG,
        )
    try:
        sdk_version = version("msgraph-sdk")
    except PackageNotFoundError:  # pragma: no cover - installed with the product
        sdk_version = "unknown"
    # The same options GraphRequestAdapter uses by default, plus a bounded retry policy.
    return {
        UrlReplaceHandlerOption.get_key(): UrlReplaceHandlerOption(
            enabled=True, replacement_pairs={"/users/me-token-to-replace": "/me"}
        ),
        GraphTelemetryHandlerOption.get_key(): GraphTelemetryHandlerOption(
            api_version=APIVersion.v1, sdk_version=sdk_version
        ),
        RetryHandlerOption.get_key(): RetryHandlerOption(
            max_retries=settings.max_retries, should_retry=settings.max_retries > 0
        ),
    }


def build_graph_client(
    settings: GraphSettings | None = None,
    credential: Credential | None = None,
    *,
    http_client: httpx.AsyncClient | None = None,
    environ: Mapping[str, str] | None = None,
) -> GraphServiceClient:
    """A ``GraphServiceClient`` on ``settings``' base URL, authenticated by ``credential``.

    The caller owns ``http_client`` and ``credential`` (see :func:`open_graph` for a
    context manager that closes both)."""
    settings = settings or GraphSettings()
    base_url = settings.resolved_url(environ)
    host = urlsplit(base_url).hostname or ""
    credential = credential or default_credential(base_url, settings.tenant_id)
    auth = AzureIdentityAuthenticationProvider(
        RunTokenReuse(credential),  # one token per run, not one `az` call per request
        options={"tenant_id": settings.tenant_id} if settings.tenant_id else None,
        allowed_hosts=[host],
    )
    client = http_client or KiotaClientFactory.get_default_client()
    client.base_url = httpx.URL(base_url)
    client = GraphClientFactory.create_with_default_middleware(
        client=client, options=_middleware_options(settings)
    )
    adapter = GraphRequestAdapter(auth, client=client)
    adapter.base_url = base_url  # without httpx's trailing slash: "{+baseurl}/applications"
    return GraphServiceClient(request_adapter=adapter)


@asynccontextmanager
async def open_graph(
    settings: GraphSettings | None = None,
    credential: Credential | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> AsyncIterator[GraphServiceClient]:
    """Build a client, and close its HTTP connections (and a default credential) after."""
    settings = settings or GraphSettings()
    owned = None
    if credential is None:
        owned = default_credential(settings.resolved_url(environ), settings.tenant_id)
        credential = owned
    http_client = KiotaClientFactory.get_default_client()
    try:
        yield build_graph_client(settings, credential, http_client=http_client, environ=environ)
    finally:
        await http_client.aclose()
        if owned is not None:
            owned.close()
