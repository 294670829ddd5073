"""Letter ids through the real entry point and MCP's item names: ``expand PLAN phase A``, ``phase_a``."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from git_helper import MakeRepo

from plansmith.cli import main
from plansmith.mcp_server import _items
from plansmith.plan.ids import ItemId

PLAN = "plans/milestone-02.md"
TEXT = """# Milestone 02

## Phase A: Contracts

- [ ] a

## Phase B: Connector

**Depends on**: Phase A

- [ ] b

## Phase C: Wiring

**Depends on**: Phases A-B

- [ ] c
"""


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def repo(repo_here: MakeRepo) -> Path:
    return repo_here({PLAN: TEXT})


def test_waves_and_analyze_name_letter_phases(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["waves", PLAN, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["waves"] == [["A"], ["B"], ["C"]]
    assert main(["analyze", PLAN, "--json"]) == 0
    assert [i["id"] for i in json.loads(capsys.readouterr().out)["items"]] == [
        "phase_A",
        "phase_B",
        "phase_C",
    ]


def test_expand_phase_a_as_typed_leaves_a_proposal_and_the_users_work_alone(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "notes.txt").write_text("mine, uncommitted\n", encoding="utf-8")
    head, branch = _git(repo, "rev-parse", "HEAD"), _git(repo, "symbolic-ref", "HEAD")
    status = _git(repo, "status", "--porcelain")
    code = main(["expand", PLAN, "phase", "a", "--yes", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    doc = json.loads(out)
    assert [o["item"] for o in doc["operations"]] == ["phase_A"]
    files = _git(repo, "ls-tree", "-r", "--name-only", doc["proposal"]["branch"]).split()
    assert "plans/milestone-02/phase_a_contracts.md" in files
    assert _git(repo, "rev-parse", "HEAD") == head and _git(repo, "symbolic-ref", "HEAD") == branch
    assert _git(repo, "for-each-ref", "--format=%(refname)", "refs/heads/").split() == [
        "refs/heads/main",
        "refs/heads/plansmith/milestone-02",  # the proposal, the only branch added
    ]
    assert _git(repo, "status", "--porcelain") == status
    assert (repo / PLAN).read_text(encoding="utf-8") == TEXT


def test_mcp_item_names_read_letters_as_the_command_line_does() -> None:
    assert _items(["phase_A", "phase_b_stage_c"]) == ((ItemId("A"), None), (ItemId("B"), ItemId("C")))


def test_naming_a_plan_numbered_in_roman_numerals_says_they_are_not_read(
    make_repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    roman = "# Roman\n\n## Phase I: Setup\n\n- [ ] a\n\n## Phase II: Build\n\n- [ ] b\n"
    monkeypatch.chdir(make_repo({"plans/roman.md": roman}))
    code = main(["validate", "plans/roman.md"])
    _, err = capsys.readouterr()
    assert code == 1 and "plans/roman.md: not a plan: it has no phase headings" in err
    assert "not roman numerals ('Phase II')" in err and "Traceback" not in err
