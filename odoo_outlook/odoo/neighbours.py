"""Others in the same Odoo database: whose record is this, may the tool touch it, which fix
may it propose. Pure functions over `OdooState` / `Capabilities`, used by the diff, the sync
and the doctor so they agree.

Rules (Odoo's source, cited per rule):
- A record the tool did not mark with an `odoo_outlook.*` external id is someone else's: never
  written, archived or deleted, and no printed fix asks the admin to archive or delete it.
- 19.0 personal servers (`ir.mail_server.owner_user_id` set) belong to their user. Odoo's
  `_find_mail_server` skips them unless the caller passes them explicitly (odoo/odoo 19.0
  addons/mail/tests/test_ir_mail_server_personal.py `test_personal_mail_server_find_mail_server`),
  so such a server only sends its owner's own mail: it neither serves nor blocks the shared
  notifications server. But 19.0's `mail.alias.domain` create/write refuse a default From that a
  personal server's From filter takes (`_check_default_from_not_used_by_users`): the plan
  reports that as a conflict naming the server, so the dry run predicts the real run. Archiving
  a personal server lets autovacuum (`res.users._gc_personal_mail_servers`) delete it, token
  included.
- A delegated sender (`mail.sendAs`): Username = the delegate who signs in, From filter = the
  shared address. Odoo 18.0+ and 16.0 builds since the 2024 fix accept it; 17.0's
  `_check_use_microsoft_outlook_service` (addons/microsoft_outlook/models/ir_mail_server.py)
  still requires From filter = Username.
- OCA `server_environment` (`server.env.mixin`, OCA/server-env
  server_environment/models/server_env_mixin.py): each env-managed field `f` gets a companion
  `x_<f>_env_is_editable`; its value comes from the section `<global>.<record name>` of the
  environment configuration, where `<global>` is `outgoing_mail` (`ir.mail_server`) or
  `incoming_mail` (`fetchmail.server`) in mail_environment. Writes to a field the
  configuration holds are dropped by the inverse, so the tool does not write env-managed fields
  and prints the section the environment must hold instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from odoo_outlook.desired import OdooTargetSpec
from odoo_outlook.odoo.capabilities import Capabilities
from odoo_outlook.odoo.errors import OdooSetupError
from odoo_outlook.odoo.state import INCOMING, OUTGOING, OdooState, Server

OWNER_FIELD = "owner_user_id"
ENV_MIXIN_FIELD = "server_env_defaults"
# mail_environment's `_server_env_global_section_name` per model.
ENV_GLOBAL_SECTION = {OUTGOING: "outgoing_mail", INCOMING: "incoming_mail"}
# Versions whose `_check_use_microsoft_outlook_service` requires From filter = Username.
FROM_FILTER_IS_USERNAME = frozenset({17})


# -- personal servers (19.0+) ----------------------------------------------------------------
def personal_owner(server: Server) -> int | None:
    """The `res.users` id owning a 19.0 personal server, None for a shared server."""
    owner = server.values.get(OWNER_FIELD)
    return int(owner) if isinstance(owner, int) and owner else None


def personal_note(server: Server, mailbox: str) -> str:
    """The note for a 19.0 personal server that also uses a declared mailbox."""
    return (
        f"ir.mail_server #{server.id} {server.name!r} is user #{personal_owner(server)}'s own"
        f" server (owner_user_id) and also uses {mailbox}: it belongs to that user and is"
        " left untouched; Odoo uses it only for that user's own mail, so the shared server"
        f" for {mailbox} is managed next to it"
    )


def from_filter_matches(address: str, from_filter: object) -> bool:
    """Odoo's `ir.mail_server._match_from_filter` without its empty-filter fallback: the exact
    address or its domain among the comma-separated parts."""
    address = address.strip().lower()
    domain = address.rpartition("@")[2]
    parts = (p.strip().lower() for p in str(from_filter or "").split(","))
    return any(p and (p == address if "@" in p else p == domain) for p in parts)


def personal_default_from(state: OdooState, address: str) -> Server | None:
    """The active 19.0 personal server whose From filter takes `address`, if any.

    Odoo 19.0 `mail.alias.domain.create`/`write` call `_check_default_from_not_used_by_users`
    (addons/mail/models/mail_alias_domain.py): a default From matched by a personal server's
    From filter raises "A personal mail server is using that address, you can not use it."
    """
    return next(
        (
            s
            for s in state.servers
            if s.model == OUTGOING
            and s.active
            and personal_owner(s)
            and from_filter_matches(address, s.values.get("from_filter"))
        ),
        None,
    )


def personal_default_from_conflict(server: Server, address: str, domain: str) -> str:
    """The conflict text when a personal server's From filter takes the default From (19.0
    refuses the alias domain then)."""
    return (
        f"ir.mail_server #{server.id} {server.name!r} is user #{personal_owner(server)}'s own"
        f" server (owner_user_id) and its From filter {server.values.get('from_filter')!r}"
        f" takes {address}: Odoo 19.0 refuses that address as the default From of the alias"
        f" domain {domain}, so the alias domain is left as it is (fix: choose another"
        " notifications address for the default From in the stack's mail settings; the"
        " personal server stays its user's)"
    )


# -- fix texts: never archive or delete what the tool does not own ----------------------------
def rival_fix(model: str, rival_id: int, mailbox: str) -> str:
    """The fix for "an unmanaged server already uses `mailbox`": nothing destructive."""
    field = "Username / From filter" if model == OUTGOING else "Username"
    return (
        f"keep #{rival_id} and remove {mailbox} from the stack's mail settings, or change"
        f" #{rival_id}'s {field} in Odoo if it should no longer use {mailbox}, then sync"
        " again"
    )


def rival_conflict(model: str, rival: Server, mailbox: str) -> str:
    """The conflict text for an unmanaged server that already uses `mailbox`."""
    return (
        f"{model} #{rival.id} {rival.name!r} already uses {mailbox} and was not created by"
        f" odoo-outlook: left untouched and no Outlook server created for {mailbox}"
        f" (fix: {rival_fix(model, rival.id, mailbox)})"
    )


def alias_domain_fix() -> str:
    """The fix for an alias domain the tool did not create and that differs."""
    return (
        "edit it in Settings > Emails > Alias Domain (odoo-outlook did not create it and never"
        " edits it), or change the stack's mail settings to match"
    )


# -- delegated senders -----------------------------------------------------------------------
def delegation_rule(major: int) -> str:
    """What this Odoo major version does with Username != From filter on an Outlook server."""
    if major in FROM_FILTER_IS_USERNAME:
        return "refused"
    if major == 16:
        return "since 2024"
    if major == 15:
        return "unchecked"
    return "accepted"


def delegation_refusal(major: int, delegated: Mapping[str, str]) -> str | None:
    """Error text when this version refuses a delegated sender; None when it accepts one."""
    if not delegated or delegation_rule(major) != "refused":
        return None
    pairs = ", ".join(f"{a} (signing in as {login})" for a, login in delegated.items())
    return (
        f"Odoo {major}.0 requires an Outlook server's From filter to equal its Username,"
        f" so the delegated senders {pairs} cannot be configured here (fix: remove them"
        " from mail.sendAs and let each mailbox sign in as itself, or update Odoo to 18.0)"
    )


def delegation_note(major: int) -> str | None:
    """A note for versions whose acceptance of a delegated sender depends on the build."""
    if delegation_rule(major) == "since 2024":
        return (
            "Odoo 16.0 builds from before the 2024 fix refuse an Outlook server whose From"
            " filter differs from its Username (mail.sendAs): update Odoo 16.0 if the sync"
            " stops on that"
        )
    return None


# -- OCA server environment ------------------------------------------------------------------
def env_managed_fields(fields: frozenset[str] | set[str]) -> frozenset[str]:
    """Fields `server.env.mixin` computes from the environment, from a `fields_get` key set."""
    if ENV_MIXIN_FIELD not in fields:
        return frozenset()
    pattern = re.compile(r"^x_(.+)_env_is_editable$")
    return frozenset(m.group(1) for f in fields if (m := pattern.match(f)))


def section_safe_name(name: str) -> str:
    """A server name usable in a config section name `outgoing_mail.<name>` (no spaces)."""
    return re.sub(r"[^A-Za-z0-9_.@+-]+", "_", name).strip("_")


def env_section(model: str, name: str, values: Mapping[str, Any], managed: frozenset[str]) -> str:
    """The server-environment section (INI text) holding the managed fields of one server."""
    lines = [f"[{ENV_GLOBAL_SECTION[model]}.{name}]"]
    for key, value in values.items():
        if key in managed:
            shown = ("1" if value else "0") if isinstance(value, bool) else str(value)
            lines.append(f"{key} = {shown}")
    return "\n".join(lines)


def env_values(
    model: str, values: dict[str, Any], caps: Capabilities, notes: list[str]
) -> dict[str, Any]:
    """The values the sync writes on a server when `server.env.mixin` manages some fields.

    Without the mixin: `values` unchanged. With it: the name made section-safe, the managed
    fields left out, and the section the environment must hold appended to `notes`.
    """
    managed = env_managed_fields(caps.fields_of(model))
    if not managed:
        return values
    name = section_safe_name(str(values["name"]))
    notes.append(
        f"{model} {name!r}: OCA server_environment manages {', '.join(sorted(managed))};"
        " odoo-outlook does not write them. Put this section in the server environment"
        f" configuration:\n{env_section(model, name, values, managed)}"
    )
    return {"name": name, **{k: v for k, v in values.items() if k != "name" and k not in managed}}


def check_delegation(spec: OdooTargetSpec, caps: Capabilities, where: str) -> list[str]:
    """Before any write: refuse delegated senders where the version refuses them (17.0),
    note the 16.0 build caveat.

    Raises:
        OdooSetupError: on a version that requires From filter = Username.
    """
    delegated = {s.from_filter: s.username for s in spec.all_outgoing if s.login}
    if not delegated:
        return []
    refusal = delegation_refusal(caps.version.major, delegated)
    if refusal:
        raise OdooSetupError(f"{where}: {refusal}")
    note = delegation_note(caps.version.major)
    return [note] if note else []
