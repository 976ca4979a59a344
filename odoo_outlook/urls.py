"""URL and e-mail validation for the stack configuration, by libraries made for it.

URLs are parsed by `yarl` (aio-libs; RFC 3986 parsing, port range, IDNA host encoding,
default-port and case normalisation) and each host name is checked by `idna` (IDNA 2008 with
UTS #46 mapping: no spaces, no `*`, no `_`, labels of at most 63 characters). `yarl` was
chosen over `rfc3986` because it is actively maintained (rfc3986's last release is 2.0.0 of
2022), already in the dependency tree (through aiohttp, which msgraph-sdk's stack pulls in) and
does IDNA itself. Where `yarl` is lenient on purpose (it resolves `/../`, keeps spaces and `*`
in a host), the checks below refuse: a redirect URI must be exactly what Entra will compare.
E-mail addresses are checked by `email-validator` (the library pydantic's `EmailStr` uses):
RFC 5321/5322 syntax, 64-character local parts, no leading/trailing/double dots, IDN domains.

Entra's rules for redirect URIs (Microsoft Learn, "Redirect URI (reply URL) outline and
restrictions"): at most 256 characters, no wildcards, https except for localhost.
How many of them an app may hold depends on its audience; that count is checked elsewhere.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import unquote, urlsplit

import idna
from email_validator import EmailNotValidError, validate_email
from yarl import URL

from odoo_outlook.masking import MASK

# Microsoft Learn, "Redirect URI (reply URL) outline and restrictions": "Maximum URI length".
ENTRA_MAX_REDIRECT_URI_LENGTH = 256
_SCHEMES = ("https", "http")
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@")


class UrlError(ValueError):
    """Not a URL the tool accepts; the message shows the value (credentials masked) and the fix."""


def shown(raw: str) -> str:
    """`raw` as it may appear in a message: any `user:password@` replaced by the mask."""
    return _USERINFO.sub(rf"\g<1>{MASK}@", raw)


def _check_host(host: str, raw: str) -> str:
    """The host in its canonical ASCII form (IDN to punycode, lowercase), or UrlError."""
    if host.endswith("."):
        raise UrlError(f"{shown(raw)!r} ends its host with a dot (fix: drop the trailing dot)")
    if "*" in host:
        raise UrlError(
            f"{shown(raw)!r} has a wildcard; Entra refuses wildcard redirect URIs"
            " (fix: list each host name)"
        )
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return f"[{address.compressed}]" if address.version == 6 else address.compressed
    try:
        return idna.encode(host, uts46=True).decode("ascii").lower()
    except idna.IDNAError as exc:
        raise UrlError(
            f"{shown(raw)!r} has an invalid host name ({exc}) (fix: use letters,"
            " digits, '-' and '.' only, e.g. https://erp.example.com)"
        ) from None


def _check_path(raw: str) -> None:
    path = urlsplit(raw).path
    for segment in path.split("/"):
        if unquote(segment) in (".", ".."):
            raise UrlError(
                f"{shown(raw)!r} has a '.' or '..' path segment (fix: write the path without them)"
            )


def normalise_url(value: str) -> str:
    """The canonical form of an absolute http(s) URL without query, fragment or credentials.

    Normalises what is equivalent: scheme and host case, IDN host to punycode, a default port
    (:443 for https, :80 for http) dropped, a trailing slash dropped; so equivalent forms
    compare equal. Raises UrlError for anything else (message names the value, never a
    password, and the fix).
    """
    raw = value.strip()
    if not raw or any(ch.isspace() for ch in raw) or any(ord(ch) < 32 for ch in raw):
        raise UrlError(
            f"{shown(raw)!r} contains a space or control character (fix: remove it,"
            " or percent-encode it in the path)"
        )
    if "\\" in raw:
        raise UrlError(f"{shown(raw)!r} contains a backslash (fix: use '/')")
    try:
        url = URL(raw)
    except (ValueError, TypeError) as exc:
        problem = str(exc).removeprefix("Invalid URL: ")
        raise UrlError(
            f"{shown(raw)!r} is not a valid URL: {problem} (fix: write it as"
            " https://erp.example.com[:port][/path])"
        ) from None
    if url.scheme not in _SCHEMES or not url.raw_host:
        raise UrlError(
            f"{shown(raw)!r} is not an absolute http(s) URL (fix: write it as"
            " https://erp.example.com)"
        )
    if url.user is not None or url.password is not None or "@" in (url.raw_authority or ""):
        raise UrlError(
            f"{shown(raw)!r} holds credentials (user:password@); they would be"
            " printed and sent as a redirect URI (fix: remove them; the Odoo password"
            " belongs in odooPasswords or the passwordEnv variable)"
        )
    if url.query_string or url.fragment or "?" in raw or "#" in raw:
        raise UrlError(
            f"{shown(raw)!r} has a query or fragment (fix: keep only scheme, host and path)"
        )
    host = _check_host(url.raw_host, raw)
    _check_path(raw)
    port = url.explicit_port
    if port is not None and not 1 <= port <= 65535:
        raise UrlError(f"{shown(raw)!r} has port {port} (fix: use a port from 1 to 65535)")
    port_text = "" if port is None or url.is_default_port() else f":{port}"
    return f"{url.scheme}://{host}{port_text}{url.raw_path.rstrip('/')}"


def url_host(url: str) -> str:
    """The host of a URL returned by `normalise_url` (IPv6 without brackets)."""
    return URL(url).raw_host or ""


def normalise_email(value: str) -> str:
    """The address with its domain in ASCII lowercase (IDN to punycode), or ValueError.

    Syntax only (no DNS look-up): `email-validator` with `check_deliverability=False` and
    `strict=True` (RFC 5321 length limits: 64 characters before the @).
    """
    raw = value.strip()
    try:
        checked = validate_email(raw, check_deliverability=False, strict=True)
    except EmailNotValidError as exc:
        raise ValueError(
            f"{raw!r} is not an e-mail address: {exc} (fix: write it as name@domain.tld)"
        ) from None
    local = checked.local_part
    domain = (checked.ascii_domain or checked.domain).lower()
    return f"{local}@{domain}"
