"""The external id names (module `odoo_outlook`, in `ir.model.data`) of every record the tool
creates in Odoo: what marks a record as the tool's, and how the next run finds it.

The names never change once a stack has used them (a new name would make the tool lose its
records), so the three shapes stay as they were first shipped:
- servers: `mail_server_<address>_<digest>` / `fetchmail_server_<address>_<digest>`;
- system parameters: `config_parameter_<key>_<digest>`;
- alias domains (17.0+): `alias_domain_<domain>` (a domain's readable form is unique enough:
  Odoo refuses a second `mail.alias.domain` of the same name).
`<digest>` is the first 6 hex digits of the SHA-1 of the lower-cased address or the key, so
values that read alike once sanitised ('a.b@x' and 'a_b@x') keep distinct names.
"""

from __future__ import annotations

import hashlib
import re


def _readable(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_")


def _digest(value: str) -> str:
    return hashlib.sha1(value.encode()).hexdigest()[:6]


def mail_server_xmlid(address: str) -> str:
    """The external id name of the `ir.mail_server` sending as `address`."""
    return f"mail_server_{_readable(address)}_{_digest(address.lower())}"


def fetchmail_server_xmlid(address: str) -> str:
    """The external id name of the `fetchmail.server` fetching `address`."""
    return f"fetchmail_server_{_readable(address)}_{_digest(address.lower())}"


def param_xmlid(key: str) -> str:
    """The external id name of the `ir.config_parameter` with `key` (the key's case kept in the
    digest: parameter keys are case-sensitive)."""
    return f"config_parameter_{_readable(key)}_{_digest(key)}"


def alias_domain_xmlid(domain: str) -> str:
    """The external id name of the `mail.alias.domain` record for `domain` (17.0+)."""
    return "alias_domain_" + _readable(domain)
