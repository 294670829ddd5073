"""Where the plans are: root patterns expanded against the working tree, a commit or git's index.

Every command, the pre-commit hook, the daemon and the scratch worktree find plans through the
functions here, so a plan is found the same way everywhere:

* :func:`worktree_roots` / :func:`read_worktree` - the working tree, never through a link (a linked
  folder is reported, not followed; a linked file is read only when it stays inside the repository);
* :func:`committed_files` / :func:`staged_files` - one git listing below the roots' literal folders
  (``specs``, ``.claude/specs``), then only the blobs that lie in a root are read; :func:`committed_texts`
  the same at HEAD, decoded (what the engine, the daemon and CI read);
* :func:`catalog` - the plans of every root with their ids (the per-folder functions of
  :mod:`plansmith.plan.layout`, called once per root), :func:`locate` - the plan a PLAN argument
  names, :func:`validate_texts` - every root validated.

Reads only: nothing here writes a file or a ref. Git modules are imported inside the functions that
use them, so the pre-commit hook can use the validation part without loading the git layer.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from plansmith.errors import NotAPlanError, UnknownPlanError
from plansmith.git_backend.repo import read_index_files, read_tree_files
from plansmith.plan import validate as plan_validate
from plansmith.plan.api import decode_files
from plansmith.plan.layout import find_plans, locate_plan
from plansmith.plan.parser import DEFAULT_MAX_BYTES
from plansmith.plan.problems import Problem
from plansmith.plan.roots import (
    WILDCARD,
    PlanRef,
    RootFolder,
    as_patterns,
    assign_ids,
    drop_nested,
    find_ref,
    literal_prefixes,
    match_folder,
    roots_in,
    split_root,
)
from plansmith.plan.speckit_folders import is_feature_pattern
from plansmith.plan.validate import holds_plan

if TYPE_CHECKING:
    from plansmith.git_backend.repo import RepoPaths

KNOWN_IN_HINT = 12  # plan ids listed in the hint of an unknown-plan error


# --- the working tree --------------------------------------------------------------------------------


def worktree_roots(root: Path, patterns: str | Sequence[str]) -> tuple[list[RootFolder], list[Problem]]:
    """The folders of the working tree at ``root`` that match a root pattern.

    ``*`` matches a real folder whose name does not start with ``.``; a linked folder is never
    entered. A link standing where a pattern names a folder literally (``specs/plans`` -> elsewhere)
    is reported as a warning, because the user evidently meant plans to be there.
    """
    found: list[RootFolder] = []
    problems: list[Problem] = []
    for rank, pattern in enumerate(as_patterns(patterns)):
        level: list[tuple[str, tuple[str, ...]]] = [("", ())]
        for segment in pattern.split("/"):
            level = _descend(root, level, segment, problems)
        # match_folder applies the name rule of spec-kit feature folders (specs/NNN-feature)
        found += [
            RootFolder(rank, rel, pattern, captures)
            for rel, captures in level
            if match_folder(pattern, rel) is not None
        ]
    return drop_nested(found), sorted(set(problems))


def _descend(
    root: Path, level: list[tuple[str, tuple[str, ...]]], segment: str, problems: list[Problem]
) -> list[tuple[str, tuple[str, ...]]]:
    nxt: list[tuple[str, tuple[str, ...]]] = []
    for rel, captures in level:
        base = root / rel if rel else root
        if segment == WILDCARD:
            try:
                entries = sorted(os.scandir(base), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                if not entry.name.startswith(".") and entry.is_dir(follow_symlinks=False):
                    nxt.append((_join(rel, entry.name), (*captures, entry.name)))
            continue
        folder = base / segment
        if folder.is_symlink():
            if folder.is_dir():
                problems.append(
                    Problem(
                        _join(rel, segment),
                        0,
                        "symlink",
                        "a linked folder where plans are looked for; plansmith does not follow folder "
                        "links, so no plan below it is read. Replace the link by the folder",
                        severity="warning",
                    )
                )
        elif folder.is_dir():
            nxt.append((_join(rel, segment), captures))
    return nxt


def _join(rel: str, name: str) -> str:
    return f"{rel}/{name}" if rel else name


def _leads_nowhere(link: Path) -> bool:
    """Whether the link is part of a loop (``loop.md -> loop.md``): resolving it can never end."""
    try:
        link.resolve(strict=False)
    except (RuntimeError, OSError):  # RuntimeError: Python 3.11-3.12's pathlib; OSError (ELOOP): 3.13
        return True
    return False


def read_tree(root: Path, plans_dir: str) -> tuple[dict[str, bytes], list[Problem]]:
    """Bytes of every ``.md`` file under the one folder ``root/plans_dir``. Symbolic links are followed
    only when they stay inside the repository; one that leaves it becomes a problem, never a read."""
    base = root / plans_dir
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    if base.is_symlink() or not base.is_dir():
        return files, problems
    real_root = root.resolve()
    for folder, dirs, names in os.walk(base, followlinks=False):
        here = Path(folder)
        for d in list(dirs):
            if (here / d).is_symlink():
                dirs.remove(d)
                rel = (here / d).relative_to(root).as_posix()
                problems.append(
                    Problem(rel, 0, "symlink", "a linked folder; plansmith does not follow folder links")
                )
        for name in names:
            if not name.endswith(".md"):
                continue
            path = here / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink() and _leads_nowhere(path):
                problems.append(
                    Problem(
                        rel,
                        0,
                        "symlink-loop",
                        "a link that leads back to itself (a loop); plansmith skips it. Replace the "
                        "link by the file, or remove it",
                        "warning",
                    )
                )
                continue
            if path.is_symlink() and not path.resolve().is_relative_to(real_root):
                problems.append(
                    Problem(
                        rel,
                        0,
                        "symlink-outside-repo",
                        "links outside the repository; plansmith does not follow it. Replace the "
                        "link by the file",
                    )
                )
                continue
            try:
                files[rel] = path.read_bytes()
            except OSError as exc:
                problems.append(Problem(rel, 0, "unreadable", f"cannot be read: {exc.strerror}"))
    return files, problems


def read_worktree(
    root: Path, patterns: str | Sequence[str]
) -> tuple[list[RootFolder], dict[str, bytes], list[Problem]]:
    """Every root of the working tree, the bytes of the Markdown files in them, and the problems met."""
    roots, problems = worktree_roots(root, patterns)
    files: dict[str, bytes] = {}
    for folder in roots:
        raw, found = read_tree(root, folder.path)
        if is_feature_pattern(folder.pattern.split("/")):  # only its plan's files, as git listings
            raw = {p: data for p, data in raw.items() if split_root(p, patterns) is not None}
        files.update(raw)
        problems += found
    return roots, files, problems


# --- git ---------------------------------------------------------------------------------------------


def committed_files(repo: RepoPaths, rev: str, patterns: str | Sequence[str]) -> dict[str, bytes]:
    """Every file that lies in a root at ``rev``: one listing below the roots' folders, one blob read."""

    wanted = as_patterns(patterns)
    return read_tree_files(
        repo, rev, literal_prefixes(wanted), keep=lambda path: split_root(path, wanted) is not None
    )


def committed_texts(repo: RepoPaths, roots: str | Sequence[str], max_bytes: int) -> dict[str, str]:
    """The text of every file in a plan root at HEAD (``roots``: root patterns, or one folder). Files
    that are not text are left out: they do not block a plan; each plan's own are checked when it is read."""
    texts, _problems = decode_files(committed_files(repo, "HEAD", roots), max_bytes=max_bytes)
    return texts


def staged_files(repo: RepoPaths, patterns: str | Sequence[str]) -> dict[str, bytes]:
    """The staged version of every file that lies in a root (what ``git commit`` is about to record)."""

    wanted = as_patterns(patterns)
    return read_index_files(
        repo, literal_prefixes(wanted), keep=lambda path: split_root(path, wanted) is not None
    )


# --- plans and ids -----------------------------------------------------------------------------------


def catalog(
    paths: Iterable[str], roots: Sequence[RootFolder] | None = None, *, patterns: str | Sequence[str] = ()
) -> list[PlanRef]:
    """Every plan of every root with its unique id, in root order. ``roots`` default to the roots that
    hold one of ``paths`` (for a git listing, where empty roots do not exist anyway). When ``paths``
    is a mapping of texts, a candidate with no phase (a README, notes) is left out: it is no plan."""
    listing = sorted(paths)
    folders = roots if roots is not None else roots_in(listing, patterns)
    texts = paths if isinstance(paths, Mapping) else None
    found = [
        (root, loc)
        for root, below in root_views(listing, folders)
        for loc in find_plans(below, root.path)
        if texts is None or holds_plan(texts, loc)
    ]
    return assign_ids(found)


def root_views(paths: Iterable[str], roots: Sequence[RootFolder]) -> list[tuple[RootFolder, list[str]]]:
    """Each root with the paths that lie in it and not in a root of its own inside it (hve-core's
    ``.copilot-tracking/plans/2026-02-26/`` inside ``.copilot-tracking/plans``)."""
    patterns = [pattern for _, pattern in sorted({(r.rank, r.pattern) for r in roots})]
    by_root: dict[str, list[str]] = {r.path: [] for r in roots}
    for path in paths:
        hit = split_root(path, patterns)
        if hit is not None and hit[0].path in by_root:
            by_root[hit[0].path].append(path)
    return [(root, by_root[root.path]) for root in roots]


def plans_per_root(refs: Sequence[PlanRef], roots: Sequence[RootFolder]) -> list[tuple[str, int]]:
    """``(root folder, number of plans)`` for every root, in root order (``status`` and ``validate``)."""
    counts = {root.path: 0 for root in roots}
    for ref in refs:
        counts[ref.root.path] = counts.get(ref.root.path, 0) + 1
    return list(counts.items())


def locate(
    refs: Sequence[PlanRef], patterns: str | Sequence[str], arg: str, rel: str | None
) -> PlanRef | None:
    """The plan a PLAN argument names: by path when ``rel`` (its repository path) lies in a root, else by id.

    A path may be the main file, the plan folder or any file inside it.
    """
    if rel is not None:
        hit = split_root(rel, patterns)
        if hit is not None:
            loc = locate_plan([r.location.main_path for r in refs], rel, hit[0].path)
            if loc is not None:
                found = next((r for r in refs if r.location.main_path == loc.main_path), None)
                if found is not None:
                    return found
        # a spec-kit feature folder is a root and a plan at once: specs/001-photo-albums
        found = next((r for r in refs if r.location.folder == rel.strip("/")), None)
        if found is not None:
            return found
    return find_ref(refs, arg)


def unknown_plan(
    arg: str, refs: Sequence[PlanRef], *, what: str = "plan", hint: str = ""
) -> UnknownPlanError:
    """The error for a PLAN argument that names no plan, listing the known plan ids in the hint."""
    ids = [r.id for r in refs]
    shown = ", ".join(ids[:KNOWN_IN_HINT]) + (
        f", ... ({len(ids)} in all)" if len(ids) > KNOWN_IN_HINT else ""
    )
    known = f"known plans: {shown}" if ids else "no plans were found in the plan roots"
    advice = hint or UnknownPlanError.default_hint
    return UnknownPlanError(f"{arg}: no {what} found there", hint=f"{known}\n{advice}")


def not_a_plan(path: str) -> NotAPlanError:
    """The error for a PLAN argument that names a file (or folder) without phase headings."""
    return NotAPlanError(f"{path}: not a plan: it has no phase headings", path=path)


def validate_files(
    files: Mapping[str, bytes], patterns: str | Sequence[str], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[Problem]:
    """Validate the plans of every root that holds one of ``files`` (bytes read from a commit or the
    index, e.g. by the pre-commit hook); undecodable files are problems, never exceptions."""
    texts, problems = decode_files(files, max_bytes=max_bytes)
    roots = roots_in(texts, patterns)
    return sorted(set(problems + validate_texts(texts, roots, catalog(texts, roots))))


def validate_texts(
    texts: Mapping[str, str], roots: Sequence[RootFolder], refs: Sequence[PlanRef]
) -> list[Problem]:
    """Every root validated (the per-folder checks), and a warning for each plan whose short id is taken."""
    problems: list[Problem] = []
    for root, below in root_views(texts, roots):
        view = {path: texts[path] for path in below}
        problems += plan_validate.validate_tree(view, root.path)  # looked up late: tests replace it
    first = {r.key: r for r in refs if r.id == r.key}
    for ref in refs:
        if ref.id != ref.key and ref.key in first:
            other = first[ref.key].location.main_path
            problems.append(
                Problem(
                    ref.location.main_path,
                    0,
                    "duplicate-plan-id",
                    f"{other} has the same id {ref.key!r}, so this plan is known as {ref.id!r}; "
                    "rename one of them to give each a short id",
                    severity="warning",
                )
            )
    return sorted(set(problems))
