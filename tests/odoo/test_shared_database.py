"""Sharing the Odoo database with others (issue 20): one target per database, 19.0 personal
servers, delegated senders, OCA server-environment managed servers, no destructive advice.

Against the fake Odoo over real HTTP, on the versions where each case exists."""

from __future__ import annotations

import configparser
import copy
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from odoo_outlook.cli import main
from odoo_outlook.config import SignInAudience, parse_config
from odoo_outlook.desired import AppRegistrationSpec
from odoo_outlook.doctor.model import SYNC, Check, Status
from odoo_outlook.doctor.odoo_checks import AppView, odoo_checks
from odoo_outlook.doctor.odoo_reads import read_target
from odoo_outlook.errors import ConfigErrors
from odoo_outlook.odoo.errors import OdooSetupError
from odoo_outlook.odoo.state import INCOMING, OUTGOING
from odoo_outlook.odoo.sync import SyncOptions, sync_target
from tests.fakes.odoo.exceptions import UserError
from tests.fakes.odoo.schema import SERVER_ENV_FIELDS
from tests.fakes.odoo_server import ADMIN_UID, DEMO_UID, FakeOdoo
from tests.odoo_sync_helpers import APP, PASSWORD, spec, stack, write_project
from tests.paths import ROOT

NOW = datetime(2026, 11, 29, tzinfo=UTC)
BASE = "http://localhost:8069"
# Words a fix must not use for a record the tool does not own.
DESTRUCTIVE = re.compile(r"\b(archiv\w*|delet\w*|unlink\w*|remove #)", re.IGNORECASE)


def _send_as(raw: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    raw["targets"][0]["mail"]["sendAs"] = mapping
    return raw


def _changes(report: Any) -> list[dict[str, str]]:
    return [c.as_dict() for c in report.changes]


# ------------------------------------------------------------------ one target per database
def _two_targets(url: str, database: str = "odoo") -> dict[str, Any]:
    raw = stack(url)
    second = copy.deepcopy(raw["targets"][0])
    second["name"] = "erp-b"
    second["connection"]["database"] = database
    second["mail"] = {"mode": "generic", "notifications": "notifications@b.example.com"}
    raw["targets"].append(second)
    return raw


def test_two_targets_on_one_database_are_refused_by_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = _two_targets("https://erp.example.com")
    with pytest.raises(ConfigErrors) as caught:
        parse_config(raw)
    text = str(caught.value)
    assert "'erp'" in text and "'erp-b'" in text and "fix:" in text
    write_project(tmp_path, raw)
    code = main(["plan", "--stack", "dev", "--project-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "'erp'" in err and "'erp-b'" in err and "one target per database" in err
    # A trailing slash or other letter case is the same database.
    raw["targets"][1]["connection"]["url"] = "https://ERP.example.com/"
    with pytest.raises(ConfigErrors):
        parse_config(raw)
    # Another database on the same server is fine.
    parse_config(_two_targets("https://erp.example.com", database="other"))


# ------------------------------------------------------------------ 19.0 personal servers
def _personal(odoo: FakeOdoo, address: str, owner: int = DEMO_UID) -> int:
    """A user's own Outlook server as Odoo 19.0 creates it (owner_user_id set, connected)."""
    db = odoo.db()
    rid = db.seed(
        "ir.mail_server",
        {
            "name": f"{address} (personal)",
            "smtp_authentication": "outlook",
            "smtp_host": "smtp-mail.outlook.com",
            "smtp_port": 587,
            "smtp_encryption": "starttls",
            "smtp_user": address,
            "from_filter": address,
            "owner_user_id": owner,
        },
        check=True,
    )
    db.connect_outlook("ir.mail_server", rid)
    return int(rid)


def test_personal_server_is_read_noted_and_never_touched() -> None:
    with FakeOdoo("19.0") as odoo:
        address = "marc@example.com"
        personal = _personal(odoo, address)
        before = odoo.db().record("ir.mail_server", personal)
        raw = stack(odoo.url, mode="perUser", users=(address,))
        dry = sync_target(spec(raw), APP, PASSWORD, SyncOptions(dry_run=True))
        real = sync_target(spec(raw), APP, PASSWORD)
        assert dry.ok and real.ok, real.conflicts
        # The dry run predicts exactly what the real run does.
        assert _changes(dry) == _changes(real)
        assert any(f"#{personal}" in n and "owner_user_id" in n for n in real.notes)
        assert odoo.db().record("ir.mail_server", personal) == before
        ours = [s for s in odoo.db().records("ir.mail_server") if s["id"] != personal]
        assert [s["from_filter"] for s in ours if s["from_filter"] == address] == [address]
        # Dropping the mailbox from the stack never archives the user's server.
        sync_target(
            spec(stack(odoo.url, mode="perUser", users=("other@example.com",))), APP, PASSWORD
        )
        assert odoo.db().record("ir.mail_server", personal) == before


@pytest.mark.parametrize("mode", ["generic", "perUser"])
def test_personal_server_on_the_default_from_is_named_by_the_dry_run(mode: str) -> None:
    """19.0 refuses an alias domain whose default From a personal server takes: the plan says
    so (dry run and real run alike), naming the server, instead of Odoo stopping the run."""
    with FakeOdoo("19.0") as odoo:
        personal = _personal(odoo, "notifications@example.com")
        before = odoo.db().record("ir.mail_server", personal)
        raw = stack(odoo.url, mode=mode, users=("marc@example.com",) if mode == "perUser" else ())
        dry = sync_target(spec(raw), APP, PASSWORD, SyncOptions(dry_run=True))
        real = sync_target(spec(raw), APP, PASSWORD)
        assert _changes(dry) == _changes(real)
        assert dry.conflicts == real.conflicts
        [conflict] = real.conflicts
        assert f"#{personal}" in conflict and "owner_user_id" in conflict
        assert not DESTRUCTIVE.search(conflict.rpartition("(fix: ")[2])
        assert odoo.db().records("mail.alias.domain") == []
        assert odoo.db().record("ir.mail_server", personal) == before
        # The doctor names the personal server instead of sending the admin back to sync.
        target = spec(raw)
        facts = read_target(target, PASSWORD, NOW)
        assert facts.state is not None and facts.caps is not None
        [catchall] = [c for c in _doctor(facts, target) if c.name == "catch-all domain"]
        assert catchall.status is Status.FAIL and f"#{personal}" in catchall.detail
        assert catchall.fix != SYNC and not DESTRUCTIVE.search(catchall.fix or "")
        # The fake enforces the rule like Odoo does.
        with pytest.raises(UserError, match="personal mail server is using that address"):
            odoo.db().seed(
                "mail.alias.domain",
                {"name": "example.com", "default_from": "notifications"},
                check=True,
            )


def test_a_managed_server_a_user_took_over_is_not_archived() -> None:
    with FakeOdoo("19.0") as odoo:
        raw = stack(odoo.url, mode="perUser", users=("marc@example.com",))
        sync_target(spec(raw), APP, PASSWORD)
        [mine] = [
            s for s in odoo.db().records("ir.mail_server") if s["from_filter"] == "marc@example.com"
        ]
        odoo.db().tables["ir.mail_server"][mine["id"]]["owner_user_id"] = ADMIN_UID
        report = sync_target(
            spec(stack(odoo.url, mode="perUser", users=("bob@example.com",))), APP, PASSWORD
        )
        assert not [
            c
            for c in _changes(report)
            if c["action"] == "archive" and f"#{mine['id']}" in c["what"]
        ]
        assert odoo.db().record("ir.mail_server", mine["id"])["active"] is True


def _doctor(
    facts: Any, target: Any, audience: SignInAudience = SignInAudience.MULTIPLE_ORGS
) -> list[Check]:
    """Every doctor check of the target, for an app of `audience` whose Graph was not read."""
    app = AppRegistrationSpec("Odoo", audience, (), None, (), True, False, (), (), (), None)
    return odoo_checks(target, facts, AppView("id", app, None), now=NOW, warn_days=30)


def _server_checks(facts: Any, target: Any, model: str, server: Any) -> list[Check]:
    """The doctor's checks of one server (its values, then its token line)."""
    kind = "outgoing" if model == OUTGOING else "incoming"
    names = (f"{kind} server {server.mailbox}", f"token {kind} {server.mailbox}")
    return [c for c in _doctor(facts, target) if c.name in names]


def test_doctor_does_not_call_a_personal_server_a_rival() -> None:
    with FakeOdoo("19.0") as odoo:
        _personal(odoo, "notifications@example.com")
        target = spec(stack(odoo.url))
        facts = read_target(target, PASSWORD, NOW)
        assert facts.state is not None and facts.caps is not None
        [check] = _server_checks(facts, target, OUTGOING, target.outgoing[0])
        assert check.status is Status.FAIL and check.fix == SYNC


# ------------------------------------------------------------------ delegated senders
DELEGATED = {"notifications@example.com": "delegate@example.com"}


@pytest.mark.parametrize("version", ["16.0", "18.0", "19.0"])
def test_delegated_sender_signs_in_as_the_delegate(version: str) -> None:
    with FakeOdoo(version) as odoo:
        raw = _send_as(stack(odoo.url), DELEGATED)
        report = sync_target(spec(raw), APP, PASSWORD)
        assert report.ok
        [server] = odoo.db().records("ir.mail_server")
        assert (server["smtp_user"], server["from_filter"]) == (
            "delegate@example.com",
            "notifications@example.com",
        )
        [todo] = report.to_connect
        assert todo.mailbox == "notifications@example.com"
        assert "sign in as delegate@example.com" in todo.needs
        # The next sync does not "repair" the Username to the shared address.
        odoo.reset_calls()
        again = sync_target(spec(raw), APP, PASSWORD)
        assert again.changes == [] and odoo.write_calls() == []
        # The doctor accepts the working setup and names the account to sign in with.
        target = spec(raw)
        facts = read_target(target, PASSWORD, NOW)
        assert facts.state is not None and facts.caps is not None
        server_check, token = _server_checks(facts, target, OUTGOING, target.outgoing[0])
        assert server_check.status is Status.OK, server_check.detail
        assert "sign in as delegate@example.com" in token.fix


def test_delegated_sender_is_refused_before_any_write_on_17() -> None:
    with FakeOdoo("17.0", modules={"microsoft_outlook": "installed"}) as odoo:
        raw = _send_as(stack(odoo.url), DELEGATED)
        with pytest.raises(OdooSetupError, match=r"17\.0 requires .*From filter.*Username"):
            sync_target(spec(raw), APP, PASSWORD)
        assert odoo.write_calls() == []


@pytest.mark.parametrize(
    "version,refused", [("16.0", False), ("17.0", True), ("18.0", False), ("19.0", False)]
)
def test_fake_applies_each_versions_from_filter_rule(version: str, refused: bool) -> None:
    with FakeOdoo(version, modules={"microsoft_outlook": "installed"}) as odoo:
        values = {
            "name": "shared",
            "smtp_authentication": "outlook",
            "smtp_encryption": "starttls",
            "smtp_user": "delegate@example.com",
            "from_filter": "shared@example.com",
        }
        if refused:
            with pytest.raises(UserError, match="From Filter"):
                odoo.db().seed("ir.mail_server", values, check=True)
        else:
            assert odoo.db().seed("ir.mail_server", values, check=True)


def test_plan_names_the_delegate_and_the_versions_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_project(tmp_path, _send_as(stack("https://erp.example.com"), DELEGATED))
    assert main(["plan", "--stack", "dev", "--project-dir", str(tmp_path), "--json"]) == 0
    [target] = json.loads(capsys.readouterr().out)["targets"]
    [server] = target["outgoingServers"]
    assert server["smtpUser"] == "delegate@example.com"
    assert server["fromFilter"] == "notifications@example.com"
    assert target["delegatedSenders"]["odooSupport"]["17.0"].startswith("refused")
    assert any("signed in as delegate@example.com" in s for s in target["connectStep"])


def test_send_as_key_must_be_an_outgoing_mailbox() -> None:
    raw = _send_as(stack("https://erp.example.com"), {"shared@example.com": "d@example.com"})
    with pytest.raises(ConfigErrors, match=r"mail\.sendAs: .*not an outgoing mailbox"):
        parse_config(raw)


# ------------------------------------------------------------------ OCA server environment
ENV_MODULES = {"server_environment": "installed", "mail_environment": "installed"}


def _sections(notes: list[str]) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(
        "\n".join(n.split("configuration:\n", 1)[1] for n in notes if "server environment" in n)
    )
    return parser


def _install_sections(odoo: FakeOdoo, parser: configparser.ConfigParser) -> None:
    db = odoo.db()
    for section in parser.sections():
        db.server_env[section] = dict(parser[section])


def _written_fields(odoo: FakeOdoo, model: str) -> set[str]:
    out: set[str] = set()
    for call in odoo.write_calls():
        if call.model != model or call.method not in ("create", "write"):
            continue
        args = call.args[0]  # execute_kw's positional arguments: [vals_list] / [ids, vals]
        payload = args[0] if call.method == "create" else args[1]
        for values in payload if isinstance(payload, list) else [payload]:
            out |= set(values)
    return out


@pytest.mark.parametrize("version", ["15.0", "16.0", "17.0", "18.0", "19.0"])
def test_environment_managed_servers(version: str) -> None:
    incoming = ("inbox@example.com",) if version != "15.0" else ()
    with FakeOdoo(version, modules=ENV_MODULES) as odoo:
        odoo.db().server_env["outgoing_mail"] = {"smtp_host": "mail.corp.example"}
        raw = stack(odoo.url, incoming=incoming)
        # The dry run prints the section each server needs, named as mail_environment wants.
        dry = sync_target(spec(raw), APP, PASSWORD, SyncOptions(dry_run=True))
        parser = _sections(dry.notes)
        names = parser.sections()
        assert len(names) == 1 + len(incoming)
        assert all(" " not in n for n in names)
        out_section = next(n for n in names if n.startswith("outgoing_mail."))
        assert parser[out_section]["smtp_host"] == "smtp.outlook.com"
        assert parser[out_section]["smtp_user"] == "notifications@example.com"
        _install_sections(odoo, parser)
        report = sync_target(spec(raw), APP, PASSWORD)
        assert report.ok, report.conflicts
        for model in (OUTGOING, INCOMING):
            assert not _written_fields(odoo, model) & set(SERVER_ENV_FIELDS[model])
        [server] = odoo.db().records("ir.mail_server")
        assert f"outgoing_mail.{server['name']}" == out_section
        [effective] = odoo.db().read(
            "ir.mail_server", [server["id"]], ["smtp_host", "smtp_encryption", "smtp_user"]
        )
        assert (effective["smtp_host"], effective["smtp_encryption"], effective["smtp_user"]) == (
            "smtp.outlook.com",
            "starttls",
            "notifications@example.com",
        )
        odoo.reset_calls()
        assert sync_target(spec(raw), APP, PASSWORD).changes == []
        assert odoo.write_calls() == []
        target = spec(raw)
        facts = read_target(target, PASSWORD, NOW)
        assert facts.state is not None and facts.caps is not None
        check = _server_checks(facts, target, OUTGOING, target.outgoing[0])[0]
        assert check.status is Status.OK, check.detail


@pytest.mark.parametrize("version", ["16.0", "19.0"])
def test_doctor_points_to_the_environment_not_to_sync(version: str) -> None:
    with FakeOdoo(version, modules=ENV_MODULES) as odoo:
        odoo.db().server_env["outgoing_mail"] = {
            "smtp_host": "mail.corp.example",
            "smtp_encryption": "ssl",
        }
        raw = stack(odoo.url)
        assert sync_target(spec(raw), APP, PASSWORD).ok
        target = spec(raw)
        facts = read_target(target, PASSWORD, NOW)
        assert facts.state is not None and facts.caps is not None
        check = _server_checks(facts, target, OUTGOING, target.outgoing[0])[0]
        assert check.status is Status.FAIL
        assert "server environment configuration" in check.fix and SYNC not in check.fix


# ------------------------------------------------------------------ no destructive advice
def _rival(odoo: FakeOdoo, model: str, address: str) -> int:
    if model == OUTGOING:
        values = {
            "name": "Someone's server",
            "smtp_host": "smtp.example.com",
            "smtp_user": address,
            "from_filter": address,
        }
    else:
        values = {
            "name": "Someone's inbox",
            "server": "imap.example.com",
            "user": address,
            "server_type": "imap",
        }
    return int(odoo.db().seed(model, values))


def _sync_and_doctor(raw: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The conflicts one sync prints, and every fix the doctor prints afterwards."""
    report = sync_target(spec(raw), APP, PASSWORD)
    target = spec(raw)
    facts = read_target(target, PASSWORD, NOW)
    assert facts.state is not None and facts.caps is not None
    return report.conflicts, [c.fix for c in _doctor(facts, target) if c.fix]


def _conflict_kinds(version: str) -> dict[str, tuple[list[str], list[str]]]:
    """Per conflict kind: (messages the sync prints, fixes the doctor prints)."""
    out: dict[str, tuple[list[str], list[str]]] = {}
    for model in (OUTGOING, INCOMING):
        with FakeOdoo(version) as odoo:
            raw = stack(odoo.url, incoming=("inbox@example.com",))
            address = "notifications@example.com" if model == OUTGOING else "inbox@example.com"
            _rival(odoo, model, address)
            out[f"rival {model}"] = _sync_and_doctor(raw)
    if version >= "17.0":
        with FakeOdoo(version, modules={"microsoft_outlook": "installed"}) as odoo:
            odoo.db().seed("mail.alias.domain", {"name": "example.com", "default_from": "info"})
            out["alias domain"] = _sync_and_doctor(stack(odoo.url))
    else:
        with FakeOdoo(version) as odoo:
            _company_b(odoo)
            out["one global domain"] = _sync_and_doctor(_with_company(stack(odoo.url), "B Corp"))
    with FakeOdoo(version) as odoo:
        out["unknown company"] = _sync_and_doctor(_with_company(stack(odoo.url), "Nobody"))
    if version >= "19.0":
        with FakeOdoo(version) as odoo:
            _personal(odoo, "notifications@example.com")
            out["personal default From"] = _sync_and_doctor(stack(odoo.url))
    with FakeOdoo(version) as odoo:
        odoo.db().set_param(
            "microsoft_outlook.endpoint",
            "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/oauth2/v2.0/",
        )
        out["foreign authority"] = _sync_and_doctor(stack(odoo.url))
    return out


@pytest.mark.parametrize("version", ["15.0", "17.0", "19.0"])
def test_no_fix_text_archives_or_deletes_what_the_tool_does_not_own(version: str) -> None:
    kinds = _conflict_kinds(version)
    # Every kind of Conflict the diff can raise is enumerated here.
    package = ROOT / "odoo_outlook/odoo"
    raised = sum(
        len(re.findall(r"\bConflict\(", (package / name).read_text()))
        for name in ("changes.py", "companies.py")
    )
    # rival server (outgoing and incoming share one site), alias domain (17.0+), unknown
    # company, one global domain (15.0/16.0), personal default From (19.0), an authority
    # parameter set by someone else: a new site must be enumerated above.
    assert raised == 6
    assert len(kinds) == {"15.0": 5, "17.0": 5, "19.0": 6}[version]
    for kind, (messages, fixes) in kinds.items():
        assert messages, f"{kind}: no conflict reported"
        for text in [*messages, *fixes]:
            fix = text.rpartition("(fix: ")[2] if "(fix: " in text else text
            assert not DESTRUCTIVE.search(fix), f"{kind}: {fix}"
            assert fix.strip(), kind


# ------------------------------------------------------------------ several companies
def _with_company(raw: dict[str, Any], company: int | str, **mail: Any) -> dict[str, Any]:
    entry = {"mode": "generic", "notifications": "notifications@b.example.com", **mail}
    raw["targets"][0].setdefault("companies", []).append({"company": company, "mail": entry})
    return raw


def _company_b(odoo: FakeOdoo) -> int:
    return int(odoo.db().seed("res.company", {"name": "B Corp"}))


def _xmlid_map(odoo: FakeOdoo) -> dict[str, tuple[str, int]]:
    rows = odoo.db().records("ir.model.data", [("module", "=", "odoo_outlook")])
    return {r["name"]: (r["model"], r["res_id"]) for r in rows}


@pytest.mark.parametrize("version", ["17.0", "18.0", "19.0"])
def test_companies_each_link_their_own_alias_domain(version: str) -> None:
    with FakeOdoo(version) as odoo:
        b = _company_b(odoo)
        single = stack(odoo.url)
        sync_target(spec(single), APP, PASSWORD)
        [main_server] = odoo.db().records("ir.mail_server")
        odoo.db().connect_outlook("ir.mail_server", main_server["id"])
        before = _xmlid_map(odoo)
        # Migration: the same target now declares company B too.
        raw = _with_company(copy.deepcopy(single), "B Corp", incoming=["inbox@b.example.com"])
        dry = sync_target(spec(raw), APP, PASSWORD, SyncOptions(dry_run=True))
        report = sync_target(spec(raw), APP, PASSWORD)
        assert report.ok, report.conflicts
        assert _changes(dry) == _changes(report)
        after = _xmlid_map(odoo)
        assert {k: v for k, v in after.items() if k in before} == before
        kept = odoo.db().record("ir.mail_server", main_server["id"])
        assert kept["active"] and kept["microsoft_outlook_refresh_token"]
        domains = {d["id"]: d["name"] for d in odoo.db().records("mail.alias.domain")}
        companies = {
            c["id"]: domains.get(c["alias_domain_id"]) for c in odoo.db().records("res.company")
        }
        assert companies == {1: "example.com", b: "b.example.com"}
        filters = sorted(s["from_filter"] for s in odoo.db().records("ir.mail_server"))
        assert filters == ["notifications@b.example.com", "notifications@example.com"]
        [inbox] = odoo.db().records("fetchmail.server")
        assert inbox["user"] == "inbox@b.example.com"
        odoo.reset_calls()
        assert sync_target(spec(raw), APP, PASSWORD).changes == []
        assert odoo.write_calls() == []
        # Company B's list changes: only the server B no longer declares is archived.
        changed = _with_company(copy.deepcopy(single), b)
        report = sync_target(spec(changed), APP, PASSWORD)
        archived = [c for c in _changes(report) if c["action"] == "archive"]
        assert [c["model"] for c in archived] == ["fetchmail.server"]
        assert odoo.db().record("ir.mail_server", main_server["id"])["active"] is True


@pytest.mark.parametrize("version", ["15.0", "16.0"])
def test_companies_before_17_share_one_catchall_domain(version: str) -> None:
    with FakeOdoo(version) as odoo:
        _company_b(odoo)
        same = _with_company(stack(odoo.url), "B Corp", notifications="notifications+b@example.com")
        assert sync_target(spec(same), APP, PASSWORD).ok
        other = _with_company(stack(odoo.url), "B Corp")
        report = sync_target(spec(other), APP, PASSWORD)
        [conflict] = report.conflicts
        assert "one catch-all domain" in conflict and "B Corp" in conflict
        assert odoo.db().get_param("mail.catchall.domain") == "example.com"


def test_an_unknown_company_is_reported_not_guessed() -> None:
    with FakeOdoo("17.0") as odoo:
        report = sync_target(spec(_with_company(stack(odoo.url), "Nobody Ltd")), APP, PASSWORD)
        [conflict] = report.conflicts
        assert "'Nobody Ltd'" in conflict and "Settings > Companies" in conflict
        assert [s["from_filter"] for s in odoo.db().records("ir.mail_server")] == [
            "notifications@example.com"
        ]


def test_a_mailbox_in_two_companies_is_refused() -> None:
    raw = _with_company(
        stack("https://erp.example.com"), "B Corp", notifications="notifications@example.com"
    )
    with pytest.raises(ConfigErrors, match="declared by mail and by company 'B Corp'"):
        parse_config(raw)


def test_plan_shows_each_company_and_what_15_and_16_support(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_project(
        tmp_path,
        _with_company(stack("https://erp.example.com"), "B Corp", incoming=["inbox@b.example.com"]),
    )
    assert main(["plan", "--stack", "dev", "--project-dir", str(tmp_path), "--json"]) == 0
    [target] = json.loads(capsys.readouterr().out)["targets"]
    [company] = target["companies"]
    assert company["company"] == "B Corp"
    assert company["outgoingServers"][0]["fromFilter"] == "notifications@b.example.com"
    assert "b.example.com" in company["aliasDomain"]["odoo17plus"]
    assert company["aliasDomain"]["odoo15and16"].startswith("refused")
    assert main(["plan", "--stack", "dev", "--project-dir", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "company 'B Corp'" in text and "inbox@b.example.com" in text
    assert "[outgoing_mail.Outlook_notifications@b.example.com]" in text
    assert "[incoming_mail.Outlook_inbox@b.example.com]" in text


def test_doctor_does_not_count_a_personal_server_for_the_default_from() -> None:
    from odoo_outlook.doctor.default_from import check_default_from

    with FakeOdoo("19.0") as odoo:
        raw = stack(odoo.url)
        sync_target(spec(raw), APP, PASSWORD)
        target = spec(raw)
        facts = read_target(target, PASSWORD, NOW)
        assert facts.state is not None and facts.caps is not None
        assert check_default_from(facts.state, facts.caps, "erp").status is Status.OK
        # Only a personal server left with the default From: Odoo would not use it for that.
        [ours] = odoo.db().records("ir.mail_server")
        odoo.db().tables["ir.mail_server"][ours["id"]]["active"] = False
        _personal(odoo, "notifications@example.com")
        facts = read_target(target, PASSWORD, NOW)
        assert facts.state is not None and facts.caps is not None
        check = check_default_from(facts.state, facts.caps, "erp")
        assert check.status is Status.FAIL and check.fix == SYNC


@pytest.mark.parametrize(
    "version,domain_status", [("16.0", Status.FAIL), ("17.0", Status.OK), ("19.0", Status.OK)]
)
def test_doctor_checks_each_company(version: str, domain_status: Status) -> None:
    """17.0+: each company's alias domain and default From; 15.0/16.0: a second domain is the
    sync's conflict (one catch-all domain per database), read as a failed check."""
    with FakeOdoo(version) as odoo:
        _company_b(odoo)
        raw = _with_company(
            _with_company(stack(odoo.url), "B Corp"), "Nobody", notifications="n@c.example.com"
        )
        sync_target(spec(raw), APP, PASSWORD)
        target = spec(raw)
        facts = read_target(target, PASSWORD, NOW)
        assert facts.state is not None and facts.caps is not None
        checks = [c for c in _doctor(facts, target) if "company" in c.name or "(" in c.name]
        unknown = [c for c in checks if c.name == "company Nobody"]
        assert [c.status for c in unknown] == [Status.FAIL]
        b_checks = [c for c in checks if "B Corp" in c.name]
        assert {c.status for c in b_checks} == {domain_status}, [c.detail for c in b_checks]
        for check in checks:
            assert not DESTRUCTIVE.search(check.fix or "")
        if version >= "17.0":  # B's alias domain drifts: the doctor names B and the sync fixes it
            [b] = [c for c in odoo.db().records("res.company") if c["name"] == "B Corp"]
            odoo.db().tables["mail.alias.domain"][b["alias_domain_id"]]["default_from"] = "x"
            facts = read_target(target, PASSWORD, NOW)
            assert facts.state is not None and facts.caps is not None
            drifted = [
                c for c in _doctor(facts, target) if "B Corp" in c.name and c.status is Status.FAIL
            ]
            assert drifted and drifted[0].fix == SYNC


def test_resource_inputs_round_trip_and_stay_unchanged_for_single_company_stacks() -> None:
    from odoo_outlook.odoo.spec_io import spec_from_data, spec_to_data

    plain = spec(stack("https://erp.example.com"))
    data = spec_to_data(plain)
    assert "companies" not in data and "login" not in data["outgoing"][0]
    assert spec_from_data(data) == plain
    shared = spec(
        _with_company(
            _send_as(stack("https://erp.example.com"), DELEGATED),
            "B Corp",
            sendAs={"notifications@b.example.com": "delegate@b.example.com"},
        )
    )
    assert spec_from_data(json.loads(json.dumps(spec_to_data(shared)))) == shared


def test_doctor_never_asks_to_delete_an_authority_parameter_it_did_not_set() -> None:
    from odoo_outlook.odoo.state import ENDPOINT_PARAMS

    with FakeOdoo("18.0") as odoo:
        raw = stack(odoo.url)
        sync_target(spec(raw), APP, PASSWORD)
        tenant = (
            "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/oauth2/v2.0/"
        )
        odoo.db().set_param(ENDPOINT_PARAMS[0], tenant)  # set by someone else
        target = spec(raw)
        facts = read_target(target, PASSWORD, NOW)
        assert facts.state is not None and facts.caps is not None
        [check] = [c for c in _doctor(facts, target) if c.name == "authority"]
        assert check.status is Status.FAIL
        assert not DESTRUCTIVE.search(check.fix or "") and "/common/" in (check.fix or "")


def test_companies_personal_servers_and_delegates_over_json2() -> None:
    from tests.fakes.odoo_server import DEFAULT_ADMIN_API_KEY

    with FakeOdoo("19.0") as odoo:
        b = _company_b(odoo)
        personal = _personal(odoo, "marc@b.example.com")
        before = odoo.db().record("ir.mail_server", personal)
        raw = _with_company(_send_as(stack(odoo.url, transport="json2"), DELEGATED), "B Corp")
        report = sync_target(spec(raw), APP, DEFAULT_ADMIN_API_KEY)
        assert report.ok, report.conflicts
        assert odoo.count(transport="xmlrpc") == 0
        assert odoo.db().record("ir.mail_server", personal) == before
        domains = {d["id"]: d["name"] for d in odoo.db().records("mail.alias.domain")}
        assert domains[odoo.db().record("res.company", b)["alias_domain_id"]] == "b.example.com"
        users = {
            s["from_filter"]: s["smtp_user"]
            for s in odoo.db().records("ir.mail_server")
            if s["id"] != personal
        }
        assert users == {
            "notifications@example.com": "delegate@example.com",
            "notifications@b.example.com": "notifications@b.example.com",
        }


def test_companies_on_one_domain_share_its_alias_domain_and_converge() -> None:
    with FakeOdoo("17.0") as odoo:
        b = _company_b(odoo)
        raw = _with_company(stack(odoo.url), "B Corp", notifications="b-team@example.com")
        report = sync_target(spec(raw), APP, PASSWORD)
        assert report.ok and any("shares the alias domain example.com" in n for n in report.notes)
        [domain] = odoo.db().records("mail.alias.domain")
        assert odoo.db().record("res.company", b)["alias_domain_id"] == domain["id"]
        odoo.reset_calls()
        assert sync_target(spec(raw), APP, PASSWORD).changes == []
        assert odoo.write_calls() == []


def test_companies_cost_one_read_whatever_their_number() -> None:
    with FakeOdoo("18.0") as odoo:
        plain = stack(odoo.url)
        sync_target(spec(plain), APP, PASSWORD)
        base = sync_target(spec(plain), APP, PASSWORD).calls
        raw = copy.deepcopy(plain)
        for i in range(3):
            odoo.db().seed("res.company", {"name": f"Company {i}"})
            _with_company(
                raw,
                f"Company {i}",
                notifications=f"n@c{i}.example.com",
                incoming=[f"in@c{i}.example.com"],
            )
        sync_target(spec(raw), APP, PASSWORD)
        again = sync_target(spec(raw), APP, PASSWORD)
        assert again.changes == [] and again.calls == base + 1
