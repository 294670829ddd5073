"""Where a repository lives: the one repository model (:class:`RepoPaths`) and how it is found.

Finding the repository reads the file system the way git's own discovery does (``.git`` folders,
``gitdir:`` files of linked worktrees and submodules, ``commondir``), without starting git: every
command-line run and the daemon start here, and a process per run for a question the files answer
was a third of a run's git processes. Inherited ``GIT_DIR``/``GIT_WORK_TREE`` are ignored, as
:mod:`~plansmith.git_backend.cmd` drops them for every git command plansmith runs.

Light on purpose (standard library and :mod:`~plansmith.git_backend.cmd` only): the git hook may import
it. It never writes anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from plansmith.errors import GitError
from plansmith.git_backend.cmd import git

ZERO_OID = "0" * 40
_OBJECT_FORMAT = re.compile(r"^\s*objectformat\s*=\s*\"?(\w+)\"?\s*$", re.IGNORECASE | re.MULTILINE)
_SECTION = re.compile(r"^\s*\[([^\]]*)\]", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class RepoPaths:
    """Where a repository lives. ``common_dir`` is shared by all worktrees; ``git_dir`` is this one's
    (``.git``, or ``.git/worktrees/NAME`` for a linked worktree). All paths are absolute and resolved."""

    worktree: Path
    git_dir: Path
    common_dir: Path
    object_format: str = "sha1"

    @property
    def root(self) -> Path:
        """The worktree's top folder (the name the daemon uses)."""
        return self.worktree

    @property
    def state_dir(self) -> Path:
        """``<common git dir>/plansmith``: everything plansmith owns (per repository, not per worktree)."""
        return self.common_dir / "plansmith"


def find_repository(start: Path) -> RepoPaths:
    """The repository containing ``start`` (a folder or a file inside one).

    Raises :class:`GitError` with a hint when ``start`` is not inside a git working tree (a bare
    repository, or a git dir itself, has no plans to look after).
    """
    folder = start if start.is_dir() else start.parent
    if not folder.is_dir():
        raise GitError(f"{start} does not exist", hint="pass an existing folder with --repo")
    here = folder.resolve()
    for candidate in (here, *here.parents):
        if _is_git_dir(candidate):
            break  # inside a .git folder: not a working tree (git rev-parse --show-toplevel fails too)
        dotgit = candidate / ".git"
        if dotgit.is_dir() or dotgit.is_file():
            git_dir = _git_dir_of(dotgit)
            if git_dir is None:
                break
            common = _common_dir(git_dir)
            return RepoPaths(candidate, git_dir, common, _object_format(common))
    raise GitError(
        f"{start} is not inside a git repository (or is a bare repository)",
        hint="run plansmith from inside a git working tree, or pass --repo DIR; 'git init' creates one",
    )


def _git_dir_of(dotgit: Path) -> Path | None:
    """The git dir a ``.git`` folder is, or a ``gitdir: PATH`` file names (relative to its folder)."""
    if dotgit.is_dir():
        return dotgit if _is_git_dir(dotgit) else None
    try:
        text = dotgit.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not text.startswith("gitdir:"):
        return None
    target = (dotgit.parent / text.removeprefix("gitdir:").strip()).resolve()
    return target if _is_git_dir(target) else None


def _common_dir(git_dir: Path) -> Path:
    try:
        text = (git_dir / "commondir").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return git_dir
    return (git_dir / text).resolve()


def _is_git_dir(folder: Path) -> bool:
    """git's own test, in short: a ``HEAD`` file, and objects and refs in the common dir."""
    if not (folder / "HEAD").is_file():
        return False
    common = _common_dir(folder)
    return (common / "objects").is_dir() and (common / "refs").is_dir()


def _object_format(common_dir: Path) -> str:
    """``extensions.objectFormat`` of the repository's own config (``sha1`` when not set)."""
    try:
        text = (common_dir / "config").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "sha1"
    sections = list(_SECTION.finditer(text))
    for i, section in enumerate(sections):
        if section.group(1).strip().lower() != "extensions":
            continue
        end = sections[i + 1].start() if i + 1 < len(sections) else len(text)
        found = _OBJECT_FORMAT.search(text, section.end(), end)
        if found:
            return found.group(1).lower()
    return "sha1"


def normalise_prefix(prefix: str) -> str:
    """``specs/plans`` / ``./specs/plans/`` -> ``specs/plans/``; empty stays empty (the whole tree)."""
    parts = [p for p in prefix.replace("\\", "/").split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise GitError(f"the folder {prefix!r} leaves the repository", hint="use a repository-relative path")
    return "/".join(parts) + "/" if parts else ""


def worktree_top(cwd: Path, *, keep_env: Iterable[str] = ()) -> Path:
    """The top folder of the worktree containing ``cwd``, as git sees it (``keep_env``: see ``cmd.git``).

    The git hook asks git rather than :func:`find_repository`: git runs it with ``GIT_DIR`` and
    ``GIT_WORK_TREE`` set, which must win.
    """
    return Path(git(["rev-parse", "--show-toplevel"], cwd=cwd, keep_env=keep_env).out)


def toplevel_or_none(folder: Path) -> Path | None:
    """The top folder of the worktree containing ``folder``; ``None`` when it is in none (or missing)."""
    if not folder.is_dir():
        return None
    found = git(["rev-parse", "--show-toplevel"], cwd=folder, check=False)
    return Path(found.out) if found.returncode == 0 and found.out else None


def hooks_folder(folder: Path) -> Path:
    """The folder git takes hooks from for the repository containing ``folder``: ``core.hooksPath``
    (a relative value is relative to the worktree's top, as git runs hooks there) or the common dir's
    ``hooks``. One ``git rev-parse --git-path hooks``: git applies its own rules."""
    args = ["rev-parse", "--path-format=absolute", "--git-path", "hooks", "--show-toplevel"]
    found = git(args, cwd=folder, check=False, user_hooks=True)  # the user's core.hooksPath, not ours
    lines = found.out.splitlines()
    if found.returncode != 0 or len(lines) != 2:
        # git's own "fatal: not a git repository (or any of the parent directories): .git" says less
        # than this; any other refusal (a bare repository, unsafe ownership) is kept, without "fatal:".
        reason = found.err.strip().removeprefix("fatal: ")
        why = "" if not reason or reason.startswith("not a git repository") else f" ({reason})"
        raise GitError(
            f"{folder} is not inside a git working tree{why}",
            hint="run it inside the repository whose commits the hooks should check, or pass --repo DIR "
            "('git init' makes a folder a repository)",
        )
    return Path(lines[0])
