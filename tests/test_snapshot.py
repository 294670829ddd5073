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


# --- the content hash the rejection memory keeps; other roots ----------------------------------------

FOLDER_PLAN = "specs/plans/002_deck/002_deck.md"
DECK = "# Deck\n\n## Phase 1: Posts\n- [ ] set posts\n\n## Phase 2: Boards\n- [ ] lay boards\n"


def test_the_digest_covers_the_plans_own_files_and_nothing_else(make_repo: Callable[..., Path]) -> None:
    repo = make_repo(
        {
            PLAN: FIRST,
            FOLDER_PLAN: DECK,
            "specs/plans/002_deck/phase_1_posts.md": "# Phase 1: Posts\n- [ ] set posts\n",
            "specs/plans/002_deck/photo.png": b"\x89PNG\r\n\x1a\n\x00\xff",
        }
    )
    ws = open_workspace(str(repo))
    before = Snapshot.at(ws, "HEAD")
    deck, shed = before.id_at(FOLDER_PLAN), before.id_at(PLAN)
    assert deck is not None and shed is not None
    assert before.digest("no-such-plan") is None
    (repo / "specs/plans/002_deck/phase_1_posts.md").write_text("# Phase 1: Posts\n- [ ] dig\n")
    (repo / "specs/plans/002_deck/photo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    run_git(repo, "commit", "-qam", "phase file and photo")
    after = Snapshot.at(ws, "HEAD")
    assert after.digest(deck) != before.digest(deck)  # a phase file is part of the plan
    assert after.digest(shed) == before.digest(shed)  # another plan's files are not
    (repo / "specs/plans/002_deck/photo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x01")
    run_git(repo, "commit", "-qam", "photo only")
    assert Snapshot.at(ws, "HEAD").digest(deck) == after.digest(deck)  # nor is a file that is no text


def test_other_roots_can_be_read_instead_of_the_settings(make_repo: Callable[..., Path]) -> None:
    """Orchestrate reads only the folder it writes its plan in (its first root), as it always did."""
    repo = make_repo({PLAN: FIRST, ".claude/plans/deck.md": DECK})
    ws = open_workspace(str(repo))
    everywhere = Snapshot.at(ws, "HEAD")
    assert everywhere.id_at(".claude/plans/deck.md") is not None
    first_root = Snapshot.at(ws, "HEAD", roots=[ws.plans_dir])
    assert set(first_root.files) == {PLAN}
    assert first_root.id_at(".claude/plans/deck.md") is None and first_root.id_at(PLAN) is not None


def test_a_snapshot_of_files_in_hand_finds_the_same_plans(repo: Path) -> None:
    ws = open_workspace(str(repo))
    at_head = Snapshot.at(ws, "HEAD")
    in_hand = Snapshot.of_files(ws, dict(at_head.files))
    assert in_hand.refs == at_head.refs
    ref = in_hand.ref_at(PLAN)
    assert ref is not None and in_hand.digest(ref.id) == at_head.digest(ref.id)
