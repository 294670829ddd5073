"""Structural validation with stable problem codes and ``path:line`` positions.

Every message says what is wrong and what to do. Codes are part of the JSON contract; never rename
one, add new ones instead.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence

from plansmith.plan import speckit
from plansmith.plan.dependencies import is_prose
from plansmith.plan.folders import folder_link_problems, is_phase_file_name, phase_links
from plansmith.plan.ids import ItemId
from plansmith.plan.layout import (
    PHASE_NAME,
    PLAN_NAME,
    STAGE_NAME,
    PlanLocation,
    find_plans,
    is_item_name,
    parsed_document,
    plan_files,
)
from plansmith.plan.layout import build_plan as _build_plan
from plansmith.plan.metadata import (
    EXPANDED_PHASES,
    EXPANDED_STAGES,
    STRUCTURE_LEVEL,
    format_list,
    format_stages,
    read_id_list,
    read_level,
    read_stage_map,
)
from plansmith.plan.model import Document, PhaseNode, Plan, Section, StageNode
from plansmith.plan.names import name_problem, shown
from plansmith.plan.parser import parse_item_heading
from plansmith.plan.problems import Problem, problem
from plansmith.plan.progress import drift_problems
from plansmith.plan.speckit_folders import is_tasks_file
from plansmith.plan.waves import find_cycle


def validate_plan(plan: Plan) -> list[Problem]:
    problems: list[Problem] = []
    linked = folder_linked(plan)
    problems += _numbering(plan.main, plan.main.sections, "phase")
    problems += _links(plan)
    problems += _folder_links(plan)
    problems += _metadata(plan)
    problems += _dependencies(plan)
    problems += _children(plan, linked)
    problems += drift_problems(plan)
    if is_tasks_file(plan.main_path):
        problems = speckit.reviewed(plan, problems)
    if not plan.main.sections and not linked:
        problems.append(
            problem(
                plan.main_path,
                0,
                "no-phases",
                "no '### Phase N: Title' headings found; add at least one phase",
            )
        )
    return sorted(set(problems))


def new_errors(before: Iterable[Problem], after: Iterable[Problem]) -> list[Problem]:
    """The errors of ``after`` (the plan after an operation) that ``before`` did not have. Compared by
    code, since an operation moves text between files (a gap in phase 3's stages is the same gap in
    phase 3's own file). Warnings never fail an operation: a plan that had one may still be changed,
    and an operation that moves text may make a warning appear where it was not checked before."""
    known = {p.code for p in before if p.is_error}
    return [p for p in after if p.is_error and p.code not in known]


def _numbering(doc: Document, sections: Iterable[Section], kind: str) -> list[Problem]:
    """Duplicate ids (errors), and gaps in the integer numbering (warnings: a removed phase is
    reported, never renumbered). Inserted (2.5), lettered (5a) and prefixed (CF-1) ids fill no gap
    and open none; 5a counts as 5 and 2.5 as 2."""
    problems = []
    seen: dict[ItemId, Section] = {}
    for s in sections:
        if s.number in seen:
            problems.append(
                problem(
                    doc.path,
                    s.start + 1,
                    f"duplicate-{kind}",
                    f"{kind} {s.number} is numbered again (first at line {seen[s.number].start + 1}); "
                    f"give each {kind} its own number",
                )
            )
        else:
            seen[s.number] = s
    wholes = {n.whole for n in seen if n.whole is not None}
    if wholes:
        first = 0 if min(wholes) == 0 else 1
        missing = sorted(set(range(first, max(wholes) + 1)) - wholes)
        if missing:
            where = next(s for n, s in seen.items() if n.whole is not None and n.whole > missing[0])
            problems.append(
                problem(
                    doc.path,
                    where.start + 1,
                    f"{kind}-gap",
                    f"{kind} numbers skip {', '.join(map(str, missing))}; "
                    f"renumber the {kind}s if no {kind} was removed on purpose",
                )
            )
    return problems


def _links(plan: Plan) -> list[Problem]:
    problems = []
    holders: list[tuple[Document, Iterable[Section]]] = [(plan.main, plan.main.sections)]
    holders += [(p.document, p.document.sections) for p in plan.phases if p.document is not None]
    files = set(plan.paths) | set(plan.stray_files)
    for doc, sections in holders:
        for s in sections:
            if s.link is None or s.link_index is None:
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(doc.path), s.link))
            if target not in files:
                problems.append(
                    problem(
                        doc.path,
                        s.link_index + 1,
                        "broken-link",
                        f"{s.kind} {s.number} links to {s.link}, which does not exist; "
                        f"fix the link or restore the file",
                    )
                )
    return problems


def _field_problem(doc: Document, key: str, actual: str, code: str, owner: str) -> Problem | None:
    md = doc.metadata
    f = md.get(key) if md is not None else None
    name = {STRUCTURE_LEVEL: "Structure Level", EXPANDED_PHASES: "Expanded Phases"}.get(
        key, "Expanded Stages"
    )
    if f is None:
        return None
    if key == STRUCTURE_LEVEL:
        same = read_level(f.value) == int(actual)
    elif key == EXPANDED_STAGES and doc.kind == "plan":
        same = {p: s for p, s in read_stage_map(f.value).items() if s} == {
            p: s for p, s in read_stage_map(actual).items() if s
        }
    else:
        same = sorted(read_id_list(f.value)) == sorted(read_id_list(actual))
    if same:
        return None
    return problem(
        doc.path,
        f.index + 1,
        code,
        f"{name} says {f.value.strip() or 'nothing'} but {owner} {actual}; "
        f"run 'plansmith expand/collapse' or correct the field",
    )


def _metadata(plan: Plan) -> list[Problem]:
    expanded = [p.number for p in plan.phases if p.expanded]
    stages = {p.number: [s.number for s in p.stages if s.expanded] for p in plan.phases}
    stages = {p: s for p, s in stages.items() if s}
    checks = [
        (STRUCTURE_LEVEL, str(plan.level), "structure-level-mismatch", "the files make it"),
        (EXPANDED_PHASES, format_list(expanded), "expanded-phases-mismatch", "the expanded files are"),
        (EXPANDED_STAGES, format_stages(stages), "expanded-stages-mismatch", "the expanded files are"),
    ]
    problems = [
        found
        for key, actual, code, owner in checks
        if (found := _field_problem(plan.main, key, actual, code, owner)) is not None
    ]
    md = plan.main.metadata
    # A folder another tool keeps (plan.md + phase-01-x.md) owes plansmith no metadata of its own.
    if plan.level > 0 and _own_layout(plan) and (md is None or md.get(STRUCTURE_LEVEL) is None):
        problems.append(
            problem(
                plan.main_path,
                (plan.main.title.index + 1) if plan.main.title else 0,
                "missing-structure-level",
                f"the plan is at structure level {plan.level} but has no Structure Level field; "
                f"add '- **Structure Level**: {plan.level}' to its Metadata",
            )
        )
    for p in plan.phases:
        if p.document is None:
            continue
        actual = format_list(stages.get(p.number, []))
        found = _field_problem(
            p.document, EXPANDED_STAGES, actual, "expanded-stages-mismatch", "its files are"
        )
        if found:
            problems.append(found)
    return problems


def _dependencies(plan: Plan) -> list[Problem]:
    """Phase dependencies across the plan, and each phase's stage dependencies within the phase."""
    problems = _dependency_problems("phase", plan.phases, "")
    for p in plan.phases:
        if p.stages:  # most phases have none: no graph to build (100,000 of them in a big plan)
            problems += _dependency_problems("stage", p.stages, f" of phase {p.number}")
    return problems


def _dependency_problems(kind: str, nodes: Sequence[PhaseNode | StageNode], of: str) -> list[Problem]:
    """Prose that names no phase (a warning: no dependency), self-dependencies, unknown ids and
    cycles (errors) among ``nodes``, the phases of a plan or the stages of one phase."""
    problems = []
    ids = {n.number for n in nodes}
    graph: dict[ItemId, list[ItemId]] = {}
    for n in nodes:
        section = n.section if n.section.dependencies_index is not None else n.content
        holder = n.holder if section is n.section else n.content_path
        line = (section.dependencies_index or section.start) + 1
        raw = section.dependencies_raw
        name = f"{kind} {n.number}{of}"
        # A stage that names phases only ("Phase 1 complete") waits on another phase: not prose.
        # Ids read from the line are not prose: no need to read it again (the usual case).
        if not section.dependencies and is_prose(raw, kind) and (kind == "phase" or is_prose(raw, "phase")):
            problems.append(
                problem(
                    holder,
                    line,
                    "unreadable-dependencies",
                    f"{name}: '{(raw or '').strip()}' names no {kind}, so it is read as no dependency; "
                    f"write {kind} ids, e.g. [1, 2], if it should wait for some",
                )
            )
        graph[n.number] = list(n.dependencies)
        for d in n.dependencies:
            if d == n.number:
                problems.append(
                    problem(holder, line, "self-dependency", f"{name} depends on itself; remove it")
                )
            elif d not in ids:
                problems.append(
                    problem(
                        holder,
                        line,
                        "unknown-dependency",
                        f"{name} depends on {kind} {d}, which does not exist",
                    )
                )
    cycle = find_cycle({n: [d for d in deps if d != n] for n, deps in graph.items()})
    if cycle is not None:
        first = next(n for n in nodes if n.number == cycle[0])
        chain = " -> ".join(str(n) for n in (*cycle, cycle[0]))
        problems.append(
            problem(
                first.holder,
                first.section.start + 1,
                "dependency-cycle",
                f"{kind}s{of} depend on each other in a cycle ({chain}); remove one of these dependencies",
            )
        )
    return problems


def folder_linked(plan: Plan) -> set[str]:
    """The phase files a plan folder's main file links (a table, linked headings, ``**File**:`` lines).
    Only for folders kept the field's way: plansmith's own ``NAME/NAME.md`` reads its phases' links."""
    if plan.folder is None or _own_layout(plan):
        return set()
    return {path for _, path in phase_links(plan.main, plan.folder)}


def _folder_links(plan: Plan) -> list[Problem]:
    """Links of a plan folder's main file to phase files that do not exist (outside the phases' own
    link lines, which :func:`_links` checks)."""
    if plan.folder is None or _own_layout(plan):
        return []
    files = dict.fromkeys(set(plan.paths) | set(plan.stray_files), "")
    own = [s.link_index for s in plan.main.sections if s.link_index is not None]
    return [
        problem(plan.main_path, line, code, message)
        for line, code, message in folder_link_problems(plan.main, plan.folder, files, own)
    ]


def _children(plan: Plan, linked: Collection[str] = ()) -> list[Problem]:
    """Problems of the expanded phase and stage files, and of files in the plan's folder nothing links to."""
    problems = []
    for p in plan.phases:
        doc = p.document
        if doc is None:  # the stages are inline: numbered as they would be in the phase's own file
            problems += _numbering(plan.main, p.section.children, "stage")
            continue
        if p.holder != p.file:  # a phase listed in a table is the other tool's file, titled its way
            problems += _phase_file_title(p, doc)
        problems += _numbering(doc, doc.sections, "stage")
        for s in p.stages:
            if s.document is not None:
                problems += _stage_file_title(s, s.document)
    for path in plan.stray_files:
        if path not in linked:
            problems += _stray_file(path)
    return problems


def _phase_file_title(p: PhaseNode, doc: Document) -> list[Problem]:
    if doc.root is None:
        message = f"expanded phase file has no '# Phase {p.number}: Title' heading; add it back"
        return [problem(doc.path, 1, "missing-title", message)]
    if parse_item_heading("phase", doc.root.heading.text) is None:
        message = (
            f"the title is not '# Phase {p.number}: Title'; make it one so plansmith can collapse "
            f"the file back"
        )
        return [problem(doc.path, doc.root.start + 1, "missing-title", message)]
    if doc.root.number != p.number:
        message = f"this file belongs to phase {p.number} but its title says phase {doc.root.number}"
        return [problem(doc.path, doc.root.start + 1, "phase-number-mismatch", message)]
    return []


def _stage_file_title(s: StageNode, sd: Document) -> list[Problem]:
    if sd.root is None:
        return [
            problem(sd.path, 1, "missing-title", f"stage file has no '# Stage {s.number}: Title' heading")
        ]
    if sd.root.number != s.number:
        message = f"this file belongs to stage {s.number} but its title says stage {sd.root.number}"
        return [problem(sd.path, sd.root.start + 1, "stage-number-mismatch", message)]
    return []


def _stray_file(path: str) -> list[Problem]:
    """A file in the plan's folder that no link reaches: orphaned if its name says phase or stage."""
    stem = posixpath.splitext(posixpath.basename(path))[0]
    if STAGE_NAME.match(stem):
        message = "stage file that no phase links to; link it from its phase or delete it"
        return [problem(path, 0, "orphan-stage-file", message)]
    if is_phase_file_name(stem) or PHASE_NAME.match(posixpath.basename(posixpath.dirname(path))):
        message = "phase file that the main plan does not use; link it from its phase or delete it"
        return [problem(path, 0, "orphan-phase-file", message)]
    return []


def validate_tree(files: Mapping[str, str], plans_dir: str) -> list[Problem]:
    """Validate every plan directly in ``plans_dir`` in ``files`` ({path: text}). A single file that
    holds no phase is not a plan (a README, notes) and is skipped quietly."""
    problems: list[Problem] = []
    locations = find_plans(files, plans_dir)
    for loc in locations:
        unusable = name_problem(loc.main_path)
        if unusable is not None:  # one line, so that the message stays readable where it is printed
            message = f"plansmith cannot propose changes to this plan: {unusable}; rename the file"
            problems.append(problem(shown(loc.main_path), 0, "unusable-file-name", message))
        plan = _build_plan(plan_files(files, loc), loc)
        if not is_a_plan(plan):
            continue
        problems += validate_plan(plan)
    problems += _layout_problems(files, plans_dir, {loc.name for loc in locations})
    return sorted(set(problems))


def holds_plan(files: Mapping[str, object], loc: PlanLocation) -> bool:
    """True if the candidate ``loc`` is a plan (see :func:`is_a_plan`)."""
    text = files.get(loc.main_path)
    if not isinstance(text, str):
        return True  # not read here (a listing, undecoded bytes): the caller decides
    if loc.folder is None:  # parsed once: validation finds the document in the parser's cache
        return bool(parsed_document(loc.main_path, text, "plan").sections)
    own = plan_files(files, loc)  # type: ignore[arg-type]  # every value is checked just below
    texts = {path: value for path, value in own.items() if isinstance(value, str)}
    return is_a_plan(_build_plan(texts, loc))


def is_a_plan(plan: Plan) -> bool:
    """A file is a plan when it has phase headings; a folder when its main file has phase headings or
    links phase files, or when it is plansmith's own ``NAME/NAME.md`` (which must have phases)."""
    if plan.main.sections:
        return True
    if plan.folder is None:
        return False
    return _own_layout(plan) or bool(folder_linked(plan))


def _own_layout(plan: Plan) -> bool:
    """A level-0 file, or plansmith's ``NAME/NAME.md`` folder (not ``plan.md``, ``NAME-index.md``, ...)."""
    return (
        plan.folder is None or posixpath.basename(plan.main_path) == posixpath.basename(plan.folder) + ".md"
    )


# ClaudeKit's dated folders (``251230-1630-slug``, ``20260320-2201-slug``): a plan when they hold a main
# file, research or reports otherwise; never a plansmith NNN_x folder missing its main plan.
_DATED = re.compile(r"^\d{6}(?:\d{2})?-\d{4}-")


def _stem(name: str) -> str:
    return posixpath.splitext(name)[0]


def _layout_problems(files: Mapping[str, str], plans_dir: str, plans: set[str]) -> list[Problem]:
    root = plans_dir.strip("/")
    prefix = f"{root}/" if root else ""
    problems = []
    folders = Counter[str]()
    for path in files:
        if not path.startswith(prefix):
            continue
        parts = path[len(prefix) :].split("/")
        named_like_plan = PLAN_NAME.match(parts[0]) is not None and _DATED.match(parts[0]) is None
        if len(parts) >= 2 and (named_like_plan or is_item_name(_stem(parts[1]))):
            folders[parts[0]] += 1  # named like a plan, or holding phase/stage files: a plan folder
        if (
            len(parts) == 1
            and posixpath.splitext(parts[0])[0] in plans
            and f"{prefix}{parts[0][:-3]}/{parts[0]}" in files
        ):
            problems.append(
                problem(
                    path,
                    0,
                    "plan-file-and-folder",
                    f"the plan exists both as this file and as the folder {prefix}{parts[0][:-3]}/; keep one",
                )
            )
    for folder in folders:
        if folder not in plans:
            problems.append(
                problem(
                    f"{prefix}{folder}",
                    0,
                    "folder-without-main-plan",
                    f"plan folder has no main plan {folder}.md (nor plan.md, index.md, README.md or "
                    f"{folder}-index.md); move the main plan into it or rename it",
                )
            )
    return problems
