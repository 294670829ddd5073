"""The last part of every run: files into the scratch worktree, a commit, a checkpoint, a proposal branch.

Shared by the expand/collapse coordinator and orchestrate, so both publish the same way: the scratch
worktree's files are made to match the run's result, committed with the run's message and trailers,
kept by a checkpoint while the proposal branch is published (restored if publishing fails), and the
proposal branch is moved by compare-and-swap. This module must not write the user's working tree,
index, HEAD or branches (only ``approve`` does that), and must not decide what a run changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from plansmith.errors import ConflictError, PlanError
from plansmith.git_backend import checkpoints, proposals
from plansmith.git_backend.messages import TRAILER_PLAN
from plansmith.git_backend.proposals import commit_trailers
from plansmith.git_backend.repo import current_branch, default_branch
from plansmith.plan.roots import branch_component

if TYPE_CHECKING:
    from plansmith.git_backend.proposals import Proposal
    from plansmith.git_backend.repo import RepoPaths
    from plansmith.git_backend.worktree import ScratchWorktree


def write_changes(root: Path, before: Mapping[str, str], after: Mapping[str, str]) -> None:
    """Make the scratch worktree's plan files match ``after`` (paths come from the plan core, whose
    slugs cannot leave the plan folder; a resolved path outside the worktree is refused anyway)."""
    real_root = root.resolve()
    for path in sorted(set(before) - set(after)):
        target = root / path
        if _inside(target, real_root) and target.exists():
            target.unlink()
            _prune_empty(target.parent, root)
    for path, text in after.items():
        if before.get(path) == text:
            continue
        target = root / path
        if not _inside(target, real_root):
            raise PlanError(f"{path}: would be written outside the repository; refused", path=path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))


def _inside(target: Path, real_root: Path) -> bool:
    try:
        return target.resolve().is_relative_to(real_root)
    except (RuntimeError, OSError):  # a symlink loop on the way: never written through
        return False


def _prune_empty(folder: Path, root: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def publish_commit(
    repo: RepoPaths, commit: str, prefix: str, base_branch: str | None = None, *, plan_id: str | None = None
) -> Proposal:
    """Publish ``commit`` as the proposal of the plan ``plan_id`` (default: its main file's name) for
    ``base_branch`` (default: the branch checked out).

    A proposal branch that carries commits of the user's is left alone (a :class:`ConflictError`)."""

    name = plan_id or proposals.plan_name_of(trailer_plan(repo, commit))
    base = base_branch or current_branch(repo)
    branch = None
    if base is not None:
        branch = proposals.branch_name(
            branch_component(name), base, default=default_branch(repo), prefix=prefix
        )
    existing = next((p for p in proposals.list_proposals(repo, prefix=prefix) if p.branch == branch), None)
    if existing is not None and existing.state == "edited":
        raise ConflictError(
            f"proposal {existing.id} has commits of yours on it; plansmith leaves it alone",
            hint=f"merge or delete branch {existing.branch}, then run again",
        )
    expected = existing.commit if existing else None
    return proposals.publish(
        repo, commit, base_branch=base_branch, expected=expected, prefix=prefix, plan_id=name
    )


def trailer_plan(repo: RepoPaths, commit: str) -> str:
    """The ``Plansmith-Plan`` trailer of ``commit``: the plan a proposal commit is about."""

    return commit_trailers(repo, commit)[TRAILER_PLAN]


@dataclass(frozen=True, slots=True)
class ProposalCommit:
    """What one proposal commit is made of: the files before and after, the message and trailers, the
    checkpoint's labels (plan, operation, items) and where the proposal branch goes."""

    base: str
    before: Mapping[str, str]
    after: Mapping[str, str]
    message: str
    author: str
    trailers: Mapping[str, str | Sequence[str]]
    checkpoint: tuple[str, str, list[str]]
    prefix: str
    plan_id: str | None = None
    base_branch: str | None = None


def commit_and_publish(repo: RepoPaths, scratch: ScratchWorktree, change: ProposalCommit) -> Proposal:
    """The whole sequence in the scratch worktree: reset to ``base``, checkpoint, write, commit, publish.

    On any failure the scratch worktree goes back to the checkpoint; on success the checkpoint is
    deleted (the proposal branch keeps the commit)."""
    plan, operation, items = change.checkpoint
    with scratch.session():
        scratch.reset_to(change.base)
        saved = checkpoints.create(repo, change.base, plan=plan, operation=operation, items=items)
        try:
            write_changes(scratch.path, change.before, change.after)
            commit = scratch.commit(change.message, change.author, change.trailers)
            proposal = publish_commit(repo, commit, change.prefix, change.base_branch, plan_id=change.plan_id)
        except BaseException:
            checkpoints.restore(scratch, saved.id)
            raise
        checkpoints.delete(repo, saved.id)
    return proposal
