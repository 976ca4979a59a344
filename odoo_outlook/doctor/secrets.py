"""Client secrets: days to expiry, and which secret a holder (Odoo, the stack outputs) has.

Graph's `hint` on a password credential is the first three characters of the secret value. A
holder's secret "is" a credential when it starts with that hint: enough to tell the two
rotation slots apart without ever printing the secret or the hint.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from odoo_outlook.doctor.model import AZURE, Check, fail, ok, warn
from odoo_outlook.graph import PasswordCredential

ROTATE_FIX = "run `pulumi up` (or `odoo-outlook rotate --now` then `pulumi up`)"
SYNC_FIX = (
    "run `pulumi up`, or `odoo-outlook sync --outputs FILE` with"
    " `pulumi stack output --json --show-secrets`"
)


def label(cred: PasswordCredential) -> str:
    """A secret as shown to the user: its description and the first 8 characters of its keyId."""
    name = cred.display_name or "(no description)"
    return f"{name!r} (key {cred.key_id[:8]})"


def is_valid(cred: PasswordCredential, now: datetime) -> bool:
    """Whether the password credential is valid at `now` (aware datetime): started (`startDateTime`)
    and not expired (`endDateTime`, Graph `passwordCredential`).
    """
    started = cred.start is None or cred.start <= now
    return started and (cred.end is None or cred.end > now)


def days_left(cred: PasswordCredential, now: datetime) -> int | None:
    """Whole days from `now` to the secret's end (negative when expired); None when it never
    ends."""
    if cred.end is None:
        return None
    return (cred.end - now).days


def matches(secret: str | None, cred: PasswordCredential) -> bool:
    """Whether `secret` is this credential's value: Graph returns only its first characters
    (`passwordCredential.hint`, Graph v1.0), so a prefix match is what can be checked.
    """
    hint = cred.hint or ""
    return bool(secret) and bool(hint) and str(secret).startswith(hint)


def held_key_ids(secret: str | None, creds: Iterable[PasswordCredential]) -> frozenset[str]:
    """The keyIds of the credentials whose `hint` `secret` starts with (see `matches`)."""
    return frozenset(c.key_id for c in creds if matches(secret, c))


def _end(cred: PasswordCredential) -> str:
    return f"{cred.end:%Y-%m-%d}" if cred.end else "never"


def expiry_checks(
    creds: Sequence[PasswordCredential], now: datetime, warn_days: int, held: frozenset[str]
) -> list[Check]:
    """One check per password credential, plus one when none is valid.

    Expired: fail (Entra refuses it; rotation has not run for at least the grace period).
    Expiring within `warn_days`: warn when a holder uses it or nothing valid outlives the
    window; an older rotation slot nobody uses any more is fine (the next rotation renews it).
    """
    if not creds:
        return [fail("client secrets", "the app registration has no client secret", ROTATE_FIX)]
    checks = []
    lasting = [
        c for c in creds if is_valid(c, now) and (c.end is None or (c.end - now).days > warn_days)
    ]
    for cred in creds:
        name = f"client secret {label(cred)}"
        left = days_left(cred, now)
        if cred.start is not None and cred.start > now:
            checks.append(ok(name, f"valid from {cred.start:%Y-%m-%d} to {_end(cred)}"))
        elif left is not None and cred.end is not None and cred.end <= now:
            checks.append(fail(name, f"expired on {_end(cred)} ({-left} days ago)", ROTATE_FIX))
        elif left is not None and left <= warn_days:
            in_use = cred.key_id in held
            if in_use or not any(c.key_id != cred.key_id for c in lasting):
                why = "a holder uses it" if in_use else "no other secret outlives it"
                checks.append(
                    warn(name, f"expires in {left} days on {_end(cred)}; {why}", ROTATE_FIX)
                )
            else:
                checks.append(
                    ok(
                        name,
                        f"expires in {left} days on {_end(cred)}; not in use,"
                        " a newer secret replaced it",
                    )
                )
        else:
            more = "no end date" if left is None else f"expires in {left} days on {_end(cred)}"
            checks.append(ok(name, more))
    if not any(is_valid(c, now) for c in creds):
        checks.append(
            fail(
                "client secrets",
                f"none of the app's {len(creds)} client secrets is valid now",
                ROTATE_FIX,
            )
        )
    return checks


def holder_check(
    name: str,
    holder: str,
    secret: str | None,
    creds: Sequence[PasswordCredential],
    now: datetime,
    warn_days: int,
    scope: str = AZURE,
    fix: str = SYNC_FIX,
) -> Check:
    """Whether `holder`'s secret is one of the app's valid secrets (by hint; nothing printed)."""
    if not secret:
        return fail(name, f"{holder} has no client secret", fix, scope)
    found = [c for c in creds if matches(secret, c)]
    valid = [c for c in found if is_valid(c, now)]
    if valid:
        best = max(valid, key=lambda c: c.end or now)
        left = days_left(best, now)
        text = f"{holder} holds client secret {label(best)} (matched by its hint)"
        if left is not None and left <= warn_days:
            return warn(name, f"{text}, which expires in {left} days", fix, scope)
        return ok(name, text + ("" if left is None else f", valid {left} more days"), scope)
    if found:
        return fail(
            name,
            f"{holder} holds client secret {label(found[0])}, which expired on"
            f" {_end(found[0])} (Microsoft answers AADSTS7000222)",
            fix,
            scope,
        )
    return fail(
        name,
        f"{holder}'s client secret is none of the app's {len(creds)} secrets"
        " (Microsoft answers AADSTS7000215)",
        fix,
        scope,
    )
