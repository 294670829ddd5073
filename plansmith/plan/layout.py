"""Where a plan's parts live: discovery of plans in a file mapping, the plan tree, canonical paths.

Paths are repository-relative POSIX strings. Nothing here touches the file system: the caller passes
``{path: text}`` for the files under the plans folder.
"""

from __future__ import annotations

import gc
import posixpath
import re
import threading
import unicodedata
import weakref
from collections import OrderedDict
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from plansmith.plan.folders import (
    is_foreign_main,
    is_phase_file_name,
    main_file_of,
    phase_file_name,
    phase_links,
    section_phase_link,
)
from plansmith.plan.ids import FILE_ID_PATTERN, ItemId
from plansmith.plan.model import DocKind, Document, ItemKind, PhaseNode, Plan, Section, StageNode
from plansmith.plan.parser import parse_document
from plansmith.plan.speckit import with_phase_dependencies
from plansmith.plan.speckit_folders import TASKS_FILE, is_feature_folder, is_other_plan_file, is_tasks_file

# The usual plan name (``001_feature``, ``001-feature-plan``); any other name is a plan too.
PLAN_NAME = re.compile(r"^\d{3,}[_-][^/]*$")
# Expanded phase and stage files and folders: ``phase_3_slug``, ``phase_2_5_slug``, ``stage_1``.
PHASE_NAME = re.compile(rf"^phase_({FILE_ID_PATTERN})(?:_[^/]*)?$", re.I)
STAGE_NAME = re.compile(rf"^stage_({FILE_ID_PATTERN})(?:_[^/]*)?$", re.I)
SLUG_MAX = 40


def slugify(title: str) -> str:
    """A file-name-safe slug: ASCII-folded, lower case, ``[a-z0-9_]`` only, at most 40 characters.

    Never contains ``/`` or ``..`` and never starts with ``.``; may be empty (callers then use the
    bare ``phase_N`` / ``stage_M`` name). A title is data, never a path.
    """
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "_", folded.lower()).strip("_")
    return slug[:SLUG_MAX].rstrip("_")


def item_stem(kind: str, number: ItemId, title: str) -> str:
    """``phase_3_slug``, ``phase_2_5_slug``, ``phase_5a_slug``, ``phase_cf_1_slug`` (see
    :attr:`ItemId.file_token`); ``phase_3`` when the title gives no slug."""
    slug = slugify(title)
    token = number.file_token
    return f"{kind}_{token}_{slug}" if slug else f"{kind}_{token}"


@dataclass(frozen=True, slots=True)
class PlanLocation:
    name: str
    main_path: str
    folder: str | None  # set when the plan lives in a folder (level >= 1, or a folder left behind)


def _stem(path: str) -> str:
    return posixpath.splitext(posixpath.basename(path))[0]


def is_item_name(name: str) -> bool:
    """A phase or stage file or folder name (``phase_N...``, ``phase-0N-...``, ``NAME-phase-N``,
    ``stage_N...``): part of a plan, never a plan itself."""
    return is_phase_file_name(name) or STAGE_NAME.match(name) is not None


def find_plans(paths: Iterable[str], plans_dir: str) -> list[PlanLocation]:
    """Plan candidates directly in the folder ``plans_dir``: every ``NAME.md`` file and every folder
    holding a main file (``NAME/NAME.md``, ``plan.md``, ``index.md``, ``README.md``,
    ``NAME-index.md``: :func:`plansmith.plan.folders.main_file_of`), whatever the name
    (``001_feature``, ``implementation-001``, ``test-hybrid-plan``), except phase and stage files.
    Whether a candidate holds a phase is not looked at here (the caller parses: a file without
    phases is not a plan)."""
    root = plans_dir.strip("/")
    if is_feature_folder(root):
        return _feature_plans(paths, root)
    return _plans_in(paths, root)


def _plans_in(paths: Iterable[str], root: str) -> list[PlanLocation]:
    prefix = f"{root}/" if root else ""
    found: dict[str, PlanLocation] = {}
    in_folder: dict[str, list[str]] = {}
    for path in sorted(paths):
        if not path.startswith(prefix) or not path.endswith(".md"):
            continue
        parts = path[len(prefix) :].split("/")
        name = _stem(parts[-1])
        if len(parts) == 2:
            in_folder.setdefault(parts[0], []).append(parts[1])
        if len(parts) == 1 and name and not is_item_name(name):
            found.setdefault(name, PlanLocation(name, path, None))
    for folder, names in in_folder.items():
        main = main_file_of(folder, names)
        if main is not None and not is_item_name(folder):
            # The folder form wins over a stray level-0 file of the same name; validation reports both.
            found[folder] = PlanLocation(folder, f"{prefix}{folder}/{main}", f"{prefix}{folder}")
    return sorted(found.values(), key=lambda p: p.name)


def _feature_plans(paths: Iterable[str], folder: str) -> list[PlanLocation]:
    """A spec-kit feature folder's plan, its ``tasks.md`` (named like the folder), and any other plan a
    team keeps beside it (``refactoring-plan.md``, read by the ordinary rules: a plan when it has phase
    headings). ``plan.md`` is the feature's design document and ``spec.md``, ``research.md`` and the
    rest are spec-kit's own files: none of them is a plan."""
    main = f"{folder}/{TASKS_FILE}"
    present = paths if isinstance(paths, Collection) else list(paths)
    found = [PlanLocation(posixpath.basename(folder), main, folder)] if main in present else []
    prefix = folder + "/"
    others = [p for p in present if p.startswith(prefix) and _other_plan_path(p[len(prefix) :].split("/"))]
    return found + _plans_in(others, folder)


def _other_plan_path(parts: list[str]) -> bool:
    """``NAME.md`` (not spec-kit's, not ``tasks.md`` or its phases) or its expanded ``NAME/NAME.md``."""
    if len(parts) == 1:
        return is_other_plan_file(parts[0])
    return len(parts) == 2 and is_other_plan_file(parts[0] + ".md") and parts[1] == f"{parts[0]}.md"


def locate_plan(paths: Iterable[str], target: str, plans_dir: str) -> PlanLocation | None:
    """The plan that ``target`` names: a level-0 file, a plan folder, or any file inside a plan folder."""
    target = target.strip("/")
    for loc in find_plans(paths, plans_dir):
        if target in (loc.main_path, loc.folder, loc.name):
            return loc
        if loc.folder and target.startswith(loc.folder + "/"):
            return loc
    return None


def folder_location(loc: PlanLocation) -> PlanLocation:
    """Where a plan is once it has a folder (after its first phase expands): ``NAME/NAME.md`` for a
    single-file plan; a plan already in a folder keeps its main file (a spec-kit ``tasks.md`` stays
    where it is, so collapse never moves it out either)."""
    if loc.folder is not None:
        return loc
    folder = posixpath.join(posixpath.dirname(loc.main_path), loc.name)
    return PlanLocation(loc.name, f"{folder}/{loc.name}.md", folder)


def parent_link(loc: PlanLocation) -> str:
    """The ``Parent Plan`` link an expanded phase file gets: ``[tasks.md](tasks.md)``."""
    name = posixpath.basename(loc.main_path)
    return f"[{name}]({name})"


def plan_files(files: Mapping[str, str], loc: PlanLocation) -> dict[str, str]:
    """The files that belong to a plan: its main file, and everything in its folder, including the
    folder a level-0 plan would expand into (so that nothing there is ever overwritten)."""
    folder = loc.folder or posixpath.join(posixpath.dirname(loc.main_path), loc.name)
    prefix = folder + "/"
    found = {p: t for p, t in files.items() if p.startswith(prefix)}
    if is_tasks_file(loc.main_path):  # a feature folder may hold other plans: tasks.md has its phases
        found = {p: t for p, t in found.items() if p[len(prefix) :].lower().startswith("phase_")}
    found[loc.main_path] = files[loc.main_path]
    return found


def _resolve(base_doc: str, target: str) -> str:
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_doc), target))


def _numbered(
    paths: Iterable[str], folder: str, kind: ItemKind, ids: Iterable[ItemId]
) -> dict[ItemId, list[str]]:
    """Files directly in ``folder`` named for one of ``ids`` (``phase_3_x.md``, and for phases also
    ``phase-03-x.md`` and ``NAME-phase-3.md``), by id; and for folders named so (``phase_3_x/``), the
    folder's main file. A name that fits several ids belongs to the longest (``phase_2_5_x`` is phase
    2.5's when there is one, else phase 2's)."""
    pattern = PHASE_NAME if kind == "phase" else STAGE_NAME
    tokens = {f"{kind}_{i.file_token}": i for i in ids}
    by_id: dict[ItemId, list[str]] = {}
    prefix = folder + "/"
    for path in sorted(paths):
        if not path.startswith(prefix) or not path.endswith(".md"):
            continue
        parts = path[len(prefix) :].split("/")
        name = None
        if len(parts) == 1:
            name = _stem(parts[0])
        elif len(parts) == 2 and (_stem(parts[1]) == parts[0] or pattern.match(_stem(parts[1]))):
            name = parts[0]
        if name is None:
            continue
        if pattern.match(name) is None:
            other = phase_file_name(name) if kind == "phase" and len(parts) == 1 else None
            if other is not None:  # phase-03-x.md, NAME-phase-3.md: the id token, without padding
                token = re.sub(r"^0+(?=\d)", "", other.token.lower())
                if f"phase_{token}" in tokens:
                    by_id.setdefault(tokens[f"phase_{token}"], []).append(path)
            continue
        longest = _longest_token(name.lower(), tokens)
        if longest is not None:
            by_id.setdefault(tokens[longest], []).append(path)
    return by_id


def _longest_token(lower: str, tokens: Mapping[str, ItemId]) -> str | None:
    """The longest of ``tokens`` that is ``lower`` or starts it before a ``_``. Looks up each such
    start of ``lower`` (a scan of every token for every file was quadratic, issue 18)."""
    ends = [i for i, ch in enumerate(lower) if ch == "_"] + [len(lower)]
    return next((lower[:end] for end in reversed(ends) if lower[:end] in tokens), None)


_PHASE_NUMBER = re.compile(
    r"^[ \t]*(?:[-*+][ \t]+)?\**phase number\**[ \t]*:\**[ \t]*\**[ \t]*([^\s*]+)", re.I | re.M
)


def _says_other_number(text: str, number: ItemId) -> bool:
    """True if a file's own ``Phase Number`` field names another phase than ``number``."""
    m = _PHASE_NUMBER.search(text)
    said = ItemId.parse(m.group(1).strip("[]`")) if m is not None else None
    return said is not None and said != number


def _pick(
    section: Section, holder: str, link: str | None, candidates: list[str], files: Mapping[str, str]
) -> str | None:
    """The file that holds an expanded item: the file its link names if it exists, else the one
    conventional candidate (a folder's own ``<dir>/<dir>.md`` first). A candidate whose own
    ``Phase Number`` names another phase is not this phase's (``phase_2_5_x.md`` beside
    ``phase_2_x.md`` when the plan has no phase 2.5)."""
    if link is not None:
        linked = _resolve(holder, link)
        if linked in files:
            return linked
    if section.kind == "phase":
        candidates = [c for c in candidates if not _says_other_number(files[c], section.number)]
    if not candidates or section.tasks:
        return None  # an unlinked file does not take over a section that still holds its tasks
    own = [c for c in candidates if _stem(c) == posixpath.basename(posixpath.dirname(c))]
    return (own or candidates)[0]


def _phase_link(doc: Document, section: Section, in_folder: bool) -> str | None:
    """A phase's link: its ``see [..](..)`` line, or in a plan folder any link of its own lines to a
    phase-named file (a linked heading, a ``**File**:`` line)."""
    if section.link is not None or not in_folder:
        return section.link
    found = section_phase_link(doc, section)
    return None if found is None else found[0]


# Parsed documents by (path, kind, text); parsing is pure, so a hit is exact. Two tiers, one cache:
# - documents still in use somewhere are shared (weak values): one expand builds the plan of the same
#   committed text several times (coordinator, operation, validation, proposal message), and a
#   100,000-phase plan took seconds per parse (issue 18); nothing big is kept after a run;
# - the most recent small documents are also held, up to _RECENT_BUDGET characters of text, so that
#   finding which files of a root are plans and then validating them parses each file once (200 plans:
#   0.70 s -> 0.47 s of CPU for validate), without a long-lived daemon keeping large plans alive.
_PARSED: weakref.WeakValueDictionary[tuple[str, str, str], Document] = weakref.WeakValueDictionary()
_RECENT: OrderedDict[tuple[str, str, str], Document] = OrderedDict()
_RECENT_BUDGET = 1 << 20  # characters of plan text held strongly
_recent_size = 0
_PARSED_LOCK = threading.Lock()
# Documents parsed while a :func:`documents_held` scope is open, kept alive until it closes: finding the
# plan among a root's files parses it and lets it go before the run builds it again (a 100,000-phase
# plan: 1.3 s twice, issue 18). One list per open scope; nothing is held once they are closed.
_HOLDERS: list[list[Document]] = []


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside (parsing, validating): these make no cycles, but the
    collector kept walking the growing document, about 40% of the parse of a 100,000-phase plan and
    half of its validation (issue 18). Only the call that found the collector on switches it back on
    (a thread parsing at the same time finds it off), so a program that keeps it off keeps it off."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parsed_document(path: str, text: str, kind: DocKind) -> Document:
    """``parse_document(path, text, kind)``, reusing a document of the same text still in use or
    parsed recently."""
    key = (path, kind, text)
    with _PARSED_LOCK:
        doc = _PARSED.get(key)
    if doc is None:
        with collector_paused():
            doc = parse_document(path, text, kind)
        with _PARSED_LOCK:
            _PARSED[key] = doc
            _hold_recent(key, doc)
            for held in _HOLDERS:
                held.append(doc)
    return doc


@contextmanager
def documents_held() -> Iterator[None]:
    """Keep every document parsed inside (by any thread) alive until the end: one run reads the same
    big texts several times, each of them should be parsed once. Holds nothing after it ends."""
    held: list[Document] = []
    with _PARSED_LOCK:
        _HOLDERS.append(held)
    try:
        yield
    finally:
        with _PARSED_LOCK:
            _HOLDERS.remove(held)


def _hold_recent(key: tuple[str, str, str], doc: Document) -> None:
    """Hold ``doc`` strongly among the most recent small documents (called with the lock held)."""
    global _recent_size
    size = len(key[2])
    if size > _RECENT_BUDGET // 8 or key in _RECENT:
        return
    _RECENT[key] = doc
    _recent_size += size
    while _recent_size > _RECENT_BUDGET:
        old, _ = _RECENT.popitem(last=False)
        _recent_size -= len(old[2])


def build_plan(files: Mapping[str, str], loc: PlanLocation) -> Plan:
    """Parse a plan's files into its tree. ``files`` may hold more than the plan (only its own are read)."""
    with collector_paused():  # a node per phase and stage, no cycles
        return _build_plan(files, loc)


def _build_plan(files: Mapping[str, str], loc: PlanLocation) -> Plan:
    main = parsed_document(loc.main_path, files[loc.main_path], "plan")
    if is_tasks_file(loc.main_path):
        main = with_phase_dependencies(main)  # spec-kit's "Phase Dependencies" bullets
    documents: list[Document] = [main]
    used = {loc.main_path}
    ids = [s.number for s in main.sections]
    phase_candidates = _numbered(files, loc.folder, "phase", ids) if loc.folder else {}
    phases: list[PhaseNode] = []
    seen: set[ItemId] = set()
    for section in main.sections:
        if section.number in seen:
            continue  # a duplicate id: validation reports it; the first one is the phase
        seen.add(section.number)
        link = _phase_link(main, section, loc.folder is not None)
        path = _pick(section, loc.main_path, link, phase_candidates.get(section.number, []), files)
        phase_doc = None
        if path is not None and path not in used:
            phase_doc = parsed_document(path, files[path], "phase")
            documents.append(phase_doc)
            used.add(path)
        else:
            path = None
        stages = _stages(files, section.number, section, loc.main_path, phase_doc, documents, used)
        phases.append(PhaseNode(section.number, section, loc.main_path, path, phase_doc, stages))
    if not main.sections and loc.folder is not None and is_foreign_main(loc.main_path, loc.folder):
        phases += _listed_phases(files, main, loc.folder, documents, used)
    level = 0
    if any(p.expanded for p in phases):
        level = 2 if any(s.expanded for p in phases for s in p.stages) else 1
    stray: tuple[str, ...] = ()
    if loc.folder is not None:
        prefix = loc.folder + "/"
        stray = tuple(sorted(p for p in files if p.startswith(prefix) and p not in used))
    return Plan(loc.name, loc.main_path, loc.folder, level, main, tuple(phases), tuple(documents), stray)


def _listed_phases(
    files: Mapping[str, str], main: Document, folder: str, documents: list[Document], used: set[str]
) -> list[PhaseNode]:
    """The phases a field folder's main file lists only in a table (or a list of links), without a
    ``Phase N`` heading: every linked phase file whose title (or name) gives its id, in link order.
    Each is its own holder: there is no stub in the main file to collapse it into."""
    nodes: list[PhaseNode] = []
    for _, path in phase_links(main, folder):
        if path in used or path not in files:
            continue
        doc = parsed_document(path, files[path], "phase")
        if doc.root is None or any(n.number == doc.root.number for n in nodes):
            continue
        documents.append(doc)
        used.add(path)
        stages = _stages(files, doc.root.number, doc.root, path, doc, documents, used)
        nodes.append(PhaseNode(doc.root.number, doc.root, path, path, doc, stages))
    return nodes


def _stages(
    files: Mapping[str, str],
    phase: ItemId,
    phase_section: Section,
    main_path: str,
    phase_doc: Document | None,
    documents: list[Document],
    used: set[str],
) -> tuple[StageNode, ...]:
    if phase_doc is None:
        return tuple(StageNode(phase, s.number, s, main_path, None, None) for s in phase_section.children)
    folder = posixpath.dirname(phase_doc.path)
    in_own_folder = PHASE_NAME.match(posixpath.basename(folder)) is not None
    ids = [s.number for s in phase_doc.sections]
    candidates = _numbered(files, folder, "stage", ids) if in_own_folder else {}
    nodes: list[StageNode] = []
    seen: set[ItemId] = set()
    for section in phase_doc.sections:
        if section.number in seen:  # a set: a scan of the earlier stages was quadratic
            continue
        seen.add(section.number)
        path = _pick(section, phase_doc.path, section.link, candidates.get(section.number, []), files)
        doc = None
        if path is not None and path not in used and (section.link is not None or in_own_folder):
            doc = parsed_document(path, files[path], "stage")
            documents.append(doc)
            used.add(path)
        else:
            path = None
        nodes.append(StageNode(phase, section.number, section, phase_doc.path, path, doc))
    return tuple(nodes)
