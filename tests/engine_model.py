"""The Pulumi engine's step order applied to what the real program declared under mocks.

A `pulumi up` walks the declared resources in dependency order (a resource's steps run after
the steps of everything it depends on: `depends_on` and the resources its inputs come from).
For a resource whose inputs changed (every `ApplicationPassword` input forces a new secret):

- default (create-before-delete): create the replacement now, delete the old one at the very
  end of the deployment, after every other step;
- `delete_before_replace`: delete the old one, then create the replacement, in place;
- a dependent whose input changed (the Odoo export's `clientSecret`) is updated after its
  dependencies' steps, before anything that depends on it.

(Pulumi docs "Resource options: deleteBeforeReplace"; pulumi/pulumi step_generator.go.) A
delete-before-replace also replaces the dependents whose provider diff would replace them once
the replaced resource's outputs are unknown (`calculateDependentReplacements`); the Odoo export
only replaces itself for another Odoo (components/odoo_export.py `diff`), so no dependent is
replaced here and the model leaves that out. After
every single step the model records how many client secrets the directory holds and checks that
the one Odoo holds exists and has not expired.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from graphlib import TopologicalSorter
from typing import Any

from components.odoo_export import EXPORT_TYPE
from tests.pulumi_harness import PASSWORD, Declared, ProgramRun

DYNAMIC = EXPORT_TYPE


class InstantViolation(AssertionError):
    """An instant inside a `pulumi up` that breaks a limit or leaves Odoo without a secret."""


@dataclass
class LiveSecret:
    resource: str
    value: str
    created: datetime
    end: datetime


def _plain(value: Any) -> Any:
    # A secret input arrives wrapped as {<secret signature>: ..., "value": v}.
    if isinstance(value, dict) and "value" in value and len(value) == 2:
        return value["value"]
    return value


def _end(declared: Declared) -> datetime:
    return datetime.fromisoformat(str(declared.inputs["endDate"]).replace("Z", "+00:00"))


@dataclass
class Engine:
    """The directory's password credentials, the stack state and what Odoo holds."""

    cap: int | None
    state: dict[str, Declared] = field(default_factory=dict)
    directory: dict[str, LiveSecret] = field(default_factory=dict)
    odoo: str | None = None
    counts: list[int] = field(default_factory=list)  # secrets after every step, all runs
    steps: list[str] = field(default_factory=list)

    def up(self, run: ProgramRun, now: datetime) -> list[str]:
        """Apply one `pulumi up`; returns this run's steps (e.g. 'delete odoo-client-secret-a')."""
        relevant = {d.name: d for d in run.declared if d.type in (PASSWORD, DYNAMIC)}
        graph = {
            name: {dep for dep in d.dependencies if dep in relevant} for name, d in relevant.items()
        }
        order = list(TopologicalSorter(graph).static_order())
        start = len(self.steps)
        deferred: list[LiveSecret] = []
        for name in order:
            declared = relevant[name]
            old = self.state.get(name)
            if declared.type == PASSWORD:
                if old is not None and old.inputs == declared.inputs:
                    continue
                previous = self._live(name)
                if previous is not None and declared.delete_before_replace:
                    self._delete(previous, now)
                self._create(declared, now)
                if previous is not None and not declared.delete_before_replace:
                    deferred.append(previous)
            else:
                secret = _plain(declared.inputs.get("clientSecret"))
                if old is None or _plain(old.inputs.get("clientSecret")) != secret:
                    self.odoo = str(secret)
                    self._step(f"update {name}", now)
            self.state[name] = declared
        for previous in deferred:
            self._delete(previous, now)
        return self.steps[start:]

    def odoo_secret(self) -> LiveSecret:
        assert self.odoo is not None
        return self.directory[self.odoo]

    def _live(self, resource: str) -> LiveSecret | None:
        return next((s for s in self.directory.values() if s.resource == resource), None)

    def _create(self, declared: Declared, now: datetime) -> None:
        value = str(declared.outputs["value"])
        self.directory[value] = LiveSecret(declared.name, value, now, _end(declared))
        self._step(f"create {declared.name}", now)

    def _delete(self, secret: LiveSecret, now: datetime) -> None:
        del self.directory[secret.value]
        self._step(f"delete {secret.resource}", now)

    def _step(self, what: str, now: datetime) -> None:
        self.steps.append(what)
        count = len(self.directory)
        self.counts.append(count)
        if self.cap is not None and count > self.cap:
            raise InstantViolation(
                f"{count} client secrets after '{what}' at {now:%Y-%m-%d}; Entra allows {self.cap}"
            )
        if self.odoo is not None:
            held = self.directory.get(self.odoo)
            if held is None:
                raise InstantViolation(f"Odoo holds a deleted secret after '{what}' at {now}")
            if held.end <= now:
                raise InstantViolation(f"Odoo holds a secret expired {held.end} at {now}")
