"""`odoo-outlook plan`: what the stack declares, offline (no Pulumi CLI, no credentials)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from odoo_outlook.cli_common import (
    JsonOption,
    ProjectDirOption,
    StackOption,
    default_project_dir,
    load_stack,
    stderr,
    stdout,
)
from odoo_outlook.errors import ConfigError, ConfigErrors

# The secret schedule reaches two lifetimes (up to 2 x 730 days) either side of `--at`; Python's
# datetime ends at year 9999, and before 1970 no Entra secret existed.
AT_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
AT_LATEST = datetime(9000, 12, 31, tzinfo=UTC)


def parse_at(value: str | None) -> datetime:
    """`--at`: a date (midnight UTC) or an ISO timestamp; default now.

    Raises ConfigError naming --at for text that is no date or a moment outside
    [AT_EARLIEST, AT_LATEST]."""
    if value is None:
        return datetime.now(UTC)
    try:
        if len(value) == 10:
            moment = datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            "--at", f"{value!r} is not a date", "use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ"
        ) from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if not AT_EARLIEST <= moment <= AT_LATEST:
        raise ConfigError(
            "--at",
            f"{value!r} is outside the years the secret schedule covers",
            f"use a date from {AT_EARLIEST:%Y-%m-%d} to {AT_LATEST:%Y-%m-%d}",
        )
    return moment


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    return table


def render(plan: dict[str, Any]) -> None:
    """Print `plan` (the dict `odoo_outlook.declared.describe_stack` returns) as tables."""
    app = plan["appRegistration"]
    stdout.print(f"Stack [bold]{plan['stack']}[/bold] as of {plan['at']}\n")
    stdout.print(
        _table(
            "Entra app registration",
            ["setting", "value"],
            [
                ["display name", app["displayName"]],
                ["supported account types", app["signInAudience"]],
                ["redirect URIs (Web)", "\n".join(app["redirectUris"])],
                ["access token version", app["requestedAccessTokenVersion"] or "(default)"],
                ["owners", ", ".join(app["owners"])],
                ["authority Odoo uses", app["oauthEndpoint"]],
            ],
        )
    )
    stdout.print(
        _table(
            "API permissions",
            ["API", "permission", "type"],
            [[p["api"], p["permission"], p["type"]] for p in plan["permissions"]],
        )
    )
    enterprise = plan["enterpriseApp"]
    stdout.print(
        _table(
            "Enterprise application: users and groups"
            f" (assignment required: {'yes' if enterprise['assignmentRequired'] else 'no'},"
            f" admin consent: {'yes' if enterprise['adminConsent'] else 'no'})",
            ["principal", "kind", "role"],
            [[a["principal"], a["kind"], "Default Access"] for a in enterprise["assignments"]],
        )
    )
    secret = plan["clientSecret"]
    stdout.print(
        _table(
            f"Client secret schedule (rotates every {secret['rotationDays']} days, each secret"
            f" lives {secret['lifetimeDays']} days; next rotation {secret['nextRotationAt']})",
            ["slot", "description", "created on or after", "expires", "held by Odoo"],
            [
                [
                    s["slot"],
                    s["displayName"],
                    s["createdNotBefore"],
                    s["expiresAt"],
                    "yes" if s["heldByOdoo"] else "no",
                ]
                for s in secret["slots"]
            ],
        )
    )
    limits = plan["entraLimits"]
    secrets = limits["passwordCredentials"]
    stdout.print(
        _table(
            f"Entra limits for {limits['signInAudience']}",
            ["key", "declared", "Entra accepts"],
            [
                [
                    "passwordCredentials",
                    f"at most {secrets['atMostAtAnyInstant']} at any instant"
                    f" ({secrets['replacement']})",
                    "no limit" if secrets["limit"] is None else f"at most {secrets['limit']}",
                ],
                [
                    "web.redirectUris",
                    limits["redirectUris"]["declared"],
                    f"at most {limits['redirectUris']['limit']}",
                ],
                [
                    "requiredResourceAccess (Microsoft Graph)",
                    limits["permissionsPerResource"]["declared"]["Microsoft Graph"],
                    "no per-API limit"
                    if limits["permissionsPerResource"]["limit"] is None
                    else f"at most {limits['permissionsPerResource']['limit']} per API",
                ],
            ],
        )
    )
    stdout.print("Entra manifest fragment:")
    stdout.print_json(json.dumps(app["manifest"]))
    for target in plan["targets"]:
        _render_target(target)


def _render_target(target: dict[str, Any]) -> None:
    stdout.print(f"\n[bold]Odoo target {target['name']}[/bold] ({target['mode']} mode)")
    connection = target["connection"]
    if connection is None:
        stdout.print("  no connection settings: `pulumi up` and `sync` leave this Odoo alone")
    else:
        stdout.print(
            f"  {connection['url']} database {connection['database']} as {connection['login']}"
            f" over {connection['transport']}; password {connection['password']}"
        )
    params = target["systemParameters"]
    stdout.print(
        _table(
            "System parameters",
            ["key", "value"],
            [
                [key, "(unset: multitenant uses Odoo's default)" if value is None else value]
                for key, value in params.items()
            ]
            + [["web.base.url (must be)", target["expectedWebBaseUrl"]]],
        )
    )
    stdout.print(
        _table(
            "Outgoing mail servers (ir.mail_server)",
            ["name", "From filter", "username", "server", "security", "sequence", "role"],
            [
                [
                    s["name"],
                    s["fromFilter"],
                    s["smtpUser"],
                    f"{s['host']}:{s['port']}",
                    "TLS (STARTTLS)",
                    s["sequence"],
                    s["role"],
                ]
                for s in target["outgoingServers"]
            ],
        )
    )
    if target["incomingServers"]:
        stdout.print(
            _table(
                "Incoming mail servers (fetchmail.server)",
                ["name", "username", "server", "SSL/TLS"],
                [
                    [s["name"], s["user"], f"{s['host']}:{s['port']}", "yes" if s["ssl"] else "no"]
                    for s in target["incomingServers"]
                ],
            )
        )
    catchall = target["catchall"]
    stdout.print(
        f"  catch-all domain {catchall['domain']}, default From {catchall['defaultFromAddress']}"
        f" (15.0/16.0: system parameters; 17.0+: mail.alias.domain linked to the company)"
    )
    stdout.print(
        "  then, once per server (`odoo-outlook connect` opens each in turn): "
        + "; ".join(target["connectStep"])
    )
    for company in target.get("companies", []):  # sharing_plan.py: targets[].companies
        stdout.print(
            f"  company {company['company']!r} ({company['mode']} mode): outgoing "
            + ", ".join(
                f"{s['fromFilter']} (username {s['smtpUser']})" for s in company["outgoingServers"]
            )
            + (
                "; incoming " + ", ".join(s["user"] for s in company["incomingServers"])
                if company["incomingServers"]
                else ""
            )
        )
        stdout.print(
            f"    17.0+: {company['aliasDomain']['odoo17plus']};"
            f" 15.0/16.0: {company['aliasDomain']['odoo15and16']}"
        )
        stdout.print("    then: " + "; ".join(company["connectStep"]))
    if target.get("serverEnvironmentSections"):
        stdout.print(
            "  with OCA mail_environment installed, the server environment holds: "
            + escape(" ".join(target["serverEnvironmentSections"]))
        )
    delegated = target.get("delegatedSenders")
    if delegated:  # sharing_plan.py: Username != From filter, per Odoo version
        stdout.print(
            "  delegated senders (mail.sendAs): "
            + "; ".join(
                f"{s['fromFilter']} signed in as {s['signInAs']}" for s in delegated["servers"]
            )
        )
        stdout.print(
            "  Odoo accepts a Username that differs from the From filter on: "
            + "; ".join(f"{version}: {rule}" for version, rule in delegated["odooSupport"].items())
        )


def plan_command(
    stack: StackOption = "dev",
    project_dir: ProjectDirOption = None,  # type: ignore[assignment]
    as_json: JsonOption = False,
    at: Annotated[
        str | None, typer.Option("--at", help="Plan as of this date (YYYY-MM-DD or ISO time).")
    ] = None,
) -> None:
    """Validate the stack file and print what it declares, secrets masked. Offline."""
    from odoo_outlook.declared import describe_stack, limit_breaches
    from odoo_outlook.desired import desired_state

    config = load_stack(stack, project_dir or default_project_dir())
    missing = config.missing_tenant()
    if missing:
        stderr.print(
            Text.assemble(
                ("warning: ", "yellow"),
                missing.message,
                "; the authority below shows <tenant-id> and `sync` refuses until it is set",
            )
        )
    state = desired_state(config, parse_at(at))
    breaches = limit_breaches(state)
    if breaches:
        raise ConfigErrors(
            [
                ConfigError(
                    "odoo-outlook:app", b.message(), "declare less, or change app.signInAudience"
                )
                for b in breaches
            ]
        )
    plan = describe_stack(state, stack)
    if as_json:
        stdout.print_json(json.dumps(plan))
    else:
        render(plan)


def register(app: typer.Typer) -> None:
    """Add the `plan` command to `app`."""
    app.command("plan")(plan_command)
