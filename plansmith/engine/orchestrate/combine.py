"""Combining the commits of one wave's implement steps, in phase order, on the workflow's line.

Every phase of a wave is implemented on the same start commit, each in its own worktree; the first
commit is taken as it is, each next one is replayed on top of the line so far with ``git merge-tree``
(in memory: no worktree, no index) and ``commit-tree``. A phase whose changes conflict with an earlier
phase of the wave is not combined (the caller records it as failed; a later run redoes it on the
combined line). This module creates commit objects only: it must not move any ref.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from plansmith.engine.orchestrate.state import StepOutput
from plansmith.git_backend.cmd import git
from plansmith.git_backend.messages import parse_identity

if TYPE_CHECKING:
    from plansmith.git_backend.repo import RepoPaths


def onto(repo: RepoPaths, head: str, produced: StepOutput, author: str) -> StepOutput:
    """``produced`` (a step's own commit, made on the wave's start commit) replayed on ``head``."""
    from dataclasses import replace

    commit = produced.commit
    assert commit is not None
    if git(["rev-parse", f"{commit}^"], cwd=repo.worktree).out == head:
        return produced  # the first of its wave: already on the line
    trial = git(["merge-tree", "--write-tree", "--name-only", head, commit], cwd=repo.worktree, check=False)
    lines = trial.out.splitlines()
    if trial.returncode != 0 or not lines:
        # --name-only: the tree, the conflicted paths, a blank line, then informational messages
        names = lines[1 : lines.index("")] if "" in lines else lines[1:]
        paths = names if trial.returncode == 1 else []
        why = (
            f"conflict in {', '.join(paths[:5])}" if paths else (trial.err.strip() or "git merge-tree failed")
        )
        return replace(
            produced,
            status="failed",
            commit=None,
            error=f"its changes conflict with an earlier phase of the same wave ({why})",
        )
    text = git(["log", "-1", "--format=%B", commit], cwd=repo.worktree).out
    combined = git(
        ["commit-tree", lines[0], "-p", head, "-F", "-"],
        cwd=repo.worktree,
        input=text.encode("utf-8"),
        env=parse_identity(author).env(),
    ).out
    return replace(produced, commit=combined)
