"""What the daemon needs to know about the repository: its git dirs, HEAD, and plan content hashes.

Reads only. git runs through :func:`plansmith.git_backend.cmd.git` with ``--no-optional-locks`` so that
the daemon never takes the user's ``index.lock``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from plansmith.daemon.debounce import PlanKey, blob_id, group_by_plan, is_relevant_plan_file
from plansmith.discovery import worktree_roots
from plansmith.errors import GitError
from plansmith.git_backend.cmd import git
from plansmith.plan.roots import RootFolder, literal_prefixes, plan_key

Snapshot = dict[PlanKey, dict[str, str]]
"""Plan -> (repository-relative path -> blob id)."""


@dataclass(frozen=True, slots=True)
class RepoPaths:
    root: Path
    git_dir: Path
    """This worktree's git dir (``.git``, or ``.git/worktrees/NAME`` for a linked worktree)."""
    common_dir: Path
    """The repository's common git dir (refs, objects, plansmith's state)."""
    object_format: str = "sha1"

    @property
    def state_dir(self) -> Path:
        """``<common git dir>/plansmith``: lock, state file, scratch worktree."""
        return self.common_dir / "plansmith"


def discover(repo_root: Path) -> RepoPaths:
    """Find the worktree root and git dirs for ``repo_root`` (any folder inside a worktree)."""
    res = git(
        [
            "rev-parse",
            "--path-format=absolute",
            "--show-toplevel",
            "--git-dir",
            "--git-common-dir",
            "--show-object-format",
        ],
        cwd=repo_root,
        optional_locks=False,
    )
    lines = res.out.splitlines()
    if len(lines) != 4:
        raise GitError(f"unexpected output of git rev-parse in {repo_root}: {res.out!r}")
    top, git_dir, common, fmt = lines
    return RepoPaths(Path(top), Path(git_dir), Path(common), fmt.strip() or "sha1")


def head_branch(repo: RepoPaths) -> str | None:
    """The full name of the checked-out branch (``refs/heads/main``), or None when HEAD is detached."""
    res = git(["symbolic-ref", "-q", "HEAD"], cwd=repo.root, check=False, optional_locks=False)
    if res.returncode != 0:
        return None
    return res.out.strip() or None


def committed_snapshot(repo: RepoPaths, roots: str | Sequence[str]) -> Snapshot:
    """Blob ids of the plan files in HEAD's tree (empty on an unborn branch; GitError on failure).

    One listing below the roots' literal folders (``specs``, ``.claude/specs``); which files belong to
    a plan is decided by the root patterns.
    """
    res = git(
        ["ls-tree", "-r", "-z", "--full-tree", "HEAD", "--", *literal_prefixes(roots)],
        cwd=repo.root,
        check=False,
        optional_locks=False,
    )
    if res.returncode != 0:
        # An unborn branch has no plans yet; anything else is a real failure (never report
        # "all plans deleted" because git could not be asked).
        head = git(
            ["rev-parse", "-q", "--verify", "HEAD^{tree}"], cwd=repo.root, check=False, optional_locks=False
        )
        if head.returncode != 0 and not head.out:
            return {}
        raise GitError(f"git ls-tree HEAD failed in {repo.root}: {res.err}")
    files: dict[str, str] = {}
    for entry in res.stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, raw_path = entry.partition(b"\t")
        parts = meta.split()
        if len(parts) != 3 or parts[1] != b"blob":
            continue
        path = raw_path.decode("utf-8", "surrogateescape")
        if is_relevant_plan_file(path, roots):
            files[path] = parts[2].decode("ascii")
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
