"""The scratch worktree: where plansmith changes plans without touching the user's checkout.

One per repository, at ``<common git dir>/plansmith/worktree``: a linked worktree with a detached HEAD,
locked against ``git worktree prune``. It holds only the plan roots (every folder that matches one of
the ``plans_dirs`` patterns, e.g. ``specs/plans`` and ``specs/042_search/plans``), and nothing else of
the repository is ever checked out or indexed there, so its cost stays flat as the repository grows:

* its index contains only the entries of the roots: one ``ls-tree`` below the roots' literal folders
  (``specs``, ``.claude/specs``) finds them, ``update-index --index-info`` and ``checkout-index`` fill
  the index and the files, whatever the number of roots;
* a commit writes the index's tree and splices each root whose tree changed into the parent commit's
  root tree with ``mktree`` along the root's path (one small tree per level), then ``commit-tree``.
  Roots are the unit, so other files below ``specs`` (reports, notes) are never part of a commit.

No sparse-checkout setting is needed, so nothing is written to the user's ``.git/config`` (the usual
``git sparse-checkout`` would add ``extensions.worktreeConfig`` there). The price: inside the scratch
worktree, a plain ``git status`` over the whole tree reports every file outside the roots as
deleted; :meth:`ScratchWorktree.changed_paths` is the meaningful question. Every command runs with
explicit ``GIT_DIR``/``GIT_WORK_TREE`` (never discovery, so a damaged worktree can never make a
destructive command land in the user's repository) and with hooks disabled: these commits are
plansmith's internal state, not the user's.

All operations hold ``<common git dir>/plansmith/worktree.lock`` (see :func:`file_lock`), re-entrant,
so one process at a time works in the scratch worktree; :meth:`ScratchWorktree.session` holds it across
a sequence (reset, apply, commit) that must not interleave with another process.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from plansmith.errors import ConflictError, GitError
from plansmith.git_backend._fs import file_lock
from plansmith.git_backend.cmd import GitResult, git
from plansmith.git_backend.messages import DEFAULT_AUTHOR, format_message, parse_identity
from plansmith.git_backend.repo import RepoPaths, resolve_commit
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
        # ls-tree answers by object id (immutable): the commit reset to is the next commit's parent.
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
                if _head_ok(path, admin):
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
        """The commit the scratch worktree is at."""
        return self._git(["rev-parse", "--verify", "HEAD^{commit}"]).out

    def reset_to(self, commit: str) -> None:
        """Make the scratch worktree exactly ``commit``'s plan roots (and nothing else), HEAD at ``commit``.

        Equivalent to ``reset --hard`` + ``clean -ffdx`` for the roots: stray files anywhere in the
        worktree, including outside the roots, are removed.
        """
        with self._locked():
            target = resolve_commit(self.repo, commit)
            self._check_identity()
            (self.admin_dir / "index").unlink(missing_ok=True)
            # With an empty index every file is untracked, so this empties the worktree (except .git).
            self._git(["clean", "-ffdxq"])
            roots, entries = self._roots_in(target)
            if len(roots) == 1:  # the usual case: one process, as before plan roots existed
                ((root, tree),) = roots.items()
                self._git(["read-tree", "-u", f"--prefix={root}/", tree])
            elif entries:
                self._git(["update-index", "-z", "--index-info"], input=b"".join(entries))
                self._git(["checkout-index", "--all", "--force", "--index", "--quiet"])
            else:
                self._git(["read-tree", "--empty"])
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
            index_root = self._git(["write-tree"]).out
            parent_tree = self._git(["rev-parse", f"{parent}^{{tree}}"]).out
            before, after = self._roots_in(parent)[0], self._roots_in(index_root)[0]
            tree: str | None = parent_tree
            for root in sorted(set(before) | set(after)):
                if before.get(root) != after.get(root):  # only roots that changed are written
                    tree = self._splice(tree, root.split("/"), after.get(root))
            tree = tree or _empty_tree(self)
            if tree == parent_tree and not allow_empty:
                return parent
            new = self._git(
                ["commit-tree", tree, "-p", parent, "-F", "-"], input=text.encode("utf-8"), env=identity.env()
            ).out
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
        return git([*_NO_HOOKS, *args], cwd=self.path, input=input, env=full_env, check=check)

    def _check_identity(self) -> None:
        """Refuse to run destructive commands unless the folder really is our registered worktree."""
        if _registered_admin_dir(self.repo, self.path) != self.admin_dir:
            raise GitError(
                "the scratch worktree is missing or damaged",
                hint="run the command again; plansmith recreates the scratch worktree when it starts",
            )

    def _roots_in(self, treeish: str) -> tuple[dict[str, str], list[bytes]]:
        """The roots in ``treeish`` with their tree ids, and ``update-index --index-info`` records for
        their files: one ``ls-tree`` below the roots' literal folders. A folder that matches a pattern
        inside another root is part of that root, not a root of its own."""
        if treeish in self._listed:
            return self._listed[treeish]
        out = self._git(["ls-tree", "-r", "-t", "-z", "--full-tree", treeish, "--", *self.prefixes]).stdout
        trees: dict[str, str] = {}
        files: list[tuple[str, bytes]] = []
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _, raw_path = record.partition(b"\t")
            _mode, kind, oid = meta.decode("ascii").split(" ")
            path = raw_path.decode("utf-8", "surrogateescape")
            if kind == "tree":
                trees[path] = oid
            else:
                files.append((path, record + b"\0"))
        matched = drop_nested(r for path in trees if (r := root_at(path, self.roots)) is not None)
        roots = {r.path: trees[r.path] for r in matched}
        inside = tuple(f"{r}/" for r in roots)
        found = (roots, [record for path, record in files if inside and path.startswith(inside)])
        if len(self._listed) >= 8:  # a handle lives for one run or one daemon job: keep it small anyway
            self._listed.clear()
        self._listed[treeish] = found
        return found

    def _present_prefixes(self) -> list[str]:
        """The roots' literal folders that exist in the worktree or in the index (``git add`` refuses a
        path that is in neither)."""
        listed = self._git(["ls-files", "-z"]).stdout.split(b"\0")
        indexed = [p.decode("utf-8", "surrogateescape") for p in listed if p]
        return [
            p
            for p in self.prefixes
            if (self.path / p).exists() or any(i.startswith(f"{p}/") for i in indexed)
        ]

    def _splice(self, tree: str | None, parts: list[str], new: str | None) -> str | None:
        """``tree`` with the subtree at ``parts`` replaced by ``new`` (removed when ``None``).

        Returns ``None`` for a tree left empty (git does not record empty folders). Reads and writes
        one small tree per level, so the cost depends on the folder's depth, not the repository's size.
        """
        entries: list[bytes] = []
        if tree is not None:
            entries = [e for e in self._git(["ls-tree", "-z", tree]).stdout.split(b"\0") if e]
        name = parts[0].encode("utf-8", "surrogateescape")
        kept: list[bytes] = []
        current: str | None = None
        for entry in entries:
            meta, _, entry_name = entry.partition(b"\t")
            if entry_name == name:
                _mode, kind, oid = meta.decode("ascii").split(" ")
                current = oid if kind == "tree" else None
            else:
                kept.append(entry)
        child = new if len(parts) == 1 else self._splice(current, parts[1:], new)
        if child is not None:
            kept.append(b"040000 tree " + child.encode("ascii") + b"\t" + name)
        if not kept:
            return None
        return self._git(["mktree", "-z"], input=b"\0".join(kept) + b"\0").out


def _checked_roots(roots: str | Sequence[str]) -> tuple[str, ...]:
    try:
        return normalise_patterns(as_patterns(roots))
    except ValueError as exc:
        raise GitError(f"plan root {exc}", hint="set plans_dirs to folders such as specs/plans") from None


def _empty_tree(scratch: ScratchWorktree) -> str:
    return scratch._git(["mktree", "-z"], input=b"").out


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


def _head_ok(path: Path, admin: Path) -> bool:
    result = git(
        [*_NO_HOOKS, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"],
        cwd=path,
        env={"GIT_DIR": str(admin), "GIT_WORK_TREE": str(path)},
        check=False,
    )
    return result.returncode == 0


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
    git([*_NO_HOOKS, "worktree", "add", "--detach", "--no-checkout", str(path), base], cwd=repo.worktree)
    _lock(repo, path)
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
