"""What a commit is about to record under the plan roots' folders, read from git's index.

git runs the pre-commit hook with ``GIT_INDEX_FILE`` pointing at the index being committed: for
``git commit -a`` and ``git commit PATH`` that is a temporary index, not ``.git/index``. The commands
here therefore keep the variables that say *which* repository and index the commit is about
(:data:`HOOK_ENV`), which :func:`plansmith.git_backend.cmd.git` otherwise drops.

Three git processes at most: ``diff --cached`` (is a plan touched at all?), ``ls-files -s`` (which
blobs) and one ``cat-file --batch`` (all their contents).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from plansmith.git_backend.cmd import git
from plansmith.git_backend.repo import cat_blobs_in

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
_REGULAR_MODES = (b"100644", b"100755")


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
    return [_decode(raw) for raw in result.stdout.split(b"\0") if raw]


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
    listing = git(
        ["ls-files", "--stage", "-z", "--full-name", "--", *_folders(folders)],
        cwd=root,
        keep_env=HOOK_ENV,
        env=_LITERAL,
        optional_locks=False,
    )
    wanted = suffix.encode()
    paths: list[str] = []
    oids: list[str] = []
    for record in listing.stdout.split(b"\0"):
        meta, _, raw_path = record.partition(b"\t")
        fields = meta.split(b" ")
        if len(fields) != 3 or fields[0] not in _REGULAR_MODES or fields[2] != b"0":
            continue
        if not raw_path.endswith(wanted):
            continue
        path = _decode(raw_path)
        if keep is None or keep(path):
            paths.append(path)
            oids.append(fields[1].decode("ascii"))
    return dict(zip(paths, cat_blobs_in(root, oids, keep_env=HOOK_ENV), strict=True))


def _folders(folders: str | Sequence[str]) -> list[str]:
    return [folders] if isinstance(folders, str) else list(folders)


def _decode(raw: bytes) -> str:
    # git paths are bytes; surrogateescape keeps a non-UTF-8 name round-trippable.
    return raw.decode("utf-8", "surrogateescape")
