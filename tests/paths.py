"""Paths the tests share: the repository root (tests sit one or two folders below it)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
