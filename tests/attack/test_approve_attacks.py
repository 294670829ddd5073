"""Issue 18: approve must refuse before git starts, in plansmith's words, with nothing touched.

Attacks: the user's notes in an *ignored* folder at a path the proposal adds; a diverged proposal with
a staged change (git's own merge failed and its rollback rewrote files and the index); a merge in
progress. Each asserts the bytes, the mtimes of the user's files and the index file's bytes.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from git_backend.helpers import git_out, propose, snapshot_user_state

from plansmith.errors import ConflictError
from plansmith.git_backend import proposals
from plansmith.git_backend.approve import approve as approve_proposal
from plansmith.git_backend.repo import RepoPaths
from plansmith.git_backend.worktree import ScratchWorktree

NEW_FILE = "specs/plans/001_feature/phase_1_setup.md"


@pytest.fixture
def scratch(paths: RepoPaths) -> ScratchWorktree:
    return ScratchWorktree.ensure(paths)


def head_of(repo: Path) -> str:
    return git_out(repo, "rev-parse", "HEAD").strip()


def mtimes(repo: Path) -> dict[str, int]:
    files = [p for p in repo.rglob("*") if ".git" not in p.relative_to(repo).parts and p.is_file()]
    return {p.relative_to(repo).as_posix(): os.stat(p).st_mtime_ns for p in files}


def untouched(repo: Path) -> tuple[dict[str, bytes], dict[str, int], bytes]:
    return snapshot_user_state(repo), mtimes(repo), (repo / ".git" / "index").read_bytes()


def propose_new_file(scratch: ScratchWorktree, base: str, content: str = "# Phase 1: Setup\n") -> str:
    scratch.reset_to(base)
    target = scratch.path / NEW_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content)
    return _commit(scratch, base)


def _commit(scratch: ScratchWorktree, base: str) -> str:
    from plansmith.git_backend.messages import proposal_trailers

    trailers = proposal_trailers(
        plan="specs/plans/001_feature.md", operation="expand", items=("phase_1",), base=base, run="r1"
    )
    return scratch.commit("plansmith: expand phase 1 of 001_feature", trailers=trailers)


def propose_into_an_ignored_folder(scratch: ScratchWorktree, paths: RepoPaths, plans_repo: Path) -> None:
    """The user ignores the plan's folder; a proposal then adds a file in it (``NEW_FILE``)."""
    (plans_repo / ".gitignore").write_text("specs/plans/001_feature/\n")
    git_out(plans_repo, "add", ".gitignore")
    git_out(plans_repo, "commit", "-qm", "ignore the folder")
    proposals.publish(paths, propose_new_file(scratch, head_of(plans_repo)))


def test_approve_refuses_to_overwrite_an_ignored_file_and_names_it(
    scratch: ScratchWorktree, paths: RepoPaths, plans_repo: Path
) -> None:
    propose_into_an_ignored_folder(scratch, paths, plans_repo)
    notes = plans_repo / NEW_FILE
    notes.parent.mkdir(parents=True)
    notes.write_text("my own notes, ignored by git\n")
    assert git_out(plans_repo, "status", "--porcelain") == ""  # git does not even show it
    before = untouched(plans_repo)
    with pytest.raises(ConflictError) as info:
        approve_proposal(paths, "001_feature")
    assert NEW_FILE in info.value.message and "ignored" in info.value.message
    assert "nothing was changed" in info.value.hint
    assert untouched(plans_repo) == before
    assert notes.read_text() == "my own notes, ignored by git\n"


def test_approve_goes_on_when_the_ignored_file_already_holds_the_proposals_bytes(
    scratch: ScratchWorktree, paths: RepoPaths, plans_repo: Path
) -> None:
    propose_into_an_ignored_folder(scratch, paths, plans_repo)
    (plans_repo / NEW_FILE).parent.mkdir(parents=True)
    (plans_repo / NEW_FILE).write_text("# Phase 1: Setup\n")
    assert approve_proposal(paths, "001_feature").kind == "fast-forward"


def test_approve_refuses_an_untracked_file_where_the_proposal_needs_a_folder(
    scratch: ScratchWorktree, paths: RepoPaths, plans_repo: Path
) -> None:
    proposals.publish(paths, propose_new_file(scratch, head_of(plans_repo)))
    (plans_repo / "specs/plans/001_feature").write_text("a file, not a folder\n")
    before = untouched(plans_repo)
    with pytest.raises(ConflictError) as info:
        approve_proposal(paths, "001_feature")
    assert "specs/plans/001_feature" in info.value.message
    assert untouched(plans_repo) == before


def test_a_diverged_proposal_with_a_staged_change_is_refused_before_git_merge_runs(
    scratch: ScratchWorktree, paths: RepoPaths, plans_repo: Path
) -> None:
    proposal = proposals.publish(paths, propose(scratch, head_of(plans_repo)))
    (plans_repo / "docs/guide.md").write_text("the user moved on\n")
    git_out(plans_repo, "commit", "-qam", "diverge")
    (plans_repo / "src/app.py").write_text("print('staged, not committed')\n")
    git_out(plans_repo, "add", "src/app.py")
    before = untouched(plans_repo)
    with pytest.raises(ConflictError) as info:
        approve_proposal(paths, "001_feature")
    assert info.value.message == (
        "proposal 001_feature needs a merge commit, and you have staged changes: src/app.py"
    )
    assert "git restore --staged" in info.value.hint and "nothing was changed" in info.value.hint
    assert untouched(plans_repo) == before  # bytes, mtimes and the index file
    assert proposals.get(paths, "001_feature").commit == proposal.commit


def test_a_staged_change_elsewhere_does_not_stop_a_fast_forward(
    scratch: ScratchWorktree, paths: RepoPaths, plans_repo: Path
) -> None:
    proposals.publish(paths, propose(scratch, head_of(plans_repo)))
    (plans_repo / "src/app.py").write_text("print('staged')\n")
    git_out(plans_repo, "add", "src/app.py")
    assert approve_proposal(paths, "001_feature").kind == "fast-forward"
    assert git_out(plans_repo, "status", "--porcelain") == "M  src/app.py\n"


def test_approve_refuses_during_a_merge_in_progress(
    scratch: ScratchWorktree, paths: RepoPaths, plans_repo: Path
) -> None:
    proposals.publish(paths, propose(scratch, head_of(plans_repo)))
    (plans_repo / ".git" / "MERGE_HEAD").write_text(head_of(plans_repo) + "\n")
    before = untouched(plans_repo)
    with pytest.raises(ConflictError) as info:
        approve_proposal(paths, "001_feature")
    assert "a merge is in progress" in info.value.message
    assert untouched(plans_repo) == before
