"""Drives the policy pack the two ways tests need it, with pulumi_policy's own objects.

* Directly: ``resource_args`` / ``stack_args`` build the argument bags pulumi_policy's analyzer
  builds (properties behind its unknown-checking proxy, resource options, policy config), and
  ``collect`` calls a validator with a ``report_violation`` that records what it reports.
* Through the real analyzer: ``analyze`` feeds ``pulumi_policy``'s analyzer servicer the
  protobuf requests the Pulumi engine sends (Configure, Analyze per resource, AnalyzeStack).

The policies come from running ``policies/__main__.py`` itself with ``PolicyPack`` captured
instead of served, so the tests see exactly the pack the engine loads.
"""

from __future__ import annotations

import functools
import runpy
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from unittest import mock

from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2 as proto
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.policy import PolicyCustomTimeouts, _PolicyAnalyzerServicer
from pulumi_policy.proxy import unknown_checking_proxy

from tests.paths import ROOT

PACK_DIR = ROOT / "policies"
PackConfig = Mapping[str, Mapping[str, Any]]
Reported = list[tuple[str, str | None]]


@functools.cache
def pack_declaration() -> Mapping[str, Any]:
    """The keyword arguments ``policies/__main__.py`` passes to ``PolicyPack``."""
    captured: dict[str, Any] = {}
    saved_path = list(sys.path)
    try:
        with mock.patch("pulumi_policy.PolicyPack", lambda **kw: captured.update(kw)):
            runpy.run_path(str(PACK_DIR), run_name="__main__")
    finally:
        sys.path[:] = saved_path
    assert captured, "policies/__main__.py declared no PolicyPack"
    return captured


def pack_policies() -> list[Policy]:
    """The pack's policies, in the order ``__main__.py`` declares them."""
    return list(pack_declaration()["policies"])


def options(delete_before_replace: bool | None = None) -> PolicyResourceOptions:
    """Resource options as the analyzer builds them (``None`` = the option was not declared)."""
    return PolicyResourceOptions(
        False, [], delete_before_replace, [], PolicyCustomTimeouts(0, 0, 0), [], None
    )


def urn_of(resource_type: str, name: str) -> str:
    return f"urn:pulumi:dev::odoo-outlook::{resource_type}::{name}"


def resource_args(
    resource_type: str,
    props: Mapping[str, Any],
    config: Mapping[str, Any] | None = None,
    *,
    name: str = "res",
    proxy: bool = True,
) -> ResourceValidationArgs:
    """A ResourceValidationArgs for one resource, ``config`` being that policy's own config.

    ``proxy=False`` hands the validator the plain properties, unknown values as raw sentinels.
    """
    return ResourceValidationArgs(
        resource_type,
        _props(props, proxy),
        urn_of(resource_type, name),
        name,
        options(),
        None,
        config,
    )


def _props(props: Mapping[str, Any], proxy: bool) -> Mapping[str, Any]:
    return unknown_checking_proxy(dict(props)) if proxy else props


@dataclass(frozen=True)
class Res:
    """One resource of a stack: type, inputs, name and its delete_before_replace option."""

    type: str
    props: Mapping[str, Any]
    name: str = "res"
    delete_before_replace: bool | None = None

    @property
    def urn(self) -> str:
        return urn_of(self.type, self.name)


def stack_args(
    resources: Sequence[Res], config: Mapping[str, Any] | None = None, *, proxy: bool = True
) -> StackValidationArgs:
    """A StackValidationArgs over ``resources``, ``config`` being that policy's own config."""
    return StackValidationArgs(
        [
            PolicyResource(
                r.type,
                _props(r.props, proxy),
                r.urn,
                r.name,
                options(r.delete_before_replace),
                None,
                None,
                [],
                {},
            )
            for r in resources
        ],
        config,
    )


def collect(validate: Callable[[Any, Any], Any], args: Any) -> Reported:
    """Call ``validate(args, report_violation)``; the (message, urn) pairs it reported."""
    reported: Reported = []

    def report_violation(message: str, urn: str | None = None) -> None:
        reported.append((message, urn))

    validate(args, report_violation)
    return reported


def _struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(dict(value))
    return s


_LEVELS = {
    EnforcementLevel.ADVISORY: proto.ADVISORY,
    EnforcementLevel.MANDATORY: proto.MANDATORY,
    EnforcementLevel.DISABLED: proto.DISABLED,
}


def analyzer(config: PackConfig | None = None) -> _PolicyAnalyzerServicer:
    """pulumi_policy's analyzer for the pack, configured as the engine configures it.

    ``config`` has the pack-config shape ``{policy name: {key: value}}``; the engine always
    sends every policy's config with its enforcement level (``enforcementLevel`` in ``config``
    overrides the policy's own, e.g. ``"disabled"``).
    """
    declaration = pack_declaration()
    servicer = _PolicyAnalyzerServicer(
        declaration["name"], "0.1.0", pack_policies(), declaration["enforcement_level"]
    )
    request = proto.ConfigureAnalyzerRequest()
    for policy in pack_policies():
        properties = dict((config or {}).get(policy.name, {}))
        level = EnforcementLevel(properties.pop("enforcementLevel", policy.enforcement_level))
        request.policyConfig[policy.name].CopyFrom(
            proto.PolicyConfig(enforcementLevel=_LEVELS[level], properties=_struct(properties))
        )
    servicer.Configure(request, None)
    return servicer


def _resource(r: Res) -> proto.AnalyzerResource:
    opts = proto.AnalyzerResourceOptions(
        deleteBeforeReplace=bool(r.delete_before_replace),
        deleteBeforeReplaceDefined=r.delete_before_replace is not None,
    )
    return proto.AnalyzerResource(
        type=r.type, urn=r.urn, name=r.name, properties=_struct(r.props), options=opts
    )


def analyze(
    resources: Sequence[Res], config: PackConfig | None = None
) -> list[tuple[str, str, str]]:
    """(policy, message, urn) of every diagnostic the engine would get in a preview: Analyze
    for each resource in turn, then AnalyzeStack over all of them."""
    servicer = analyzer(config)
    diagnostics = []
    for r in resources:
        request = proto.AnalyzeRequest(
            type=r.type,
            urn=r.urn,
            name=r.name,
            properties=_struct(r.props),
            options=_resource(r).options,
        )
        diagnostics += list(servicer.Analyze(request, None).diagnostics)
    stack = proto.AnalyzeStackRequest(resources=[_resource(r) for r in resources])
    diagnostics += list(servicer.AnalyzeStack(stack, None).diagnostics)
    return [(d.policyName, d.message, d.urn) for d in diagnostics]
