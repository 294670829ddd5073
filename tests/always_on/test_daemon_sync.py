"""The daemon offers the status marker when a commit ticks a phase's last box (issue 20): the real daemon
as a subprocess, a sync proposal alone, the marker in the same proposal as an expansion, and the
setting ``sync_status = false``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from daemon_process import running_daemon, wait_for

PLAN = "specs/plans/001_feature.md"
BRANCH = "plansmith/001_feature"
TEXT = """# Feature

## Implementation Phases

### Phase 1: Setup [IN PROGRESS]
- [x] scaffold
- [ ] configure

### Phase 2: Build [NOT STARTED]
**Dependencies**: Phase 1
- [ ] build
"""
GROWTH = "".join(f"- [ ] step {n} in `src/m{n}.py` (migration, security, tests)\n" for n in range(16))


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def plansmith(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "plansmith", *args], cwd=repo, capture_output=True, text=True
    )


def has_branch(repo: Path) -> bool:
    return BRANCH in git(repo, "branch", "--list")


def changed_lines(repo: Path) -> list[str]:
    text = git(repo, "diff", "--unified=0", "main", BRANCH)
    return [line for line in text.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]


@pytest.fixture
def repo(make_repo) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    yield make_repo({PLAN: TEXT})


def tick_the_last_box(repo: Path, extra: str = "") -> None:
    (repo / PLAN).write_text(TEXT.replace("- [ ] configure", "- [x] configure") + extra)
    git(repo, "commit", "-qam", "phase 1 done")


def test_ticking_the_last_box_makes_a_sync_proposal(repo: Path) -> None:
    with running_daemon(repo):
        assert not has_branch(repo)  # the markers tell the truth: nothing to offer yet
        tick_the_last_box(repo)
        assert wait_for(lambda: has_branch(repo)), "no sync proposal after the last box was ticked"
    assert changed_lines(repo) == ["-### Phase 1: Setup [IN PROGRESS]", "+### Phase 1: Setup [COMPLETE]"]
    assert "Plansmith-Operation: sync" in git(repo, "log", "-1", "--format=%B", BRANCH)
    assert git(repo, "status", "--porcelain") == ""


def test_the_marker_rides_in_the_same_proposal_as_an_expansion(repo: Path) -> None:
    tick_the_last_box(repo, "\n" + GROWTH)  # phase 2 grows in the same commit: it is expanded
    assert plansmith(repo, "daemon", "--once").returncode == 0
    assert has_branch(repo)
    message = git(repo, "log", "-1", "--format=%B", BRANCH)
    assert "Plansmith-Operation: expand" in message and "Plansmith-Items: phase_2" in message
    main_plan = git(repo, "show", f"{BRANCH}:specs/plans/001_feature/001_feature.md")
    assert "### Phase 1: Setup [COMPLETE]" in main_plan


def test_sync_status_off_offers_no_marker(repo: Path) -> None:
    (repo / "plansmith.toml").write_text("sync_status = false\n")
    git(repo, "add", "plansmith.toml")
    tick_the_last_box(repo)
    assert plansmith(repo, "daemon", "--once").returncode == 0
    assert not has_branch(repo)
