"""One open repository: GitPython's ``Repo`` for refs, objects and config, held for a run or a life.

What GitPython is used for, and why (see "Facts measured" in the design):

* refs, HEAD and symbolic refs are read from the repository's files (loose refs, then ``packed-refs``)
  instead of a ``rev-parse``/``symbolic-ref``/``for-each-ref`` process per question;
* objects are read through one persistent ``git cat-file --batch`` per open repository;
* trees and commits plansmith makes are written as loose objects in-process (gitdb's writer: the
  same bytes, hence the same ids, as git; see :mod:`~plansmith.git_backend.objects`);
* config values are read from the config files (GitPython's parser; ``git config`` when it fails).

Ref *updates* are never made here: they are compare-and-swap ``git update-ref`` calls through
:mod:`~plansmith.git_backend.cmd`. ``IndexFile`` is never used (it changes the process's working folder
and skips hooks in linked worktrees).

Lifetime: :func:`session_for` opens a repository on first use and keeps it in a small registry.
GitPython's ``Repo`` keeps its ``cat-file`` children and file handles until closed, so: a command-line
run closes everything when it ends (:func:`close_all`, also registered with ``atexit``); the daemon
holds one per repository for its life and calls :func:`close` when it stops and after an error (the
next use reopens it); at most ``MAX_OPEN`` repositories are open in one process (the least recently
used is closed). All access to one session is serialised by its lock: the ``cat-file`` protocol is
one request at a time.

Importing this module is cheap; ``git`` (GitPython, ~60 ms and two ``git version`` processes) is
imported when the first repository is opened. The hook's fast path never gets here.
"""

from __future__ import annotations

import atexit
import configparser
import hashlib
import io
import logging
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

from plansmith.errors import GitError
from plansmith.git_backend.cmd import git
from plansmith.git_backend.objects import CommitInfo, is_oid, parse_commit
from plansmith.git_backend.paths import RepoPaths

if TYPE_CHECKING:
    from git import Repo
    from gitdb.db.loose import LooseObjectDB  # type: ignore[import-untyped]

log = logging.getLogger(__name__)

MAX_OPEN = 4
_COMMIT_CACHE = 512  # parsed commits are immutable: cached per session, oldest dropped first


class GitSession:
    """Refs, objects and config of one repository (see the module doc). Get one with :func:`session_for`."""

    def __init__(self, paths: RepoPaths) -> None:
        self.paths = paths
        self._lock = threading.RLock()
        self._repo: Repo | None = None
        self._loose: LooseObjectDB | None = None
        self._commits: OrderedDict[str, CommitInfo] = OrderedDict()

    # -- lifetime ---------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop the ``cat-file`` children and drop the handles; the next use opens the repository again."""
        with self._lock:
            if self._repo is not None:
                repo, self._repo, self._loose = self._repo, None, None
                repo.close()

    def _open(self) -> Repo:
        if self._repo is None:
            self._repo = _open_repo(self.paths)
        return self._repo

    # -- refs -------------------------------------------------------------------------------------

    def ref(self, name: str) -> str | None:
        """The object id ``name`` (``HEAD`` or a full ref name) points at, following symbolic refs;
        ``None`` when it does not exist (or is an unborn branch)."""
        from git.refs import SymbolicReference

        with self._lock:
            try:
                return SymbolicReference.dereference_recursive(self._open(), name)
            except (ValueError, OSError):
                return None

    def symbolic_ref(self, name: str) -> str | None:
        """The full ref name the symbolic ref ``name`` points at (``HEAD`` -> ``refs/heads/main``);
        ``None`` when it is detached or does not exist."""
        from git.refs import SymbolicReference

        with self._lock:
            try:
                return str(SymbolicReference(self._open(), name).reference.path)
            except (TypeError, ValueError, OSError):
                return None

    def refs_under(self, prefix: str) -> list[tuple[str, str]]:
        """``(full name, object id)`` of every ref whose name starts with ``prefix``, sorted by name."""
        from git.refs import Reference, SymbolicReference

        folder = prefix.rsplit("/", 1)[0] if "/" in prefix else prefix
        found: list[tuple[str, str]] = []
        with self._lock:
            repo = self._open()
            for reference in Reference.iter_items(repo, common_path=folder):
                name = str(reference.path)
                if not name.startswith(prefix):
                    continue
                try:
                    found.append((name, SymbolicReference.dereference_recursive(repo, name)))
                except (ValueError, OSError):
                    continue  # deleted while we listed
        return sorted(set(found))

    # -- objects ----------------------------------------------------------------------------------

    def read(self, oid: str) -> tuple[str, bytes] | None:
        """``(type, content)`` of object ``oid`` (a full id); ``None`` when the repository lacks it."""
        if not is_oid(oid):
            raise GitError(f"not an object id: {oid!r}")
        with self._lock:
            for attempt in (1, 2):
                try:
                    _hexsha, kind, _size, data = self._open().git.get_object_data(oid)
                    return (kind.decode("ascii") if isinstance(kind, bytes) else str(kind)), data
                except ValueError as exc:
                    if str(exc).rstrip("'\"").endswith("missing"):
                        return None
                    failure: Exception = exc
                except OSError as exc:  # the cat-file child died (killed, repository moved)
                    failure = exc
                self.close()  # a broken protocol stream cannot be trusted: start a fresh child
                if attempt == 2:
                    raise GitError(f"cannot read object {oid}: {failure}") from failure
        raise AssertionError("unreachable")

    def read_many(self, oids: list[str]) -> list[bytes]:
        """The contents of ``oids`` in order; :class:`GitError` if one is missing."""
        contents: list[bytes] = []
        for oid in oids:
            found = self.read(oid)
            if found is None:
                raise GitError(f"object {oid} is missing from the repository", hint="run 'git fsck'")
            contents.append(found[1])
        return contents

    def commit(self, oid: str) -> CommitInfo:
        """The commit ``oid``, parsed (cached: commits never change); :class:`GitError` if it is none."""
        with self._lock:
            cached = self._commits.get(oid)
            if cached is not None:
                self._commits.move_to_end(oid)
                return cached
            found = self.read(oid)
            if found is None or found[0] != "commit":
                raise GitError(f"{oid} is not a commit in {self.paths.worktree}")
            info = parse_commit(oid, found[1])
            self._commits[oid] = info
            if len(self._commits) > _COMMIT_CACHE:
                self._commits.popitem(last=False)
            return info

    def write(self, kind: str, data: bytes) -> str:
        """Store an object (``blob``/``tree``/``commit``) as a loose object; its id. Nothing is written
        when the object exists as a loose object already."""
        header = f"{kind} {len(data)}\0".encode("ascii")
        oid = hashlib.sha1(header + data, usedforsecurity=False).hexdigest()
        if (self.paths.common_dir / "objects" / oid[:2] / oid[2:]).is_file():
            return oid
        from gitdb import IStream  # type: ignore[import-untyped]

        with self._lock:
            if self._loose is None:
                from gitdb.db.loose import LooseObjectDB

                self._open()
                self._loose = LooseObjectDB(str(self.paths.common_dir / "objects"))
            stored = self._loose.store(IStream(kind, len(data), io.BytesIO(data)))
        written = stored.hexsha.decode("ascii") if isinstance(stored.hexsha, bytes) else str(stored.hexsha)
        if written != oid:  # cannot happen unless gitdb changed its format: refuse to go on with it
            raise GitError(f"object written as {written}, expected {oid}")
        return oid

    # -- config -----------------------------------------------------------------------------------

    def config(self, section: str, key: str) -> str | None:
        """A config value (``config("init", "defaultBranch")``): system, global and repository files
        read in-process; one ``git config --get`` when GitPython cannot parse them."""
        with self._lock:
            try:
                reader = self._open().config_reader()
                return str(reader.get_value(section, key))
            except (configparser.NoSectionError, configparser.NoOptionError):
                return None
            except Exception as exc:  # a syntax GitPython's parser does not know: git decides
                log.debug("config files not readable in-process (%s); asking git", exc)
        result = git(["config", "--get", f"{section}.{key}"], cwd=self.paths.worktree, check=False)
        return result.out if result.returncode == 0 else None


def _open_repo(paths: RepoPaths) -> Repo:
    """GitPython's ``Repo`` for ``paths``, its git processes pinned to this repository."""
    if paths.object_format != "sha1":
        raise GitError(
            f"{paths.worktree} uses {paths.object_format} object ids; plansmith needs a SHA-1 repository",
            hint="use plansmith in a SHA-1 repository (git's default)",
        )
    if (paths.common_dir / "reftable").is_dir():
        raise GitError(
            f"{paths.worktree} stores its refs in a reftable, which plansmith cannot read yet",
            hint="use plansmith in a repository with the default (files) ref storage",
        )
    from git import Repo
    from git.exc import GitError as GitPythonError

    try:
        repo = Repo(str(paths.git_dir))
    except (GitPythonError, OSError) as exc:
        raise GitError(f"cannot open the repository at {paths.git_dir}: {exc}") from exc
    if Path(repo.common_dir).resolve() != paths.common_dir:
        repo.close()
        raise GitError(
            f"GIT_COMMON_DIR or GIT_OBJECT_DIRECTORY point away from {paths.worktree}",
            hint="unset the GIT_* variables of the environment and run plansmith again",
        )
    # Inherited GIT_DIR & co. (a git hook's) must not redirect the cat-file children.
    repo.git.update_environment(GIT_DIR=str(paths.git_dir), GIT_WORK_TREE=str(paths.worktree))
    return repo


_SESSIONS: OrderedDict[RepoPaths, GitSession] = OrderedDict()
_REGISTRY = threading.Lock()


def session_for(paths: RepoPaths) -> GitSession:
    """The open session of ``paths`` (opened on first use; see the module doc for its lifetime)."""
    with _REGISTRY:
        found = _SESSIONS.get(paths)
        if found is None:
            found = _SESSIONS[paths] = GitSession(paths)
        _SESSIONS.move_to_end(paths)
        evicted = [_SESSIONS.popitem(last=False)[1] for _ in range(max(0, len(_SESSIONS) - MAX_OPEN))]
    for session in evicted:
        session.close()
    return found


def close(paths: RepoPaths) -> None:
    """Close the session of ``paths`` if one is open (the daemon: on stop and after an error)."""
    with _REGISTRY:
        found = _SESSIONS.pop(paths, None)
    if found is not None:
        found.close()


def close_all() -> None:
    """Close every open session (the end of a command-line run)."""
    with _REGISTRY:
        sessions = list(_SESSIONS.values())
        _SESSIONS.clear()
    for session in sessions:
        session.close()


atexit.register(close_all)
