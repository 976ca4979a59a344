"""External id names are what lets a run find the records an earlier run created: they must
never change (the values below were produced by the first released version)."""

from __future__ import annotations

from odoo_outlook.external_ids import (
    alias_domain_xmlid,
    fetchmail_server_xmlid,
    mail_server_xmlid,
    param_xmlid,
)


def test_names_are_those_existing_stacks_hold() -> None:
    assert mail_server_xmlid("Notifications@Example.com") == (
        "mail_server_notifications_example_com_71bda4"
    )
    assert (
        fetchmail_server_xmlid("inbox@example.com") == "fetchmail_server_inbox_example_com_52f8cc"
    )
    assert param_xmlid("microsoft_outlook_client_id") == (
        "config_parameter_microsoft_outlook_client_id_ac2165"
    )
    assert alias_domain_xmlid("Example.COM") == "alias_domain_example_com"


def test_addresses_that_sanitise_alike_keep_distinct_names() -> None:
    assert mail_server_xmlid("a.b@x.org") != mail_server_xmlid("a_b@x.org")
    assert param_xmlid("mail.catchall.alias") != param_xmlid("mail_catchall_alias")
    # Case does not make another mailbox, but does make another parameter key.
    assert mail_server_xmlid("A@x.org") == mail_server_xmlid("a@x.org")
    assert param_xmlid("Key") != param_xmlid("key")
