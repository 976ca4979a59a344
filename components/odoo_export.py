"""Odoo export as a Pulumi resource: `pulumi up` stores the new secret in Odoo in the same run.

Three pieces, as in a dynamic resource of any size: plain props (the target spec as JSON data,
with the name of the password's environment variable; the client id; the secret and the Odoo
password from `odooPasswords` as secret inputs), a provider whose
create/update call `sync_target`, read does a dry run (so `pulumi refresh` sees drift), delete
calls `teardown_target`; and a `ComponentResource` wrapper with typed outputs. Update works in
place; a different Odoo (URL or database) replaces the resource, creating first, so the old
database gets its managed servers archived afterwards.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import (
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)

from odoo_outlook.desired import OdooTargetSpec
from odoo_outlook.errors import OdooOutlookError
from odoo_outlook.odoo.changes import AppCredentials
from odoo_outlook.odoo.password import odoo_password
from odoo_outlook.odoo.spec_io import spec_from_data, spec_to_data
from odoo_outlook.odoo.sync import SyncOptions, SyncReport, sync_target, teardown_target

SECRET_PROPS = ("clientSecret", "password")
# The password's environment variable travels once, inside `target` (connection.password_env);
# stacks created before carry a top-level `passwordEnv` too, which the diff ignores.
INPUT_PROPS = ("target", "clientId", "clientSecret", "password")


def _password(spec: OdooTargetSpec, props: dict[str, Any]) -> str:
    configured = props.get("password")
    return odoo_password(spec, None if configured is None else str(configured))


# Target fields added to the data after stacks were created with it: absent from the old state,
# they are not a change by themselves (no update of every stack on upgrade); the next update
# that has another reason stores them.
ADDED_TARGET_FIELDS = ("sign_in_audience",)


def _changed(olds: dict[str, Any], news: dict[str, Any]) -> list[str]:
    """The input names whose values differ, the added target fields aside."""
    old_target = olds.get("target") or {}
    new_target = dict(news.get("target") or {})
    for key in ADDED_TARGET_FIELDS:
        if key not in old_target:
            new_target.pop(key, None)
    news = {**news, "target": new_target}
    return [k for k in INPUT_PROPS if olds.get(k) != news.get(k)]


def _identity(props: dict[str, Any]) -> tuple[str, str]:
    conn = props["target"].get("connection") or {}
    return str(conn.get("url")), str(conn.get("database"))


def _run(props: dict[str, Any], dry_run: bool = False) -> SyncReport:
    spec = spec_from_data(props["target"])
    app = AppCredentials(str(props["clientId"]), str(props["clientSecret"]))
    try:
        return sync_target(spec, app, _password(spec, props), SyncOptions(dry_run=dry_run))
    except OdooOutlookError as exc:
        raise RuntimeError(f"Odoo export for target {spec.name!r}: {exc.message}") from None


def _outs(props: dict[str, Any], report: SyncReport) -> dict[str, Any]:
    if report.conflicts:
        raise RuntimeError(
            f"Odoo export for target {report.target!r}: " + "; ".join(report.conflicts)
        )
    return {
        **{k: props.get(k) for k in INPUT_PROPS},
        "odoo_version": report.version,
        "in_sync": not report.changes,
        "servers_to_connect": [
            {"name": s.name, "mailbox": s.mailbox, "needs": s.needs, "formUrl": s.form_url}
            for s in report.to_connect
        ],
    }


class OdooExportProvider(ResourceProvider):
    """Pulumi dynamic provider that writes a target's desired state into Odoo (`sync_target`).

    Inputs are plain data (`spec_to_data`); the password and client secret arrive as Pulumi
    secrets. Each method follows `pulumi.dynamic.ResourceProvider` (pulumi SDK,
    sdk/python/lib/pulumi/dynamic/dynamic.py); Odoo failures surface as one-line RuntimeErrors.
    """

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Sync the target into Odoo; the id is `url|database|target name`."""
        url, database = _identity(props)
        report = _run(props)
        outs = _outs(props, report)
        outs["in_sync"] = True
        return CreateResult(id_=f"{url}|{database}|{props['target']['name']}", outs=outs)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # Property names only: Pulumi shows them, never the values (secrets stay hidden).
        """Changed input names (never values), a replacement when the URL, database or target
        name changed, and a change when the last read found drift (`in_sync` False).
        """
        changed = _changed(olds, news)
        replaces = ["target"] if _identity(olds) != _identity(news) else []
        drifted = olds.get("in_sync") is False
        return DiffResult(
            changes=bool(changed) or drifted,
            replaces=replaces,
            stables=[],
            delete_before_replace=False,
        )

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Sync the new inputs into Odoo (the sync converges, so old inputs are not needed)."""
        outs = _outs(news, _run(news))
        outs["in_sync"] = True
        return UpdateResult(outs=outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """`pulumi refresh`: a dry-run sync; `in_sync` says whether Odoo drifted."""
        report = _run(props, dry_run=True)
        outs = {**props, **_outs(props, report)}
        return ReadResult(id_=id_, outs=outs)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        """Archive what the tool created in Odoo (`teardown_target`); records it did not create
        are left alone. Raises RuntimeError with the one-line Odoo error.
        """
        spec = spec_from_data(props["target"])
        try:
            teardown_target(spec, _password(spec, props), secrets=[str(props.get("clientSecret"))])
        except OdooOutlookError as exc:
            raise RuntimeError(f"Odoo export for target {spec.name!r}: {exc.message}") from None


# Before it had a type of its own, the export was Pulumi's anonymous dynamic type; the alias
# lets stacks created then keep their resource (no replacement, no Odoo re-sync) on upgrade.
LEGACY_DYNAMIC_TYPE = "pulumi-python:dynamic:Resource"
EXPORT_TYPE = "pulumi-python:dynamic/odoo:OdooExport"


class OdooExport(Resource, module="odoo", name="OdooExport"):
    """The dynamic resource (type `pulumi-python:dynamic/odoo:OdooExport`) that runs the sync."""

    in_sync: pulumi.Output[bool]
    servers_to_connect: pulumi.Output[list[dict[str, Any]]]
    odoo_version: pulumi.Output[str]

    def __init__(
        self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(
            OdooExportProvider(),
            name,
            {**props, "in_sync": None, "servers_to_connect": None, "odoo_version": None},
            pulumi.ResourceOptions.merge(
                opts,
                pulumi.ResourceOptions(
                    additional_secret_outputs=list(SECRET_PROPS),
                    aliases=[pulumi.Alias(type_=LEGACY_DYNAMIC_TYPE)],
                ),
            ),
        )


class OdooOutlookExport(pulumi.ComponentResource):
    """One Odoo database made to match one target, with the newest client secret."""

    servers_to_connect: pulumi.Output[list[dict[str, Any]]]
    odoo_version: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        spec: OdooTargetSpec,
        client_id: pulumi.Input[str],
        client_secret: pulumi.Input[str],
        password: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("odoo-outlook:odoo:OdooOutlookExport", name, None, opts)
        if spec.connection is None:
            raise ValueError(f"target {spec.name!r} has no connection settings")
        props: dict[str, Any] = {
            "target": spec_to_data(spec),
            "clientId": client_id,
            "clientSecret": pulumi.Output.secret(client_secret),
            "password": None if password is None else pulumi.Output.secret(password),
        }
        export = OdooExport(f"{name}-sync", props, pulumi.ResourceOptions(parent=self))
        self.servers_to_connect = export.servers_to_connect
        self.odoo_version = export.odoo_version
        self.register_outputs(
            {"serversToConnect": self.servers_to_connect, "odooVersion": self.odoo_version}
        )
