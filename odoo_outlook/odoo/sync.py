"""Make one Odoo database match one target: connect, detect, install, read, plan, apply, check.

The one implementation behind `odoo-outlook sync`, the Pulumi dynamic resource and library
callers. Calls: version, authenticate, parameters, the field shape (one `ir.model.fields`
read), [only when Outlook is missing: module states, install, the field shape again], external
ids, outgoing servers, incoming servers, [17.0+: alias domains with their companies, the user's
company], [targets[].companies: every res.company, one call], then at most one
`load`/write per model and value group (apply.py): a constant count
whatever the number of mailboxes (a no-change re-sync on 17.0+: 9 calls). The report is
computed from the plan and the ids the writes returned (outcome.py), not read again. A sync
with nothing to change makes no write call. A failure after Odoo was reached and something was
written says how far the run got ("interrupted after K of N changes; run again to finish");
the next run converges.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from odoo_outlook.desired import OdooTargetSpec
from odoo_outlook.odoo.apply import apply_changes
from odoo_outlook.odoo.capabilities import (
    Capabilities,
    detect,
    implied_modules,
    install,
    outlook_ready,
    read_fields,
    read_modules,
)
from odoo_outlook.odoo.changes import (
    AppCredentials,
    ChangeLine,
    ChangeSet,
    plan_changes,
    teardown_changes,
)
from odoo_outlook.odoo.checks import (
    BaseUrlCheck,
    ServerStatus,
    check_base_url,
    managed_server_status,
)
from odoo_outlook.odoo.client import OdooClient, TransportFactory, connect
from odoo_outlook.odoo.errors import (
    OdooBaseUrlMismatch,
    OdooInterrupted,
    OdooSetupError,
    OdooUnreachable,
)
from odoo_outlook.odoo.neighbours import check_delegation
from odoo_outlook.odoo.outcome import state_after
from odoo_outlook.odoo.state import (
    SECRET_PARAMS,
    SHAPE_FIELDS,
    OdooState,
    Param,
    read_params,
    read_state,
)


@dataclass(frozen=True)
class SyncOptions:
    """How `sync_target` runs; None fields take the target's connection settings.

    `timeout` is in seconds per Odoo call; `transport_factory` replaces the transport choice.
    """

    dry_run: bool = False
    # None: take the target's connection settings.
    install_modules: bool | None = None
    allow_insecure_http: bool | None = None
    # None: the target's `connection.adopt`.
    adopt: bool | None = None
    # Seconds per call to Odoo; None: the target's connection.timeoutSeconds.
    timeout: float | None = None
    transport_factory: TransportFactory | None = None


@dataclass
class SyncReport:
    """What one `sync` did or (with `dry_run`) would do: plan lines, server states, conflicts,
    notes, and the remote `calls` / data-changing `writes` made.
    """

    target: str
    url: str
    database: str
    version: str
    dry_run: bool
    changes: list[ChangeLine] = field(default_factory=list)
    servers: list[ServerStatus] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    calls: int = 0
    writes: int = 0

    @property
    def ok(self) -> bool:
        """True when there is no conflict (a conflict means the sync stopped without writing)."""
        return not self.conflicts

    @property
    def to_connect(self) -> list[ServerStatus]:
        """The managed servers whose Outlook account still needs a click in Odoo."""
        return [s for s in self.servers if s.needs]

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `sync --json` (camelCase keys)."""
        return {
            "target": self.target,
            "url": self.url,
            "database": self.database,
            "version": self.version,
            "dryRun": self.dry_run,
            "ok": self.ok,
            "changes": [c.as_dict() for c in self.changes],
            "servers": [s.as_dict() for s in self.servers],
            "conflicts": list(self.conflicts),
            "notes": list(self.notes),
            "calls": self.calls,
            "writes": self.writes,
        }


def _connect(
    spec: OdooTargetSpec, password: str, secrets: list[str], options: SyncOptions
) -> OdooClient:
    if spec.connection is None:
        raise OdooSetupError(
            f"target {spec.name!r} has no connection settings (fix: add"
            " targets[].connection with url, database and login)"
        )
    return connect(
        spec.connection,
        password,
        allow_insecure_http=options.allow_insecure_http,
        secrets=secrets,
        timeout=options.timeout,
        transport_factory=options.transport_factory,
    )


def _prepare(
    client: OdooClient, spec: OdooTargetSpec, options: SyncOptions
) -> tuple[Capabilities, tuple[str, ...], list[str]]:
    """The fields shape; only when Outlook is missing there, the module states and the
    install (not in a dry run), then the shape again."""
    assert spec.connection is not None
    shape = read_fields(client, SHAPE_FIELDS)
    if outlook_ready(shape, incoming=bool(spec.incoming)):
        return detect(client, implied_modules(shape), shape), (), []
    modules = read_modules(client)
    missing = modules.missing_for(incoming=bool(spec.all_incoming))
    allowed = (
        spec.connection.install_modules
        if options.install_modules is None
        else (options.install_modules)
    )
    notes: list[str] = []
    planned: tuple[str, ...] = ()
    if missing and not allowed:
        raise OdooSetupError(
            f"{client.errors.where()}: module {', '.join(missing)} is not installed and module"
            f" installation is off (fix: install {', '.join(missing)} from Apps, or run without"
            " --no-install / connection.installModules: false)"
        )
    if missing and options.dry_run:
        planned = tuple(missing)
        notes.append(
            f"{', '.join(missing)} would be installed first; the plan below assumes"
            " the installed shape"
        )
    elif missing:
        modules = install(client, modules, missing)
        planned = tuple(missing)
        shape = read_fields(client, SHAPE_FIELDS)
    return detect(client, modules, shape), planned, notes


def _build_notes(spec: OdooTargetSpec, caps: Capabilities) -> list[str]:
    """Notes on what depends on the Odoo build."""
    if spec.endpoint is None:
        return []
    if caps.version.major == 15:
        return [
            f"Odoo 15.0 builds from before February 2023 ignore {caps.endpoint_param} and"
            " sign in through the 'common' authority, which a single-tenant app refuses"
            " (AADSTS50194): if that happens, update Odoo 15.0 or use app.signInAudience"
            " AzureADMultipleOrgs"
        ]
    return []


def _base_url(
    client: OdooClient, params: Mapping[str, Param], spec: OdooTargetSpec
) -> BaseUrlCheck:
    assert spec.connection is not None
    check = check_base_url(params, spec)
    if not check.ok and not spec.connection.manage_base_url:
        raise client.errors.make(OdooBaseUrlMismatch, f"{client.errors.where()}: {check.message}")
    return check


def sync_target(
    spec: OdooTargetSpec,
    app: AppCredentials,
    password: str,
    options: SyncOptions | None = None,
) -> SyncReport:
    """Make the target's Odoo match `spec`; with `options.dry_run`, only report the plan."""
    options = options or SyncOptions()
    client = _connect(spec, password, [app.client_secret], options)
    params = read_params(client)
    for key in SECRET_PARAMS:  # the secret Odoo holds now (maybe an older one) is masked too
        client.errors.add_secret(params[key].value if key in params else None)
    check = _base_url(client, params, spec)
    try:
        caps, installed, notes = _prepare(client, spec, options)
    except OdooUnreachable as exc:
        if not client.writes:
            raise
        cause = str(exc).removeprefix(f"cannot reach Odoo at {client.url}: ")
        raise client.errors.make(
            OdooInterrupted,
            f"{client.errors.where()}: interrupted while installing modules"
            f" (they may be installed now); run again to finish (the connection failed:"
            f" {cause})",
        ) from None
    notes += _build_notes(spec, caps)
    notes += check_delegation(spec, caps, client.errors.where())  # neighbours.py hook
    state = read_state(client, caps, params, all_companies=bool(spec.companies))
    assert spec.connection is not None
    adopt = spec.connection.adopt if options.adopt is None else options.adopt
    plan = plan_changes(
        state,
        spec,
        app,
        caps,
        install=installed,
        manage_base_url=spec.connection.manage_base_url,
        base_url_ok=check.ok,
        adopt=adopt,
        tool_uid=client.uid,
    )
    if not options.dry_run:
        # The report comes from the plan and the ids the writes returned: no second read.
        state = state_after(state, plan, apply_changes(client, plan))
    if check.ok and not check.frozen and not spec.connection.manage_base_url:
        notes.append(check.message)
    return _report(client, spec, caps, plan, state, options.dry_run, notes)


def _report(
    client: OdooClient,
    spec: OdooTargetSpec,
    caps: Capabilities,
    plan: ChangeSet,
    state: OdooState,
    dry_run: bool,
    notes: list[str],
) -> SyncReport:
    base = state.param("web.base.url") or spec.expected_base_url
    if spec.connection is not None and spec.connection.manage_base_url:
        base = spec.expected_base_url
    return SyncReport(
        target=spec.name,
        url=client.url,
        database=client.database,
        version=caps.version.text,
        dry_run=dry_run,
        changes=plan.lines(),
        servers=managed_server_status(
            state, base, caps.version.major, minor=caps.version.minor, database=client.database
        ),
        conflicts=[c.message for c in plan.conflicts],
        notes=[*notes, *plan.notes],
        calls=client.calls,
        writes=client.writes,
    )


def teardown_target(
    spec: OdooTargetSpec,
    password: str,
    options: SyncOptions | None = None,
    secrets: list[str] | None = None,
) -> SyncReport:
    """Archive every server the tool manages and clear the parameters it marked."""
    options = options or SyncOptions()
    client = _connect(spec, password, list(secrets or []), options)
    caps = detect(client, read_modules(client))
    state = read_state(client, caps)
    plan = teardown_changes(state)
    if not options.dry_run:
        apply_changes(client, plan)
    return SyncReport(
        target=spec.name,
        url=client.url,
        database=client.database,
        version=caps.version.text,
        dry_run=options.dry_run,
        changes=plan.lines(),
        calls=client.calls,
        writes=client.writes,
    )
