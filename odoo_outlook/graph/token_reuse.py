"""Reuse an access token for the length of one run instead of asking the credential per request.

The Graph SDK asks its credential for a token before every request (kiota-authentication-azure
`AzureIdentityAccessTokenProvider.get_authorization_token`). azure-identity's developer
credentials cache nothing by design: `AzureCliCredential` starts `az account get-access-token`
on every call (0.5 to 3 s each; Azure/azure-sdk-for-python issues 38912 and 40636), so a doctor
run of some twenty Graph reads spent most of its time starting the Azure CLI. The maintainers'
reason, that `az login` may switch user between two calls, concerns long-lived processes; one
run of this tool lasts seconds, so it keeps the token the credential gave until shortly before
it expires. A claims challenge (Conditional Access) always goes to the credential.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from typing import Any, cast

from azure.core.credentials import AccessToken, TokenCredential
from azure.core.credentials_async import AsyncTokenCredential

# Ask again this long (seconds) before the token expires, as azure-identity's own caching
# credentials refresh ahead of expiry.
REFRESH_MARGIN_SECONDS = 300

_Key = tuple[tuple[str, ...], str | None, bool]


class RunTokenReuse(AsyncTokenCredential):
    """An async credential that asks `credential` (sync or async) once per scopes, tenant and
    CAE setting and hands out that token until `REFRESH_MARGIN_SECONDS` before its
    `expires_on` (seconds since the epoch, by `clock`). Concurrent first requests share one
    call. Closing it leaves `credential` to its owner.
    """

    def __init__(
        self,
        credential: TokenCredential | AsyncTokenCredential,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._credential = credential
        self._clock = clock
        self._tokens: dict[_Key, AccessToken] = {}
        self._locks: dict[_Key, asyncio.Lock] = {}

    async def _ask(self, *scopes: str, **kwargs: Any) -> AccessToken:
        credential = self._credential
        if inspect.iscoroutinefunction(credential.get_token):
            return await cast(AsyncTokenCredential, credential).get_token(*scopes, **kwargs)
        # A sync credential may start a process (az): off the event loop.
        sync = cast(TokenCredential, credential)
        return await asyncio.to_thread(sync.get_token, *scopes, **kwargs)

    async def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        """The token for `scopes`: the one already given while it is fresh, else a new one.

        Raises whatever the wrapped credential raises (azure.core `ClientAuthenticationError`,
        azure-identity `CredentialUnavailableError`)."""
        options: dict[str, Any] = {"tenant_id": tenant_id, "enable_cae": enable_cae, **kwargs}
        if claims:
            return await self._ask(*scopes, claims=claims, **options)
        key: _Key = (tuple(scopes), tenant_id, enable_cae)
        async with self._locks.setdefault(key, asyncio.Lock()):
            token = self._tokens.get(key)
            if token is None or token.expires_on - REFRESH_MARGIN_SECONDS <= self._clock():
                token = await self._ask(*scopes, **options)
                self._tokens[key] = token
            return token

    async def close(self) -> None:
        """Forget the tokens (the wrapped credential is closed by its owner)."""
        self._tokens.clear()

    async def __aenter__(self) -> RunTokenReuse:
        return self

    async def __aexit__(self, *args: object) -> None:
        await self.close()
