"""An item in the wrong state is refused before any run, like an unknown item: collapsing an inline phase
(``not-expanded``), expanding an expanded one (``already-expanded``), with a hint naming what can be done.
Nothing is written: no run folder, no artifact, no worktree, no ref. Real repositories, the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from git_helper import MakeRepo
from git_helper import run_git as git

from plansmith.cli import main

GROWN = "\n".join(f"- [ ] task {n} in `src/mod{n}.py` with migration and security review" for n in range(16))
PLAN = "specs/plans/001_feature.md"
FOLDER_PLAN = "specs/plans/001_feature"
TEXT = f"""# Feature: Plan

### Phase 1: Small
- [ ] one

### Phase 2: Large
#### Stage 1: First
{GROWN}

#### Stage 2: Second
- [ ] two

### Phase 3: Also small
- [ ] three
"""


def traces(repo: Path) -> tuple[list[str], str, str]:
    """Everything a run leaves: run folders (artifacts), refs, worktrees."""
    runs = repo / ".git" / "plansmith" / "runs"
    folders = sorted(p.name for p in runs.iterdir()) if runs.is_dir() else []
    return folders, git(repo, "for-each-ref"), git(repo, "worktree", "list", "--porcelain")


def refuse(repo: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[dict[str, str], str]:
    """Run ``args`` as JSON and as text; both must be refusals that leave no trace."""
    before = traces(repo)
    assert main([*args, "--yes", "--json"]) == 1
    out, _ = capsys.readouterr()
    doc = json.loads(out)
    assert set(doc) == {"error"}
    assert main([*args, "--yes"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert traces(repo) == before, "a run folder, a ref or a worktree was made"
    error: dict[str, str] = doc["error"]
    return error, err


@pytest.fixture
def repo(repo_here: MakeRepo) -> Path:
    return repo_here({PLAN: TEXT})


def test_collapsing_an_inline_phase_is_refused_before_any_run(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    error, err = refuse(repo, capsys, "collapse", PLAN, "phase", "3")
    assert error == {
        "type": "not-expanded",
        "message": f"{PLAN}: phase 3 is not expanded",
        "hint": "nothing in this plan is expanded; 'plansmith expand PLAN phase N' splits a phase out",
    }
    assert err == (
        f"plansmith: error: {PLAN}: phase 3 is not expanded\n"
        "hint: nothing in this plan is expanded; 'plansmith expand PLAN phase N' splits a phase out\n"
    )
    assert not (repo / ".git" / "plansmith" / "runs").exists()


def test_stages_of_an_inline_phase_are_refused_both_ways(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    error, _ = refuse(repo, capsys, "collapse", PLAN, "phase", "2", "stage", "1")
    assert (error["type"], error["message"]) == (
        "not-expanded",
        f"{PLAN}: stage 1 of phase 2 is not expanded",
    )
    error, _ = refuse(repo, capsys, "expand", PLAN, "phase", "2", "stage", "1")
    assert error == {
        "type": "not-expanded",
        "message": f"{PLAN}: phase 2 is not expanded, so its stages cannot be",
        "hint": "expand the phase first: plansmith expand PLAN phase 2",
    }


def test_expanding_an_expanded_phase_is_refused_and_names_what_can_be(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["expand", PLAN, "phase", "2", "--yes", "--merge"]) == 0
    capsys.readouterr()
    main_plan = f"{FOLDER_PLAN}/001_feature.md"
    error, err = refuse(repo, capsys, "expand", FOLDER_PLAN, "phase", "2")
    assert error == {
        "type": "already-expanded",
        "message": f"{main_plan}: phase 2 is already expanded into {FOLDER_PLAN}/phase_2_large.md",
        "hint": "can be expanded now: phase 1, phase 3, phase 2 stage 1, phase 2 stage 2 "
        "(plansmith expand PLAN <item>)",
    }
    assert "FAILED" not in err and "PlanError" not in err and "transforms.py" not in err
    error, _ = refuse(repo, capsys, "collapse", FOLDER_PLAN, "phase", "1")
    assert error["hint"] == "expanded now: phase 2 (plansmith collapse PLAN <item>)"


def test_a_dry_run_is_refused_the_same_way(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["collapse", PLAN, "phase", "1", "--dry-run", "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["error"]["type"] == "not-expanded"
    assert not (repo / ".git" / "plansmith").exists() or traces(repo)[0] == []
