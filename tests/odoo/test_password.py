"""`odoo_password`: the one place sync, connect, doctor and the Pulumi export find the Odoo
password, and the one message when there is none."""

from __future__ import annotations

import pytest

from odoo_outlook.odoo.errors import OdooSetupError
from odoo_outlook.odoo.password import odoo_password
from tests.odoo_sync_helpers import spec, stack

SPEC = spec(stack("http://localhost:8069"))


def test_the_configured_secret_comes_before_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ODOO_ERP_PASSWORD", "from-the-environment")
    assert odoo_password(SPEC, "from-odooPasswords") == "from-odooPasswords"
    assert odoo_password(SPEC, None) == "from-the-environment"
    assert odoo_password(SPEC, "") == "from-the-environment"


def test_no_password_names_the_variable_and_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ODOO_ERP_PASSWORD", raising=False)
    monkeypatch.setenv("ODOO_OTHER_PASSWORD", "not-this-one")
    with pytest.raises(OdooSetupError) as caught:
        odoo_password(SPEC)
    message = caught.value.message
    assert message.startswith("no Odoo password for target 'erp' (fix: export ODOO_ERP_PASSWORD;")
    assert "'odooPasswords.erp'" in message and "\n" not in message
    assert caught.value.exit_code == 2


def test_a_target_without_connection_settings_has_no_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ODOO_ERP_PASSWORD", "set")
    raw = stack("http://localhost:8069")
    del raw["targets"][0]["connection"]
    with pytest.raises(OdooSetupError, match="no Odoo password for target 'erp'"):
        odoo_password(spec(raw))
