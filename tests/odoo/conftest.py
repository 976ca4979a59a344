"""Fixtures of the Odoo tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def no_retry_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kept-alive connection's pause before re-sending an idempotent call
    (`keepalive.BACKOFF_SECONDS`, 0.1 s doubled per retry) set to zero, for tests about what a
    dropped connection does, not how long the client waits: the same retries are made."""
    from odoo_outlook.odoo import keepalive

    monkeypatch.setattr(keepalive, "BACKOFF_SECONDS", 0.0)
