"""The scratch worktree: where plansmith changes plans without touching the user's checkout.

One per repository, at ``<common git dir>/plansmith/worktree``: a linked worktree with a detached HEAD,
locked against ``git worktree prune``. It holds only the plan roots (every folder that matches one of
the ``plans_dirs`` patterns, e.g. ``specs/plans`` and ``specs/042_search/plans``), and nothing else of
the repository is ever checked out or indexed there, so its cost stays flat as the repository grows:

* its index contains only the entries of the roots: a walk of the commit's trees below the roots'
  literal folders (``specs``, ``.claude/specs``; in-process, through the repository's session) finds
  them; ``read-tree --prefix`` (one root) or ``update-index --index-info`` and ``checkout-index``
  (several) fill the index and the files;
* a commit stages the roots' folders (``git add -A``), makes the index's tree in-process and splices
  each root whose tree changed into the parent commit's root tree along the root's path (one small
  tree per level), then writes the commit object: all in-process (:mod:`~plansmith.git_backend.trees`),
  so a commit is two git processes (``add``, and the compare-and-swap ``update-ref`` of HEAD).
  Roots are the unit, so other files below ``specs`` (reports, notes) are never part of a commit.

No sparse-checkout setting is needed, so nothing is written to the user's ``.git/config`` (the usual
``git sparse-checkout`` would add ``extensions.worktreeConfig`` there). The price: inside the scratch
worktree, a plain ``git status`` over the whole tree reports every file outside the roots as
deleted; :meth:`ScratchWorktree.changed_paths` is the meaningful question. Every command runs with
explicit ``GIT_DIR``/``GIT_WORK_TREE`` (never discovery, so a damaged worktree can never make a
destructive command land in the user's repository), with hooks disabled (these commits are plansmith's
internal state, not the user's) and with index version 2 and no split index, whatever the user's
configuration says, so that the index can be read in-process.

All operations hold ``<common git dir>/plansmith/worktree.lock`` (see :func:`file_lock`), re-entrant,
so one process at a time works in the scratch worktree; :meth:`ScratchWorktree.session` holds it across
a sequence (reset, apply, commit) that must not interleave with another process.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from plansmith.errors import ConflictError, GitError
from plansmith.git_backend import trees
from plansmith.git_backend.cmd import GitResult, git
from plansmith.git_backend.listing import MODE_GITLINK, Entry, encode_path
from plansmith.git_backend.messages import DEFAULT_AUTHOR, Identity, format_message, parse_identity
from plansmith.git_backend.objects import format_commit, ident, is_oid
from plansmith.git_backend.repo import RepoPaths, peel, resolve_commit
from plansmith.git_backend.session import session_for
from plansmith.git_backend.state_files import file_lock
from plansmith.plan.roots import (
    DEFAULT_ROOTS,
    as_patterns,
    drop_nested,
    literal_prefixes,
    normalise_patterns,
    root_at,
    split_root,
)

LOCK_REASON = "plansmith scratch worktree (recreated by plansmith when missing)"
# Hooks are the user's business; internal commits and ref moves in the scratch worktree must not run them.
_NO_HOOKS = ("-c", "core.hooksPath=/dev/null")
# The scratch index is read in-process (trees.index_files): keep it in the format that reader knows.
_INDEX_FORMAT = ("-c", "index.version=2", "-c", "core.splitIndex=false")
# Lock files git leaves in a worktree's own git dir when killed between taking and committing them.
_STALE_LOCKS = ("index.lock", "HEAD.lock")


class ScratchWorktree:
    """Handle on the scratch worktree of one repository. Create it with :meth:`ensure`."""

    def __init__(
        self, repo: RepoPaths, roots: str | Sequence[str], admin_dir: Path, *, lock_timeout: float
    ) -> None:
        self.repo = repo
        self.roots = _checked_roots(roots)
        self.prefixes = literal_prefixes(self.roots)  # the folders every root lies below
        self.admin_dir = admin_dir
        self.lock_timeout = lock_timeout
        # Root listings by object id (immutable): the commit reset to is the next commit's parent.
        self._listed: dict[str, tuple[dict[str, str], list[bytes]]] = {}

    # -- creation and repair ---------------------------------------------------------------------

    @classmethod
    def ensure(
        cls, repo: RepoPaths, roots: str | Sequence[str] = DEFAULT_ROOTS, *, lock_timeout: float = 30.0
    ) -> ScratchWorktree:
        """The repository's scratch worktree, created (at the user's HEAD) or repaired when needed.

        Repairs: a missing or damaged worktree is removed and created anew; a missing prune lock is
        put back; a missing index (a reset was interrupted) is rebuilt by resetting to HEAD;
        ``index.lock``/``HEAD.lock`` left by a killed process are removed when no process could
        still hold them (we hold plansmith's lock, and no process works inside the worktree).
        """
        _checked_roots(roots)
        path = cls.location(repo)
        with file_lock(repo.state_dir / "worktree.lock", timeout=lock_timeout, what="the scratch worktree"):
            admin = _registered_admin_dir(repo, path)
            if admin is not None:
                _remove_stale_locks(path, admin)
                if not (admin / "locked").exists():
                    _lock(repo, path)
                if _head_commit(repo, admin) is not None:
                    scratch = cls(repo, roots, admin, lock_timeout=lock_timeout)
                    if not (admin / "index").exists():
                        # Killed inside reset_to (index removed, files half written): finish the job.
                        scratch.reset_to(scratch.head())
                    return scratch
            admin = _create(repo, path)
            scratch = cls(repo, roots, admin, lock_timeout=lock_timeout)
            scratch.reset_to(resolve_commit(repo, "HEAD"))
            return scratch

    @staticmethod
    def location(repo: RepoPaths) -> Path:
        return repo.state_dir / "worktree"

    @property
    def path(self) -> Path:
        return self.location(self.repo)

    @contextlib.contextmanager
    def session(self) -> Iterator[ScratchWorktree]:
        """Hold plansmith's worktree lock for a whole sequence of operations (they re-enter it)."""
        with self._locked():
            yield self

    # -- operations ------------------------------------------------------------------------------

    def head(self) -> str:
        """The commit the scratch worktree is at (read from its HEAD file)."""
        oid = _head_commit(self.repo, self.admin_dir)
        if oid is None:
            raise GitError(
                "the scratch worktree's HEAD names no commit",
                hint="run the command again; plansmith repairs the scratch worktree when it starts",
            )
        return oid

    def reset_to(self, commit: str) -> None:
        """Make the scratch worktree exactly ``commit``'s plan roots (and nothing else), HEAD at ``commit``.

        Equivalent to ``reset --hard`` + ``clean -ffdx`` for the roots: stray files anywhere in the
        worktree, including outside the roots, are removed.
        """
        with self._locked():
            target = resolve_commit(self.repo, commit)
            self._check_identity()
            (self.admin_dir / "index").unlink(missing_ok=True)
            _empty_folder(self.path)  # what 'git clean -ffdx' does with an empty index, without a process
            roots, entries = self._roots_in(target)
            if len(roots) == 1:  # the usual case: one process, as before plan roots existed
                ((root, tree),) = roots.items()
                self._git(["read-tree", "-u", f"--prefix={root}/", tree])
            elif entries:
                self._git(["update-index", "-z", "--index-info"], input=b"".join(entries))
                self._git(["checkout-index", "--all", "--force", "--index", "--quiet"])
            else:
                self._git(["read-tree", "--empty"])
            if _head_commit(self.repo, self.admin_dir) != target:
                self._git(["update-ref", "--no-deref", "-m", "plansmith: reset", "HEAD", target])

    def commit(
        self,
        message: str,
        author: str = DEFAULT_AUTHOR,
        trailers: Mapping[str, str | Sequence[str]] | None = None,
        *,
        allow_empty: bool = False,
    ) -> str:
        """Commit everything changed in the plan roots on top of HEAD; return the new HEAD.

        ``message`` is the subject line, optionally followed by a blank line and a body; ``trailers``
        are appended. Author and committer are both ``author`` (default ``plansmith
        <plansmith@localhost>``), so the user's identity settings are neither needed nor used. When
        nothing changed and ``allow_empty`` is false, no commit is made and the current HEAD is returned.
        """
        identity = parse_identity(author)
        subject, _, body = message.strip("\n").partition("\n")
        text = format_message(subject, body, trailers)
        with self._locked():
            self._check_identity()
            parent = self.head()
            present = self._present_prefixes()
            if present:
                self._git(["add", "-A", "--", *(f":(top,literal){p}" for p in present)])
            session = session_for(self.repo)
            index_root = self._index_tree()
            parent_tree = session.commit(parent).tree
            before, after = self._roots_in(parent)[0], self._roots_in(index_root)[0]
            tree: str | None = parent_tree
            for root in sorted(set(before) | set(after)):
                if before.get(root) != after.get(root):  # only roots that changed are written
                    tree = trees.splice(session, tree, root.split("/"), after.get(root))
            tree = tree or session.write("tree", b"")
            if tree == parent_tree and not allow_empty:
                return parent
            new = session.write("commit", format_commit(tree, [parent], *_signature(identity), text))
            self._git(["update-ref", "--no-deref", "-m", f"plansmith: {subject}", "HEAD", new, parent])
            return new

    def changed_paths(self) -> list[str]:
        """Files that differ from HEAD: changes below the roots' folders plus stray files anywhere."""
        with self._locked():
            pathspecs = [f":(top,literal){p}" for p in self.prefixes]
            status = self._git(
                ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *pathspecs]
            ).stdout
            listed = (
                rec[3:].decode("utf-8", "surrogateescape") for rec in status.split(b"\0") if len(rec) > 3
            )
            # Files outside every root are not in this index, so status calls them deleted: not changes.
            changed = {path for path in listed if split_root(path, self.roots) is not None}
            others = self._git(["ls-files", "-z", "--others"]).stdout
            changed.update(p.decode("utf-8", "surrogateescape") for p in others.split(b"\0") if p)
            return sorted(changed)

    # -- internals -------------------------------------------------------------------------------

    def _locked(self) -> contextlib.AbstractContextManager[None]:
        return file_lock(
            self.repo.state_dir / "worktree.lock", timeout=self.lock_timeout, what="the scratch worktree"
        )

    def _git(
        self,
        args: Sequence[str],
        *,
        input: bytes | None = None,
        env: Mapping[str, str] | None = None,
        check: bool = True,
    ) -> GitResult:
        full_env = {"GIT_DIR": str(self.admin_dir), "GIT_WORK_TREE": str(self.path), **(env or {})}
        return git([*_NO_HOOKS, *_INDEX_FORMAT, *args], cwd=self.path, input=input, env=full_env, check=check)

    def _check_identity(self) -> None:
        """Refuse to run destructive commands unless the folder really is our registered worktree."""
        if _registered_admin_dir(self.repo, self.path) != self.admin_dir:
            raise GitError(
                "the scratch worktree is missing or damaged",
                hint="run the command again; plansmith recreates the scratch worktree when it starts",
            )

    def _roots_in(self, treeish: str) -> tuple[dict[str, str], list[bytes]]:
        """The roots in ``treeish`` (a commit or tree) with their tree ids, and ``update-index
        --index-info`` records for their files: one in-process walk below the roots' literal folders.
        A folder that matches a pattern inside another root is part of that root, not a root of its own."""
        if treeish in self._listed:
            return self._listed[treeish]
        session = session_for(self.repo)
        tree = peel(session, treeish, "tree")
        if tree is None:
            raise GitError(f"{treeish} is neither a commit nor a tree in {self.repo.worktree}")
        listed = [e for prefix in self.prefixes for e in trees.everything_under(session, tree, prefix)]
        folders = {e.path: e.oid for e in listed if e.is_tree}
        matched = drop_nested(r for path in folders if (r := root_at(path, self.roots)) is not None)
        roots = {r.path: folders[r.path] for r in matched}
        inside = tuple(f"{r}/" for r in roots)
        records = [_index_info(e) for e in listed if not e.is_tree and inside and e.path.startswith(inside)]
        found = (roots, records)
        if len(self._listed) >= 8:  # a handle lives for one run or one daemon job: keep it small anyway
            self._listed.clear()
        self._listed[treeish] = found
        return found

    def _index_tree(self) -> str:
        """The root tree of the scratch index: made in-process, or by ``git write-tree`` when the index
        is in a form the in-process reader does not take."""
        entries = trees.index_files(self.admin_dir / "index")
        if entries is None:
            return self._git(["write-tree"]).out
        return trees.build(session_for(self.repo), entries)

    def _present_prefixes(self) -> list[str]:
        """The roots' literal folders that exist in the worktree or in the index (``git add`` refuses a
        path that is in neither)."""
        in_index = trees.index_files(self.admin_dir / "index")
        if in_index is None:
            listed = self._git(["ls-files", "-z"]).stdout.split(b"\0")
            indexed = [p.decode("utf-8", "surrogateescape") for p in listed if p]
        else:
            indexed = [e.path for e in in_index]
        return [
            p
            for p in self.prefixes
            if (self.path / p).exists() or any(i.startswith(f"{p}/") for i in indexed)
        ]


def _checked_roots(roots: str | Sequence[str]) -> tuple[str, ...]:
    try:
        return normalise_patterns(as_patterns(roots))
    except ValueError as exc:
        raise GitError(f"plan root {exc}", hint="set plans_dirs to folders such as specs/plans") from None


def _index_info(entry: Entry) -> bytes:
    """An ``update-index --index-info`` record (``ls-tree`` format) for a file of a tree."""
    kind = "commit" if entry.mode == MODE_GITLINK else "blob"
    return f"{entry.mode} {kind} {entry.oid}\t".encode("ascii") + encode_path(entry.path) + b"\0"


def _signature(identity: Identity) -> tuple[str, str]:
    """Author and committer lines for now, in the local time zone (as ``git commit-tree`` writes them)."""
    now = int(time.time())
    line = ident(identity.name, identity.email, now, time.localtime(now).tm_gmtoff)
    return line, line


def _empty_folder(folder: Path) -> None:
    """Remove everything in ``folder`` except its ``.git`` file (symbolic links are removed, never
    followed)."""
    for entry in folder.iterdir():
        if entry.name == ".git":
            continue
        try:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        except OSError as exc:
            raise GitError(
                f"cannot empty the scratch worktree: {exc}",
                hint=f"remove {folder} by hand; plansmith recreates it on the next run",
            ) from exc


def _head_commit(repo: RepoPaths, admin: Path) -> str | None:
    """The commit a worktree's HEAD (``admin/HEAD``) is at, read from the file; ``None`` when it names
    none (missing, damaged, or not a commit)."""
    try:
        text = (admin / "HEAD").read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    session = session_for(repo)
    oid = session.ref(text.removeprefix("ref: ").strip()) if text.startswith("ref: ") else text
    if oid is None or not is_oid(oid):
        return None
    found = session.read(oid)
    return oid if found is not None and found[0] == "commit" else None


def linked_admin_dir(repo: RepoPaths, path: Path) -> Path | None:
    """The admin folder ``<common dir>/worktrees/<name>`` that the ``.git`` file at ``path`` names, when
    it names one of this repository's (read without running git)."""
    try:
        text = (path / ".git").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not text.startswith("gitdir: "):
        return None
    admin = Path(text.removeprefix("gitdir: "))
    return admin if admin.parent == repo.common_dir / "worktrees" else None


def _registered_admin_dir(repo: RepoPaths, path: Path) -> Path | None:
    """The admin folder ``.git/worktrees/<name>`` of the worktree at ``path``, if it is intact.

    Checked without running git: the ``.git`` file points at an admin folder inside this repository's
    common dir, whose ``gitdir`` file points back at us and which has a HEAD.
    """
    admin = linked_admin_dir(repo, path)
    if admin is None:
        return None
    try:
        back = Path((admin / "gitdir").read_text(encoding="utf-8").strip())
    except (OSError, UnicodeDecodeError):
        return None
    if back != path / ".git" or not (admin / "HEAD").is_file():
        return None
    return admin


def _create(repo: RepoPaths, path: Path) -> Path:
    """Remove whatever is left of an old scratch worktree, then add and lock a fresh one."""
    worktrees = repo.common_dir / "worktrees"
    if worktrees.is_dir():
        for old in worktrees.iterdir():
            # Only admin folders that point at *our* path are ours to delete: never a user's worktree.
            with contextlib.suppress(OSError, UnicodeDecodeError):
                if Path((old / "gitdir").read_text(encoding="utf-8").strip()) == path / ".git":
                    shutil.rmtree(old)
    if path.exists() or path.is_symlink():
        shutil.rmtree(path)
    base = resolve_commit(repo, "HEAD")
    path.parent.mkdir(parents=True, exist_ok=True)
    # --lock: the worktree is never, even for an instant, without the lock that keeps 'prune' away.
    add = ["worktree", "add", "--detach", "--no-checkout", "--lock", "--reason", LOCK_REASON, str(path), base]
    git([*_NO_HOOKS, *add], cwd=repo.worktree)
    admin = _registered_admin_dir(repo, path)
    if admin is None:
        raise GitError(
            f"git did not create the scratch worktree at {path}", hint="run 'git worktree list' to inspect"
        )
    return admin


def _lock(repo: RepoPaths, path: Path) -> None:
    # The lock keeps 'git worktree prune' (also run by 'git gc') from deleting our registration.
    git(["worktree", "lock", "--reason", LOCK_REASON, str(path)], cwd=repo.worktree)


def _remove_stale_locks(path: Path, admin: Path) -> None:
    """Remove lock files of a killed process; refuse when a live process works in the worktree.

    The caller holds plansmith's flock, so no plansmith process is inside a scratch operation; the
    only possible live holder is some other program (an agent running git) whose working directory is
    inside the worktree, which ``/proc`` shows on Linux.
    """
    stale = [admin / name for name in _STALE_LOCKS if (admin / name).exists()]
    if not stale:
        return
    busy = _processes_inside(path)
    if busy:
        raise ConflictError(
            f"the scratch worktree is locked ({stale[0].name}) and processes {busy} are working in it",
            hint="wait for them to finish (or stop them), then run the command again",
        )
    for lock in stale:
        lock.unlink(missing_ok=True)


def _processes_inside(path: Path) -> list[int]:
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    prefix = str(path)
    found: list[int] = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cwd = str((entry / "cwd").readlink())
        except OSError:
            continue
        if cwd == prefix or cwd.startswith(prefix + os.sep):
            found.append(int(entry.name))
    return found
