"""spec-kit's ``tasks.md`` as a person reads it: phase dependencies and task ids.

spec-kit's task template says how its phases depend on each other once, in bullets below a
``Phase Dependencies`` heading rather than in each phase::

    ### Phase Dependencies
    - **Setup (Phase 1)**: No dependencies - can start immediately
    - **Foundational (Phase 2)**: Depends on Setup completion - BLOCKS all user stories
    - **User Stories (Phase 3+)**: All depend on Foundational phase completion
    - **Polish (Final Phase)**: Depends on all desired user stories being complete

:func:`with_phase_dependencies` reads those bullets into the phases' dependencies, so the waves are
Setup -> Foundational -> the stories side by side -> Polish. A bullet's label names the phases it is
about (``Phase 1``, ``Phases 3-8``, ``Phase 3+`` for every later phase no other bullet names,
``Final Phase``, or a name that starts a phase's title); its first clause (up to `` - ``, ``;`` or a
full stop) names the phases they wait for, by such a name (``Setup``, ``Foundational phase``, ``user
stories``) or as ``Phase N``. A phase's own ``**Dependencies**:`` line wins over a bullet. A
``tasks.md`` that says nothing about phase dependencies (the older template, ``## Phase 3.1: Setup``
... ``## Phase 3.5: Polish``, orders tasks, not phases) runs its phases in order, each after the one
before, as spec-kit's ``/implement`` does.

:func:`task_id_problems` reports a task id (``T001``) that opens two tasks: a checkbox line
``- [ ] T001 [P] [US1] ...`` or a ``### T001: ...`` heading, outside fenced code. Ids cited in prose
do not count. :func:`reviewed` adds them to a spec-kit plan's problems and drops the gap warning of
the older template's ``Phase 3.1`` ... ``Phase 3.5`` (phases 0-2 are ``plan.md``'s).

Pure: parsed values in, values out. It must not read files, and it must not change a document's
lines (what it returns differs from the parser's document only in the phases' dependencies).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise

from plansmith.plan.dependencies import is_prose, parse_dependencies
from plansmith.plan.ids import ItemId
from plansmith.plan.model import Document, Plan, Section
from plansmith.plan.problems import Problem, problem
from plansmith.plan.scanner import strip_eol

_DEPENDENCY_HEADING = re.compile(r"^[\W\d_]*phase\s+dependencies\b", re.I)
# A top-level bullet: "- **Label**: value", "- **Label:** value" or "- Label: value".
_BULLET = re.compile(
    r"^[-*+][ \t]+(?:\*\*(?P<bold>[^*]+?):?\*\*[ \t]*:?|(?P<plain>[^:]+):)[ \t]*(?P<value>.*)$"
)
_OPEN_ENDED = re.compile(r"\bphases?[ \t]*(\d+)[ \t]*\+", re.I)
_FINAL = re.compile(r"\b(?:final|last)[ \t]+phase\b", re.I)
_CLAUSE_END = re.compile(r"[ \t]+[-–—][ \t]+|;|\.(?:[ \t]|$)|\([^)]*\)")
_NONE = re.compile(r"^[ \t]*(?:no|none)\b", re.I)
_USER_STORIES = re.compile(r"\buser[ \t]+stor(?:y|ies)\b", re.I)
_TITLE_NAME = re.compile(r"^(.*?)(?:[ \t]*\(|[ \t]+[-–—][ \t]+|:|$)")
_TASK_ID = r"\**(T\d+[A-Za-z]?)\b"
_TASK_LINE = re.compile(rf"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+\[.\][ \t]+{_TASK_ID}")
_TASK_HEADING = re.compile(rf"^ {{0,3}}#{{1,6}}[ \t]+{_TASK_ID}")


def with_phase_dependencies(doc: Document) -> Document:
    """``doc`` with the dependencies its ``Phase Dependencies`` bullets give the phases that have no
    dependency line of their own (the bullet's line is where validation points). A phase's own line
    that names no phase id but a phase by name (``User Story 1 must be complete``) is read by name."""
    if not doc.sections:
        return doc
    bullets = _dependency_bullets(doc)
    read, names = _read_bullets(bullets, doc.sections)
    if not bullets and all(s.dependencies_index is None for s in doc.sections):
        read = _in_order(doc.sections)
    sections = tuple(_with_dependencies(s, read, names, doc.sections) for s in doc.sections)
    return doc if sections == doc.sections else replace(doc, sections=sections)


def _in_order(sections: Sequence[Section]) -> dict[ItemId, tuple[tuple[ItemId, ...], int]]:
    """Each phase after the one before it (a repeated id keeps its first reading, never itself)."""
    read: dict[ItemId, tuple[tuple[ItemId, ...], int]] = {}
    for before, section in pairwise(sections):
        if before.number != section.number:
            read.setdefault(section.number, ((before.number,), section.start))
    return read


def _with_dependencies(
    section: Section,
    read: dict[ItemId, tuple[tuple[ItemId, ...], int]],
    names: dict[str, list[ItemId]],
    sections: Sequence[Section],
) -> Section:
    if section.dependencies_index is not None:
        if not is_prose(section.dependencies_raw):
            return section
        waits = tuple(sorted(_waits_for(section.dependencies_raw or "", names, sections) - {section.number}))
        if waits:
            return replace(section, dependencies=waits, dependencies_raw=None)
    if section.number not in read:
        return section
    waits, index = read[section.number]
    return replace(section, dependencies=waits, dependencies_index=index, dependencies_raw=None)


def _dependency_bullets(doc: Document) -> list[tuple[int, str, str]]:
    """``(line, label, value)`` of each top-level bullet below the first ``Phase Dependencies`` heading."""
    heading = next((h for h in doc.headings if _DEPENDENCY_HEADING.match(h.text)), None)
    if heading is None:
        return []
    end = next(
        (h.index for h in doc.headings if h.index > heading.index and h.level <= heading.level),
        len(doc.lines),
    )
    found = []
    for index in range(heading.index + 1, end):
        if index in doc.code_lines:
            continue
        m = _BULLET.match(strip_eol(doc.lines[index]))
        if m is not None:
            found.append((index, (m.group("bold") or m.group("plain")).strip(), m.group("value")))
    return found


def _title_name(section: Section) -> str:
    """What people call a phase: its title up to a parenthesis, a dash or a colon (``Setup``)."""
    m = _TITLE_NAME.match(section.title.strip())
    return (m.group(1) if m else section.title).strip().lower()


def _label_targets(label: str, sections: Sequence[Section]) -> list[ItemId]:
    """The phases a bullet's label names (without the open-ended ``Phase N+`` form)."""
    if _FINAL.search(label):
        return [sections[-1].number]
    named = parse_dependencies(label)
    if named:
        return list(named)
    name = _CLAUSE_END.sub(" ", label).strip().lower()
    if _USER_STORIES.fullmatch(name):
        return [s.number for s in sections if _USER_STORIES.match(s.title)]
    return [s.number for s in sections if name and _title_name(s) == name]


def _read_bullets(
    bullets: list[tuple[int, str, str]], sections: Sequence[Section]
) -> tuple[dict[ItemId, tuple[tuple[ItemId, ...], int]], dict[str, list[ItemId]]]:
    """Each phase a bullet is about, with the phases it waits for and the bullet's line; and the
    names the bullets and the titles give phases (``setup``, ``user stories``)."""
    targets: dict[int, list[ItemId]] = {}
    for index, label, _ in bullets:
        if _OPEN_ENDED.search(label) is None:
            targets[index] = _label_targets(label, sections)
    claimed = {n for ids in targets.values() for n in ids}
    for index, label, _ in bullets:
        if (m := _OPEN_ENDED.search(label)) is not None:
            start = ItemId(m.group(1))
            targets[index] = [s.number for s in sections if not s.number < start and s.number not in claimed]
    names = {_CLAUSE_END.sub(" ", label).strip().lower(): targets[i] for i, label, _ in bullets}
    names.update((_title_name(s), [s.number]) for s in sections if _title_name(s) not in names)
    read: dict[ItemId, tuple[tuple[ItemId, ...], int]] = {}
    for index, _, value in bullets:
        waits = _waits_for(value, names, sections)
        for number in targets[index]:
            read.setdefault(number, (tuple(sorted(d for d in waits if d != number)), index))
    return read, names


def _waits_for(value: str, names: dict[str, list[ItemId]], sections: Sequence[Section]) -> set[ItemId]:
    """The phases a bullet's first clause waits for (``Depends on Setup completion`` -> Setup's)."""
    clause = _CLAUSE_END.split(value, maxsplit=1)[0].strip("*_ \t")
    if _NONE.match(clause):
        return set()
    found: set[ItemId] = set()
    for name in sorted(names, key=len, reverse=True):
        if not name:
            continue
        pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.I)
        if pattern.search(clause):
            found.update(names[name])
            clause = pattern.sub(" ", clause)
    if _USER_STORIES.search(clause):
        found.update(s.number for s in sections if _USER_STORIES.match(s.title))
    found.update(parse_dependencies(clause) or ())
    return found


def reviewed(plan: Plan, problems: list[Problem]) -> list[Problem]:
    """A spec-kit plan's problems: ``problems`` with its task-id errors, and without the gap warning
    of the older template, whose task phases are ``3.1``, ``3.2``, ... because phases 0-2 are
    ``plan.md``'s. A plan of whole numbers that starts late (``Phase 2``) still has its gap."""
    older = plan.phases and all(p.number.whole == 3 and not p.number.is_integer for p in plan.phases)
    if older:
        problems = [p for p in problems if not (p.code == "phase-gap" and p.path == plan.main_path)]
    return problems + task_id_problems(plan)


def task_id_problems(plan: Plan) -> list[Problem]:
    """A ``duplicate-task-id`` error for each task line or heading whose ``T001`` id opened an earlier
    task of the plan, naming both places."""
    problems: list[Problem] = []
    first: dict[str, tuple[str, int]] = {}
    for doc in plan.documents:
        for index, line in enumerate(doc.lines):
            if index in doc.code_lines:
                continue
            m = _TASK_LINE.match(line) or _TASK_HEADING.match(line)
            if m is None:
                continue
            task = m.group(1).upper()
            if task not in first:
                first[task] = (doc.path, index + 1)
                continue
            path, line_no = first[task]
            problems.append(
                problem(
                    doc.path,
                    index + 1,
                    "duplicate-task-id",
                    f"task {task} is used again (first at {path}:{line_no}); give each task its own id",
                )
            )
    return problems


__all__ = ["reviewed", "task_id_problems", "with_phase_dependencies"]
