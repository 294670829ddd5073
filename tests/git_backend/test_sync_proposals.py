"""``plansmith sync``: a proposal whose diff holds only the marker changes; approve merges it; a rejection
is remembered; the user's tree, index and HEAD stay byte-identical throughout (with work in progress)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from plansmith.cli import main

from .helpers import git_out, snapshot_user_state

PLAN = "specs/plans/001_feature.md"
DRIFTED = """# Feature

## Implementation Phases

### Phase 1: Setup [COMPLETED]
- [x] scaffold
- [ ] configure

### Phase 2: API [NOT STARTED]
**Dependencies**: Phase 1
- [x] endpoints
- [x] tests

### Phase 3: Docs [IN PROGRESS]
- [ ] guide
"""


@pytest.fixture
def repo(make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_repo({PLAN: DRIFTED, "src/app.py": "print('hi')\n"})
    monkeypatch.chdir(root)
    return root


def sync(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    code = main(["sync", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def diff_lines(repo: Path, branch: str) -> list[str]:
    text = git_out(repo, "diff", "--unified=0", "main", branch)
    return [line for line in text.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_the_proposal_changes_only_the_drifted_markers(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = sync(capsys, "--yes")
    assert code == 0
    (outcome,) = doc["plans"]  # type: ignore[misc]
    assert outcome["items"] == ["phase_1", "phase_2"]
    branch = outcome["proposal"]["branch"]
    assert branch == "plansmith/001_feature"
    assert diff_lines(repo, branch) == [
        "-### Phase 1: Setup [COMPLETED]",
        "+### Phase 1: Setup [IN PROGRESS]",  # the plan's own word for it
        "-### Phase 2: API [NOT STARTED]",
        "+### Phase 2: API [COMPLETED]",
    ]
    listing = git_out(repo, "log", "-1", "--format=%s%n%b", branch)
    assert listing.startswith("plansmith: sync phase 1, phase 2 of 001_feature")
    assert "Plansmith-Operation: sync" in listing


def test_approve_merges_the_markers(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert sync(capsys, "--yes")[0] == 0
    assert main(["proposals", "approve", "001_feature"]) == 0
    text = (repo / PLAN).read_text()
    assert "### Phase 1: Setup [IN PROGRESS]" in text and "### Phase 2: API [COMPLETED]" in text
    assert main(["validate", "--strict"]) == 0
    capsys.readouterr()
    assert "plansmith/001_feature" not in git_out(repo, "branch")
    code, doc = sync(capsys, "--yes")
    assert code == 0 and doc == {"plans": []}  # nothing left to sync


def test_a_rejected_sync_is_not_proposed_again_for_the_same_content(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sync(capsys, "--yes")[0] == 0
    assert main(["proposals", "reject", "001_feature"]) == 0
    capsys.readouterr()
    code, doc = sync(capsys, "--yes")
    (outcome,) = doc["plans"]  # type: ignore[misc]
    assert code == 0 and outcome["proposal"] is None and "rejected before" in outcome["skipped"]
    assert "plansmith/001_feature" not in git_out(repo, "branch")
    (repo / PLAN).write_text(DRIFTED + "\n### Phase 4: More [COMPLETE]\n- [ ] more\n")
    git_out(repo, "commit", "-qam", "new content")
    code, doc = sync(capsys, "--yes")
    assert doc["plans"][0]["proposal"] is not None  # type: ignore[index]


def test_dry_run_and_no_terminal(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sync", PLAN, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "- ### Phase 1: Setup [COMPLETED]" in out and "+ ### Phase 1: Setup [IN PROGRESS]" in out
    assert "dry run: nothing was changed" in out
    assert main(["sync", PLAN]) == 1  # no terminal to ask: refused with a hint, nothing made
    assert "pass --yes" in capsys.readouterr().err
    assert "plansmith/" not in git_out(repo, "branch")
    assert main(["sync", "--yes", "--dry-run"]) == 2


def test_the_new_commands_never_touch_the_users_work(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The zero-touch oracle of test_safety.py over next, verify, validate and sync, with work of every
    kind in progress: an unstaged plan edit, a staged then edited file, untracked files."""
    (repo / PLAN).write_text(DRIFTED.replace("- [ ] configure", "- [x] configure"))
    (repo / "src/app.py").write_text("print('staged')\n")
    git_out(repo, "add", "src/app.py")
    (repo / "src/app.py").write_text("print('staged then edited')\n")
    (repo / "notes.txt").write_text("untracked\n")
    before = snapshot_user_state(repo)
    for args in (
        ["next"],
        ["next", PLAN, "--budget", "10"],
        ["verify"],
        ["verify", "--strict"],
        ["validate"],
        ["sync", "--dry-run"],
        ["sync", "--yes"],
        ["sync", PLAN, "--yes"],
        ["proposals", "reject", "001_feature"],
        ["sync", "--yes"],
    ):
        main(args)
        assert snapshot_user_state(repo) == before, f"plansmith {' '.join(args)} touched the user's work"
    capsys.readouterr()
