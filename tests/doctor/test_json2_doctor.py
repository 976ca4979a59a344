"""`odoo-outlook doctor --transport`: the option reaches the Odoo client of every target
(the doctor suite's healthy setup on 17.0, which has no JSON-2)."""

from __future__ import annotations

from tests.doctor.doctor_env import Env


def test_doctor_transport_option_overrides_the_stack(env: Env) -> None:
    env.odoo.reset_calls()  # the fixture's own sync
    assert env.run("--transport", "auto").code == 0  # a password: XML-RPC, no probe
    assert env.odoo.count(transport="http") == 0
    result = env.run("--transport", "json2")
    assert result.code == 2
    check = result.check("erp/odoo connection")
    assert check["status"] == "fail" and "offers no JSON-2 API" in check["detail"]
    assert env.odoo.write_calls() == []
