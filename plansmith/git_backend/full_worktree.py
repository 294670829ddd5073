"""Full, short-lived worktrees: a complete checkout of one commit where an agent may change any file.

The scratch worktree (:mod:`plansmith.git_backend.worktree`) holds only the plans folder. A workflow step
that implements code needs the whole tree, so it gets a linked worktree of its own, made with
``git worktree add --detach`` at a path plansmith owns (under ``<common git dir>/plansmith/``), and
removed when the step is over. What it writes: the worktree folder, its admin folder
``<common git dir>/worktrees/<name>`` and objects. Never the user's ``.git/config``, HEAD, index,
branches or working tree: the new worktree's HEAD is detached and its own, and its commit is made with
``commit-tree`` (no ref moves). Every command runs with explicit ``GIT_DIR``/``GIT_WORK_TREE`` and with
hooks disabled (a ``post-checkout`` or ``pre-commit`` hook of the user's is not ours to run).
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from plansmith.errors import GitError
from plansmith.git_backend.cmd import GitResult, git
from plansmith.git_backend.messages import DEFAULT_AUTHOR, format_message, parse_identity
from plansmith.git_backend.repo import RepoPaths, resolve_commit
from plansmith.git_backend.worktree import linked_admin_dir

_NO_HOOKS = ("-c", "core.hooksPath=/dev/null")


@dataclass(frozen=True, slots=True)
class FullWorktree:
    repo: RepoPaths
    path: Path
    admin_dir: Path
    base: str  # the commit it was created at

    def git(
        self, args: Sequence[str], *, input: bytes | None = None, env: Mapping[str, str] | None = None
    ) -> GitResult:
        full_env = {"GIT_DIR": str(self.admin_dir), "GIT_WORK_TREE": str(self.path), **(env or {})}
        return git([*_NO_HOOKS, *args], cwd=self.path, input=input, env=full_env)

    def changed_paths(self) -> list[str]:
        """Files that differ from ``base``: modified, added, deleted and untracked (not ignored) ones."""
        out = self.git(["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"]).stdout
        return sorted(
            {rec[3:].decode("utf-8", "surrogateescape") for rec in out.split(b"\0") if len(rec) > 3}
        )

    def commit(
        self,
        message: str,
        author: str = DEFAULT_AUTHOR,
        trailers: Mapping[str, str | Sequence[str]] | None = None,
        *,
        parent: str | None = None,
    ) -> str:
        """Commit the whole worktree as it is now on top of ``parent`` (default ``base``); return the commit.

        Everything not ignored by the repository's ``.gitignore`` is taken, whatever the agent did with
        the worktree's own HEAD or index meanwhile. No ref is moved (the caller keeps the commit safe,
        e.g. with a checkpoint).
        """
        identity = parse_identity(author)
        subject, _, body = message.strip("\n").partition("\n")
        text = format_message(subject, body, trailers)
        self.git(["add", "-A", "--", ":/"])
        tree = self.git(["write-tree"]).out
        return self.git(
            ["commit-tree", tree, "-p", parent or self.base, "-F", "-"],
            input=text.encode("utf-8"),
            env=identity.env(),
        ).out


def create(repo: RepoPaths, path: Path, commit: str) -> FullWorktree:
    """A detached worktree of ``commit`` at ``path`` (whatever was left there before is removed first)."""
    remove(repo, path)
    base = resolve_commit(repo, commit)
    path.parent.mkdir(parents=True, exist_ok=True)
    git([*_NO_HOOKS, "worktree", "add", "--detach", "--quiet", str(path), base], cwd=repo.worktree)
    admin = _admin_dir(repo, path)
    if admin is None:
        raise GitError(
            f"git did not create the worktree at {path}", hint="run 'git worktree list' to inspect"
        )
    return FullWorktree(repo, path, admin, base)


def remove(repo: RepoPaths, path: Path) -> None:
    """Remove the worktree at ``path`` and its registration; nothing when there is none.

    Only the admin folder that points at ``path`` is deleted (never ``git worktree prune``, which would
    also forget the user's own worktrees whose folders are missing for the moment).
    """
    admin = _admin_dir(repo, path) or _admin_pointing_at(repo, path)
    if admin is not None and path.exists():
        git(
            [*_NO_HOOKS, "worktree", "remove", "--force", "--force", str(path)],
            cwd=repo.worktree,
            check=False,
        )
    if path.exists() or path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    leftover = _admin_pointing_at(repo, path)
    if leftover is not None:
        shutil.rmtree(leftover, ignore_errors=True)


def _admin_dir(repo: RepoPaths, path: Path) -> Path | None:
    """The admin folder the ``.git`` file at ``path`` names, if it is one of this repository's."""
    admin = linked_admin_dir(repo, path)
    return admin if admin is not None and admin.is_dir() else None


def _admin_pointing_at(repo: RepoPaths, path: Path) -> Path | None:
    folder = repo.common_dir / "worktrees"
    if not folder.is_dir():
        return None
    for admin in folder.iterdir():
        with contextlib.suppress(OSError, UnicodeDecodeError):
            if Path((admin / "gitdir").read_text(encoding="utf-8").strip()) == path / ".git":
                return admin
    return None
