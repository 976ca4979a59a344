"""`odoo-outlook rotate --now` records a forced rotation without losing the user's file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from odoo_outlook.cli import main
from odoo_outlook.config import load_stack_file
from odoo_outlook.stack_edit import set_nested_value

ROOT = Path(__file__).resolve().parent.parent


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
    edited = set_nested_value(text, "secret", "forcedAt", "2026-11-25T10:00:00Z")
    assert yaml.safe_load(edited)["config"]["odoo-outlook:secret"] == {
        "forcedAt": "2026-11-25T10:00:00Z"
    }
