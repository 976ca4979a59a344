"""Runs the real Pulumi program under `pulumi.runtime.set_mocks` and hands back plain data.

Everything the program declares is resolved before a test asserts anything, so a test cannot
pass by asserting on an unknown value or on an Output that never ran.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockMonitor

from odoo_outlook.config import StackConfig, parse_config
from tests.fakes.graph_server import GRAPH_DELEGATED_SCOPES

# Microsoft Graph's published ids as a real tenant serves them: the fake Graph's table
# (Microsoft's permissions reference), plus one scope the app must never ask for.
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
GRAPH_SCOPE_IDS = {
    **{name: scope_id for name, (scope_id, _kind) in GRAPH_DELEGATED_SCOPES.items()},
    "Mail.ReadWrite": "024d486e-b451-40bb-833d-3e66d98c5c73",
}
GRAPH_SP_OBJECT_ID = "5b0e4a54-1d2e-4c51-9c0b-0c1a2f6f7c11"
TENANT_ID = "8f2c1a7e-4b9d-4e3a-9c61-2d5f0e7b1a44"
DEPLOYER_OBJECT_ID = "0d6a1c39-8a4f-4b8e-8f3e-6c2d9e1b7a55"

APPLICATION = "azuread:index/application:Application"
SERVICE_PRINCIPAL = "azuread:index/servicePrincipal:ServicePrincipal"
ASSIGNMENT = "azuread:index/appRoleAssignment:AppRoleAssignment"
GRANT = (
    "azuread:index/servicePrincipalDelegatedPermissionGrant:"
    "ServicePrincipalDelegatedPermissionGrant"
)
PASSWORD = "azuread:index/applicationPassword:ApplicationPassword"


def object_id_for(kind: str, value: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{kind}:{value.lower()}"))


def secret_value_for(name: str, inputs: dict[str, Any]) -> str:
    """A value shaped like Entra's: 40 characters, `~` after a 3-character hint and `8Q`.

    Graph's `hint` is the first three characters, random per secret; every secret must get
    its own, or the doctor's hint matching could not tell the two slots apart."""
    digest = hashlib.sha256(f"{name}{sorted(inputs.items())}".encode()).hexdigest()
    return f"{digest[:3]}8Q~{digest[3:37]}"


@dataclass
class Declared:
    type: str
    name: str
    inputs: dict[str, Any]
    parent: str
    outputs: dict[str, Any] = field(default_factory=dict)
    # Resource options as the engine receives them (RegisterResourceRequest).
    delete_before_replace: bool = False
    # Names of the resources this one waits for: `depends_on` and the inputs' dependencies.
    dependencies: frozenset[str] = frozenset()


class StackMocks(pulumi.runtime.Mocks):
    """Answers azuread resources and invokes the way a real tenant would shape them."""

    def __init__(self, scope_ids: dict[str, str] | None = None) -> None:
        self.scope_ids = dict(GRAPH_SCOPE_IDS if scope_ids is None else scope_ids)
        self.declared: list[Declared] = []
        self.invokes: list[tuple[str, dict[str, Any]]] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        outputs = dict(args.inputs)
        resource_id = f"{args.name}-id"
        if args.typ == APPLICATION:
            object_id = object_id_for("application", args.name)
            outputs |= {"clientId": object_id_for("client", args.name), "objectId": object_id}
            resource_id = f"/applications/{object_id}"
        elif args.typ == SERVICE_PRINCIPAL:
            # azuread 6.x: the resource's id is the bare object id (the data source's is not).
            object_id = object_id_for("sp", args.name)
            outputs |= {"objectId": object_id}
            resource_id = object_id
        elif args.typ == PASSWORD:
            key_id = object_id_for("key", f"{args.name}{args.inputs.get('rotateWhenChanged')}")
            outputs |= {"keyId": key_id, "value": secret_value_for(args.name, args.inputs)}
            resource_id = f"{args.inputs.get('applicationId')}/password/{key_id}"
        for record in reversed(self.declared):
            if record.name == args.name and record.type == args.typ:
                record.outputs = outputs
                break
        return resource_id, outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]] | dict:
        self.invokes.append((args.token, dict(args.args)))
        token = args.token
        if token.endswith("getApplicationPublishedAppIds"):
            return {
                "id": "published",
                "result": {
                    "MicrosoftGraph": GRAPH_APP_ID,
                    "Office365ExchangeOnline": "00000002-0000-0ff1-ce00-000000000000",
                },
            }
        if token.endswith("getServicePrincipal"):
            # azuread 6.x data source: id "/servicePrincipals/<object id>", objectId bare.
            return {
                "id": f"/servicePrincipals/{GRAPH_SP_OBJECT_ID}",
                "objectId": GRAPH_SP_OBJECT_ID,
                "clientId": args.args.get("clientId"),
                "displayName": "Microsoft Graph",
                "oauth2PermissionScopeIds": dict(self.scope_ids),
                "appRoleIds": {},
            }
        if token.endswith("getClientConfig"):
            return {
                "id": "config",
                "tenantId": TENANT_ID,
                "objectId": DEPLOYER_OBJECT_ID,
                "clientId": object_id_for("client", "deployer"),
            }
        if token.endswith("getUser"):
            upn = args.args.get("userPrincipalName") or args.args.get("mail")
            return {
                "id": object_id_for("user", upn),
                "objectId": object_id_for("user", upn),
                "userPrincipalName": upn,
            }
        if token.endswith("getGroup"):
            name = args.args.get("displayName")
            return {
                "id": object_id_for("group", name),
                "objectId": object_id_for("group", name),
                "displayName": name,
            }
        raise AssertionError(f"the program made an invoke the mocks do not know: {token}")


class RecordingMonitor(MockMonitor):
    """Also records each registration's parent URN, which `Mocks.new_resource` does not see."""

    def __init__(self, mocks: StackMocks) -> None:
        super().__init__(mocks)
        self.stack_mocks = mocks

    def RegisterResource(self, request: Any) -> Any:
        urns = set(request.dependencies)
        for deps in request.propertyDependencies.values():
            urns |= set(deps.urns)
        record = Declared(
            type=request.type,
            name=request.name,
            inputs=pulumi.runtime.rpc.deserialize_properties(request.object),
            parent=request.parent,
            delete_before_replace=request.deleteBeforeReplace,
            dependencies=frozenset(urn.rsplit("::", 1)[-1] for urn in urns),
        )
        self.stack_mocks.declared.append(record)
        return super().RegisterResource(request)


@dataclass
class ProgramRun:
    declared: list[Declared]
    outputs: dict[str, Any]
    secret_outputs: set[str]
    invokes: list[tuple[str, dict[str, Any]]]

    def of_type(self, type_token: str) -> list[Declared]:
        return [d for d in self.declared if d.type == type_token]

    def one(self, type_token: str) -> Declared:
        found = self.of_type(type_token)
        assert len(found) == 1, f"expected one {type_token}, found {len(found)}"
        return found[0]


def _ignore_unretrieved(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    if context.get("message") != "Future exception was never retrieved":
        loop.default_exception_handler(context)


def run_program(
    config: StackConfig | dict[str, Any],
    now: datetime,
    mocks: StackMocks | None = None,
) -> ProgramRun:
    """Build the stack under mocks and return what it declared, fully resolved."""
    from components.stack import build

    stack_config = config if isinstance(config, StackConfig) else parse_config(config)
    mocks = mocks or StackMocks()
    # Pulumi's runtime uses the thread's current loop; asyncio.run elsewhere closes and unsets it.
    loop = asyncio.new_event_loop()
    # A failing program also leaves sibling futures failed; the test sees the failure itself, so
    # asyncio's "never retrieved" reports of those siblings (at garbage collection) are noise.
    loop.set_exception_handler(_ignore_unretrieved)
    asyncio.set_event_loop(loop)
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(
        mocks, project="odoo-outlook", stack="dev", preview=False, monitor=monitor
    )
    values: dict[str, Any] = {}
    secrets: set[str] = set()

    @pulumi.runtime.test
    def program() -> pulumi.Output[None]:
        outputs = build(stack_config, now)

        async def resolve() -> None:
            for name, output in outputs.items():
                values[name] = await output.future()
                if await output.is_secret():
                    secrets.add(name)

        return pulumi.Output.from_input(asyncio.ensure_future(resolve()))

    program()
    assert values, "the program produced no outputs: it did not run"
    return ProgramRun(mocks.declared, values, secrets, mocks.invokes)
