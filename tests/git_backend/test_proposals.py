"""Proposal branches: naming, compare-and-swap publishing, states, reject, approve, diff."""

from __future__ import annotations

from pathlib import Path

import pytest

from plansmith.errors import ConflictError, PlansmithError
from plansmith.git_backend import proposals, rejections
from plansmith.git_backend.approve import approve as approve_proposal
from plansmith.git_backend.messages import format_message, proposal_subject
from plansmith.git_backend.proposals import Proposal
from plansmith.git_backend.repo import RepoPaths, read_tree_files
from plansmith.git_backend.worktree import ScratchWorktree

from .helpers import git_out, make_user_dirty, propose, snapshot_user_state


@pytest.fixture
def scratch(paths: RepoPaths) -> ScratchWorktree:
    return ScratchWorktree.ensure(paths)


def head_of(repo: Path, rev: str = "HEAD") -> str:
    return git_out(repo, "rev-parse", rev).strip()


def user_commit(repo: Path, path: str, text: str, message: str = "user work") -> str:
    (repo / path).parent.mkdir(parents=True, exist_ok=True)
    (repo / path).write_text(text)
    git_out(repo, "add", path)
    git_out(repo, "commit", "-qm", message)
    return head_of(repo)


def test_branch_naming_rule() -> None:
    assert proposals.branch_name("001_feature", "main", default="main") == "plansmith/001_feature"
    assert proposals.branch_name("001_feature", "feat/x", default="main") == "plansmith/feat/x/001_feature"
    assert proposals.branch_name("001_feature", "main", default="main", prefix="bot-") == "bot-001_feature"
    assert proposals.plan_name_of("specs/plans/002_other/002_other.md") == "002_other"
    for bad in ("a b", "x..y", "", "a/b", "name.lock"):
        with pytest.raises(PlansmithError):
            proposals.branch_name(bad, "main", default="main")


def test_subject_and_message_format() -> None:
    assert (
        proposal_subject("expand", ["phase_3"], "001_feature") == "plansmith: expand phase 3 of 001_feature"
    )
    assert proposal_subject("collapse", ["phase_2_stage_1", "phase_4"], "x") == (
        "plansmith: collapse phase 2 stage 1, phase 4 of x"
    )
    text = format_message("s", "body\n", {"Plansmith-Items": ["phase_1", "phase_2"], "Plansmith-Run": "r"})
    assert text == "s\n\nbody\n\nPlansmith-Items: phase_1, phase_2\nPlansmith-Run: r\n"
    with pytest.raises(ValueError):
        format_message("two\nlines")


def test_publish_and_list(scratch: ScratchWorktree, paths: RepoPaths, plans_repo: Path) -> None:
    base = head_of(plans_repo)
    commit = propose(scratch, base)
    proposal = proposals.publish(paths, commit)
    assert proposal == proposals.Proposal(
        id="001_feature",
        branch="plansmith/001_feature",
        commit=commit,
        plan="specs/plans/001_feature.md",
        operation="expand",
        items=("phase_1",),
        base=base,
        base_branch="main",
        run="run-1",
        state="open",
    )
    assert proposals.list_proposals(paths) == [proposal]
    message = proposals.message(paths, "001_feature")
    assert message.startswith("plansmith: expand phase 1 of 001_feature\n\n| item | score |")
    assert f"Plansmith-Base: {base}" in message
    diff = proposals.diff(paths, "001_feature")
    assert "+expanded by plansmith" in diff and "specs/plans/001_feature.md" in diff


def test_publish_is_compare_and_swap(scratch: ScratchWorktree, paths: RepoPaths, plans_repo: Path) -> None:
    base = head_of(plans_repo)
    first = proposals.publish(paths, propose(scratch, base, run="r1"))
    second_commit = propose(scratch, base, content="second\n", run="r2")
    with pytest.raises(ConflictError):
        proposals.publish(paths, second_commit)  # expected "absent", but it exists
    with pytest.raises(ConflictError):
        proposals.publish(paths, second_commit, expected=base)  # wrong old value
    assert proposals.get(paths, "001_feature").commit == first.commit
    second = proposals.publish(paths, second_commit, expected=first.commit)
    assert second.commit == second_commit and second.run == "r2"


def test_publish_refuses_a_commit_without_trailers(scratch: ScratchWorktree, paths: RepoPaths) -> None:
    (scratch.path / "specs/plans/001_feature.md").write_text("x\n")
    with pytest.raises(PlansmithError):
        proposals.publish(paths, scratch.commit("no trailers"))


def test_other_base_branch_gets_its_own_branch(
    scratch: ScratchWorktree, paths: RepoPaths, plans_repo: Path
) -> None:
    main_proposal = proposals.publish(paths, propose(scratch, head_of(plans_repo)))
    git_out(plans_repo, "switch", "-q", "-c", "feature-x")
    base = user_commit(plans_repo, "docs/guide.md", "on feature-x\n")
    other = proposals.publish(paths, propose(scratch, base))
    assert other.branch == "plansmith/feature-x/001_feature"
    assert other.id == "feature-x/001_feature" and other.base_branch == "feature-x" and other.state == "open"
    assert {p.id: p.state for p in proposals.list_proposals(paths)} == {
        "001_feature": "open",
        "feature-x/001_feature": "open",
    }
    assert main_proposal.base_branch == "main"


def test_stale_when_the_base_branch_moves(
    scratch: ScratchWorktree, paths: RepoPaths, plans_repo: Path
) -> None:
    proposals.publish(paths, propose(scratch, head_of(plans_repo)))
    user_commit(plans_repo, "docs/guide.md", "moved on\n")
    assert proposals.get(paths, "001_feature").state == "stale"


def test_edited_when_the_user_commits_onto_the_branch(
    scratch: ScratchWorktree, paths: RepoPaths, plans_repo: Path
) -> None:
    base = head_of(plans_repo)
    published = proposals.publish(paths, propose(scratch, base))
    git_out(plans_repo, "switch", "-q", "plansmith/001_feature")
    user_commit(plans_repo, "specs/plans/001_feature.md", "my own touch\n")
    git_out(plans_repo, "switch", "-q", "main")
    edited = proposals.get(paths, "001_feature")
    assert edited.state == "edited"
    assert (
        edited.plan == "specs/plans/001_feature.md" and edited.base == base
    )  # from the plansmith commit below
    with pytest.raises(ConflictError) as info:
        proposals.publish(paths, propose(scratch, base, run="r2"), expected=edited.commit)
    assert "leaves it alone" in info.value.message
    assert published.commit != edited.commit


def test_edited_when_the_user_amends_the_tip(
    scratch: ScratchWorktree, paths: RepoPaths, plans_repo: Path
) -> None:
    proposals.publish(paths, propose(scratch, head_of(plans_repo)))
    git_out(plans_repo, "switch", "-q", "plansmith/001_feature")
    git_out(plans_repo, "commit", "-q", "--amend", "--no-edit")  # keeps trailers and author, not committer
    git_out(plans_repo, "switch", "-q", "main")
    assert proposals.get(paths, "001_feature").state == "edited"


def test_publish_refuses_a_branch_the_user_has_checked_out(
    scratch: ScratchWorktree, paths: RepoPaths, plans_repo: Path
) -> None:
    base = head_of(plans_repo)
    first = proposals.publish(paths, propose(scratch, base))
    git_out(plans_repo, "switch", "-q", "plansmith/001_feature")
    before = snapshot_user_state(plans_repo)
    with pytest.raises(ConflictError):
        proposals.publish(paths, propose(scratch, base, run="r2"), base_branch="main", expected=first.commit)
    with pytest.raises(ConflictError):
        proposals.reject(paths, "001_feature", content_hash=lambda p: "sha256:0")
    assert snapshot_user_state(plans_repo) == before


def test_reject_deletes_the_branch_and_remembers_the_content(
    scratch: ScratchWorktree, paths: RepoPaths, plans_repo: Path
) -> None:
    base = head_of(plans_repo)
    proposals.publish(paths, propose(scratch, base))
    before = snapshot_user_state(plans_repo)
    asked: list[Proposal] = []

    def content_hash(proposal: Proposal) -> str:
        asked.append(proposal)  # the caller reads the plan at the proposal's base: this layer does not
        return "sha256:plan-at-base"

    rejected = proposals.reject(paths, "001_feature", content_hash=content_hash)
    assert [(p.id, p.base, p.plan) for p in asked] == [("001_feature", base, "specs/plans/001_feature.md")]
    assert snapshot_user_state(plans_repo) == before
    assert proposals.list_proposals(paths) == []
    assert git_out(plans_repo, "branch", "--list", "plansmith/*") == ""
    assert rejected.plan == "specs/plans/001_feature.md"
    assert rejections.is_rejected(paths, "specs/plans/001_feature.md", "sha256:plan-at-base")
    assert not rejections.is_rejected(paths, "specs/plans/001_feature.md", "sha256:other")
    with pytest.raises(PlansmithError):
        proposals.reject(paths, "001_feature", content_hash=content_hash)


def test_a_proposal_without_content_to_remember_is_still_deleted(
    scratch: ScratchWorktree, paths: RepoPaths, plans_repo: Path
) -> None:
    proposals.publish(paths, propose(scratch, head_of(plans_repo)))
    proposals.reject(paths, "001_feature", content_hash=lambda p: None)
    assert proposals.list_proposals(paths) == []
    assert rejections.listed(paths) == []


def test_the_content_hash_ignores_the_order_of_the_files() -> None:
    assert rejections.plan_content_hash({"a": b"1", "b": b"2"}) == rejections.plan_content_hash(
        {"b": b"2", "a": b"1"}
    )
    assert rejections.plan_content_hash({"a": b"12"}) != rejections.plan_content_hash({"a1": b"2"})


def test_rejections_file_is_valid_json_after_many_writes(paths: RepoPaths) -> None:
    for i in range(60):
        rejections.record(paths, "specs/plans/x.md", f"sha256:{i}", proposal="x", commit="c")
    assert rejections.is_rejected(paths, "specs/plans/x.md", "sha256:59")
    assert not rejections.is_rejected(paths, "specs/plans/x.md", "sha256:0")  # only the newest are kept
    assert not list(paths.state_dir.glob(".rejections.json.*"))  # no temporary file left behind


def test_approve_fast_forwards(scratch: ScratchWorktree, paths: RepoPaths, plans_repo: Path) -> None:
    proposal = proposals.publish(paths, propose(scratch, head_of(plans_repo)))
    (plans_repo / "unrelated.txt").write_text("the user's untracked file stays\n")
    result = approve_proposal(paths, "001_feature")
    assert result.kind == "fast-forward"
    assert head_of(plans_repo) == proposal.commit == result.head
    assert (
        plans_repo / "specs/plans/001_feature.md"
    ).read_text() == "# Plan: feature\n\nexpanded by plansmith\n"
    assert (plans_repo / "unrelated.txt").exists()
    assert git_out(plans_repo, "status", "--porcelain") == "?? unrelated.txt\n"
    assert proposals.list_proposals(paths) == []


def test_approve_makes_a_merge_commit_when_the_branch_moved(
    scratch: ScratchWorktree, paths: RepoPaths, plans_repo: Path
) -> None:
    proposal = proposals.publish(paths, propose(scratch, head_of(plans_repo)))
    mine = user_commit(plans_repo, "docs/guide.md", "user moved on\n")
    result = approve_proposal(paths, "001_feature")
    assert result.kind == "merge"
    parents = git_out(plans_repo, "log", "-1", "--format=%P").split()
    assert parents == [mine, proposal.commit]
    assert git_out(plans_repo, "log", "-1", "--format=%s") == "Merge plansmith proposal 001_feature\n"
    assert (plans_repo / "docs/guide.md").read_text() == "user moved on\n"
    assert "expanded by plansmith" in (plans_repo / "specs/plans/001_feature.md").read_text()


def test_approve_refuses_and_touches_nothing_when_uncommitted_changes_would_be_overwritten(
    scratch: ScratchWorktree, paths: RepoPaths, plans_repo: Path
) -> None:
    proposal = proposals.publish(paths, propose(scratch, head_of(plans_repo)))
    make_user_dirty(plans_repo)  # edits specs/plans/001_feature.md, which the proposal changes
    before = snapshot_user_state(plans_repo)
    with pytest.raises(ConflictError) as info:
        approve_proposal(paths, "001_feature")
    assert "specs/plans/001_feature.md" in info.value.message
    assert "stash" in info.value.hint
    assert snapshot_user_state(plans_repo) == before
    assert proposals.get(paths, "001_feature").commit == proposal.commit


def test_approve_refuses_a_staged_only_change_and_an_untracked_file_in_the_way(
    scratch: ScratchWorktree, paths: RepoPaths, plans_repo: Path
) -> None:
    base = head_of(plans_repo)
    proposals.publish(paths, propose(scratch, base, plan="specs/plans/004_new.md", content="new plan\n"))
    (plans_repo / "specs/plans/004_new.md").write_text("the user's own draft\n")  # untracked, same path
    before = snapshot_user_state(plans_repo)
    with pytest.raises(ConflictError):
        approve_proposal(paths, "004_new")
    assert snapshot_user_state(plans_repo) == before
    (plans_repo / "specs/plans/004_new.md").unlink()
    git_out(plans_repo, "rm", "-q", "--cached", "specs/plans/001_feature.md")
    proposals.publish(paths, propose(scratch, base, run="r2"))
    before = snapshot_user_state(plans_repo)
    with pytest.raises(ConflictError):
        approve_proposal(paths, "001_feature")
    assert snapshot_user_state(plans_repo) == before


def test_approve_refuses_a_conflicting_merge_and_touches_nothing(
    scratch: ScratchWorktree, paths: RepoPaths, plans_repo: Path
) -> None:
    proposals.publish(paths, propose(scratch, head_of(plans_repo)))
    user_commit(plans_repo, "specs/plans/001_feature.md", "# Plan: feature\n\nuser rewrote it\n")
    before = snapshot_user_state(plans_repo)
    with pytest.raises(ConflictError) as info:
        approve_proposal(paths, "001_feature")
    assert "conflicts" in info.value.message
    assert snapshot_user_state(plans_repo) == before
    assert not (plans_repo / ".git" / "MERGE_HEAD").exists()


def test_approve_checks_the_branch(scratch: ScratchWorktree, paths: RepoPaths, plans_repo: Path) -> None:
    proposals.publish(paths, propose(scratch, head_of(plans_repo)))
    git_out(plans_repo, "switch", "-q", "-c", "elsewhere")
    with pytest.raises(ConflictError) as info:
        approve_proposal(paths, "001_feature")
    assert "git switch main" in info.value.hint
    git_out(plans_repo, "switch", "-q", "--detach")
    with pytest.raises(ConflictError):
        approve_proposal(paths, "001_feature")
    git_out(plans_repo, "switch", "-q", "elsewhere")
    assert approve_proposal(paths, "001_feature", allow_other_branch=True).kind == "fast-forward"
    assert read_tree_files(paths, "elsewhere", "specs/plans")["specs/plans/001_feature.md"].startswith(
        b"# Plan"
    )
