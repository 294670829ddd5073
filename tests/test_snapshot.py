"""``Snapshot``: the plans of a revision or of the working tree, read once (issue 19)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from git_helper import run_git

from plansmith.errors import PlansmithError
from plansmith.snapshot import Snapshot
from plansmith.workspace import open_workspace

FIRST = "# Garden shed\n\n## Phase 1: Footings\n- [ ] dig\n\n## Phase 2: Walls\n- [ ] frame\n"
SECOND = FIRST + "\n## Phase 3: Roof\n- [ ] rafters\n- [ ] felt\n"
PLAN = "specs/plans/001_shed.md"


@pytest.fixture
def repo(make_repo: Callable[..., Path]) -> Path:
    repo = make_repo({PLAN: FIRST})
    (repo / PLAN).write_text(SECOND, encoding="utf-8")
    run_git(repo, "commit", "-qam", "roof")
    (repo / PLAN).write_text(FIRST.replace("Walls", "Timber walls"), encoding="utf-8")  # not committed
    return repo


def _phase_titles(snapshot: Snapshot, plan_id: str) -> list[str]:
    plan = snapshot.plan(plan_id)
    assert plan is not None
    return [phase.title for phase in plan.phases]


def test_a_revision_is_read_from_git_not_from_the_working_tree(repo: Path) -> None:
    ws = open_workspace(str(repo))
    plan_id = Snapshot.at(ws, "HEAD").id_at(PLAN)
    assert plan_id is not None
    assert _phase_titles(Snapshot.at(ws, "HEAD"), plan_id) == ["Footings", "Walls", "Roof"]
    assert _phase_titles(Snapshot.at(ws, "HEAD~1"), plan_id) == ["Footings", "Walls"]
    assert _phase_titles(Snapshot.working_tree(ws), plan_id) == ["Footings", "Timber walls"]


def test_the_analysis_uses_the_settings_thresholds(repo: Path) -> None:
    ws = open_workspace(str(repo), {"thresholds": {"expand": 6.0, "collapse": 2.0}})
    snapshot = Snapshot.at(ws, "HEAD")
    plan_id = snapshot.id_at(PLAN)
    assert plan_id is not None
    analysis = snapshot.analysis(plan_id)
    assert analysis is not None and [i.id for i in analysis.items if i.kind == "phase"] == [
        "phase_1",
        "phase_2",
        "phase_3",
    ]
    assert (analysis.thresholds.expand, analysis.thresholds.collapse) == (6.0, 2.0)


def test_a_plan_the_revision_lacks_is_none(repo: Path) -> None:
    snapshot = Snapshot.at(open_workspace(str(repo)), "HEAD")
    assert snapshot.plan("no-such-plan") is None and snapshot.analysis("no-such-plan") is None
    assert snapshot.id_at("specs/plans/999_none.md") is None


def test_a_revision_that_does_not_exist_is_a_plansmith_error(repo: Path) -> None:
    with pytest.raises(PlansmithError):
        Snapshot.at(open_workspace(str(repo)), "no-such-branch")


def test_reading_a_snapshot_leaves_the_users_files_and_head_alone(repo: Path) -> None:
    before = (run_git(repo, "status", "--porcelain"), run_git(repo, "rev-parse", "HEAD"))
    ws = open_workspace(str(repo))
    Snapshot.at(ws, "HEAD~1").analysis(Snapshot.at(ws, "HEAD").id_at(PLAN) or "")
    assert (run_git(repo, "status", "--porcelain"), run_git(repo, "rev-parse", "HEAD")) == before
