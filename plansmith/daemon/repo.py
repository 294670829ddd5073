"""What the daemon needs to know about the repository: where it is, its HEAD, and plan content hashes.

Reads only. The repository model and every git question come from :mod:`plansmith.git_backend` (its
long-lived session reads refs from the files and objects through one persistent ``cat-file``, so a
check after each commit costs no process); the working tree is hashed here, in-process.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from plansmith.daemon.debounce import PlanKey, blob_id, group_by_plan, is_relevant_plan_file
from plansmith.discovery import worktree_roots
from plansmith.errors import GitError
from plansmith.git_backend.paths import RepoPaths
from plansmith.git_backend.session import session_for
from plansmith.git_backend.trees import files_under
from plansmith.plan.roots import RootFolder, literal_prefixes, plan_key

__all__ = ["RepoPaths", "Snapshot", "committed_snapshot", "worktree_snapshot"]

Snapshot = dict[PlanKey, dict[str, str]]
"""Plan -> (repository-relative path -> blob id)."""


def repository_gone(repo: RepoPaths) -> str | None:
    """Why the daemon cannot go on watching ``repo`` (``None``: it can). A deleted or moved repository
    does not come back under it: the daemon stops instead of retrying forever."""
    # HEAD and the objects, not the folders: plansmith's own state file could have recreated those.
    if (repo.git_dir / "HEAD").is_file() and (repo.common_dir / "objects").is_dir():
        return None
    return f"the repository {repo.root} is gone (deleted or moved); nothing left to watch"


def committed_snapshot(repo: RepoPaths, roots: str | Sequence[str]) -> Snapshot:
    """Blob ids of the plan files in HEAD's tree (empty on an unborn branch; GitError on failure).

    One listing below the roots' literal folders (``specs``, ``.claude/specs``), read in-process through
    the session; which files belong to a plan is decided by the root patterns.
    """

    session = session_for(repo)
    head = session.ref("HEAD")
    if head is None:
        if session.symbolic_ref("HEAD") is not None:
            return {}  # an unborn branch has no plans yet
        # Never report "all plans deleted" because HEAD could not be read.
        raise GitError(f"cannot read HEAD in {repo.root}")
    tree = session.commit(head).tree
    files = {
        e.path: e.oid
        for prefix in literal_prefixes(roots)
        for e in files_under(session, tree, prefix)
        if e.is_blob and is_relevant_plan_file(e.path, roots)
    }
    return group_by_plan(files, roots)


def _read_for_hash(path: Path) -> bytes | None:
    try:
        if path.is_symlink():
            return os.fsencode(path.readlink())
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError, PermissionError):
        return None


def worktree_snapshot(
    repo: RepoPaths, roots: str | Sequence[str], keys: set[PlanKey] | None = None
) -> Snapshot:
    """Blob ids of the plan files on disk, for ``keys`` (None: every plan). Missing plans are absent.

    Every root of the working tree is looked at (found as every command finds them, never through a
    folder link), so a root created while the daemon runs is seen at the next check.
    """
    out: Snapshot = {}
    for root in worktree_roots(repo.root, roots)[0]:
        _snapshot_root(repo, roots, root, keys, out)
    return out


def _snapshot_root(
    repo: RepoPaths, roots: str | Sequence[str], root: RootFolder, keys: set[PlanKey] | None, out: Snapshot
) -> None:
    try:
        entries = list(os.scandir(repo.root / root.path))
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        name = entry.name
        key = plan_key(root, name[: -len(".md")] if name.endswith(".md") else name)
        if keys is not None and key not in keys:
            continue
        files: dict[str, str] = {}
        if entry.is_dir(follow_symlinks=False):
            for dirpath, dirnames, filenames in os.walk(entry.path):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for fname in filenames:
                    full = Path(dirpath) / fname
                    rel = full.relative_to(repo.root).as_posix()
                    if not is_relevant_plan_file(rel, roots):
                        continue
                    data = _read_for_hash(full)
                    if data is not None:
                        files[rel] = blob_id(data, repo.object_format)
        else:
            rel = f"{root.path}/{name}"
            if not is_relevant_plan_file(rel, roots):
                continue
            data = _read_for_hash(Path(entry.path))
            if data is not None:
                files[rel] = blob_id(data, repo.object_format)
        for plan, plan_files in group_by_plan(files, roots).items():
            out.setdefault(plan, {}).update(plan_files)
