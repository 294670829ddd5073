"""Fixtures of the attack tests (issue 18): the git_backend tests' repository with plans, and a check
after every test that no attack produced a crash report (an internal error) in the isolated home."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from git_backend.conftest import paths, plans_repo

__all__ = ["paths", "plans_repo"]


@pytest.fixture(autouse=True)
def no_crash_report(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("XDG_STATE_HOME", str(isolated_home / ".local" / "state"))  # where reports go
    yield
    reports = sorted(isolated_home.rglob("crash-*.txt"))
    assert reports == [], reports[0].read_text() if reports else ""
