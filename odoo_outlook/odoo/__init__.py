"""Odoo export: make an Odoo database's Outlook settings match a target of the stack.

The package exports nothing itself; import from the module that defines a name:
- `sync.py`: `sync_target(spec, app, password, options) -> SyncReport`, `teardown_target(...)`
- `client.py`: `connect(connection, password, ...) -> OdooClient` over a `Transport`
  (`transport.XmlRpcTransport`, or `json2.Json2Transport` for Odoo 19+ with an API key), chosen
  by `connection.transport` (xmlrpc|json2|auto, `select_transport`, docs/transports.md)
- `changes.py`: the change set (`plan_changes`, `teardown_changes`, `AppCredentials`)
- `checks.py`: checks shared with `doctor` (`check_base_url`, `managed_server_status`,
  `server_form_url`)
- `errors.py`: `OdooError` and its subclasses (all `OdooOutlookError`, exit code 2)
"""
