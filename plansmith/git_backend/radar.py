"""Read every branch's plans for ``plansmith radar``: tips, merge bases and plan listings, in batches.

One ``git rev-list --parents --boundary TIPS --not DEFAULT`` lists the commits the branches hold that
the default branch lacks (with the boundary commits, which are on the default branch); each branch's
merge base is found by walking that listing in-process, so the number of git processes does not grow
with the number of branches. Trees and blobs are read through the session's one ``cat-file --batch``
and cached by object id: fifty branches that share most of their plans cost one read of each shared
folder and of each changed blob. Which plans need their phases digested (only those a branch changed,
added or removed) is decided here; what collides is decided by :mod:`plansmith.plan.collisions`.

Reads only: no checkout, no worktree, no ref, no index, no object is written.
"""

from __future__ import annotations

import bisect
import itertools
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field

from plansmith.errors import GitError, PlanError
from plansmith.git_backend.cmd import git
from plansmith.git_backend.listing import Entry
from plansmith.git_backend.objects import parse_tree
from plansmith.git_backend.paths import RepoPaths
from plansmith.git_backend.repo import default_branch
from plansmith.git_backend.session import GitSession, session_for
from plansmith.plan.collisions import (
    BranchChange,
    Finding,
    PlanState,
    Signature,
    branch_change,
    find_collisions,
    item_digests,
)
from plansmith.plan.layout import PlanLocation, build_plan, find_plans
from plansmith.plan.parser import DEFAULT_MAX_BYTES, decode
from plansmith.plan.roots import RootFolder, as_patterns, assign_ids, literal_prefixes, split_root


@dataclass(frozen=True, slots=True)
class Branch:
    """A branch compared with the default branch: its label (``feature``, ``origin/feature``), its
    full ref, its tip and its merge base with the default branch (``None``: nothing to merge)."""

    label: str
    ref: str
    tip: str
    base: str | None

    def as_json(self) -> dict[str, object]:
        return {"branch": self.label, "ref": self.ref, "tip": self.tip, "merge_base": self.base}


@dataclass
class RadarReport:
    default_branch: str
    default_tip: str | None
    branches: list[Branch] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        """The ``radar --json`` document (shape in docs/cli.md)."""
        return {
            "ok": not self.findings,
            "default_branch": self.default_branch,
            "default_tip": self.default_tip,
            "branches": [b.as_json() for b in self.branches],
            "findings": [f.as_json() for f in self.findings],
        }


def scan(
    repo: RepoPaths,
    patterns: str | Sequence[str],
    *,
    remotes: Sequence[str] | None = None,
    skip_prefix: str = "plansmith/",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> RadarReport:
    """Compare every local and remote-tracking branch (of ``remotes``; ``None``: all) with the default
    branch (see the module doc). Branches named ``skip_prefix...`` (plansmith's proposals) are left out."""
    session = session_for(repo)
    name = default_branch(repo)
    refs = _candidate_refs(session, name, remotes, skip_prefix)
    default_ref = _default_ref(session, name)
    report = RadarReport(name, session.ref(default_ref) if default_ref else None)
    if report.default_tip is None:
        return report
    report.branches = _with_merge_bases(repo, session, report.default_tip, refs)
    reader = _Reader(session, as_patterns(patterns), max_bytes)
    default_states = reader.states(report.default_tip)
    changes = [_change(reader, b) for b in report.branches if b.base is not None]
    report.findings = find_collisions(name, default_states, changes)
    return report


def _default_ref(session: GitSession, name: str) -> str | None:
    if session.ref(f"refs/heads/{name}") is not None:
        return f"refs/heads/{name}"
    for ref, _oid in session.refs_under("refs/remotes/"):
        if ref.endswith(f"/{name}") and ref.count("/") == 3:
            return ref
    return None


def _candidate_refs(
    session: GitSession, default: str, remotes: Sequence[str] | None, skip_prefix: str
) -> list[tuple[str, str, str]]:
    """``(label, ref, tip)`` of every branch to compare: local ones, then remote-tracking ones whose
    name no local branch has (a local branch is the newer copy of its own remote-tracking one)."""
    found: list[tuple[str, str, str]] = []
    local: set[str] = set()
    for ref, tip in session.refs_under("refs/heads/"):
        short = ref.removeprefix("refs/heads/")
        local.add(short)
        if short != default and not short.startswith(skip_prefix):
            found.append((short, ref, tip))
    for ref, tip in session.refs_under("refs/remotes/"):
        remote, _, short = ref.removeprefix("refs/remotes/").partition("/")
        if remotes is not None and remote not in remotes:
            continue
        if short in ("HEAD", default) or short in local or short.startswith(skip_prefix):
            continue
        found.append((f"{remote}/{short}", ref, tip))
    return found


def _with_merge_bases(
    repo: RepoPaths, session: GitSession, default_tip: str, refs: list[tuple[str, str, str]]
) -> list[Branch]:
    """Each branch with its merge base, from one ``rev-list`` of what the branches add (module doc)."""
    tips = sorted({tip for _label, _ref, tip in refs})
    parents: dict[str, list[str]] = {}
    if tips:
        args = ["rev-list", "--parents", "--boundary", *tips, "--not", default_tip]
        for line in git(args, cwd=repo.worktree, timeout=600.0).out.splitlines():
            if line and not line.startswith("-"):
                oid, *rest = line.split()
                parents[oid] = rest
    return [Branch(label, ref, tip, _merge_base(session, parents, tip)) for label, ref, tip in refs]


def _merge_base(session: GitSession, parents: dict[str, list[str]], tip: str) -> str | None:
    """The newest default-branch commit reachable from ``tip`` through commits only branches hold;
    ``None`` when the tip is on the default branch already (nothing to merge) or shares no history."""
    if tip not in parents:
        return None
    seen, todo, reached = {tip}, [tip], set[str]()
    while todo:
        for parent in parents.get(todo.pop(), []):
            if parent in seen:
                continue
            seen.add(parent)
            if parent in parents:
                todo.append(parent)
            else:
                reached.add(parent)
    if not reached:
        return None
    return max(sorted(reached), key=lambda oid: session.commit(oid).committer_time)


def _change(reader: _Reader, branch: Branch) -> BranchChange:
    assert branch.base is not None
    base, tip = reader.states(branch.base), reader.states(branch.tip)
    base_sig = {p.id: p.signature for p in base}
    tip_sig = {p.id: p.signature for p in tip}
    wanted = {p.signature for p in base if tip_sig.get(p.id) != p.signature}
    wanted |= {p.signature for p in tip if base_sig.get(p.id) != p.signature}
    digests = {signature: reader.digests(signature) for signature in wanted}
    return branch_change(branch.label, base, tip, digests)


class _Reader:
    """Plan listings and item digests at revisions, cached by object id (module doc)."""

    def __init__(self, session: GitSession, patterns: tuple[str, ...], max_bytes: int) -> None:
        self.session, self.patterns, self.max_bytes = session, patterns, max_bytes
        self._trees: dict[str, list[Entry]] = {}
        self._flat: dict[str, list[tuple[str, str]]] = {}
        self._states: dict[str, list[PlanState]] = {}
        self._digests: dict[Signature, dict[str, str]] = {}
        self._roots: dict[str, RootFolder | None] = {}  # path -> its root (the same on every branch)

    def states(self, commit: str) -> list[PlanState]:
        """Every plan at ``commit`` (cached by commit)."""
        if commit not in self._states:
            files = self._files(self.session.commit(commit).tree)
            roots = sorted({root for path in files if (root := self._roots[path]) is not None})
            self._states[commit] = _plan_states(files, roots)
        return self._states[commit]

    def digests(self, signature: Signature) -> dict[str, str]:
        """The item digests of the plan whose files are ``signature`` (empty when it cannot be read)."""
        if signature not in self._digests:
            self._digests[signature] = self._parse(signature)
        return self._digests[signature]

    def _parse(self, signature: Signature) -> dict[str, str]:
        texts: dict[str, str] = {}
        try:
            for path, oid in signature:
                found = self.session.read(oid)
                if found is not None and path.endswith(".md"):
                    texts[path] = decode(path, found[1], max_bytes=self.max_bytes)
            main = signature[0][0]
            name = posixpath.splitext(posixpath.basename(main))[0]
            folder = posixpath.dirname(main) if posixpath.basename(posixpath.dirname(main)) == name else None
            return item_digests(build_plan(texts, PlanLocation(name, main, folder)))
        except (PlanError, KeyError):
            return {}  # unreadable here: its phases are not compared (validate reports it)

    def _entries(self, tree: str) -> list[Entry]:
        if tree not in self._trees:
            found = self.session.read(tree)
            if found is None or found[0] != "tree":
                raise GitError(f"{tree} is not a tree in {self.session.paths.worktree}")
            self._trees[tree] = parse_tree(found[1])
        return self._trees[tree]

    def _files(self, tree: str) -> dict[str, str]:
        """``{path: blob id}`` of the Markdown files in a root at root tree ``tree``."""
        found: dict[str, str] = {}
        for prefix in literal_prefixes(self.patterns):
            start = self._lookup(tree, prefix)
            if start is None:
                continue
            for rel, oid in self._flatten(start):
                path = f"{prefix}/{rel}" if prefix else rel
                if path.endswith(".md") and self._in_root(path):
                    found[path] = oid
        return found

    def _in_root(self, path: str) -> bool:
        if path not in self._roots:
            hit = split_root(path, self.patterns)
            self._roots[path] = None if hit is None else hit[0]
        return self._roots[path] is not None

    def _lookup(self, tree: str, folder: str) -> str | None:
        current = tree
        for name in (p for p in folder.split("/") if p):
            child = next((e for e in self._entries(current) if e.path == name and e.is_tree), None)
            if child is None:
                return None
            current = child.oid
        return current

    def _flatten(self, tree: str) -> list[tuple[str, str]]:
        """``(relative path, blob id)`` of every regular file below ``tree`` (cached per subtree)."""
        if tree not in self._flat:
            flat: list[tuple[str, str]] = []
            for entry in self._entries(tree):
                if entry.is_tree:
                    flat += [(f"{entry.path}/{rel}", oid) for rel, oid in self._flatten(entry.oid)]
                elif entry.is_file:
                    flat.append((entry.path, entry.oid))
            self._flat[tree] = flat
        return self._flat[tree]


def _plan_states(files: dict[str, str], roots: list[RootFolder]) -> list[PlanState]:
    """Every plan of ``files`` (``{path: blob id}``, in ``roots``) with its id, root and the blob ids of
    its files."""
    listing = sorted(files)
    refs = assign_ids((root, loc) for root in roots for loc in find_plans(listing, root.path))
    states: list[PlanState] = []
    for ref in refs:
        loc = ref.location
        folder = (loc.folder or posixpath.join(posixpath.dirname(loc.main_path), loc.name)) + "/"
        start = bisect.bisect_left(listing, folder)  # the folder's files are one run of the sorted listing
        inside = itertools.takewhile(lambda p, f=folder: p.startswith(f), listing[start:])  # type: ignore[misc]
        own = [loc.main_path, *(p for p in inside if p != loc.main_path)]
        signature = tuple((p, files[p]) for p in own)
        states.append(PlanState(ref.id, ref.key, ref.root.path, loc.name, loc.main_path, signature))
    return states
