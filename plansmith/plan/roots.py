"""Plan roots: the folders plans live in, given as patterns; plan ids; proposal branch names.

A root pattern is a repository-relative folder path in which ``*`` stands for exactly one folder level
(``specs/*/plans``). This module answers, from strings alone, which root a path lies in, what a plan's
id is, which ids win when two roots give the same one, and which branch name a proposal for an id gets.

Pure: no file system, no git, no clock. It imports nothing of plansmith at run time but the string
rules of :mod:`plansmith.plan.speckit_folders` (``PlanLocation`` only for type checking): the
pre-commit hook's fast path uses it to tell plan paths from other paths and must not load the parser.
Expanding patterns against a working tree or a git listing is the shell's job
(:mod:`plansmith.discovery`); this module only matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from plansmith.plan.speckit_folders import (
    SPEC_KIT_DOCUMENTS,
    TASKS_FILE,
    is_feature_name,
    is_feature_pattern,
    is_other_plan_file,
)

if TYPE_CHECKING:
    from plansmith.plan.layout import PlanLocation

DEFAULT_ROOTS: tuple[str, ...] = (
    "specs/plans",
    "specs/*/plans",
    ".claude/specs/plans",
    ".claude/specs/*/plans",
    # The field's conventions (issue 16): Claude Code plan files, HumanLayer's research -> plan ->
    # implement, hve-core's task planner (flat, and one folder per day), plain docs/plans and plans/
    # (where ClaudeKit keeps one folder per plan), and PIDEA's task folders
    # (docs/09_roadmap/<status>/<priority or quarter>/<category>/<task>/).
    ".claude/plans",
    "thoughts/shared/plans",
    ".copilot-tracking/plans",
    ".copilot-tracking/plans/*",
    "docs/plans",
    "plans",
    "docs/09_roadmap/*/*/*",
    # spec-kit feature folders (specs/NNN-feature/tasks.md), see plansmith.plan.speckit_folders
    "specs/*",
    ".specify/specs/*",
)
WILDCARD = "*"
# The files of a spec-kit feature folder that belong to plans (see _in_feature), as a regex for the
# hook's ``files``: Markdown directly in the folder but spec-kit's documents; a phase folder's files;
# another plan's own folder (NAME/NAME.md, NAME/phase_...). ``{n}`` names the group of one pattern.
_NOT_SPEC_KIT_DOCUMENT = "".join(f"(?!(?i:{re.escape(name)})$)" for name in sorted(SPEC_KIT_DOCUMENTS))
_FEATURE_FILES = (
    rf"(?:{_NOT_SPEC_KIT_DOCUMENT}[^/]*\.md|(?i:phase_)[^/]*/[^/]*\.md|"
    r"(?P<{n}>[^/]*)/(?:(?i:(?P={n}))|(?i:phase_)[^/]*)\.md)"
)
# Joins the segments of a multi-segment id into one ref component: ``042_search+001-ranking-plan``.
BRANCH_SEPARATOR = "+"
# Characters escaped in a branch component: git's forbidden ones, and '%' and '+' (the escape and the
# separator themselves), so that the mapping stays one-to-one.
_UNSAFE_IN_REF = re.compile(r"[\x00-\x20\x7f~^:?*\[\\%+/]|@(?=\{)")


@dataclass(frozen=True, slots=True, order=True)
class RootFolder:
    """One concrete plan root: a folder that matches a pattern, and the folder names ``*`` matched."""

    rank: int  # the pattern's position in the settings; an earlier root keeps a contested id
    path: str  # repository-relative, e.g. ``specs/042_search/plans``
    pattern: str
    captures: tuple[str, ...]  # what each ``*`` matched, e.g. ``("042_search",)``


@dataclass(frozen=True, slots=True)
class PlanRef:
    """A plan found in a root, with its id (unique across roots) and its key (see :func:`plan_key`)."""

    id: str
    key: str
    root: RootFolder
    location: PlanLocation

    @property
    def branch_component(self) -> str:
        return branch_component(self.id)


# --- patterns ----------------------------------------------------------------------------------------


def normalise_pattern(value: object) -> str:
    """``./specs/*/plans/`` -> ``specs/*/plans``; :class:`ValueError` saying why a value is no root.

    Rules: a string; relative; inside the repository (no ``..``); not empty; ``*`` only as a whole
    folder name and never first (a root starts with a real folder, so git listings stay below it);
    no other glob characters (``**``, ``?``, ``[``), which would suggest matching that does not happen.
    """
    if not isinstance(value, str):
        raise ValueError("must be a string (a folder such as specs/plans)")
    text = value.strip().replace("\\", "/")
    if text.startswith("/") or re.match(r"^[A-Za-z]:", text):
        raise ValueError("must be relative to the repository root")
    parts = [part for part in text.rstrip("/").split("/") if part not in ("", ".")]
    if not parts:
        raise ValueError("must not be empty")
    if ".." in parts:
        raise ValueError("must stay inside the repository (no '..')")
    for part in parts:
        if "**" in part:
            raise ValueError("'**' is not supported: '*' stands for exactly one folder level")
        if WILDCARD in part and part != WILDCARD:
            raise ValueError(f"'*' must be a whole folder name (like specs/*/plans), not part of {part!r}")
        if any(c in part for c in "?[]"):
            raise ValueError("only '*' is a wildcard; '?', '[' and ']' are not allowed")
    if parts[0] == WILDCARD:
        raise ValueError("must start with a folder name, not '*'")
    return "/".join(parts)


def normalise_patterns(values: Iterable[object]) -> tuple[str, ...]:
    """Every pattern normalised, duplicates dropped (the first keeps its rank); at least one."""
    seen: dict[str, None] = {}
    for value in values:
        try:
            seen.setdefault(normalise_pattern(value), None)
        except ValueError as exc:
            raise ValueError(f"{value!r} {exc}") from None
    if not seen:
        raise ValueError("must name at least one folder")
    return tuple(seen)


def parse_root_list(raw: str) -> list[str]:
    """An environment value: a JSON list (``["specs/plans", "docs/*/plans"]``) or comma-separated text."""
    text = raw.strip()
    if text.startswith("["):
        import json  # only for this rare spelling: the hook's fast path never gets here

        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not a valid JSON list ({exc.msg} at character {exc.pos})") from None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("must be a JSON list of strings")
        return list(value)
    return [part.strip() for part in text.split(",") if part.strip()]


def as_patterns(roots: str | Sequence[str]) -> tuple[str, ...]:
    """A single folder (the old ``plans_dir``) or a list of patterns, as a tuple of patterns."""
    return (roots,) if isinstance(roots, str) else tuple(roots)


@lru_cache(maxsize=256)
def _split(pattern: str) -> tuple[str, ...]:
    return tuple(pattern.strip("/").split("/"))


def literal_prefix(pattern: str) -> str:
    """The folders before the first ``*``: ``specs/*/plans`` -> ``specs``; a pattern without ``*`` itself."""
    parts = _split(pattern)
    cut = parts.index(WILDCARD) if WILDCARD in parts else len(parts)
    return "/".join(parts[:cut])


def literal_prefixes(patterns: str | Sequence[str]) -> tuple[str, ...]:
    """The folders below which every root lies, none inside another: what git listings and watches cover."""
    prefixes = sorted({literal_prefix(p) for p in as_patterns(patterns)})
    kept: list[str] = []
    for prefix in prefixes:  # sorted: an enclosing folder comes before what it holds
        if not any(prefix == k or prefix.startswith(k + "/") for k in kept):
            kept.append(prefix)
    return tuple(kept)


def first_literal_root(patterns: str | Sequence[str]) -> str | None:
    """The first pattern without ``*``: where new plans are written (``None`` when every one has ``*``)."""
    return next((p for p in as_patterns(patterns) if WILDCARD not in _split(p)), None)


def files_regex(patterns: str | Sequence[str]) -> str:
    """A regular expression matching the Markdown files below the roots (``.pre-commit-hooks.yaml``'s
    ``files``, which must follow the default roots: a test compares them). ``*`` becomes one folder
    name not starting with ``.``; a pattern inside another (a sub-root) adds nothing.
    A spec-kit feature pattern (``specs/*``) matches only numbered folders, and in them only the plan's
    own files (``tasks.md``, expanded phase files), as :func:`split_root` does."""
    wanted = as_patterns(patterns)
    kept = [p for p in wanted if not any(is_sub_pattern(p, other) for other in wanted if other != p)]
    roots: list[str] = []
    features: list[str] = []
    for pattern in kept:
        parts = _split(pattern)
        if is_feature_pattern(parts):
            prefix = "/".join(re.escape(s) for s in parts[:-1])
            group = f"plan{len(features)}"
            features.append(f"{prefix}/\\d+-[^/]*/" + _FEATURE_FILES.replace("{n}", group))
        else:
            roots.append("/".join("[^/.][^/]*" if s == WILDCARD else re.escape(s) for s in parts))
    alternatives = [f"(?:{'|'.join(roots)})/.*\\.md", *features] if roots else features
    return f"^(?:{'|'.join(alternatives)})$"


def match_folder(pattern: str, folder: str) -> tuple[str, ...] | None:
    """What the ``*`` of ``pattern`` matched if ``folder`` matches it, else ``None``.

    ``*`` matches one folder name that does not start with ``.``: a hidden folder is never a root
    by accident (``.git``, editor folders).
    """
    return _match(_split(pattern), tuple(folder.strip("/").split("/")))


def _match(pattern: tuple[str, ...], parts: Sequence[str], *, whole: bool = True) -> tuple[str, ...] | None:
    if len(pattern) != len(parts):
        return None
    captures: list[str] = []
    for want, have in zip(pattern, parts, strict=True):
        if want == WILDCARD:
            if not have or have.startswith("."):
                return None
            captures.append(have)
        elif want != have:
            return None
    if whole and is_feature_pattern(pattern) and not is_feature_name(captures[-1]):
        return None  # specs/plans, specs/042_search: not spec-kit feature folders
    return tuple(captures)


def root_at(folder: str, patterns: str | Sequence[str]) -> RootFolder | None:
    """The root ``folder`` is, if it matches a pattern (the first matching pattern gives its rank)."""
    for rank, pattern in enumerate(as_patterns(patterns)):
        captures = match_folder(pattern, folder)
        if captures is not None:
            return RootFolder(rank, folder.strip("/"), pattern, captures)
    return None


def split_root(path: str, patterns: str | Sequence[str]) -> tuple[RootFolder, list[str]] | None:
    """The root a path lies below, and the rest of the path below it (``None`` outside every root).

    The shortest matching folder wins: a folder that matches a pattern but lies inside another root
    (``specs/plans/plans`` against ``specs/*/plans``) is part of that root, not a root of its own.
    A spec-kit feature folder holds only its plan's files (not ``contracts/``): see :func:`_in_feature`.
    The one exception is a *sub-root*: a folder matching the outer root's pattern and one more ``*``
    (``.copilot-tracking/plans/*`` inside ``.copilot-tracking/plans``, hve-core's folder per day) is a
    root of its own, because the settings say so in as many words (:func:`is_sub_pattern`).
    """
    parts = path.strip("/").split("/")
    compiled = [(_split(p), p, rank) for rank, p in enumerate(as_patterns(patterns))]
    found: RootFolder | None = None
    depth_found = 0
    for depth in range(1, len(parts)):
        head = parts[:depth]
        for pattern, text, rank in compiled:
            if found is not None and not is_sub_pattern(text, found.pattern):
                continue
            captures = _match(pattern, head)
            if captures is not None and (not is_feature_pattern(pattern) or _in_feature(parts[depth:])):
                found, depth_found = RootFolder(rank, "/".join(head), text, captures), depth
                break
    return None if found is None else (found, parts[depth_found:])


def is_sub_pattern(inner: str, outer: str) -> bool:
    """True if ``inner`` is ``outer`` and one more ``*`` level: the folders in each root of ``outer``
    are roots of their own (``.copilot-tracking/plans/*`` and ``.copilot-tracking/plans``). Only that
    exact form: ``specs/*/plans`` is no sub-root of a ``specs/*`` root."""
    return inner == f"{outer.rstrip('/')}/{WILDCARD}"


def _in_feature(rest: Sequence[str]) -> bool:
    """A path below a spec-kit feature folder that is part of a plan: ``tasks.md``, an expanded phase's
    file or folder (``phase_3_x.md``, ``phase_3_x/stage_1_y.md``), or another Markdown file directly in
    the folder (``refactoring-plan.md``: a plan if it has phase headings) and the ``NAME/NAME.md`` or
    ``NAME/phase_...`` it expands into. spec-kit's own files (``spec.md``, ``plan.md``,
    ``contracts/...``) are not: plansmith neither reads nor watches them."""
    first = rest[0].lower()
    if len(rest) == 1:
        return first == TASKS_FILE or first.startswith("phase_") or is_other_plan_file(first)
    if len(rest) == 2 and first.startswith("phase_"):
        return True
    if len(rest) == 2 and rest[1].lower().endswith(".md"):  # an expanded other plan: NAME/NAME.md
        inner = rest[1].lower()
        return inner == f"{first}.md" or inner.startswith("phase_")
    return False


def could_hold_root(folder: str, patterns: str | Sequence[str]) -> bool:
    """True if ``folder`` is a root or a folder on the way to one (``specs/042_new`` for ``specs/*/plans``).

    The daemon rescans when such a folder appears, so a root created while it runs is watched.
    """
    parts = folder.strip("/").split("/")
    for pattern in as_patterns(patterns):
        want = _split(pattern)
        head = want[: len(parts)]
        if len(parts) <= len(want) and _match(head, parts, whole=head == want) is not None:
            return True
    return False


def roots_in(paths: Iterable[str], patterns: str | Sequence[str]) -> list[RootFolder]:
    """The roots that hold at least one of ``paths`` (a file listing of a commit or of the index)."""
    found: dict[str, RootFolder] = {}
    for path in paths:
        hit = split_root(path, patterns)
        if hit is not None:
            found.setdefault(hit[0].path, hit[0])
    return sorted(found.values())


def drop_nested(roots: Iterable[RootFolder]) -> list[RootFolder]:
    """Roots without those inside another root, each folder once (with its best rank), in rank order."""
    best: dict[str, RootFolder] = {}
    for root in roots:
        if root.path not in best or root.rank < best[root.path].rank:
            best[root.path] = root
    paths = sorted(best)
    # A spec-kit feature folder holds only its own files, so a root inside it is a root of its own;
    # so is a sub-root (a folder per day inside hve-core's plans folder, see is_sub_pattern).
    enclosing = [p for p in paths if not is_feature_pattern(_split(best[p].pattern))]
    kept = [
        p
        for p in paths
        if not any(
            p.startswith(other + "/") and not is_sub_pattern(best[p].pattern, best[other].pattern)
            for other in enclosing
            if other != p
        )
    ]
    return sorted(best[p] for p in kept)


# --- plan ids ----------------------------------------------------------------------------------------


def plan_key(root: RootFolder, name: str) -> str:
    """A plan's short id: what the root's ``*`` matched, then the plan's name.

    ``specs/plans/001_feature.md`` -> ``001_feature``; ``.claude/specs/042_search/plans/001-x.md`` ->
    ``042_search/001-x``. For the default roots this is the plan's path below ``specs/`` (or
    ``.claude/specs/``) without ``plans/`` and ``.md``. Two roots can give the same short id; the
    daemon uses it as a grouping key (plans sharing it are looked at together), ids are made unique
    by :func:`assign_ids`. A spec-kit feature folder holds one plan, known by the folder's name
    (``specs/001-photo-albums/tasks.md`` -> ``001-photo-albums``), whatever file of it is named.
    """
    if is_feature_pattern(_split(root.pattern)) and _of_tasks(root, name):
        return "/".join(root.captures)
    return "/".join((*root.captures, name))


def _of_tasks(root: RootFolder, name: str) -> bool:
    """Whether ``name`` (a plan's name, or the first file or folder below a feature root, without
    ``.md``) belongs to the feature's ``tasks.md`` rather than to another plan kept beside it."""
    lower = name.lower()
    return name == root.captures[-1] or lower == TASKS_FILE.removesuffix(".md") or lower.startswith("phase_")


def assign_ids(found: Iterable[tuple[RootFolder, PlanLocation]]) -> list[PlanRef]:
    """Give every plan a unique id, in the order of the roots (rank, then folder), then plan names.

    The first plan with a short id keeps it; a later plan with the same short id (``specs/plans/001_x.md``
    and ``.claude/specs/plans/001_x.md``) is known by its folder path instead
    (``.claude/specs/plans/001_x``), which names it unambiguously; ``validate`` warns about it.
    """
    ordered = sorted(found, key=lambda pair: (pair[0], pair[1].name))
    short = [plan_key(root, loc.name) for root, loc in ordered]
    taken = set(short)
    refs: list[PlanRef] = []
    used: set[str] = set()
    for (root, loc), key in zip(ordered, short, strict=True):
        pid = key
        if pid in used:
            tasks = is_feature_pattern(_split(root.pattern)) and _of_tasks(root, loc.name)
            pid = root.path if tasks else f"{root.path}/{loc.name}"
            n = 2
            while pid in used or (pid in taken and pid != key):
                pid = f"{root.path}/{loc.name}#{n}"  # only if a short id spells a folder path
                n += 1
        used.add(pid)
        refs.append(PlanRef(pid, key, root, loc))
    return refs


def find_ref(refs: Sequence[PlanRef], text: str) -> PlanRef | None:
    """The plan a command-line id names: its id, or its branch component (``042_search+001-x``)."""
    wanted = text.strip().strip("/")
    wanted = wanted.removesuffix(".md")
    for ref in refs:
        if wanted in (ref.id, ref.branch_component):
            return ref
    return None


# --- proposal branch names ---------------------------------------------------------------------------


def branch_component(plan_id: str) -> str:
    """The one ref-name component a plan id becomes: the proposal branch is ``<prefix><component>``.

    Single-segment ids made of ordinary characters are kept as they are (``001_feature`` ->
    ``plansmith/001_feature``, as before plan roots existed). The segments of a longer id are joined
    with ``+`` (``042_search/001-ranking-plan`` -> ``042_search+001-ranking-plan``): a component never
    holds ``/``, so no proposal branch can be a folder of another (git cannot hold both
    ``plansmith/042_search`` and ``plansmith/042_search/x``). Characters git forbids and ``%``/``+``
    themselves are written ``%XX``, so distinct ids always give distinct components
    (:func:`plan_id_of_component` is the inverse).
    """
    parts = [_UNSAFE_IN_REF.sub(_escape, segment) for segment in plan_id.split("/")]
    text = BRANCH_SEPARATOR.join(parts)
    text = text.replace("..", ".%2E")  # '..' is forbidden anywhere in a ref name
    if text.startswith("."):
        text = "%2E" + text[1:]
    if text.endswith("."):
        text = text[:-1] + "%2E"
    if text.endswith(".lock"):
        text = text[: -len(".lock")] + "%2Elock"
    if text in ("", "@"):
        text = "%40" if text == "@" else "%"  # '%' alone is never produced by an id: keeps it unique
    return text


def plan_id_of_component(component: str) -> str:
    """The plan id a branch component was made from (the inverse of :func:`branch_component`)."""
    if component == "%":
        return ""
    return "/".join(_unescape(segment) for segment in component.split(BRANCH_SEPARATOR))


def _escape(match: re.Match[str]) -> str:
    return "".join(f"%{byte:02X}" for byte in match.group(0).encode("utf-8"))


def _unescape(text: str) -> str:
    return re.sub(
        r"(?:%[0-9A-F]{2})+", lambda m: bytes.fromhex(m.group(0).replace("%", "")).decode("utf-8"), text
    )
