"""`odoo-outlook rotate --now` records a forced rotation without losing the user's file."""

from __future__ import annotations

import json
import os
import shutil
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from odoo_outlook.cli import main
from odoo_outlook.config import load_stack_file
from odoo_outlook.rotation import schedule
from odoo_outlook.stack_edit import set_nested_values
from tests.paths import ROOT


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(ROOT / "Pulumi.dev.yaml", tmp_path / "Pulumi.dev.yaml")
    # No Pulumi CLI on PATH: the command edits the stack file itself.
    monkeypatch.setenv("PATH", "/nonexistent")
    return tmp_path


def test_rotate_now_sets_forced_at_and_keeps_comments(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (project / "Pulumi.dev.yaml").read_text()
    assert main(["rotate", "--now", "--stack", "dev", "--project-dir", str(project)]) == 0
    after = (project / "Pulumi.dev.yaml").read_text()
    out = capsys.readouterr().out
    config = load_stack_file(project / "Pulumi.dev.yaml")
    assert config.secret.forced_at is not None
    assert "# Example stack" in after
    assert len(after.splitlines()) == len(before.splitlines()) + 2  # forcedAt, forcedSlot
    assert config.secret.forced_slot in ("a", "b")
    assert "re-creates client secret slot" in out
    assert "Run: pulumi up --stack dev" in out
    # A second forced rotation replaces the value instead of adding another line.
    assert main(["rotate", "--now", "--stack", "dev", "--project-dir", str(project)]) == 0
    assert len((project / "Pulumi.dev.yaml").read_text().splitlines()) == len(after.splitlines())


def test_rotate_needs_now(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (project / "Pulumi.dev.yaml").read_text()
    assert main(["rotate", "--stack", "dev", "--project-dir", str(project)]) == 2
    assert "--now" in capsys.readouterr().err
    assert (project / "Pulumi.dev.yaml").read_text() == before


def test_rotate_up_without_pulumi_cli_fails_and_writes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (project / "Pulumi.dev.yaml").read_text()
    assert main(["rotate", "--now", "--up", "--stack", "dev", "--project-dir", str(project)]) == 2
    assert "needs the Pulumi CLI" in capsys.readouterr().err
    assert (project / "Pulumi.dev.yaml").read_text() == before


def test_rotate_refuses_an_invalid_stack(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "Pulumi.dev.yaml"
    path.write_text(path.read_text().replace("rotationDays: 90", "rotationDays: 900"))
    before = path.read_text()
    assert main(["rotate", "--now", "--stack", "dev", "--project-dir", str(project)]) == 2
    assert "odoo-outlook:secret.rotationDays" in capsys.readouterr().err
    assert path.read_text() == before


def test_line_edit_adds_a_missing_section() -> None:
    text = "config:\n  odoo-outlook:targets: []\n"
    edited = set_nested_values(text, "secret", {"forcedAt": "2026-11-25T10:00:00Z"})
    assert yaml.safe_load(edited)["config"]["odoo-outlook:secret"] == {
        "forcedAt": "2026-11-25T10:00:00Z"
    }


def test_rotate_records_the_slot_odoo_holds_from_the_last_up(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = load_stack_file(project / "Pulumi.dev.yaml")
    now = datetime.now(UTC)
    newest = schedule(before.secret, now).current.slot
    # The last up ran before the boundary that made `newest` the newest: Odoo still holds the
    # other slot, and that is the one that may have leaked.
    boundary = schedule(before.secret, now).current.epoch_start
    outputs = project / "outputs.json"
    outputs.write_text(json.dumps({"nextRotationAt": f"{boundary:%Y-%m-%dT%H:%M:%SZ}"}))
    assert (
        main(
            [
                "rotate",
                "--now",
                "--stack",
                "dev",
                "--project-dir",
                str(project),
                "--outputs",
                str(outputs),
                "--display-name",
                "Odoo Mail",
            ]
        )
        == 0
    )
    after = load_stack_file(project / "Pulumi.dev.yaml")
    assert after.secret.forced_slot == ("b" if newest == "a" else "a")
    assert after.secret.display_name == "Odoo Mail"
    assert "No stack outputs" not in capsys.readouterr().out
    # Without outputs: the schedule's newest slot, and the assumption is said.
    assert main(["rotate", "--now", "--stack", "dev", "--project-dir", str(project)]) == 0
    assert load_stack_file(project / "Pulumi.dev.yaml").secret.forced_slot == newest
    assert "No stack outputs" in capsys.readouterr().out


def test_rotate_refuses_a_bad_display_name_and_writes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (project / "Pulumi.dev.yaml").read_text()
    assert (
        main(
            [
                "rotate",
                "--now",
                "--stack",
                "dev",
                "--project-dir",
                str(project),
                "--display-name",
                "x" * 81,
            ]
        )
        == 2
    )
    assert "--display-name" in capsys.readouterr().err
    assert (project / "Pulumi.dev.yaml").read_text() == before


@pytest.mark.usefixtures("capsys")
def test_rotate_keeps_the_files_mode_owner_and_group(project: Path) -> None:
    path = project / "Pulumi.dev.yaml"
    path.chmod(0o640)
    if os.geteuid() == 0:  # only root may give a file away; elsewhere the owner is ours anyway
        os.chown(path, 4321, 4322)
    before = path.stat()
    assert main(["rotate", "--now", "--stack", "dev", "--project-dir", str(project)]) == 0
    after = path.stat()
    assert stat.S_IMODE(after.st_mode) == 0o640
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)
    assert load_stack_file(path).secret.forced_at is not None
    assert list(project.glob(".Pulumi.dev.yaml.*")) == []  # no temporary file left


def test_rotate_names_the_pulumi_command_it_stands_for(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rotate", "--now", "--stack", "dev", "--project-dir", str(project)]) == 0
    out = capsys.readouterr().out
    said = " ".join(out.split())
    assert (
        "edited Pulumi.dev.yaml with ruamel.yaml, as `pulumi config set --stack dev --path"
        " secret.forcedSlot " in said
    )
    assert " && pulumi config set --stack dev --path secret.forcedAt " in said


def test_rotate_on_a_file_it_cannot_edit_safely_prints_the_command_and_writes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project / "Pulumi.dev.yaml"
    # A YAML alias shares odoo-outlook:secret with another key: setting forcedAt there would
    # change that key too, so the edit is refused.
    text = path.read_text().replace("  odoo-outlook:secret:\n", "  odoo-outlook:secret: &s\n")
    path.write_text(text + "  other:copy: *s\n")
    before = path.read_text()
    assert main(["rotate", "--now", "--stack", "dev", "--project-dir", str(project)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "would change other settings; nothing written" in err
    assert "pulumi config set --stack dev --path secret.forcedAt" in err
    assert path.read_text() == before


def test_round_trip_edit_keeps_layout_and_comments() -> None:
    text = (
        "config:\n"
        "  # the app\n"
        "  odoo-outlook:secret:\n"
        "    rotationDays: 90  # quarterly\n"
        "  odoo-outlook:targets:\n"
        "  - name: erp\n"
        "    baseUrls: ['https://erp.example.com']\n"
    )
    edited = set_nested_values(text, "secret", {"forcedAt": "2026-11-25T10:00:00Z"})
    assert edited == text.replace(
        "    rotationDays: 90  # quarterly\n",
        "    rotationDays: 90  # quarterly\n    forcedAt: '2026-11-25T10:00:00Z'\n",
    )
