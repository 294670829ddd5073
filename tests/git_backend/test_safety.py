"""The promise: the engine side never writes the user's worktree, index, HEAD, config or other refs.

Randomised sequences of everything the daemon does (ensure, edit, commit, checkpoint, restore, publish,
reject, reset) run against a repository whose user has uncommitted work of every kind; afterwards
:func:`snapshot_user_state` must be byte-identical to before.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plansmith.git_backend import checkpoints, proposals
from plansmith.git_backend.repo import find_repository
from plansmith.git_backend.worktree import ScratchWorktree

from .helpers import PLAN_FILES, make_user_dirty, propose, snapshot_user_state

OPERATIONS = ["ensure", "edit", "commit", "checkpoint", "restore", "publish", "reject", "reset", "damage"]
PLANS = ["specs/plans/001_feature.md", "specs/plans/002_other/002_other.md", "specs/plans/005_new.md"]


def _new_repo(root: Path) -> Path:
    repo = root / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    for rel, content in PLAN_FILES.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_bytes(content if isinstance(content, bytes) else content.encode())
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-qm", "initial"], cwd=repo, check=True)
    make_user_dirty(repo)
    return repo


def test_user_state_snapshot_sees_changes(plans_repo: Path) -> None:
    """The oracle must be able to fail: each kind of user state shows up in the snapshot."""
    before = snapshot_user_state(plans_repo)
    (plans_repo / "new.txt").write_text("x")
    assert snapshot_user_state(plans_repo) != before
    (plans_repo / "new.txt").unlink()
    subprocess.run(["git", "branch", "other"], cwd=plans_repo, check=True)
    assert snapshot_user_state(plans_repo) != before
    subprocess.run(["git", "branch", "plansmith/ignored"], cwd=plans_repo, check=True)
    subprocess.run(["git", "branch", "-D", "other"], cwd=plans_repo, check=True)
    assert snapshot_user_state(plans_repo) == before  # plansmith's own branches are allowed to change


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(OPERATIONS), st.sampled_from(PLANS), st.text(max_size=20)),
        min_size=3,
        max_size=12,
    )
)
def test_engine_operations_never_touch_the_user_state(steps: list[tuple[str, str, str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = _new_repo(Path(tmp))
        paths = find_repository(repo)
        base = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=repo, check=True, capture_output=True, text=True
        )
        base_commit = base.stdout.strip()
        before = snapshot_user_state(repo)
        scratch = ScratchWorktree.ensure(paths)
        saved: list[str] = []
        for operation, plan, text in steps:
            if operation == "ensure":
                scratch = ScratchWorktree.ensure(paths)
            elif operation == "edit":
                (scratch.path / plan).parent.mkdir(parents=True, exist_ok=True)
                (scratch.path / plan).write_text(f"# Plan\n\n{text}\n")
                (scratch.path / "stray-outside-plans.txt").write_text(text)
            elif operation == "commit":
                scratch.commit(f"plansmith: step {text!r}")
            elif operation == "checkpoint":
                saved.append(checkpoints.create(paths, scratch.head(), plan=plan, operation="expand").id)
            elif operation == "restore" and saved:
                checkpoints.restore(scratch, saved[-1])
                checkpoints.delete(paths, saved.pop())
            elif operation == "publish":
                commit = propose(scratch, base_commit, plan=plan, content=f"proposed {text}\n")
                current = next(
                    (p for p in proposals.list_proposals(paths) if p.plan == plan and p.state != "edited"),
                    None,
                )
                proposals.publish(paths, commit, expected=current.commit if current else None)
            elif operation == "reject":
                for proposal in proposals.list_proposals(paths)[:1]:
                    proposals.reject(paths, proposal.id, content_hash=lambda p: f"sha256:{p.commit}")
            elif operation == "reset":
                scratch.reset_to(base_commit)
            elif operation == "damage":
                shutil.rmtree(scratch.path)
                scratch = ScratchWorktree.ensure(paths)
            assert snapshot_user_state(repo) == before, f"user state changed by {operation}"
        for remaining in proposals.list_proposals(paths):
            proposals.reject(paths, remaining.id, content_hash=lambda p: f"sha256:{p.commit}")
        assert snapshot_user_state(repo) == before
