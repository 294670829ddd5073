"""Where a plan's parts live: discovery of plans in a file mapping, the plan tree, canonical paths.

Paths are repository-relative POSIX strings. Nothing here touches the file system: the caller passes
``{path: text}`` for the files under the plans folder.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from plansmith.plan.model import Document, PhaseNode, Plan, Section, StageNode
from plansmith.plan.parser import parse_document

PLAN_NAME = re.compile(r"^\d{3,}[_-][^/]*$")
PHASE_NAME = re.compile(r"^phase_(\d+)(?:_[^/]*)?$")
STAGE_NAME = re.compile(r"^stage_(\d+)(?:_[^/]*)?$")
SLUG_MAX = 40


def slugify(title: str) -> str:
    """A file-name-safe slug: ASCII-folded, lower case, ``[a-z0-9_]`` only, at most 40 characters.

    Never contains ``/`` or ``..`` and never starts with ``.``; may be empty (callers then use the
    bare ``phase_N`` / ``stage_M`` name). A title is data, never a path.
    """
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "_", folded.lower()).strip("_")
    return slug[:SLUG_MAX].rstrip("_")


def item_stem(kind: str, number: int, title: str) -> str:
    slug = slugify(title)
    return f"{kind}_{number}_{slug}" if slug else f"{kind}_{number}"


@dataclass(frozen=True, slots=True)
class PlanLocation:
    name: str
    main_path: str
    folder: str | None  # set when the plan lives in a folder (level >= 1, or a folder left behind)


def _stem(path: str) -> str:
    return posixpath.splitext(posixpath.basename(path))[0]


def find_plans(paths: Iterable[str], plans_dir: str) -> list[PlanLocation]:
    """Plans under ``plans_dir``: ``NNN_name.md`` files and ``NNN_name/NNN_name.md`` folders."""
    root = plans_dir.strip("/")
    prefix = f"{root}/" if root else ""
    found: dict[str, PlanLocation] = {}
    for path in sorted(paths):
        if not path.startswith(prefix) or not path.endswith(".md"):
            continue
        parts = path[len(prefix) :].split("/")
        name = _stem(parts[-1])
        if len(parts) == 1 and PLAN_NAME.match(name):
            found.setdefault(name, PlanLocation(name, path, None))
        elif len(parts) == 2 and parts[0] == name and PLAN_NAME.match(name):
            # The folder form wins over a stray level-0 file of the same name; validation reports both.
            found[name] = PlanLocation(name, path, f"{prefix}{name}")
    return sorted(found.values(), key=lambda p: p.name)


def locate_plan(paths: Iterable[str], target: str, plans_dir: str) -> PlanLocation | None:
    """The plan that ``target`` names: a level-0 file, a plan folder, or any file inside a plan folder."""
    target = target.strip("/")
    for loc in find_plans(paths, plans_dir):
        if target in (loc.main_path, loc.folder, loc.name):
            return loc
        if loc.folder and target.startswith(loc.folder + "/"):
            return loc
    return None


def plan_files(files: Mapping[str, str], loc: PlanLocation) -> dict[str, str]:
    """The files that belong to a plan: its main file, and everything in its folder, including the
    folder a level-0 plan would expand into (so that nothing there is ever overwritten)."""
    folder = loc.folder or posixpath.join(posixpath.dirname(loc.main_path), loc.name)
    prefix = folder + "/"
    found = {p: t for p, t in files.items() if p.startswith(prefix)}
    found[loc.main_path] = files[loc.main_path]
    return found


def _resolve(base_doc: str, target: str) -> str:
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_doc), target))


def _numbered(paths: Iterable[str], folder: str, pattern: re.Pattern[str]) -> dict[int, list[str]]:
    """Files directly in ``folder`` whose stem matches ``pattern`` (``phase_3_x.md``), by number; and
    for folders matching it (``phase_3_x/``), the folder's main file."""
    by_number: dict[int, list[str]] = {}
    prefix = folder + "/"
    for path in sorted(paths):
        if not path.startswith(prefix) or not path.endswith(".md"):
            continue
        parts = path[len(prefix) :].split("/")
        if len(parts) == 1:
            m = pattern.match(_stem(parts[0]))
        elif len(parts) == 2:
            m = pattern.match(parts[0])
            own_file = _stem(parts[1]) == parts[0] or pattern.match(_stem(parts[1]))
            m = m if own_file else None
        else:
            m = None
        if m is not None:
            by_number.setdefault(int(m.group(1)), []).append(path)
    return by_number


def _pick(section: Section, holder: str, candidates: list[str], files: Mapping[str, str]) -> str | None:
    """The file that holds an expanded item: the stub's link if it exists, else the one conventional
    candidate (a folder's own ``<dir>/<dir>.md`` first)."""
    if section.link is not None:
        linked = _resolve(holder, section.link)
        if linked in files:
            return linked
    if not candidates or section.tasks:
        return None  # an unlinked file does not take over a section that still holds its tasks
    own = [c for c in candidates if _stem(c) == posixpath.basename(posixpath.dirname(c))]
    return (own or candidates)[0]


def build_plan(files: Mapping[str, str], loc: PlanLocation) -> Plan:
    """Parse a plan's files into its tree. ``files`` may hold more than the plan (only its own are read)."""
    main = parse_document(loc.main_path, files[loc.main_path], "plan")
    documents: list[Document] = [main]
    used = {loc.main_path}
    phase_candidates = _numbered(files, loc.folder, PHASE_NAME) if loc.folder else {}
    phases: list[PhaseNode] = []
    for section in main.sections:
        if any(p.number == section.number for p in phases):
            continue  # a duplicate number: validation reports it; the first one is the phase
        path = _pick(section, loc.main_path, phase_candidates.get(section.number, []), files)
        phase_doc = None
        if path is not None and path not in used:
            phase_doc = parse_document(path, files[path], "phase")
            documents.append(phase_doc)
            used.add(path)
        else:
            path = None
        stages = _stages(files, section.number, section, loc.main_path, phase_doc, documents, used)
        phases.append(PhaseNode(section.number, section, loc.main_path, path, phase_doc, stages))
    level = 0
    if any(p.expanded for p in phases):
        level = 2 if any(s.expanded for p in phases for s in p.stages) else 1
    stray: tuple[str, ...] = ()
    if loc.folder is not None:
        prefix = loc.folder + "/"
        stray = tuple(sorted(p for p in files if p.startswith(prefix) and p not in used))
    return Plan(loc.name, loc.main_path, loc.folder, level, main, tuple(phases), tuple(documents), stray)


def _stages(
    files: Mapping[str, str],
    phase: int,
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
    candidates = _numbered(files, folder, STAGE_NAME) if in_own_folder else {}
    nodes: list[StageNode] = []
    for section in phase_doc.sections:
        if any(n.number == section.number for n in nodes):
            continue
        path = _pick(section, phase_doc.path, candidates.get(section.number, []), files)
        doc = None
        if path is not None and path not in used and (section.link is not None or in_own_folder):
            doc = parse_document(path, files[path], "stage")
            documents.append(doc)
            used.add(path)
        else:
            path = None
        nodes.append(StageNode(phase, section.number, section, phase_doc.path, path, doc))
    return tuple(nodes)
