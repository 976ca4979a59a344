"""Odoo's own connection tests as doctor checks, and their errors diagnosed like failed mail.

A test's error text is Odoo's (e.g. "An error occurred when fetching the access token.
AADSTS7000215: Invalid client secret provided..." or "Server replied with following
exception: 5.7.139 Authentication unsuccessful..."): it is diagnosed by the knowledge base
(`knowledge.diagnose`, advice chosen for the stack), so `connect`, `doctor` and the failed-mail
check give one meaning and one fix per failure.
"""

from __future__ import annotations

from dataclasses import dataclass

from odoo_outlook.doctor.knowledge import StackFacts, diagnose
from odoo_outlook.doctor.model import Check, fail, ok
from odoo_outlook.odoo.outlook_connect import TEST_BUTTONS, ConnectionTest

NOT_TESTED = "refresh token stored, not tested"
TEST_HINT = "run `odoo-outlook doctor --test-connections` to have Odoo test it"
NO_TOKEN_FIX = 'run `odoo-outlook connect` (or click "Connect your Outlook account" in Odoo)'
_DEFAULT_FIX = "read Odoo's message above; fix the server's settings, then test again"


@dataclass(frozen=True)
class FailureVerdict:
    """What the message of a failed connection test means (empty: not known) and how to fix
    it."""

    meaning: str
    fix: str


def failure_verdict(message: str, stack: StackFacts) -> FailureVerdict:
    """The Microsoft failures named in `message`, with causes and fixes chosen for `stack`."""
    found = diagnose(message, stack)
    if found:
        return FailureVerdict(
            "; ".join(f"{d.code}: {d.cause}" for d in found),
            "; ".join(dict.fromkeys(d.fix for d in found)),
        )
    if "Please connect with your Outlook account" in message:
        return FailureVerdict("Odoo holds no refresh token for this server", NO_TOKEN_FIX)
    return FailureVerdict("", _DEFAULT_FIX)


def at_text(test: ConnectionTest) -> str:
    """When Odoo's connection test ran, as `YYYY-MM-DD HH:MM:SS TZ`."""
    return test.at.strftime("%Y-%m-%d %H:%M:%S %Z").strip()


def describe_test(test: ConnectionTest, stack: StackFacts) -> tuple[bool, str, str | None]:
    """(ok, one-line detail, fix) of one test, for `connect` and the doctor alike."""
    button = TEST_BUTTONS[test.model]
    one = " ".join(test.message.split())
    if test.ok:
        return True, f'tested ok at {at_text(test)} (Odoo\'s "{button}": {one})', None
    found = failure_verdict(test.message, stack)
    meaning = f" ({found.meaning})" if found.meaning else ""
    return False, f"test failed at {at_text(test)}: {one}{meaning}", found.fix


def token_check(name: str, test: ConnectionTest | None, stack: StackFacts, scope: str) -> Check:
    """The doctor's token line: tested ok / failed with the diagnosis / stored, not tested."""
    if test is None:
        return ok(name, f"{NOT_TESTED} ({TEST_HINT})", scope)
    passed, detail, fix = describe_test(test, stack)
    return ok(name, detail, scope) if passed else fail(name, detail, fix or _DEFAULT_FIX, scope)
