"""The Pulumi program's component resources (`odoo-outlook:<module>:<Name>`) and its entry point."""
