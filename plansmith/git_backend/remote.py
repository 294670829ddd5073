"""A remote repository: fetching plansmith's refs from it, pushing them with a lease, and the commit of
JSON files that holds plansmith's shared memory there.

What may be written: local refs under ``refs/plansmith/`` (the remote's refs are copied into
``refs/plansmith/remotes/<remote>/...``, a namespace nobody else writes, so what was seen is exactly what
a lease expects) and under ``refs/heads/<proposal prefix>``; on the remote, only the refs a caller names,
every one compare-and-swap (``--force-with-lease=<ref>:<expected>``). Never the user's branches, HEAD,
index or working tree. Credentials are git's business: nothing here reads or prints them, and remote
URLs are shown without their user and password.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from plansmith.errors import GitError
from plansmith.git_backend.cmd import git
from plansmith.git_backend.messages import parse_identity
from plansmith.git_backend.repo import ZERO_OID, RepoPaths, rev_parse

TRACKING_ROOT = "refs/plansmith/remotes/"
_PUSH_REMOTE = "plansmith--push"  # defined for one push only, by _push_remote_env
# git push --porcelain flags: ' ' fast-forward, '+' forced, '-' deleted, '*' new, '=' up to date;
# '!' is rejected.
_PUSHED_FLAGS = frozenset(" +-*=")


@dataclass(frozen=True, slots=True)
class RefUpdate:
    """Set the remote's ``ref`` to ``new`` (``None``: delete it) if it is still ``expected`` (``None``:
    if it does not exist)."""

    ref: str
    new: str | None
    expected: str | None


@dataclass(frozen=True, slots=True)
class PushResult:
    ref: str
    pushed: bool
    summary: str  # git's words: "[new branch]", "[rejected] (stale info)", ...


def tracking_ref(remote: str, ref: str) -> str:
    """Copy of the remote's ``ref``: ``refs/heads/x`` -> ``refs/plansmith/remotes/<remote>/heads/x``."""
    return f"{TRACKING_ROOT}{remote}/{ref.removeprefix('refs/')}"


def check_remote(repo: RepoPaths, remote: str) -> str:
    """The URL of ``remote`` (credentials removed); :class:`GitError` naming the remotes there are."""
    if not remote or "/" in remote or remote.startswith("-"):
        raise GitError(f"{remote!r} is not a remote name", hint="name a remote as 'git remote -v' lists it")
    found = git(["remote", "get-url", "--", remote], cwd=repo.worktree, check=False)
    if found.returncode != 0:
        names = git(["remote"], cwd=repo.worktree, check=False).out.split() or ["none"]
        raise GitError(
            f"there is no remote named {remote!r} (remotes: {', '.join(names)})",
            hint="pass --remote NAME, or add one with 'git remote add origin URL'",
        )
    return without_credentials(found.out)


def without_credentials(url: str) -> str:
    """``https://user:token@host/x`` -> ``https://host/x``: URLs are printed, tokens must not be."""
    if "://" not in url:
        return url  # scp-like (git@host:owner/repo) or a path: the user part is no secret
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    if parts.username == "git" and parts.password is None:
        netloc = f"git@{netloc}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def ensure_remote_head(repo: RepoPaths, remote: str) -> None:
    """Learn the remote's default branch when the clone does not know it (no ``refs/remotes/<remote>/HEAD``).

    CI checkouts often lack it, and proposal branch names depend on the default branch. It is kept in
    plansmith's own ``refs/plansmith/remotes/<remote>/HEAD`` (a symbolic ref), never in the clone's
    ``refs/remotes/``, which are git's and the user's. Best effort: a failure leaves plansmith's usual
    guesses (``main``, ``master``).
    """
    if rev_parse(repo, f"refs/remotes/{remote}/HEAD") is not None:
        return
    found = git(["ls-remote", "--symref", remote, "HEAD"], cwd=repo.worktree, check=False, timeout=600.0)
    for line in found.out.splitlines():
        target, _, name = line.removeprefix("ref: ").partition("\t")
        if line.startswith("ref: ") and name == "HEAD" and target.startswith("refs/heads/"):
            head, branch = f"{TRACKING_ROOT}{remote}/HEAD", tracking_ref(remote, target)
            git(
                ["symbolic-ref", "-m", "plansmith: the remote's HEAD", head, branch],
                cwd=repo.worktree,
                check=False,
            )
            return


def fetch_refs(repo: RepoPaths, remote: str, patterns: Sequence[str]) -> dict[str, str]:
    """Copy the remote's refs matching ``patterns`` (``refs/heads/plansmith/*``...) to the tracking
    namespace, dropping copies of refs the remote no longer has; return ``{remote ref: object id}``."""
    specs = [f"+{pattern}:{tracking_ref(remote, pattern)}" for pattern in patterns]
    result = git(
        # --refmap= : only these refspecs; the configured ones would also move refs/remotes/<remote>/...
        ["fetch", "--quiet", "--no-tags", "--prune", "--no-write-fetch-head", "--refmap=", remote, *specs],
        cwd=repo.worktree,
        check=False,
        timeout=600.0,
    )
    if result.returncode != 0:
        raise GitError(
            f"git fetch from {remote} failed: {result.err}",
            hint="check that the runner can reach the remote and may read it (git fetch REMOTE)",
        )
    prefix = f"{TRACKING_ROOT}{remote}/"
    out = git(["for-each-ref", "--format=%(refname) %(objectname)", prefix], cwd=repo.worktree).out
    seen: dict[str, str] = {}
    for line in out.splitlines():
        name, _, oid = line.partition(" ")
        seen["refs/" + name.removeprefix(prefix)] = oid
    return seen


def push_with_lease(
    repo: RepoPaths, remote: str, updates: Sequence[RefUpdate], *, atomic: bool = False
) -> list[PushResult]:
    """Push every update in one ``git push``, each only if the remote's ref is still as expected.

    A ref someone changed meanwhile is reported as not pushed; the others are pushed, unless ``atomic``
    (then all or none). :class:`GitError` when git could not talk to the remote at all.
    """
    if not updates:
        return []
    leases = [f"--force-with-lease={u.ref}:{u.expected or ''}" for u in updates]
    specs = [f"{u.new}:{u.ref}" if u.new is not None else f":{u.ref}" for u in updates]
    args = ["push", "--porcelain", *(["--atomic"] if atomic else []), *leases, _PUSH_REMOTE, *specs]
    result = git(args, cwd=repo.worktree, check=False, timeout=600.0, env=_push_remote_env(repo, remote))
    reported: dict[str, PushResult] = {}
    for line in result.out.splitlines():
        fields = line.split("\t")
        if len(fields) >= 3 and len(fields[0]) == 1:
            ref = fields[1].rpartition(":")[2]
            reported[ref] = PushResult(ref, fields[0] in _PUSHED_FLAGS, fields[2])
    if result.returncode != 0 and not reported:
        raise GitError(
            f"git push to {remote} failed: {result.err}",
            hint="check that the runner may push to the remote (a token with write access to its contents)",
        )
    return [reported.get(u.ref, PushResult(u.ref, False, result.err or "not reported")) for u in updates]


def _push_remote_env(repo: RepoPaths, remote: str) -> dict[str, str]:
    """Configuration (in the environment: no URL on a command line) for a remote that is ``remote``'s
    push URL without its fetch refspecs, so that a push does not move ``refs/remotes/<remote>/...``."""
    url = git(["remote", "get-url", "--push", "--", remote], cwd=repo.worktree).out
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"remote.{_PUSH_REMOTE}.url",
        "GIT_CONFIG_VALUE_0": url,
    }


def set_local_ref(repo: RepoPaths, ref: str, new: str | None, expected: str | None) -> bool:
    """Compare-and-swap a local ref of plansmith's (``new`` None: delete it); whether that was done."""
    if new is None:
        args = ["update-ref", "-d", ref, expected or ZERO_OID]
    else:
        args = ["update-ref", "-m", "plansmith: copy of the remote", ref, new, expected or ZERO_OID]
    return git(args, cwd=repo.worktree, check=False).returncode == 0


def is_ancestor(repo: RepoPaths, older: str, newer: str) -> bool:
    """Whether commit ``older`` is in the history of ``newer`` (false when either is not here)."""
    args = ["merge-base", "--is-ancestor", older, newer]
    return git(args, cwd=repo.worktree, check=False).returncode == 0


def commit_files(
    repo: RepoPaths, files: Mapping[str, bytes], *, parent: str | None, message: str, author: str
) -> str:
    """A commit whose tree holds exactly ``files`` (flat names), on top of ``parent``; no ref is moved."""
    entries = []
    for name in sorted(files):
        if not name or "/" in name or "\n" in name:
            raise GitError(f"{name!r} cannot name a file of plansmith's memory")
        oid = git(["hash-object", "-w", "--stdin"], cwd=repo.worktree, input=files[name]).out
        entries.append(f"100644 blob {oid}\t{name}\n")
    tree = git(["mktree"], cwd=repo.worktree, input="".join(entries).encode("utf-8")).out
    args = ["commit-tree", tree, "-F", "-"] + (["-p", parent] if parent else [])
    identity = parse_identity(author)
    return git(args, cwd=repo.worktree, input=message.encode("utf-8"), env=identity.env()).out


def read_file_at(repo: RepoPaths, commit: str, name: str) -> bytes | None:
    """The file ``name`` in ``commit``'s tree, or ``None`` when it has none."""
    result = git(["cat-file", "blob", f"{commit}:{name}"], cwd=repo.worktree, check=False)
    return result.stdout if result.returncode == 0 else None


def checked_out_branches(repo: RepoPaths) -> set[str]:
    """Full names of the branches some worktree of the repository has checked out (moving one would
    change that worktree's HEAD under it)."""
    out = git(["worktree", "list", "--porcelain"], cwd=repo.worktree).out
    return {line.removeprefix("branch ") for line in out.splitlines() if line.startswith("branch ")}
