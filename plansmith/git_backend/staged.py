"""What a commit is about to record under the plan roots' folders, read from git's index: the pre-commit
hook's and ``validate --staged``'s git commands.

git runs the pre-commit hook with ``GIT_INDEX_FILE`` pointing at the index being committed: for
``git commit -a`` and ``git commit PATH`` that is a temporary index, not ``.git/index``. The hook's
commands therefore keep the variables that say *which* repository and index the commit is about
(:data:`HOOK_ENV`), which :func:`plansmith.git_backend.cmd.git` otherwise drops.

Three git processes at most: ``diff --cached`` (is a plan touched at all?), ``ls-files --stage`` (which
blobs) and one ``cat-file --batch`` (all their contents). Deliberately not the long-lived session of
:mod:`~plansmith.git_backend.session`: the hook's fast path must not import GitPython (~60 ms), so this
module imports only the standard library and the light modules of this package. It only reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from plansmith.errors import GitError
from plansmith.git_backend.cmd import git
from plansmith.git_backend.listing import Entry, decode_path, parse_ls_files

# The repository, worktree and index the hook's commit is about; everything else GIT_* is dropped.
HOOK_ENV: tuple[str, ...] = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
)
_LITERAL = {"GIT_LITERAL_PATHSPECS": "1"}  # a folder name is a path, never a glob


def staged_paths(root: Path, folders: str | Sequence[str]) -> list[str]:
    """Paths under ``folders`` (one folder or several) whose staged version differs from HEAD (added,
    changed or deleted)."""
    result = git(
        ["diff", "--cached", "--name-only", "--no-renames", "-z", "--", *_folders(folders)],
        cwd=root,
        keep_env=HOOK_ENV,
        env=_LITERAL,
        optional_locks=False,
    )
    return [decode_path(raw) for raw in result.stdout.split(b"\0") if raw]


def list_index(
    root: Path, pathspecs: Sequence[str], *, keep_env: Iterable[str] = HOOK_ENV, literal: bool = True
) -> list[Entry]:
    """The index entries (all stages) matching ``pathspecs``, repository-relative paths."""
    result = git(
        ["ls-files", "--stage", "-z", "--full-name", "--", *pathspecs],
        cwd=root,
        keep_env=keep_env,
        env=_LITERAL if literal else None,
        optional_locks=False,
    )
    return parse_ls_files(result.stdout)


def read_staged_files(
    root: Path,
    folders: str | Sequence[str],
    suffix: str = ".md",
    *,
    keep: Callable[[str], bool] | None = None,
) -> dict[str, bytes]:
    """The staged content of every regular file under ``folders`` ending in ``suffix`` (and, with
    ``keep``, accepted by it: only those blobs are read).

    Symbolic links, submodules and conflicted entries (merge stages 1-3) are left out.
    """
    wanted = [
        e
        for e in list_index(root, _folders(folders))
        if e.is_file and e.path.endswith(suffix) and (keep is None or keep(e.path))
    ]
    contents = cat_blobs_in(root, [e.oid for e in wanted], keep_env=HOOK_ENV)
    return dict(zip((e.path for e in wanted), contents, strict=True))


def _folders(folders: str | Sequence[str]) -> list[str]:
    return [folders] if isinstance(folders, str) else list(folders)


def cat_blobs_in(cwd: Path, oids: Sequence[str], *, keep_env: Iterable[str] = ()) -> list[bytes]:
    """The contents of the blobs ``oids`` (in order), read by one ``git cat-file --batch`` process."""
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
