"""The app's live client secrets against its audience's cap (`odoo_outlook.entra_limits`).

An app that admits personal Microsoft accounts holds at most two client secrets (Microsoft
identity platform, "Validation differences by supported account types (signInAudience)"). The
stack's two rotation slots use both: each is replaced delete-before-create, so a rotation never
needs a third. A secret the stack does not manage (added in the portal, or left by another tool)
takes a slot's place, and the next time the stack creates a slot Entra refuses it and
`pulumi up` fails. This check says so before that happens.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from odoo_outlook.doctor.model import Check, fail, ok, warn
from odoo_outlook.doctor.secrets import label
from odoo_outlook.entra_limits import SOURCE, limits_for
from odoo_outlook.graph import PasswordCredential
from odoo_outlook.rotation import SLOTS, SecretSchedule

NAME = "passwordCredentials limit"
# The stack's slot descriptions (odoo_outlook.rotation): "<displayName> A 2026-01-01" and
# "... (forced 2026-01-01 10:00)"; any secret.displayName.
_SLOT_LABEL = re.compile(r" [AB] \d{4}-\d{2}-\d{2}( \(forced \d{4}-\d{2}-\d{2} \d{2}:\d{2}\))?$")
PORTAL = "Entra ID > App registrations > <the app> > Certificates & secrets"


def is_slot(cred: PasswordCredential) -> bool:
    """Whether a live secret carries one of the stack's slot descriptions."""
    return bool(cred.display_name and _SLOT_LABEL.search(cred.display_name))


def secret_cap_check(
    creds: Sequence[PasswordCredential],
    audience: str,
    schedule: SecretSchedule,
    held: frozenset[str],
) -> Check:
    """Live `passwordCredentials` counted against the cap of `audience` (manifest value).

    `held` are the key ids a holder (Odoo, the stack outputs) uses: those are kept whatever
    their description. Fails above the cap; warns when secrets the stack does not manage leave
    too little room for its two slots, i.e. before a rotation would be refused.
    """
    try:
        cap = limits_for(audience).password_credentials
    except KeyError:
        return warn(
            NAME,
            f"unknown signInAudience {audience!r}: cannot tell Entra's limits",
            "set app.signInAudience in the stack and run `pulumi up`",
        )
    count = len(creds)
    if cap is None:
        return ok(NAME, f"{count} client secret(s); {audience} has no limit")
    if count > cap:
        return fail(
            NAME,
            f"{count} client secrets, Entra accepts at most {cap} for {audience} ({SOURCE})",
            f"delete the ones no holder uses in {PORTAL}",
        )
    foreign = [c for c in creds if c.key_id not in held and not is_slot(c)]
    due = f"{schedule.next_rotation_at:%Y-%m-%d}"
    if foreign and len(foreign) + len(SLOTS) > cap:
        names = ", ".join(label(c) for c in foreign)
        return warn(
            NAME,
            f"{count} of {cap} client secrets and {len(foreign)} of them not the"
            f" stack's ({names}): the rotation due {due} needs room for the stack's"
            f" {len(SLOTS)} slots, Entra would refuse it for {audience} and `pulumi up`"
            " would fail",
            f"delete {names} in {PORTAL} before {due}",
        )
    renewed = schedule.previous.slot.upper()
    return ok(
        NAME,
        f"{count} of {cap} client secrets; the rotation due {due} replaces slot"
        f" {renewed} delete-before-create, never more than {cap} at once",
    )


def _prefix(description: str) -> str:
    return _SLOT_LABEL.sub("", description)


def display_name_check(
    creds: Sequence[PasswordCredential], audience: str, schedule: SecretSchedule
) -> Check | None:
    """Warns when `secret.displayName` was edited by hand under a two-secret cap.

    The next `pulumi up` would then replace both slots in one run, the one Odoo holds first
    (delete-before-create), so Odoo would hold a deleted secret for seconds; a forced restart
    (`rotate --now --display-name`) replaces the other slot first. None when nothing to say.
    """
    try:
        capped = limits_for(audience).password_credentials is not None
    except KeyError:
        return None
    live = {_prefix(c.display_name or "") for c in creds if is_slot(c)}
    wanted = _prefix(schedule.current.display_name)
    forced = schedule.current.forced_at
    # A forced restart not applied yet renames both slots in the safe order.
    pending = forced is not None and not any(
        f"(forced {forced:%Y-%m-%d %H:%M})" in (c.display_name or "") for c in creds
    )
    if not capped or not live or wanted in live or pending:
        return None
    return warn(
        "secret.displayName",
        f"the stack's secrets are described {wanted!r}, the live"
        f" ones {', '.join(sorted(map(repr, live)))}: the next `pulumi up` would replace"
        " both slots at once, the one Odoo holds first",
        "apply it with `odoo-outlook"
        f" rotate --now --display-name {wanted!r}`, or restore the old secret.displayName",
    )
