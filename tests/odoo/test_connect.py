"""`odoo-outlook connect` end to end against the fake Odoo, the browser being a registered
`webbrowser` controller that completes the consent like Microsoft would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from odoo_outlook.cli import main
from odoo_outlook.config import SignInAudience
from odoo_outlook.connect_flow import ConnectOptions, RowState, TargetSession, run_connect
from odoo_outlook.doctor.knowledge import StackFacts
from odoo_outlook.odoo.checks import server_form_url
from odoo_outlook.odoo.client import connect
from odoo_outlook.odoo.outlook_connect import managed_servers
from odoo_outlook.odoo.sync import sync_target
from odoo_outlook.odoo.transport import ServerVersion
from tests.connect_helpers import ConsentBrowser, register
from tests.fakes.odoo_server import FakeOdoo
from tests.odoo_sync_helpers import APP, PASSWORD, cli_args, spec, stack, write_project

USERS = ("alice@example.com", "bob@example.com")
INCOMING = ("catchall@example.com",)
TOKEN_FIELD = "microsoft_outlook_refresh_token"


def _synced(odoo: FakeOdoo) -> dict[str, Any]:
    raw = stack(odoo.url, mode="perUser", users=USERS, incoming=INCOMING)
    report = sync_target(spec(raw), APP, PASSWORD)
    assert report.ok, report.conflicts
    odoo.reset_calls()
    return raw


def _run(
    tmp_path: Path,
    raw: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *extra: str,
) -> tuple[int, str, str]:
    monkeypatch.setenv("ODOO_ERP_PASSWORD", PASSWORD)
    write_project(tmp_path, raw)
    code = main(
        ["connect", "--stack", "dev", "--project-dir", str(tmp_path), "--poll", "0.1", *extra]
    )
    out = capsys.readouterr()
    return code, out.out, out.err


def _tokens(odoo: FakeOdoo) -> dict[tuple[str, int], Any]:
    return {
        (m, r["id"]): r.get(TOKEN_FIELD)
        for m in ("ir.mail_server", "fetchmail.server")
        for r in odoo.db().records(m)
    }


@pytest.mark.parametrize("version", ["15.0", "16.0", "17.0", "18.0", "19.0"])
def test_connect_opens_each_link_waits_then_tests(
    version: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with FakeOdoo(version) as odoo:
        raw = _synced(odoo)
        browser = ConsentBrowser(odoo.url)
        register(monkeypatch, browser)
        code, out, err = _run(tmp_path, raw, capsys, monkeypatch)
        assert code == 0, out + err
        # One link per mailbox, each the authorize URL Odoo computed for that very record.
        states = [json.loads(parse_qs(urlsplit(u).query)["state"][0]) for u in browser.opened]
        assert sorted((s["model"], s["id"]) for s in states) == sorted(_tokens(odoo))
        assert all(_tokens(odoo).values())
        # "Test & Confirm" ran through Odoo and confirmed the incoming server.
        assert {r["state"] for r in odoo.db().records("fetchmail.server")} == {"done"}
        assert odoo.count(method="test_smtp_connection") == len(USERS) + 1  # + notifications
        assert odoo.count(method="button_confirm_login") == 1
        for mailbox in (*USERS, *INCOMING):
            assert f"then sign in to Microsoft as {mailbox}" in err
        assert "be signed in to Odoo" in err and "as an administrator of database 'odoo'" in err
        # Not a terminal: plain progress lines, one per change.
        assert f"erp: outgoing {USERS[0]}: waiting for sign-in" in err
        assert f"erp: outgoing {USERS[0]}: connected: refresh token stored" in err
        assert "tested ok" in out and "left: none" in out
        # The authorize URL is read one record at a time, the token never.
        reads = [c for c in odoo.calls if c.method == "read"]
        assert reads and all(len(c.args[0]) == 1 for c in reads)
        for call in odoo.calls:
            assert TOKEN_FIELD not in json.dumps(call.kwargs.get("fields") or [])
        assert "fake-refresh" not in out + err


def test_connect_lists_only_servers_without_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeOdoo("17.0") as odoo:
        raw = _synced(odoo)
        [alice] = [
            r["id"] for r in odoo.db().records("ir.mail_server") if r["smtp_user"] == USERS[0]
        ]
        odoo.db().connect_outlook("ir.mail_server", alice)
        # A server the tool did not create is never touched.
        other = odoo.db().seed(
            "ir.mail_server", {"name": "theirs", "smtp_host": "x", "smtp_user": "x@example.com"}
        )
        browser = ConsentBrowser(odoo.url)
        register(monkeypatch, browser)
        code, out, _ = _run(tmp_path, raw, capsys, monkeypatch, "--json")
        assert code == 0
        mailboxes = [m["mailbox"] for m in json.loads(out)["mailboxes"]]
        assert USERS[0] not in mailboxes and "x@example.com" not in mailboxes
        assert sorted(mailboxes) == sorted([USERS[1], "notifications@example.com", *INCOMING])
        assert len(browser.opened) == 3
        assert not odoo.db().record("ir.mail_server", other).get(TOKEN_FIELD)


def test_no_browser_prints_the_link_and_timeout_lists_what_is_left(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeOdoo("16.0") as odoo:
        raw = _synced(odoo)
        browser = ConsentBrowser(odoo.url)
        register(monkeypatch, browser)
        code, out, err = _run(tmp_path, raw, capsys, monkeypatch, "--no-browser", "--timeout", "1")
        assert code == 1, out + err
        assert browser.opened == []  # --no-browser: nothing opened
        assert "open this link in the browser: https://login.microsoftonline.com/" in err
        assert "stopped (timeout)" in out
        assert "done: none" in out
        for mailbox in (*USERS, *INCOMING):
            assert mailbox in out.split("left:")[1]
        assert not any(_tokens(odoo).values())
        assert odoo.count(method="test_smtp_connection") == 0


def test_failed_test_is_diagnosed_like_the_doctor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeOdoo("18.0") as odoo:
        raw = _synced(odoo)
        [bob] = [r["id"] for r in odoo.db().records("ir.mail_server") if r["smtp_user"] == USERS[1]]
        odoo.db().fail_outlook(
            "ir.mail_server", bob, "token", "AADSTS7000215: Invalid client secret provided."
        )
        [inbox] = [r["id"] for r in odoo.db().records("fetchmail.server")]
        odoo.db().fail_outlook("fetchmail.server", inbox, "reply", "b'AUTHENTICATE failed.'")
        register(monkeypatch, ConsentBrowser(odoo.url))
        code, out, _ = _run(tmp_path, raw, capsys, monkeypatch, "--json")
        assert code == 2
        rows = {m["mailbox"]: m for m in json.loads(out)["mailboxes"]}
        failed = rows[USERS[1]]
        assert failed["state"] == "test failed"
        assert (
            "An error occurred when fetching the access token. AADSTS7000215" in (failed["detail"])
        )
        assert "invalid client secret" in failed["detail"]
        assert "pulumi up" in failed["fix"]
        assert rows[INCOMING[0]]["state"] == "test failed"
        assert "Server replied with following exception" in rows[INCOMING[0]]["detail"]
        assert rows[USERS[0]]["state"] == "tested ok"
        assert odoo.db().records("fetchmail.server")[0]["state"] == "draft"


def test_missing_client_credentials_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeOdoo("17.0") as odoo:
        raw = _synced(odoo)
        odoo.db().set_param("microsoft_outlook_client_secret", False)
        browser = ConsentBrowser(odoo.url)
        register(monkeypatch, browser)
        code, out, _ = _run(tmp_path, raw, capsys, monkeypatch, "--json")
        assert code == 2
        rows = json.loads(out)["mailboxes"]
        assert {r["state"] for r in rows} == {"error"}
        assert "microsoft_outlook_client_secret" in rows[0]["detail"]
        assert browser.opened == []


def test_unreachable_target_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.odoo_sync_helpers import free_port

    raw = stack(f"http://127.0.0.1:{free_port()}", mode="perUser", users=USERS)
    code, _, err = _run(tmp_path, raw, capsys, monkeypatch)
    assert code == 2
    assert "cannot reach Odoo" in err


def test_ctrl_c_stops_cleanly_with_done_and_left() -> None:
    """Ctrl-C while waiting for the second mailbox: the first is connected and tested, the
    rest is left, exit 1."""
    with FakeOdoo("17.0") as odoo:
        _synced(odoo)
        connection = spec(stack(odoo.url)).connection
        assert connection is not None
        client = connect(connection, PASSWORD)
        session = TargetSession(
            "erp",
            client,
            managed_servers(client),
            StackFacts(audience=SignInAudience.ORGS_AND_PERSONAL),
        )
        browser = ConsentBrowser(odoo.url)
        opened: list[str] = []

        class FirstOnly(ConsentBrowser):
            def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:  # noqa: ARG002
                opened.append(url)
                return browser.open(url) if len(opened) == 1 else True

        def sleep(_seconds: float) -> None:
            raise KeyboardInterrupt

        said: list[str] = []

        class Quiet:
            def start(self, rows: Any) -> None: ...
            def say(self, text: str) -> None:
                said.append(text)

            def update(self, rows: Any, changed: Any) -> None: ...
            def stop(self) -> None: ...

        result = run_connect(
            [session], ConnectOptions(browser=FirstOnly(odoo.url)), Quiet(), sleep=sleep
        )
        assert result.stopped == "interrupted"
        states = [r.state for r in result.rows]
        assert states[0] is RowState.TESTED
        assert set(states[1:]) == {RowState.LEFT}
        assert len(opened) == 2  # the third mailbox was never opened
        assert result.exit_code == 1


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        (
            {"server_version_info": [17, 0, 0, "final", 0], "server_version": "17.0"},
            "https://erp.example.com/web?db=prod%2B1#id=7&model=ir.mail_server&view_type=form",
        ),
        (
            {"server_version_info": ["saas~17", 2, 0, "final", 0], "server_version": "saas~17.2"},
            "https://erp.example.com/odoo/action-base.action_ir_mail_server_list/7?db=prod%2B1",
        ),
        (
            {"server_version_info": [18, 0, 0, "final", 0], "server_version": "18.0"},
            "https://erp.example.com/odoo/action-base.action_ir_mail_server_list/7?db=prod%2B1",
        ),
    ],
)
def test_form_link_shape_and_database(info: dict[str, Any], expected: str) -> None:
    version = ServerVersion.parse(info)
    assert (
        server_form_url(
            "https://erp.example.com/",
            "ir.mail_server",
            7,
            version.major,
            minor=version.minor,
            database="prod+1",
        )
        == expected
    )


def test_sync_prints_links_with_the_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two databases on one server: the printed link names the one synced."""
    with FakeOdoo("16.0", db="first") as odoo:
        odoo.add_database("second")
        raw = stack(odoo.url, mode="perUser", users=USERS, database="second")
        monkeypatch.setenv("ODOO_ERP_PASSWORD", PASSWORD)
        write_project(tmp_path, raw)
        code = main(cli_args(tmp_path, "--json"))
        assert code == 0
        servers = json.loads(capsys.readouterr().out)[0]["servers"]
        assert servers and all("/web?db=second#id=" in s["formUrl"] for s in servers)


def test_connect_over_json2_with_an_api_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Odoo 19's JSON-2: the test buttons are called on records (`ids`), by name."""
    from tests.fakes.odoo_server import DEFAULT_ADMIN_API_KEY

    with FakeOdoo("19.0") as odoo:
        _synced(odoo)
        raw = stack(odoo.url, mode="perUser", users=USERS, incoming=INCOMING, transport="json2")
        register(monkeypatch, ConsentBrowser(odoo.url))
        monkeypatch.setenv("ODOO_ERP_PASSWORD", DEFAULT_ADMIN_API_KEY)
        write_project(tmp_path, raw)
        code = main(
            ["connect", "--stack", "dev", "--project-dir", str(tmp_path), "--poll", "0.1", "--json"]
        )
        out = capsys.readouterr().out
        assert code == 0, out
        assert {m["state"] for m in json.loads(out)["mailboxes"]} == {"tested ok"}
        assert {c.transport for c in odoo.calls if c.method == "test_smtp_connection"} == {"json2"}
        assert DEFAULT_ADMIN_API_KEY not in out


def test_nothing_to_connect_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeOdoo("15.0") as odoo:
        raw = _synced(odoo)
        for record in odoo.db().records("ir.mail_server"):
            odoo.db().connect_outlook("ir.mail_server", record["id"])
        for record in odoo.db().records("fetchmail.server"):
            odoo.db().connect_outlook("fetchmail.server", record["id"])
        browser = ConsentBrowser(odoo.url)
        register(monkeypatch, browser)
        code, out, _ = _run(tmp_path, raw, capsys, monkeypatch)
        assert code == 0
        assert "nothing to connect" in out
        assert browser.opened == []
        assert odoo.count(method="test_smtp_connection") == 0


def test_success_raised_as_user_error_counts_as_success() -> None:
    """Builds that show the SMTP test's success as a UserError (instead of the notification
    action the current source returns) still count as tested ok; another UserError does not."""
    from odoo_outlook.odoo.outlook_connect import run_connection_test
    from tests.fakes.odoo_server import UserError

    with FakeOdoo("16.0") as odoo:
        _synced(odoo)
        connection = spec(stack(odoo.url)).connection
        assert connection is not None
        client = connect(connection, PASSWORD)
        server = next(s for s in managed_servers(client) if s.model == "ir.mail_server")
        odoo.inject_failure(
            UserError("Connection Test Successful!"), method="test_smtp_connection", times=1
        )
        passed = run_connection_test(client, server)
        assert passed.ok and passed.message == "Connection Test Successful!"
        failed = run_connection_test(client, server)  # no token: Odoo's own refusal
        assert not failed.ok
        assert failed.message == "Please connect with your Outlook account before using it."


def test_cli_defaults_are_the_flows() -> None:
    # The command keeps its own copies so `--help` does not import the run.
    from odoo_outlook import connect_flow
    from odoo_outlook.commands import connect as command

    assert command.DEFAULT_TIMEOUT == connect_flow.DEFAULT_TIMEOUT
    assert command.DEFAULT_POLL == connect_flow.DEFAULT_POLL


@pytest.mark.parametrize("version", ["15.0", "17.0", "19.0"])
def test_managed_servers_from_a_read_state_are_those_odoo_lists(version: str) -> None:
    """The doctor takes the servers to test from the state it already read (`managed_in`):
    the same list, in the same order, as `managed_servers` reads from Odoo."""
    from odoo_outlook.odoo.capabilities import detect, read_modules
    from odoo_outlook.odoo.outlook_connect import managed_in
    from odoo_outlook.odoo.state import read_state

    with FakeOdoo(version) as odoo:
        raw = stack(
            odoo.url,
            mode="perUser",
            users=("zoe@example.com", "adam@example.com", "bob@example.com"),
            incoming=("inbox@example.com",),
        )
        sync_target(spec(raw), APP, PASSWORD)
        servers = {s["smtp_user"]: s["id"] for s in odoo.db().records("ir.mail_server")}
        odoo.db().connect_outlook("ir.mail_server", servers["bob@example.com"])
        odoo.db().tables["ir.mail_server"][servers["zoe@example.com"]]["active"] = False
        odoo.db().seed("ir.mail_server", {"name": "Not ours", "smtp_user": "x@example.com"})
        target = spec(raw)
        assert target.connection is not None
        client = connect(target.connection, PASSWORD)
        listed = managed_servers(client)
        assert managed_in(read_state(client, detect(client, read_modules(client)))) == listed
        assert [s.mailbox for s in listed] == [
            "adam@example.com",
            "bob@example.com",
            "notifications@example.com",
            "inbox@example.com",
        ]
        assert [s.connected for s in listed] == [False, True, False, False]
