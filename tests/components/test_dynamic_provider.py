"""The Odoo export's dynamic provider survives what a real `pulumi up` does to it.

`pulumi.dynamic.Resource` pickles the provider with dill (`serialize_provider`) into the
`__provider` input, and the engine's `pulumi-resource-pulumi-python` host unpickles it in a
separate Python process to call create/diff/update/read/delete. Under mocks nothing unpickles
it, so these tests do: in a fresh interpreter, from another working directory.
"""

from __future__ import annotations

import base64
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import dill
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.rpc import _special_secret_sig, _special_sig_key

from components.odoo_export import EXPORT_TYPE, OdooExportProvider
from tests.odoo_sync_helpers import stack
from tests.pulumi_harness import run_program

_LOAD = """
import base64, sys, dill
provider = dill.loads(base64.b64decode(sys.stdin.read()))
methods = [m for m in ("create", "diff", "update", "read", "delete")
           if callable(getattr(provider, m, None))]
print(type(provider).__module__, type(provider).__name__, ",".join(methods))
"""


def _load_elsewhere(serialized: str, cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _LOAD],
        input=serialized,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_provider_serialises_deterministically_and_small() -> None:
    first = serialize_provider(OdooExportProvider())
    second = serialize_provider(OdooExportProvider())
    # Same bytes on every run: `__provider` is an input, a different string would be a diff.
    assert first == second
    # By reference (module + class), not by value: no sockets, clients or closures inside.
    raw = base64.b64decode(first)
    assert b"components.odoo_export" in raw and len(raw) < 1024
    assert isinstance(dill.loads(raw), OdooExportProvider)


def test_the_declared_provider_unpickles_in_a_fresh_process(tmp_path: Path) -> None:
    raw = stack("https://erp.example.com", base_urls=("https://erp.example.com",))
    raw["odooPasswords"] = {"erp": "Odoo-Secret-Pw-123"}
    run = run_program(raw, datetime(2025, 3, 1, tzinfo=UTC))
    [resource] = [d for d in run.declared if d.type == EXPORT_TYPE]
    declared = resource.inputs["__provider"]
    # pulumi.dynamic marks the serialised provider secret by default (it may capture secrets).
    assert declared.get(_special_sig_key) == _special_secret_sig
    serialized = declared["value"]
    assert serialized == serialize_provider(OdooExportProvider())
    assert _load_elsewhere(serialized, tmp_path) == (
        "components.odoo_export OdooExportProvider create,diff,update,read,delete"
    )
    # No secret travels in the pickled provider (it is stored in plain text in the state).
    decoded = base64.b64decode(serialized)
    assert b"Odoo-Secret-Pw-123" not in decoded
