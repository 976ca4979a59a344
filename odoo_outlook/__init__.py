"""Microsoft 365 (Outlook) mail for Odoo as code: configuration, desired state, Odoo sync, doctor
and the `odoo-outlook` command line."""
