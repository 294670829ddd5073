"""Approving a proposal: the one place plansmith writes the user's branch, index and working tree.

Everything a merge needs is checked before git is asked to merge, so that a refusal is plansmith's
(one message naming the files, nothing changed) and never git's own half-way failure and rollback,
which rewrites files and the index even when it "changes nothing". Refused, with :class:`ConflictError`:

* HEAD detached, or another branch than the proposal's base checked out (unless asked for);
* a merge, rebase, cherry-pick or revert in progress, or unmerged paths in the index;
* an uncommitted change (staged, unstaged, untracked) on a path the proposal changes;
* an untracked *or ignored* file (or folder) where the proposal adds a file, unless it already holds
  exactly the proposal's bytes: git merges overwrite ignored files without a word;
* for a merge commit (the branches diverged): any staged change at all, since git's merge refuses
  an index that differs from HEAD, and a conflicting merge (tried in memory with
  ``git merge-tree --write-tree``).

Only then ``git merge`` runs, with the user's hooks (it is their merge). This module must not be
called for anything but the user's explicit approval (``proposals approve``, ``--merge``), and deletes
the proposal branch only when plansmith made its tip (see :func:`plansmith.git_backend.proposals.owned`).
"""

from __future__ import annotations

import os
from pathlib import PurePosixPath
from typing import Literal

from plansmith.errors import ConflictError, GitError
from plansmith.git_backend.cmd import git
from plansmith.git_backend.listing import decode_path
from plansmith.git_backend.proposals import DEFAULT_PREFIX, ApproveResult, Proposal, get, owned
from plansmith.git_backend.repo import (
    RepoPaths,
    StatusEntry,
    cat_blobs,
    current_branch,
    resolve_commit,
    worktree_status,
)

_IN_PROGRESS = {
    "MERGE_HEAD": "a merge",
    "CHERRY_PICK_HEAD": "a cherry-pick",
    "REVERT_HEAD": "a revert",
    "rebase-merge": "a rebase",
    "rebase-apply": "a rebase (or git am)",
}
_NOTHING_CHANGED = "nothing was changed"


def approve(
    repo: RepoPaths,
    proposal_id: str,
    *,
    prefix: str = DEFAULT_PREFIX,
    allow_other_branch: bool = False,
) -> ApproveResult:
    """Merge the proposal into the branch checked out in ``repo.worktree``, then delete the proposal
    branch (when plansmith made its tip). Fast-forward when possible, else a merge commit (as the user:
    this is their commit). Every refusal of the module doc comes before anything is written."""
    proposal = get(repo, proposal_id, prefix=prefix)
    branch = _branch_to_merge_into(repo, proposal, allow_other_branch)
    _refuse_during_an_operation(repo, proposal)
    head = resolve_commit(repo, "HEAD")
    found_base = git(["merge-base", head, proposal.commit], cwd=repo.worktree, check=False)
    if found_base.returncode != 0:
        raise ConflictError(
            f"proposal {proposal.id} shares no history with {branch}", hint="reject it instead"
        )
    merge_base = found_base.out
    if merge_base == proposal.commit:
        _delete_branch(repo, proposal)
        return ApproveResult(proposal, "up-to-date", head)
    status = worktree_status(repo)
    _refuse_to_overwrite_uncommitted(repo, proposal, merge_base, status)
    if merge_base == head:
        git(["merge", "--ff-only", "--no-edit", proposal.commit], cwd=repo.worktree, user_hooks=True)
        kind: Literal["fast-forward", "merge"] = "fast-forward"
    else:
        _refuse_staged_changes(proposal, status)
        _check_merge_is_clean(repo, head, proposal)
        msg = f"Merge plansmith proposal {proposal.id}"
        git(["merge", "--no-ff", "--no-edit", "-m", msg, proposal.commit], cwd=repo.worktree, user_hooks=True)
        kind = "merge"
    _delete_branch(repo, proposal)
    return ApproveResult(proposal, kind, resolve_commit(repo, "HEAD"))


def _branch_to_merge_into(repo: RepoPaths, proposal: Proposal, allow_other_branch: bool) -> str:
    """The checked-out branch, if the proposal may be merged into it; else ConflictError."""
    branch = current_branch(repo)
    if branch is None:
        raise ConflictError("HEAD is detached", hint=f"check out {proposal.base_branch} and approve again")
    if branch != proposal.base_branch and not allow_other_branch:
        raise ConflictError(
            f"proposal {proposal.id} is for branch {proposal.base_branch}, but {branch} is checked out",
            hint=f"git switch {proposal.base_branch}, then approve again",
        )
    return branch


def _refuse_during_an_operation(repo: RepoPaths, proposal: Proposal) -> None:
    """A merge into a worktree where git is half-way through something else would mix the two."""
    for name, what in _IN_PROGRESS.items():
        if (repo.git_dir / name).exists():
            raise ConflictError(
                f"cannot approve {proposal.id}: {what} is in progress in this worktree; {_NOTHING_CHANGED}",
                hint="finish it or abort it (git status says how), then approve again",
            )


def _overlaps(dirty: set[str], touched: set[str]) -> list[str]:
    """Dirty paths the merge would write, including a file that is a folder on the other side."""
    hits = dirty & touched
    for path in dirty ^ touched:
        parents = {str(p) for p in PurePosixPath(path).parents}
        hits.update(parents & (dirty | touched))
    return sorted(hits)


def _changes(repo: RepoPaths, merge_base: str, commit: str) -> dict[str, str | None]:
    """{path: the blob the proposal leaves there (``None``: deleted or not a plain file)} for every path
    the proposal changes since ``merge_base``."""
    raw = git(
        ["diff", "--raw", "-z", "--no-renames", "--no-abbrev", merge_base, commit], cwd=repo.worktree
    ).stdout.split(b"\0")
    changes: dict[str, str | None] = {}
    for header, path in zip(raw[0::2], raw[1::2], strict=False):
        fields = header.decode("ascii", "replace").split()
        if len(fields) < 5:
            continue
        new_mode, new_oid = fields[1], fields[3]
        plain = new_mode in ("100644", "100755") and fields[4] != "D"
        changes[decode_path(path)] = new_oid if plain else None
    return changes


def _refuse_to_overwrite_uncommitted(
    repo: RepoPaths, proposal: Proposal, merge_base: str, status: list[StatusEntry]
) -> None:
    """ConflictError if uncommitted work (a change, an untracked or an ignored file) is where the merge
    writes: the merge must never be the thing that loses the user's work."""
    changes = _changes(repo, merge_base, proposal.commit)
    unmerged = sorted(e.path for e in status if "U" in e.xy or e.xy in ("AA", "DD"))
    if unmerged:
        raise ConflictError(
            f"cannot approve {proposal.id}: unmerged paths in the index: {', '.join(unmerged[:10])}",
            hint=f"resolve them (git status), commit, then approve again; {_NOTHING_CHANGED}",
        )
    dirty: set[str] = set()
    for entry in status:
        dirty.add(entry.path.rstrip("/"))
        if entry.orig_path:
            dirty.add(entry.orig_path)
    clash = set(_overlaps(dirty, set(changes))) | set(_untracked_in_the_way(repo, changes))
    if clash:
        shown = sorted(clash)
        raise ConflictError(
            f"approving {proposal.id} would overwrite uncommitted, untracked or ignored files: "
            f"{', '.join(shown[:10])}" + (f" and {len(shown) - 10} more" if len(shown) > 10 else ""),
            hint=f"move them elsewhere (or commit or stash them), then approve again; {_NOTHING_CHANGED}",
        )


def _untracked_in_the_way(repo: RepoPaths, changes: dict[str, str | None]) -> list[str]:
    """Paths not in the index where the proposal puts a file, holding something else on disk (an
    ignored file counts: ``git status`` does not show it and ``git merge`` overwrites it)."""
    added = [path for path, oid in changes.items() if oid is not None]
    if not added:
        return []
    listed = git(
        ["ls-files", "-z", "--", *(f":(top,literal){p}" for p in added)], cwd=repo.worktree
    ).stdout.split(b"\0")
    tracked = {decode_path(p) for p in listed if p}
    suspects: dict[str, str] = {}
    hits: list[str] = []
    for path in added:
        if path in tracked:
            continue
        blocker = _blocker_on_disk(repo, path)
        if blocker == path:
            suspects[path] = changes[path] or ""
        elif blocker is not None:
            hits.append(blocker)  # a file where the proposal needs a folder
    if suspects:
        wanted = cat_blobs(repo, list(suspects.values()))
        for (path, _), content in zip(suspects.items(), wanted, strict=True):
            if not _holds(repo, path, content):
                hits.append(path)
    return hits


def _blocker_on_disk(repo: RepoPaths, path: str) -> str | None:
    """``path`` if something is on disk there, or the first parent that exists but is no folder."""
    parts = PurePosixPath(path).parts
    for depth in range(1, len(parts)):
        parent = repo.worktree.joinpath(*parts[:depth])
        if os.path.lexists(parent) and (parent.is_symlink() or not parent.is_dir()):
            return "/".join(parts[:depth])
    return path if os.path.lexists(repo.worktree / path) else None


def _holds(repo: RepoPaths, path: str, content: bytes) -> bool:
    target = repo.worktree / path
    if target.is_symlink() or not target.is_file():
        return False
    try:
        return target.read_bytes() == content
    except OSError:
        return False


def _refuse_staged_changes(proposal: Proposal, status: list[StatusEntry]) -> None:
    """A merge commit needs the index to equal HEAD (git refuses otherwise, after rewriting files)."""
    staged = sorted(e.path for e in status if e.staged)
    if staged:
        raise ConflictError(
            f"proposal {proposal.id} needs a merge commit, and you have staged changes: "
            f"{', '.join(staged[:10])}" + (f" and {len(staged) - 10} more" if len(staged) > 10 else ""),
            hint=f"commit them, or unstage them (git restore --staged PATH), then approve again; "
            f"{_NOTHING_CHANGED}",
        )


def _check_merge_is_clean(repo: RepoPaths, head: str, proposal: Proposal) -> None:
    trial = git(
        ["merge-tree", "--write-tree", "--name-only", head, proposal.commit], cwd=repo.worktree, check=False
    )
    if trial.returncode == 1:
        raise ConflictError(
            f"proposal {proposal.id} conflicts with the current branch; {_NOTHING_CHANGED}",
            hint="reject it (plansmith proposals reject ID); plansmith proposes again on the new content",
        )
    if trial.returncode != 0:
        raise GitError(
            f"git merge-tree failed: {trial.err}", hint="approving a diverged proposal needs git 2.38+"
        )
    if git(["var", "GIT_COMMITTER_IDENT"], cwd=repo.worktree, check=False).returncode != 0:
        raise GitError(
            "git does not know who you are, so it cannot make the merge commit",
            hint='git config --global user.name "Your Name"; git config --global user.email you@example.com',
        )


def _delete_branch(repo: RepoPaths, proposal: Proposal) -> None:
    # Only a tip plansmith made: a branch with the user's commits on it stays theirs to delete.
    # Compare-and-swap: if the branch moved meanwhile, leave it (the merged commit is in the user's branch).
    if owned(proposal):
        git(["update-ref", "-d", proposal.ref, proposal.commit], cwd=repo.worktree, check=False)
