"""Finding the repository and reading files from commits, the index and the user's worktree.

This module is on the pre-commit hook's fast path, so it imports nothing heavier than
:mod:`plansmith.git_backend.cmd`. The whole git backend uses plain ``git`` processes through
:func:`~plansmith.git_backend.cmd.git` rather than GitPython: every call is one short-lived process
that is reaped before the call returns, so a daemon running for weeks cannot accumulate ``git
cat-file`` children or file handles (GitPython's ``Repo`` keeps two per instance until closed), the
environment is cleaned in one place, and importing the backend costs nothing. Reading many files is
still one process per step, not per file: ``ls-tree``/``ls-files`` list the blobs and a single ``git
cat-file --batch`` returns all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from plansmith.errors import GitError
from plansmith.git_backend.cmd import git

ZERO_OID = "0" * 40


@dataclass(frozen=True, slots=True)
class RepoPaths:
    """Where a repository lives. ``common_dir`` is shared by all worktrees; ``git_dir`` is this one's."""

    worktree: Path
    git_dir: Path
    common_dir: Path

    @property
    def state_dir(self) -> Path:
        """``<common git dir>/plansmith``: everything plansmith owns (per repository, not per worktree)."""
        return self.common_dir / "plansmith"


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """One line of ``git status --porcelain``: ``xy`` is the two-letter code, ``??`` for untracked."""

    xy: str
    path: str
    orig_path: str | None = None

    @property
    def staged(self) -> bool:
        return self.xy[0] not in " ?!"

    @property
    def unstaged(self) -> bool:
        return self.xy[1] not in " !"


def find_repository(start: Path) -> RepoPaths:
    """The repository containing ``start`` (a folder or a file inside one).

    Raises :class:`GitError` with a hint when ``start`` is not inside a git working tree (a bare
    repository has no plans to look after).
    """
    folder = start if start.is_dir() else start.parent
    if not folder.is_dir():
        raise GitError(f"{start} does not exist", hint="pass an existing folder with --repo")
    result = git(
        [
            "rev-parse",
            "--path-format=absolute",
            "--show-toplevel",
            "--git-dir",
            "--git-common-dir",
        ],
        cwd=folder,
        check=False,
    )
    lines = result.out.splitlines()
    if result.returncode != 0 or len(lines) != 3:
        raise GitError(
            f"{start} is not inside a git repository (or is a bare repository)",
            hint="run plansmith from inside a git working tree, or pass --repo DIR; 'git init' creates one",
        )
    top, git_dir, common = (Path(line) for line in lines)
    return RepoPaths(worktree=top, git_dir=git_dir, common_dir=common)


def rev_parse(repo: RepoPaths, rev: str) -> str | None:
    """The full object id ``rev`` names, or ``None`` when it names nothing."""
    result = git(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", rev], cwd=repo.worktree, check=False
    )
    return result.out if result.returncode == 0 and result.out else None


def resolve_commit(repo: RepoPaths, rev: str) -> str:
    """The commit ``rev`` names; :class:`GitError` with a hint when it names none."""
    oid = rev_parse(repo, f"{rev}^{{commit}}")
    if oid is None:
        raise GitError(
            f"'{rev}' does not name a commit in {repo.worktree}",
            hint="check the name with 'git log --oneline -1 REV'; a new repository needs a first commit",
        )
    return oid


def current_branch(repo: RepoPaths) -> str | None:
    """The short name of the branch checked out in ``repo.worktree``; ``None`` when HEAD is detached."""
    result = git(["symbolic-ref", "--quiet", "--short", "HEAD"], cwd=repo.worktree, check=False)
    return result.out if result.returncode == 0 and result.out else None


def default_branch(repo: RepoPaths) -> str:
    """The repository's main line, used to keep proposal branch names short and stable.

    In order: the branch ``origin/HEAD`` points at, ``init.defaultBranch`` when that branch exists,
    ``main``, ``master``, else the current branch. It must not depend on what is checked out at the
    moment (when possible), or the same proposal would change names as the user switches branches.
    """
    remote_head = git(
        ["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"], cwd=repo.worktree, check=False
    ).out
    if remote_head.startswith("origin/"):
        return remote_head.removeprefix("origin/")
    configured = git(["config", "--get", "init.defaultBranch"], cwd=repo.worktree, check=False).out
    for name in (configured, "main", "master"):
        if name and rev_parse(repo, f"refs/heads/{name}") is not None:
            return name
    return current_branch(repo) or "main"


def _normalise_prefix(prefix: str) -> str:
    """``specs/plans`` / ``./specs/plans/`` -> ``specs/plans/``; empty stays empty (the whole tree)."""
    parts = [p for p in prefix.replace("\\", "/").split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise GitError(f"the folder {prefix!r} leaves the repository", hint="use a repository-relative path")
    return "/".join(parts) + "/" if parts else ""


def _decode_path(raw: bytes) -> str:
    # Paths are bytes in git; surrogateescape keeps non-UTF-8 names round-trippable instead of lossy.
    return raw.decode("utf-8", "surrogateescape")


def cat_blobs(repo: RepoPaths, oids: Sequence[str], *, keep_env: Iterable[str] = ()) -> list[bytes]:
    """The contents of the blobs ``oids`` (in order), read by one ``git cat-file --batch`` process."""
    return cat_blobs_in(repo.worktree, oids, keep_env=keep_env)


def cat_blobs_in(cwd: Path, oids: Sequence[str], *, keep_env: Iterable[str] = ()) -> list[bytes]:
    """:func:`cat_blobs` for a folder, for callers (the pre-commit hook) that have no ``RepoPaths``."""
    if not oids:
        return []
    batch = ("\n".join(oids) + "\n").encode("ascii")
    out = git(["cat-file", "--batch"], cwd=cwd, input=batch, keep_env=keep_env).stdout
    contents: list[bytes] = []
    pos = 0
    for oid in oids:
        header_end = out.index(b"\n", pos)
        header = out[pos:header_end].split(b" ")
        if len(header) != 3:
            raise GitError(f"git cat-file could not read object {oid}: {out[pos:header_end]!r}")
        size = int(header[2])
        start = header_end + 1
        contents.append(out[start : start + size])
        pos = start + size + 1  # the content is followed by a newline
    return contents


def read_tree_files(
    repo: RepoPaths, rev: str, prefix: str | Sequence[str], *, keep: Callable[[str], bool] | None = None
) -> dict[str, bytes]:
    """Every file under the folder ``prefix`` (or each of several) in commit (or tree) ``rev``:
    {repository path: bytes}; with ``keep``, only the files it accepts are read.

    Submodules and symbolic links are left out: neither can be a plan. An unknown ``rev`` raises
    :class:`GitError`; a folder missing from ``rev`` gives an empty mapping.
    """
    folders = _normalise_prefixes(prefix)
    args = ["ls-tree", "-r", "-z", "--full-tree", "--end-of-options", rev]
    if "" not in folders:
        args += ["--", *folders]
    result = git(args, cwd=repo.worktree, check=False)
    if result.returncode != 0:
        raise GitError(
            f"cannot list {', '.join(folders) or 'the files'} at '{rev}': {result.err}",
            hint="check that the revision exists: git rev-parse --verify REV",
        )
    paths: list[str] = []
    oids: list[str] = []
    for record in result.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, oid = meta.decode("ascii").split(" ")
        path = _decode_path(raw_path)
        if kind == "blob" and mode != "120000" and path.startswith(folders) and (keep is None or keep(path)):
            paths.append(path)
            oids.append(oid)
    return dict(zip(paths, cat_blobs(repo, oids), strict=True))


def _normalise_prefixes(prefix: str | Sequence[str]) -> tuple[str, ...]:
    return tuple(_normalise_prefix(p) for p in ((prefix,) if isinstance(prefix, str) else prefix))


def read_index_files(
    repo: RepoPaths,
    prefix: str | Sequence[str],
    *,
    keep_env: Iterable[str] = ("GIT_INDEX_FILE",),
    keep: Callable[[str], bool] | None = None,
) -> dict[str, bytes]:
    """The staged version of every file under ``prefix``: what ``git commit`` is about to record.

    ``GIT_INDEX_FILE`` is kept from the environment by default because git runs the pre-commit hook
    with it pointing at the index being committed (for ``git commit -a`` or ``git commit FILE`` that is
    a temporary index, not ``.git/index``). Conflicted paths (merge stages 1-3) are left out: there is
    no single staged version to validate yet.
    """
    folders = _normalise_prefixes(prefix)
    args = ["ls-files", "--stage", "-z", "--full-name"]
    if "" not in folders:
        args += ["--", *(f":(top,literal){folder}" for folder in folders)]
    result = git(args, cwd=repo.worktree, keep_env=keep_env)
    paths: list[str] = []
    oids: list[str] = []
    for record in result.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, oid, stage = meta.decode("ascii").split(" ")
        path = _decode_path(raw_path)
        if stage == "0" and mode not in ("120000", "160000") and (keep is None or keep(path)):
            paths.append(path)
            oids.append(oid)
    return dict(zip(paths, cat_blobs(repo, oids, keep_env=keep_env), strict=True))


def worktree_status(repo: RepoPaths, paths: Sequence[str] = ()) -> list[StatusEntry]:
    """Uncommitted changes in the user's worktree (staged, unstaged, untracked), maybe limited to ``paths``.

    Runs with ``--no-optional-locks``: a plain ``git status`` refreshes and rewrites ``.git/index``,
    which would race with the user's own git commands and break the promise not to touch their index.
    """
    args = ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignore-submodules=none"]
    if paths:
        args += ["--", *(f":(top,literal){p}" for p in paths)]
    out = git(args, cwd=repo.worktree, optional_locks=False).stdout
    records = out.split(b"\0")
    entries: list[StatusEntry] = []
    i = 0
    while i < len(records):
        record = records[i]
        i += 1
        if not record:
            continue
        xy = record[:2].decode("ascii")
        path = _decode_path(record[3:])
        orig = None
        if xy[0] in "RC":  # renames and copies are followed by the source path
            orig = _decode_path(records[i])
            i += 1
        entries.append(StatusEntry(xy, path, orig))
    return entries
