"""Personal (consumer) Microsoft mailboxes: refused by config validation (so by `plan`, `sync`,
`doctor` and `pulumi up`) unless the audience admits personal accounts; never the catch-all
domain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from odoo_outlook.cli import main
from odoo_outlook.config import parse_config
from odoo_outlook.consumer_domains import CONSUMER_DOMAINS, is_consumer_domain
from odoo_outlook.errors import ConfigErrors


@pytest.mark.parametrize(
    "domain",
    [
        "outlook.com",
        "Hotmail.com",
        "live.com",
        "msn.com",
        "hotmail.co.uk",
        "live.fr",
        "outlook.de",
        "live.com.au",
        "hotmail.com.br",
        "outlook.jp",
    ],
)
def test_consumer_domains(domain: str) -> None:
    assert is_consumer_domain(domain)


@pytest.mark.parametrize(
    "domain",
    [
        "example.com",
        "contoso.onmicrosoft.com",
        "live.example.com",
        "outlook.contoso.com",
        "mylive.com",
        "hotmail",
        "outlookmail.com",
        "live.company.co.uk",
    ],
)
def test_work_domains(domain: str) -> None:
    assert not is_consumer_domain(domain)


def test_the_list_is_lowercase_data() -> None:
    assert all(d == d.lower() and "." in d for d in CONSUMER_DOMAINS)


def _raw(audience: str, **mail: Any) -> dict[str, Any]:
    return {
        "odoo-outlook:app": {"signInAudience": audience},
        "odoo-outlook:targets": [
            {
                "name": "erp",
                "baseUrls": ["https://odoo.example.com"],
                "mail": {"notifications": "odoo@example.com", **mail},
            }
        ],
    }


@pytest.mark.parametrize("audience", ["AzureADMyOrg", "AzureADMultipleOrgs"])
def test_a_personal_mailbox_needs_the_personal_audience(audience: str) -> None:
    with pytest.raises(ConfigErrors) as caught:
        parse_config(
            _raw(
                audience,
                mode="perUser",
                users=["boss@example.com", "me@outlook.com"],
                incoming=["inbox@hotmail.co.uk"],
            )
        )
    lines = caught.value.message.splitlines()
    assert lines[0].startswith(
        "odoo-outlook:targets[0].mail.users[1]: 'me@outlook.com' is a personal Microsoft account"
    )
    assert (
        "(fix: set app.signInAudience to AzureADandPersonalMicrosoftAccount, or use a work"
        in (lines[0])
    )
    assert lines[1].startswith("odoo-outlook:targets[0].mail.incoming[0]: 'inbox@hotmail.co.uk'")
    assert all(
        "fix: set app.signInAudience to AzureADandPersonalMicrosoftAccount" in line
        for line in lines
    )


def test_the_personal_audience_admits_personal_mailboxes() -> None:
    config = parse_config(
        _raw(
            "AzureADandPersonalMicrosoftAccount",
            mode="perUser",
            users=["me@outlook.com"],
            incoming=["inbox@live.com"],
        )
    )
    assert config.targets[0].mail.users == ["me@outlook.com"]


@pytest.mark.parametrize("audience", ["AzureADMyOrg", "AzureADandPersonalMicrosoftAccount"])
def test_a_consumer_domain_is_never_the_catch_all_domain(audience: str) -> None:
    raw = _raw(audience)
    raw["odoo-outlook:targets"][0]["mail"]["notifications"] = "shop@hotmail.com"
    with pytest.raises(ConfigErrors) as caught:
        parse_config(raw)
    (line,) = caught.value.message.splitlines()
    assert line.startswith("odoo-outlook:targets[0].mail.notifications: 'shop@hotmail.com'")
    assert "catch-all domain" in line and "fix: use an address of your own domain" in line


def test_plan_refuses_with_the_key_and_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = _raw("AzureADMultipleOrgs", incoming=["me@live.com"])
    (tmp_path / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": raw}))
    assert main(["plan", "--stack", "dev", "--project-dir", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    assert captured.err.startswith("error: odoo-outlook:targets[0].mail.incoming[0]:")
    assert "AzureADandPersonalMicrosoftAccount" in captured.err
