"""Parse one plan, phase or stage file into a :class:`Document`. Tolerant reading, exact positions.

Decides which headings are phases and stages (docs/plan-format.md, "Which headings are phases") and
reads their ids, tasks, dependency lines and stub links. Pure: text in, values out; it never reads a
file and never changes a byte of the text it is given.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace

from plansmith.errors import PlanError, PlanTooLargeError
from plansmith.plan.dependencies import names_all_previous, parse_dependencies
from plansmith.plan.folders import phase_id_of_name
from plansmith.plan.headings import ItemHeading, read_item_heading, strip_status
from plansmith.plan.ids import ItemId, id_from_file_stem
from plansmith.plan.model import (
    DocKind,
    Document,
    Field,
    Heading,
    ItemKind,
    Metadata,
    Section,
    Task,
)
from plansmith.plan.scanner import detect_newline, indent_width, is_blank, scan, split_lines, strip_eol

DEFAULT_MAX_BYTES = 5 * 1024 * 1024

# h2 names of the section that holds the phases (see docs/plan-format.md, "Which headings are phases")
_PHASES_SECTION = re.compile(
    r"^(?:\d+(?:\.\d+)*[.)]?[ \t]+)?(?:(?:detailed|proposed)[ \t]+)?"
    r"(?:implementation(?:[ \t]+(?:phases|plan|steps|roadmap))?|phases"
    r"|phase[ \t]+breakdown|phased[ \t]+implementation)"
    r"[ \t]*:?$",
    re.I,
)
_TASK = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[(.)\](?:[ \t]+(.*)|$)")
_FIELD = re.compile(
    r"^(?P<lead>[ \t]*(?:[-*+][ \t]+)?)(?P<b>\*\*|__)?(?P<name>[A-Za-z][A-Za-z0-9 ()/&'._-]{0,48}?)"
    r"(?:(?P=b))?[ \t]*:[ \t]*(?:(?P=b)(?!\*|_))?[ \t]*(?P<value>.*?)[ \t]*$"
)
# Not indented: "  - Dependencies: Python 3.11" nested in a task list describes the task, not the phase.
_DEPENDENCIES = re.compile(
    r"^(?:[-*+][ \t]+)?(?:\*\*|__)?(?:dependencies|depends[_ ]on)(?:\*\*|__)?[ \t]*:"
    r"[ \t]*(?:\*\*|__)?[ \t]*(?P<value>.*?)[ \t]*$",
    re.I,
)
_OBJECTIVE = re.compile(r"^[ \t]*(?:[-*+][ \t]+)?\*\*objective(?::\*\*|\*\*[ \t]*:)", re.I)
_DETAIL_LINK = re.compile(r"\bsee\b[^\[\n]*\[[^\]\n]*\]\(<?([^)\s>]+)>?\)", re.I)
# Builds a Task from its fields without the named tuple's Python-level ``__new__`` (the same value, in
# half the time: plans have thousands of tasks, issue 10).
_new_task = tuple.__new__


def decode(path: str, data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Bytes of a plan file as text, or a :class:`PlanError` that names the file and says what to do."""
    if len(data) > max_bytes:
        raise PlanTooLargeError(
            f"{path}: {len(data):,} bytes is more than the limit of {max_bytes:,} bytes for one plan file",
            path=path,
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PlanError(
            f"{path}: not UTF-8 text (invalid byte at line {line})",
            hint="convert the file to UTF-8, e.g. iconv -f latin1 -t utf-8",
            path=path,
            line=line,
        ) from None


def parse_item_heading(kind: ItemKind, text: str) -> ItemHeading | None:
    """``(id, title, status, link)`` for a phase/stage heading text, else None (see
    :mod:`plansmith.plan.headings` for the forms read)."""
    return read_item_heading(kind, text)


def parse_field(line: str) -> tuple[str, str, int, int] | None:
    """``(name, value, value_start, value_end)`` for a ``- **Name**: value`` style line."""
    m = _FIELD.match(line)
    if m is None or not m.group("name").strip():
        return None
    if not m.group("lead").strip() and not m.group("b"):
        return None  # "Word: text" without bullet or bold is prose, not a field
    return m.group("name").strip(), m.group("value"), m.start("value"), m.end("value")


def field_key(name: str) -> str:
    return " ".join(name.lower().split())


def parse_document(path: str, text: str, kind: DocKind = "plan") -> Document:
    """Parse a main plan (``kind="plan"``), an expanded phase file or a stage file."""
    lines = split_lines(text)
    scanned = scan(lines, text)
    code = scanned.code_lines
    headings = scanned.headings
    index = _index_lines(lines, code)
    root: Section | None = None
    sections: tuple[Section, ...] = ()
    if kind == "plan":
        title = next((h for h in headings if h.level == 1), None)
        sections = _build_sections(index, headings, "phase", _plan_phase_headings(headings), len(lines))
        first = sections[0].start if sections else len(lines)
    else:
        title, root = _root_section(path, index, headings, kind)
        if root is not None:
            sections = root.children
        first = sections[0].start if sections else len(lines)
    metadata = _metadata(lines, code, headings, title, first)
    return Document(
        path=path,
        kind=kind,
        lines=lines,
        newline=detect_newline(lines),
        headings=headings,
        code_lines=code,
        title=title,
        metadata=metadata,
        sections=sections,
        root=root,
    )


@dataclass(frozen=True, slots=True)
class _LineIndex:
    """What sections need from a document's lines, found in one pass over them: every task, and the
    lines outside code that may hold a dependency, objective or detail-link line. Each section then
    reads its slice (by bisection) instead of walking its lines, so a phase's stages cost nothing more."""

    lines: tuple[str, ...]
    tasks: list[Task]
    task_lines: list[int]  # tasks[k].index, for bisection
    candidates: list[int]  # non-task lines outside code with a ":" (fields) or a "](" (detail links)


def _index_lines(lines: tuple[str, ...], code: frozenset[int]) -> _LineIndex:
    tasks: list[Task] = []
    candidates: list[int] = []
    task_match = _TASK.match
    for i, raw in enumerate(lines):
        if "[" in raw and (tm := task_match(raw)) is not None and i not in code:
            mark, text = tm.groups()
            indent = indent_width(raw) if raw[0] in " \t" else 0  # most tasks start at the margin
            tasks.append(_new_task(Task, (i, indent, mark, text.strip() if text else "")))
        elif (":" in raw or "](" in raw) and i not in code:
            candidates.append(i)  # _DEPENDENCIES and _OBJECTIVE need a ":", _DETAIL_LINK a "]("
    return _LineIndex(lines, tasks, [t.index for t in tasks], candidates)


def _root_section(
    path: str,
    index: _LineIndex,
    headings: tuple[Heading, ...],
    kind: DocKind,
) -> tuple[Heading | None, Section | None]:
    """The whole phase/stage file as one section. Its heading is the level-1 title when the file
    starts with one (numbered by the title, else by the file name), otherwise the first
    ``Phase N:``/``Stage N:`` heading (some tools write ``### Phase 2:`` titles)."""
    item_kind: ItemKind = "phase" if kind == "phase" else "stage"
    child_kind: ItemKind | None = "stage" if item_kind == "phase" else None
    title: Heading | None = headings[0] if headings and headings[0].level == 1 else None
    parsed = parse_item_heading(item_kind, title.text) if title is not None else None
    if title is not None and parsed is None:
        stem = path.rsplit("/", 1)[-1].removesuffix(".md")
        number = id_from_file_stem(item_kind, stem) or (phase_id_of_name(stem) if kind == "phase" else None)
        if number is not None:
            parsed = ItemHeading(number, title.text, None, None)
    if title is None:
        for h in headings:
            parsed = parse_item_heading(item_kind, h.text)
            if parsed is not None:
                title = h
                break
    if title is None or parsed is None:
        return title, None
    section = _make_section(
        index, headings, item_kind, parsed, title, title.index, len(index.lines), child_kind
    )
    return title, section


_Candidate = tuple[Heading, ItemHeading]


# A roman numeral of two or more letters after the kind word ("Phase II", "Stage XIV").
_ROMAN = {
    kind: re.compile(
        rf"(?i:\b{kind})[ \t]+(?=[IVXLCDM]{{2}})"
        r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})(?![A-Za-z0-9])"
    )
    for kind in ("phase", "stage")
}


def _candidates(headings: Sequence[Heading], kind: ItemKind, min_level: int) -> list[_Candidate]:
    found = [
        (h, parsed)
        for h in headings
        if h.level >= min_level and (parsed := read_item_heading(kind, h.text)) is not None
    ]
    for _, parsed in found:  # a loop, not any(...): this runs for the plan and for every phase
        if parsed[0].is_letter:
            return [c for c in found if not c[1][0].is_letter] if _counts_in_roman(headings, kind) else found
    return found


def _counts_in_roman(headings: Sequence[Heading], kind: ItemKind) -> bool:
    """True when a heading numbers a phase (stage) with a roman numeral of two or more letters: then
    ``Phase I`` and ``Phase V`` are numerals too, not letter ids, and plansmith reads none of them
    (docs/plan-format.md, "Letter ids and roman numerals")."""
    roman = _ROMAN[kind]
    return any(roman.search(h.text) is not None for h in headings)


def _shallowest(candidates: list[_Candidate]) -> list[_Candidate]:
    level = min((h.level for h, _ in candidates), default=0)
    return [c for c in candidates if c[0].level == level]


def is_phases_section(heading: Heading) -> bool:
    """An h2 that holds a plan's phases: ``## Implementation Phases``, ``## Implementation Plan``,
    ``## Phases``, ``## Implementation`` and a few more (docs/plan-format.md lists them)."""
    if heading.level != 2:
        return False
    return _PHASES_SECTION.match(strip_status(heading.text).strip()) is not None


def _plan_phase_headings(headings: Sequence[Heading]) -> list[_Candidate]:
    """Which ``Phase N`` headings of a main plan are its phases (docs/plan-format.md, "Which
    headings are phases"): the shallowest ones directly inside the first phases section that has
    any; without one, those of the shallowest level, minus groups that only repeat them."""
    candidates = _candidates(headings, "phase", 2)
    if not candidates:
        return []
    starts = [c[0].index for c in candidates]  # in order: each section's candidates by bisection
    for k, h in enumerate(headings):
        if is_phases_section(h):
            following = range(k + 1, len(headings))  # no slice copy: many phases sections stay linear
            end = next((headings[j].index for j in following if headings[j].level <= h.level), None)
            last = len(starts) if end is None else bisect_left(starts, end)
            inside = candidates[bisect_right(starts, h.index) : last]
            if inside:
                return _shallowest(inside)
    return _drop_summaries(_shallowest(candidates), headings)


def _drop_summaries(at_level: list[_Candidate], headings: Sequence[Heading]) -> list[_Candidate]:
    """Phase headings grouped by the heading they sit under (``## Success Criteria`` ->
    ``### Phase 1 ...``). The biggest group (the first on a tie) holds phases; another group holds
    phases too unless every id in it is already taken (then it only talks about them)."""
    level = at_level[0][0].level
    parent: Heading | None = None
    groups: dict[int, list[_Candidate]] = {}
    wanted = {c[0].index: c for c in at_level}
    for h in headings:
        if h.level < level:
            parent = h
        elif h.index in wanted:
            groups.setdefault(parent.index if parent is not None else -1, []).append(wanted[h.index])
    if len(groups) == 1:
        return at_level
    primary = max(groups.values(), key=len)
    taken = {c[1][0] for c in primary}
    chosen = list(primary)
    for group in groups.values():
        ids = {c[1][0] for c in group}
        if group is not primary and not ids <= taken:
            taken |= ids
            chosen += group
    return sorted(chosen, key=lambda c: c[0].index)


def _build_sections(
    index: _LineIndex,
    headings: Sequence[Heading],
    kind: ItemKind,
    chosen: list[_Candidate],
    end: int,
) -> tuple[Section, ...]:
    """A section for each chosen heading; each ends at the next heading of the same or a higher
    level (or at ``end``). ``headings`` are those of the enclosing range, in order."""
    position = {h.index: k for k, h in enumerate(headings)}
    child_kind: ItemKind | None = "stage" if kind == "phase" else None
    result: list[Section] = []
    for h, parsed in chosen:
        first = position[h.index]
        last = next((k for k in range(first + 1, len(headings)) if headings[k].level <= h.level), None)
        section_end = end if last is None else headings[last].index
        # Only the section's own headings go down: keeps stage detection linear in the plan size.
        own = headings[first:last] if child_kind else []
        section = _make_section(index, own, kind, parsed, h, h.index, section_end, child_kind)
        if section.dependencies_raw is not None and names_all_previous(section.dependencies_raw):
            section = replace(section, dependencies=tuple(s.number for s in result))
        result.append(section)
    return tuple(result)


def _sections(
    index: _LineIndex,
    headings: Sequence[Heading],
    kind: ItemKind,
    start: int,
    end: int,
    *,
    min_level: int,
) -> tuple[Section, ...]:
    """Stage sections between ``start`` and ``end``: headings of the shallowest level at which the
    kind occurs."""
    indices = [h.index for h in headings]
    inside = headings[bisect_left(indices, start) : bisect_left(indices, end)]
    chosen = _shallowest(_candidates(inside, kind, min_level))
    return _build_sections(index, inside, kind, chosen, end) if chosen else ()


def _make_section(
    index: _LineIndex,
    headings: Sequence[Heading],
    kind: ItemKind,
    parsed: ItemHeading,
    heading: Heading,
    start: int,
    end: int,
    child_kind: ItemKind | None,
) -> Section:
    lines = index.lines
    content_end = end
    while content_end > start + 1 and is_blank(lines[content_end - 1]):
        content_end -= 1
    children: tuple[Section, ...] = ()
    if child_kind is not None and len(headings) > 1:  # headings[0] is this section's own heading
        children = _sections(index, headings, child_kind, start + 1, end, min_level=heading.level + 1)
    own_end = children[0].start if children else content_end
    deps: tuple[ItemId, ...] = ()
    deps_index = None
    deps_raw = None
    objective = None
    link = parsed.link  # a linked heading names its phase's file itself
    link_index = start if link is not None else None
    tasks = index.tasks[bisect_left(index.task_lines, start + 1) : bisect_left(index.task_lines, end)]
    candidates = index.candidates
    for k in range(bisect_left(candidates, start + 1), bisect_left(candidates, own_end)):
        i = candidates[k]
        line = strip_eol(lines[i])
        if deps_index is None and (dm := _DEPENDENCIES.match(line)) is not None:
            deps_index, deps_raw = i, dm.group("value")
            deps = parse_dependencies(deps_raw, kind) or ()
        elif objective is None and _OBJECTIVE.match(line):
            objective = i
        elif link is None and "](" in line and (lm := _DETAIL_LINK.search(line)) is not None:
            target = lm.group(1).split("#", 1)[0]
            if target.lower().endswith(".md"):
                link, link_index = target, i
    number, title, status, _ = parsed
    return Section(
        kind=kind,
        number=number,
        title=title,
        status=status,
        heading=heading,
        start=start,
        end=end,
        content_end=content_end,
        children=children,
        tasks=tuple(tasks),
        dependencies=deps,
        dependencies_index=deps_index,
        dependencies_raw=deps_raw,
        objective_index=objective,
        link=link,
        link_index=link_index,
    )


def _is_metadata_heading(h: Heading) -> bool:
    text = h.text.lower().rstrip(":")
    return h.level >= 2 and (text == "metadata" or text.endswith(" metadata"))


def _metadata(
    lines: tuple[str, ...],
    code: frozenset[int],
    headings: tuple[Heading, ...],
    title: Heading | None,
    first_section: int,
) -> Metadata | None:
    """The ``## Metadata`` section before the first phase/stage, or bare bold bullets after the title.

    Its fields are the run of field lines that starts the section; the run ends at the first line
    that is neither a field, an indented continuation, nor plansmith's own record comment.
    """
    for h in headings:
        if h.index >= first_section:
            break
        if _is_metadata_heading(h):
            end, fields = _field_run(lines, code, h.index + 1, bare=False)
            return Metadata(h.index, h.index, end, fields)
    if title is None:
        return None
    end, fields = _field_run(lines, code, title.index + 1, bare=True)
    if not fields:
        return None
    return Metadata(None, fields[0].index, end, fields)


def _field_run(
    lines: tuple[str, ...], code: frozenset[int], start: int, *, bare: bool
) -> tuple[int, tuple[Field, ...]]:
    i = start
    while i < len(lines) and is_blank(lines[i]):
        i += 1
    fields: list[Field] = []
    while i < len(lines) and i not in code:
        line = strip_eol(lines[i])
        parsed = parse_field(line) if line[:1] not in (" ", "\t") else None
        if parsed is not None and (not bare or line.startswith(("- **", "* **", "+ **"))):
            name, value, vs, ve = parsed
            fields.append(Field(i, name, field_key(name), value, vs, ve))
        elif fields and line[:1] in (" ", "\t") and line.strip():
            pass  # a continuation or sub-bullet of the field above
        elif not line.startswith("<!-- plansmith: "):
            break
        i += 1
    return i, tuple(fields)


__all__ = [
    "DEFAULT_MAX_BYTES",
    "PlanError",
    "decode",
    "field_key",
    "parse_dependencies",
    "parse_document",
    "parse_field",
    "parse_item_heading",
]
