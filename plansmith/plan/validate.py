"""Structural validation with stable problem codes and ``path:line`` positions.

Every message says what is wrong and what to do. Codes are part of the JSON contract; never rename
one, add new ones instead.
"""

from __future__ import annotations

import posixpath
from collections import Counter
from collections.abc import Iterable, Mapping

from plansmith.plan.layout import PHASE_NAME, PLAN_NAME, STAGE_NAME, find_plans, plan_files
from plansmith.plan.layout import build_plan as _build_plan
from plansmith.plan.metadata import (
    EXPANDED_PHASES,
    EXPANDED_STAGES,
    STRUCTURE_LEVEL,
    format_list,
    format_stages,
    read_int_list,
    read_level,
    read_stage_map,
)
from plansmith.plan.model import Document, Plan, Section
from plansmith.plan.parser import parse_item_heading
from plansmith.plan.problems import Problem
from plansmith.plan.waves import find_cycle


def validate_plan(plan: Plan) -> list[Problem]:
    problems: list[Problem] = []
    problems += _numbering(plan.main, plan.main.sections, "phase")
    problems += _links(plan)
    problems += _metadata(plan)
    problems += _dependencies(plan)
    problems += _children(plan)
    if not plan.main.sections:
        problems.append(
            Problem(
                plan.main_path,
                0,
                "no-phases",
                "no '### Phase N: Title' headings found; add at least one phase",
            )
        )
    return sorted(set(problems))


def _numbering(doc: Document, sections: Iterable[Section], kind: str) -> list[Problem]:
    problems = []
    seen: dict[int, Section] = {}
    numbers = []
    for s in sections:
        if s.number in seen:
            problems.append(
                Problem(
                    doc.path,
                    s.start + 1,
                    f"duplicate-{kind}",
                    f"{kind} {s.number} is numbered again (first at line {seen[s.number].start + 1}); "
                    f"give each {kind} its own number",
                )
            )
        else:
            seen[s.number] = s
            numbers.append(s.number)
    if numbers:
        first = 0 if min(numbers) == 0 else 1
        missing = sorted(set(range(first, max(numbers) + 1)) - set(numbers))
        if missing:
            where = seen[min(n for n in numbers if n > missing[0])]
            problems.append(
                Problem(
                    doc.path,
                    where.start + 1,
                    f"{kind}-gap",
                    f"{kind} numbers skip {', '.join(map(str, missing))}; "
                    f"number {kind}s consecutively from {first}",
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
                    Problem(
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
        same = sorted(read_int_list(f.value)) == read_int_list(actual)
    if same:
        return None
    return Problem(
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
    if plan.level > 0 and (md is None or md.get(STRUCTURE_LEVEL) is None):
        problems.append(
            Problem(
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
    problems = []
    numbers = {p.number for p in plan.phases}
    graph: dict[int, list[int]] = {}
    for p in plan.phases:
        section = p.section if p.section.dependencies_index is not None else p.content
        holder = p.holder if section is p.section else p.content_path
        line = (section.dependencies_index or section.start) + 1
        raw = section.dependencies_raw
        if (
            raw is not None
            and not section.dependencies
            and raw.strip().strip("*_ []").lower()
            not in (
                "",
                "none",
                "n/a",
                "-",
            )
        ):
            problems.append(
                Problem(
                    holder,
                    line,
                    "unreadable-dependencies",
                    f"phase {p.number}: cannot read dependencies '{raw.strip()}'; "
                    f"write them as phase numbers, e.g. [1, 2]",
                )
            )
        graph[p.number] = list(p.dependencies)
        for d in p.dependencies:
            if d == p.number:
                problems.append(
                    Problem(holder, line, "self-dependency", f"phase {p.number} depends on itself; remove it")
                )
            elif d not in numbers:
                problems.append(
                    Problem(
                        holder,
                        line,
                        "unknown-dependency",
                        f"phase {p.number} depends on phase {d}, which does not exist",
                    )
                )
    acyclic = {n: [d for d in deps if d != n] for n, deps in graph.items()}
    cycle = find_cycle(acyclic)
    if cycle is not None:
        first = plan.phase(cycle[0])
        assert first is not None
        chain = " -> ".join(str(n) for n in (*cycle, cycle[0]))
        problems.append(
            Problem(
                plan.main_path,
                first.section.start + 1,
                "dependency-cycle",
                f"phases depend on each other in a cycle ({chain}); remove one of these dependencies",
            )
        )
    return problems


def _children(plan: Plan) -> list[Problem]:
    problems = []
    for p in plan.phases:
        doc = p.document
        if doc is None:
            continue
        if doc.root is None:
            problems.append(
                Problem(
                    doc.path,
                    1,
                    "missing-title",
                    f"expanded phase file has no '# Phase {p.number}: Title' heading; add it back",
                )
            )
        elif parse_item_heading("phase", doc.root.heading.text) is None:
            problems.append(
                Problem(
                    doc.path,
                    doc.root.start + 1,
                    "missing-title",
                    f"the title is not '# Phase {p.number}: Title'; make it one so plansmith can collapse "
                    f"the file back",
                )
            )
        elif doc.root.number != p.number:
            problems.append(
                Problem(
                    doc.path,
                    doc.root.start + 1,
                    "phase-number-mismatch",
                    f"this file belongs to phase {p.number} but its title says phase {doc.root.number}",
                )
            )
        problems += _numbering(doc, doc.sections, "stage")
        for s in p.stages:
            sd = s.document
            if sd is None:
                continue
            if sd.root is None:
                problems.append(
                    Problem(
                        sd.path, 1, "missing-title", f"stage file has no '# Stage {s.number}: Title' heading"
                    )
                )
            elif sd.root.number != s.number:
                problems.append(
                    Problem(
                        sd.path,
                        sd.root.start + 1,
                        "stage-number-mismatch",
                        f"this file belongs to stage {s.number} but its title says stage {sd.root.number}",
                    )
                )
    for path in plan.stray_files:
        stem = posixpath.splitext(posixpath.basename(path))[0]
        if STAGE_NAME.match(stem):
            problems.append(
                Problem(
                    path,
                    0,
                    "orphan-stage-file",
                    "stage file that no phase links to; link it from its phase or delete it",
                )
            )
        elif PHASE_NAME.match(stem) or PHASE_NAME.match(posixpath.basename(posixpath.dirname(path))):
            problems.append(
                Problem(
                    path,
                    0,
                    "orphan-phase-file",
                    "phase file that the main plan does not use; link it from its phase or delete it",
                )
            )
    return problems


def validate_tree(files: Mapping[str, str], plans_dir: str) -> list[Problem]:
    """Validate every plan under ``plans_dir`` in ``files`` ({path: text})."""
    problems: list[Problem] = []
    locations = find_plans(files, plans_dir)
    for loc in locations:
        problems += validate_plan(_build_plan(plan_files(files, loc), loc))
    problems += _layout_problems(files, plans_dir, {loc.name for loc in locations})
    return sorted(set(problems))


def _layout_problems(files: Mapping[str, str], plans_dir: str, plans: set[str]) -> list[Problem]:
    root = plans_dir.strip("/")
    prefix = f"{root}/" if root else ""
    problems = []
    folders = Counter[str]()
    for path in files:
        if not path.startswith(prefix):
            continue
        parts = path[len(prefix) :].split("/")
        if len(parts) >= 2 and PLAN_NAME.match(parts[0]):
            folders[parts[0]] += 1
        if (
            len(parts) == 1
            and posixpath.splitext(parts[0])[0] in plans
            and f"{prefix}{parts[0][:-3]}/{parts[0]}" in files
        ):
            problems.append(
                Problem(
                    path,
                    0,
                    "plan-file-and-folder",
                    f"the plan exists both as this file and as the folder {prefix}{parts[0][:-3]}/; keep one",
                )
            )
    for folder in folders:
        if folder not in plans:
            problems.append(
                Problem(
                    f"{prefix}{folder}",
                    0,
                    "folder-without-main-plan",
                    f"plan folder has no main plan {folder}.md; move the main plan into it or rename it",
                )
            )
    return problems
