"""CrossGuard policy pack for the Odoo Outlook app registration (see docs/policies.md).

One module per policy, each a plain ``validate(args, report_violation)`` function and the
``pulumi_policy`` policy object that carries it; ``__main__.py`` declares the ``PolicyPack``.
"""
