"""The command line takes what MCP takes: several items (``expand PLAN phase 2 phase 3``) in one run and
one proposal; a malformed list is a usage error before anything starts. Real repositories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from git_helper import MakeRepo
from git_helper import run_git as git

from plansmith.cli import main

GROWN = "\n".join(f"- [ ] task {n} in `src/mod{n}.py` with migration and security review" for n in range(16))
PLAN = "specs/plans/001_feature.md"
TEXT = f"""# Feature: Plan

### Phase 1: Small
- [ ] one

### Phase 2: Large
{GROWN}

### Phase 3: Also large
{GROWN}
"""


@pytest.fixture
def repo(repo_here: MakeRepo) -> Path:
    return repo_here({PLAN: TEXT})


def test_several_items_make_one_run_and_one_proposal(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["expand", PLAN, "phase", "2", "phase", "3", "--yes", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [(o["item"], o["status"]) for o in doc["operations"]] == [
        ("phase_2", "success"),
        ("phase_3", "success"),
    ]
    assert git(repo, "branch", "--list", "plansmith/*").split() == ["plansmith/001_feature"]
    files = git(repo, "ls-tree", "-r", "--name-only", "plansmith/001_feature").split()
    assert {
        "specs/plans/001_feature/001_feature.md",
        "specs/plans/001_feature/phase_2_large.md",
        "specs/plans/001_feature/phase_3_also_large.md",
    } <= set(files)
    assert git(repo, "rev-list", "--count", "main..plansmith/001_feature").strip() == "1"


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (["phase", "2", "stage"], "name each item as"),
        (["2", "phase", "3"], "name each item as"),
        (["phase", "2", "phase", "2"], "phase 2 named twice"),
    ],
)
def test_a_malformed_item_list_is_a_usage_error(
    repo: Path, capsys: pytest.CaptureFixture[str], items: list[str], message: str
) -> None:
    assert main(["expand", PLAN, *items, "--yes", "--json"]) == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["type"] == "usage" and error["message"].startswith(message)
    assert not (repo / ".git" / "plansmith" / "runs").exists()
