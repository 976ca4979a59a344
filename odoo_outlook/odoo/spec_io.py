"""`OdooTargetSpec` to plain JSON data and back (Pulumi resource inputs are plain data)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from odoo_outlook.config import MailMode, SignInAudience
from odoo_outlook.desired import (
    AliasDomain,
    CompanySpec,
    IncomingServer,
    OdooConnectionSpec,
    OdooTargetSpec,
    OutgoingServer,
)
from odoo_outlook.transport_kind import TransportKind


def spec_to_data(spec: OdooTargetSpec) -> dict[str, Any]:
    """`spec` as JSON-compatible dicts and lists (Pulumi resource inputs are plain data)."""
    data: dict[str, Any] = json.loads(json.dumps(dataclasses.asdict(spec)))
    # Leave out what a single-company stack without delegates does not use, so the resource
    # inputs of existing stacks stay as they were (no update on the next `pulumi up`).
    if not data["companies"]:
        del data["companies"]
    for server in [
        *data["outgoing"],
        *(s for c in data.get("companies", ()) for s in c["outgoing"]),
    ]:
        if not server["login"]:
            del server["login"]
    return data


def spec_from_data(data: dict[str, Any]) -> OdooTargetSpec:
    """The `OdooTargetSpec` that `spec_to_data` produced; raises KeyError when a field is
    missing."""
    conn = data.get("connection")
    return OdooTargetSpec(
        name=data["name"],
        base_urls=tuple(data["base_urls"]),
        redirect_uris=tuple(data["redirect_uris"]),
        mode=MailMode(data["mode"]),
        outgoing=tuple(OutgoingServer(**s) for s in data["outgoing"]),
        incoming=tuple(IncomingServer(**s) for s in data["incoming"]),
        alias=AliasDomain(**data["alias"]),
        endpoint=data.get("endpoint"),
        # State written before the audience was part of the data: the endpoint tells a
        # single-tenant app; otherwise the audience that accepts the most shared authorities.
        sign_in_audience=SignInAudience(
            data.get("sign_in_audience")
            or (SignInAudience.MY_ORG if data.get("endpoint") else SignInAudience.MULTIPLE_ORGS)
        ),
        connection=None
        if conn is None
        else OdooConnectionSpec(**{**conn, "transport": TransportKind(conn["transport"])}),
        companies=tuple(
            CompanySpec(
                company=c["company"],
                mode=MailMode(c["mode"]),
                outgoing=tuple(OutgoingServer(**s) for s in c["outgoing"]),
                incoming=tuple(IncomingServer(**s) for s in c["incoming"]),
                alias=AliasDomain(**c["alias"]),
            )
            for c in data.get("companies", ())
        ),
    )
