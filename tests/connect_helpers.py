"""A `webbrowser` controller that plays the person and Microsoft for `odoo-outlook connect`.

`ConsentBrowser.open(url)` takes the authorize URL Odoo computed, and does what Microsoft does
after a successful sign-in: it sends the browser to the fake Odoo's
`/microsoft_outlook/confirm?code=...&state=...` with the same `state`; the fake checks the CSRF
token in it and stores the refresh token, like Odoo's controller. The redirect is not followed.
"""

from __future__ import annotations

import http.client
import webbrowser
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest


class ConsentBrowser(webbrowser.BaseBrowser):
    def __init__(self, odoo_url: str, *, consent: bool = True) -> None:
        super().__init__(["consent-browser"])
        self.odoo_url = odoo_url
        self.consent = consent
        self.opened: list[str] = []

    # webbrowser.BaseBrowser.open's signature: connect_flow passes `new=2` by keyword.
    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:  # noqa: ARG002
        self.opened.append(url)
        if not self.consent:
            return True
        state = parse_qs(urlsplit(url).query)["state"][0]
        target = urlsplit(self.odoo_url)
        connection = http.client.HTTPConnection(target.hostname or "", target.port, timeout=10)
        try:
            query = urlencode({"code": f"code-{len(self.opened)}", "state": state})
            connection.request("GET", f"/microsoft_outlook/confirm?{query}")
            status = connection.getresponse().status
        finally:
            connection.close()
        assert status == 303, status
        return True


def register(monkeypatch: pytest.MonkeyPatch, browser: webbrowser.BaseBrowser) -> None:
    """Make `browser` what `webbrowser.get()` returns, for this test only."""
    monkeypatch.setattr(webbrowser, "_browsers", {})
    monkeypatch.setattr(webbrowser, "_tryorder", [])
    webbrowser.register("odoo-outlook-consent", None, browser, preferred=True)
