"""Consumer (personal) Microsoft mailbox domains: Outlook.com and its older brands.

A mailbox on these domains is a personal Microsoft account: it signs in only to an app whose
audience admits personal accounts (`AzureADandPersonalMicrosoftAccount`; otherwise Microsoft
answers AADSTS50020 or "unauthorized_client: ... not enabled for consumers"), and its domain is
Microsoft's, so it can never be Odoo's catch-all domain (replies to catchall@outlook.com would
reach a stranger's mailbox, if any).

Sources: "Validation differences by supported account types" (personal accounts are Outlook.com,
Hotmail, Live, MSN, Xbox, Skype accounts),
https://learn.microsoft.com/entra/identity-platform/supported-accounts-validation; the domains
Outlook.com offers and has offered for new addresses (outlook.com, hotmail.com, live.com and
country variants such as hotmail.co.uk, live.fr, outlook.de; msn.com and passport.com from
before), as its sign-up page lists them: https://signup.live.com.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Exact domains.
CONSUMER_DOMAINS: frozenset[str] = frozenset(
    {
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "passport.com",
        "windowslive.com",
        "live.net",
        "hotmail.co.uk",
        "hotmail.fr",
        "hotmail.de",
        "hotmail.it",
        "hotmail.es",
        "live.co.uk",
        "live.fr",
        "live.de",
        "live.it",
        "live.nl",
        "live.be",
        "live.ca",
        "live.com.au",
        "outlook.fr",
        "outlook.de",
        "outlook.es",
        "outlook.it",
        "outlook.jp",
        "outlook.com.au",
        "outlook.co.uk",
    }
)
# Brands Outlook.com offers under many country domains ("hotmail.*", "live.*", "outlook.*"):
# the brand, then a country or generic suffix of at most two short labels (co.uk, com.br, fr).
CONSUMER_BRANDS: frozenset[str] = frozenset({"outlook", "hotmail", "live"})
_SUFFIX_LABEL_MAX = 3


def is_consumer_domain(domain: str) -> bool:
    """Whether `domain` is a consumer Microsoft mailbox domain (case-insensitive)."""
    domain = domain.strip().lower().rstrip(".")
    if domain in CONSUMER_DOMAINS:
        return True
    brand, _, suffix = domain.partition(".")
    labels = suffix.split(".") if suffix else []
    return (
        brand in CONSUMER_BRANDS
        and 1 <= len(labels) <= 2
        and all(0 < len(label) <= _SUFFIX_LABEL_MAX and label.isalpha() for label in labels)
    )


@dataclass(frozen=True)
class PersonalMailbox:
    """A problem found by `personal_mailbox_problems`: the key path, the problem, the fix."""

    key: str  # e.g. "targets[0].mail.users[1]"
    problem: str
    fix: str


def personal_mailbox_problems(
    targets: Iterable[tuple[str, Iterable[str], Iterable[str]]],
    allows_personal: bool,
    audience_key: str = "app.signInAudience",
) -> list[PersonalMailbox]:
    """`targets`: per target, (notifications address, users, incoming) in config order.

    The notifications address gives the catch-all domain: never a consumer domain. Users and
    incoming mailboxes may be personal only when the audience admits personal accounts."""
    out: list[PersonalMailbox] = []
    for index, (notifications, users, incoming) in enumerate(targets):
        base = f"targets[{index}].mail"
        domain = notifications.rsplit("@", 1)[-1]
        if is_consumer_domain(domain):
            out.append(
                PersonalMailbox(
                    f"{base}.notifications",
                    f"{notifications!r} is a personal Microsoft mailbox; its domain {domain} would"
                    " become Odoo's catch-all domain, which must be a domain you own",
                    "use an address of your own domain here; a personal mailbox can only be"
                    " listed under mail.users"
                    + (
                        ""
                        if allows_personal
                        else f" (with {audience_key}: AzureADandPersonalMicrosoftAccount)"
                    ),
                )
            )
        if allows_personal:
            continue
        for kind, addresses in (("users", users), ("incoming", incoming)):
            for position, address in enumerate(addresses):
                if is_consumer_domain(address.rsplit("@", 1)[-1]):
                    out.append(
                        PersonalMailbox(
                            f"{base}.{kind}[{position}]",
                            f"{address!r} is a personal Microsoft account, which the app's audience"
                            " does not admit (Microsoft answers AADSTS50020 / unauthorized_client)",
                            f"set {audience_key} to AzureADandPersonalMicrosoftAccount, or use a"
                            " work (Microsoft 365) mailbox",
                        )
                    )
    return out
