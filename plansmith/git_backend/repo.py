"""Questions about a repository: what a revision names, which branch is checked out, the files of a
folder at a commit or in the index, and the user's uncommitted changes.

Refs and objects are answered by the repository's open session (:mod:`~plansmith.git_backend.session`:
files and one persistent ``cat-file``), so asking costs no process; a revision in a syntax the session
does not resolve itself (``main~2``, an abbreviated id) is handed to ``git rev-parse``, which knows
them all. The user's worktree status is always ``git status --no-optional-locks``.

Reads only. The repository model and discovery live in :mod:`~plansmith.git_backend.paths` and are
re-exported here for the callers that know this module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from plansmith.errors import GitError
from plansmith.git_backend.cmd import git
from plansmith.git_backend.listing import decode_path
from plansmith.git_backend.objects import is_oid
from plansmith.git_backend.paths import ZERO_OID, RepoPaths, find_repository, normalise_prefix
from plansmith.git_backend.session import GitSession, session_for
from plansmith.git_backend.staged import cat_blobs_in, list_index
from plansmith.git_backend.trees import files_under

__all__ = [
    "ZERO_OID",
    "RepoPaths",
    "StatusEntry",
    "cat_blobs",
    "current_branch",
    "default_branch",
    "find_repository",
    "peel",
    "read_index_files",
    "read_tree_files",
    "resolve_commit",
    "rev_parse",
    "worktree_status",
]

# HEAD, a full ref name or a full id, optionally peeled: what the session resolves without git.
_SIMPLE_REV = re.compile(
    r"^(?P<base>HEAD|refs/[^\s~^:?*\[\\]+|[0-9a-f]{40})(?:\^\{(?P<peel>commit|tree)\})?$"
)
_normalise_prefix = normalise_prefix  # the old private name, still used by the scratch worktree


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


def rev_parse(repo: RepoPaths, rev: str) -> str | None:
    """The full object id ``rev`` names, or ``None`` when it names nothing (as ``rev-parse --verify``)."""
    simple = _SIMPLE_REV.match(rev)
    if simple is None or ".." in rev or "//" in rev or "@{" in rev:  # git knows (and checks) those
        result = git(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", rev], cwd=repo.worktree, check=False
        )
        return result.out if result.returncode == 0 and result.out else None
    session = session_for(repo)
    base = simple["base"]
    oid = base if is_oid(base) else session.ref(base)
    if oid is None or simple["peel"] is None:
        return oid
    return peel(session, oid, simple["peel"])


def peel(session: GitSession, oid: str, kind: str) -> str | None:
    """``oid^{commit}`` / ``oid^{tree}``: follow tags (and a commit to its tree); ``None`` if it leads
    to no object of that kind."""
    for _depth in range(20):
        found = session.read(oid)
        if found is None:
            return None
        found_kind, data = found
        if found_kind == kind:
            return oid
        if found_kind == "tag" and data.startswith(b"object "):
            oid = data[7 : data.index(b"\n")].decode("ascii")
        elif found_kind == "commit" and kind == "tree":
            return session.commit(oid).tree
        else:
            return None
    return None


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
    target = session_for(repo).symbolic_ref("HEAD")
    return target.removeprefix("refs/heads/") if target else None


def default_branch(repo: RepoPaths) -> str:
    """The repository's main line, used to keep proposal branch names short and stable.

    In order: the branch ``origin/HEAD`` points at (or the copy ``plansmith ci`` keeps in
    ``refs/plansmith/remotes/origin/HEAD`` when the clone lacks it), ``init.defaultBranch`` when that
    branch exists, ``main``, ``master``, else the current branch. It must not depend on what is checked
    out at the moment (when possible), or the same proposal would change names as the user switches
    branches.
    """
    session = session_for(repo)
    remote_head = session.symbolic_ref("refs/remotes/origin/HEAD") or ""
    if remote_head.startswith("refs/remotes/origin/"):
        return remote_head.removeprefix("refs/remotes/origin/")
    learned = session.symbolic_ref("refs/plansmith/remotes/origin/HEAD") or ""  # what ci learned
    if learned.startswith("refs/plansmith/remotes/origin/heads/"):
        return learned.removeprefix("refs/plansmith/remotes/origin/heads/")
    configured = session.config("init", "defaultBranch") or ""
    for name in (configured, "main", "master"):
        if name and session.ref(f"refs/heads/{name}") is not None:
            return name
    return current_branch(repo) or "main"


def cat_blobs(repo: RepoPaths, oids: Sequence[str]) -> list[bytes]:
    """The contents of the blobs ``oids`` (in order), read through the repository's session."""
    return session_for(repo).read_many(list(oids))


def read_tree_files(
    repo: RepoPaths, rev: str, prefix: str | Sequence[str], *, keep: Callable[[str], bool] | None = None
) -> dict[str, bytes]:
    """Every file under the folder ``prefix`` (or each of several) in commit (or tree) ``rev``:
    {repository path: bytes}; with ``keep``, only the files it accepts are read.

    Submodules and symbolic links are left out: neither can be a plan. An unknown ``rev`` raises
    :class:`GitError`; a folder missing from ``rev`` gives an empty mapping.
    """

    folders = _normalise_prefixes(prefix)
    tree = rev_parse(repo, f"{rev}^{{tree}}")
    if tree is None:
        raise GitError(
            f"cannot list {', '.join(folders) or 'the files'} at '{rev}': no such commit or tree",
            hint="check that the revision exists: git rev-parse --verify REV",
        )
    session = session_for(repo)
    found: dict[str, str] = {}  # path -> blob; a folder inside another is listed once
    for folder in [""] if "" in folders else folders:
        for entry in files_under(session, tree, folder.rstrip("/")):
            if entry.is_file and (keep is None or keep(entry.path)):
                found[entry.path] = entry.oid
    return dict(zip(found, session.read_many(list(found.values())), strict=True))


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
    no single staged version to validate yet. Two light processes (``ls-files``, ``cat-file``), no
    session: ``validate --staged`` stays as cheap as the hook.
    """
    folders = _normalise_prefixes(prefix)
    specs = [] if "" in folders else [f":(top,literal){folder}" for folder in folders]
    kept = list(keep_env)
    files = [
        e
        for e in list_index(repo.worktree, specs, keep_env=kept, literal=False)
        if e.is_file and (keep is None or keep(e.path))
    ]
    contents = cat_blobs_in(repo.worktree, [e.oid for e in files], keep_env=kept)
    return dict(zip((e.path for e in files), contents, strict=True))


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
        path = decode_path(record[3:])
        orig = None
        if xy[0] in "RC":  # renames and copies are followed by the source path
            orig = decode_path(records[i])
            i += 1
        entries.append(StatusEntry(xy, path, orig))
    return entries
