"""plansmith's own metadata fields, recomputed from the files after every operation.

plansmith owns ``Structure Level``, ``Expanded Phases`` and ``Expanded Stages``; every other field is
the user's and is never touched. Where plansmith has to add a field (or a whole Metadata section) it
remembers that in a one-line HTML comment inside the section, so that when the plan returns to a
state that does not need the field it can remove exactly what it added, and restore an empty value in
the spelling the user had (``none``) rather than ours (``[]``). The comment disappears with the last
thing it records. That is what makes ``collapse(expand(plan)) == plan`` hold byte for byte.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from plansmith.plan.ids import ID_PATTERN, LETTER_ID_PATTERN, ItemId
from plansmith.plan.model import Document, Metadata
from plansmith.plan.scanner import front_matter_end, is_blank, strip_eol

STRUCTURE_LEVEL = "structure level"
EXPANDED_PHASES = "expanded phases"
EXPANDED_STAGES = "expanded stages"
FIELD_NAMES = {
    STRUCTURE_LEVEL: "Structure Level",
    EXPANDED_PHASES: "Expanded Phases",
    EXPANDED_STAGES: "Expanded Stages",
}
_RECORD = re.compile(r"^<!-- plansmith: (\{.*\}) -->[ \t]*$")
# An id in a list value: "[1, 2.5, 5a]", "3, 5", "[phase_3]", "Phase 3"; not the "1" of "v1.2".
_LIST_ID = re.compile(
    rf"(?<![A-Za-z0-9.\-])(?:phase[ _]?|stage[ _]?)?({ID_PATTERN})(?![A-Za-z0-9])(?!\.\d)"
    # A letter id ("[A, C]", "[Phase B]"): alone between the list's delimiters, so "N/A" or "none" is none.
    rf"|(?<![^\s\[{{,:])(?:phase[ _]?|stage[ _]?)?({LETTER_ID_PATTERN})(?=[ \t]*(?:[,\]}}]|$))",
    re.I | re.A,
)
_STAGE_ENTRY = re.compile(rf"({ID_PATTERN}|{LETTER_ID_PATTERN})\s*:\s*\[([^\]]*)\]")


@dataclass(slots=True)
class Record:
    """What plansmith added to this file's metadata, and the empty spellings it replaced."""

    added: list[str] = field(default_factory=list)  # field keys, and "section" for the heading
    was: dict[str, str] = field(default_factory=dict)  # key -> the user's empty value text

    def render(self) -> str:
        data: dict[str, object] = {}
        if self.added:
            data["added"] = self.added
        if self.was:
            data["was"] = self.was
        body = json.dumps(data, ensure_ascii=False, sort_keys=True).replace("--", "-\\u002d")
        return f"<!-- plansmith: {body} -->"

    @property
    def empty(self) -> bool:
        return not self.added and not self.was


def read_record(doc: Document) -> tuple[int | None, Record]:
    """The record line's index (None when absent) and its content."""
    md = doc.metadata
    if md is None:
        return None, Record()
    for i in range(md.start, min(md.end + 1, len(doc.lines))):
        m = _RECORD.match(strip_eol(doc.lines[i]))
        if m is None:
            continue
        try:
            data = json.loads(m.group(1))
        except ValueError:
            return i, Record()
        added = [str(a) for a in data.get("added", []) if isinstance(a, str)]
        was = {str(k): str(v) for k, v in dict(data.get("was", {})).items()}
        return i, Record(added, was)
    return None, Record()


def format_list(values: list[ItemId]) -> str:
    """``[1, 2, 2.5, 5a]``: canonical ids in natural order."""
    return "[" + ", ".join(str(v) for v in sorted(values)) + "]"


def format_stages(stages: Mapping[ItemId, list[ItemId]]) -> str:
    """``{2: [1], 2.5: [1, 2]}``: phases in natural order, each with its expanded stages."""
    return "{" + ", ".join(f"{p}: {format_list(s)}" for p, s in sorted(stages.items())) + "}"


def read_id_list(value: str) -> list[ItemId]:
    """The ids of a list value as written (``[3, 5]``, ``3, 5``, ``[2.5, 5a]``, ``[A, C]``, ``none``), in
    order."""
    return [ItemId(m.group(1) or m.group(2)) for m in _LIST_ID.finditer(value)]


def read_stage_map(value: str) -> dict[ItemId, list[ItemId]]:
    """``{3: [1, 2], 2.5: [1]}`` as a mapping."""
    return {ItemId(p): read_id_list(s) for p, s in _STAGE_ENTRY.findall(value)}


def read_level(value: str) -> int | None:
    m = re.search(r"\d+", value)
    return int(m.group()) if m else None


def _is_empty(key: str, value: str) -> bool:
    v = value.strip()
    if key == STRUCTURE_LEVEL:
        return read_level(v) in (None, 0)
    return not re.search(r"\d", v) and not read_id_list(v)  # "[A]" holds a letter id


def _replace_value(line: str, start: int, end: int, key: str, new: str) -> str:
    value = line[start:end]
    if key == STRUCTURE_LEVEL and (m := re.search(r"\d+", value)):
        # "1 (directory with expanded phases)": change the number, keep the user's words.
        return line[: start + m.start()] + new + line[start + m.end() :]
    return line[:start] + new + line[end:]


def update_owned_fields(doc: Document, wanted: Mapping[str, str]) -> str:
    """The document's text with each owned field set to the canonical value in ``wanted``.

    A field that exists keeps its place and spelling; only its value changes. An empty value
    (``0``, ``[]``, ``{}``) means "not needed": a field plansmith added is then removed, a field the
    user wrote gets the empty spelling it had before. A needed field that is missing is added after
    the last field, or in a new Metadata section after the title.
    """
    lines = [strip_eol(x) for x in doc.lines]
    eols = [x[len(s) :] for x, s in zip(doc.lines, lines, strict=True)]
    record_index, record = read_record(doc)
    md = doc.metadata
    drop: set[int] = set()
    additions: list[str] = []

    for key, new in wanted.items():
        f = md.get(key) if md is not None else None
        if f is None:
            if not _is_empty(key, new):
                additions.append(f"- **{FIELD_NAMES[key]}**: {new}")
                record.added.append(key)
            continue
        line = lines[f.index]
        if not _is_empty(key, new):
            if (
                key != STRUCTURE_LEVEL  # its value is edited in place, so the user's words survive
                and _is_empty(key, f.value)
                and key not in record.added
            ):
                record.was.setdefault(key, f.value)
            lines[f.index] = _replace_value(line, f.value_start, f.value_end, key, new)
        elif key in record.added:
            drop.add(f.index)
            record.added.remove(key)
        else:
            empty = record.was.pop(key, None)
            if empty is None:
                empty = f.value if _is_empty(key, f.value) else new
            lines[f.index] = _replace_value(line, f.value_start, f.value_end, key, empty)

    if record_index is not None:
        drop.add(record_index)
    out = [line + eol for line, eol in zip(lines, eols, strict=True)]
    if md is None:
        return _add_section(doc, out, additions, record)
    return _splice(out, md, drop, additions, record, doc.newline)


def _add_section(doc: Document, out: list[str], additions: list[str], record: Record) -> str:
    if not additions:
        return "".join(out)
    nl = doc.newline
    record.added.append("section")
    block = [f"## Metadata{nl}", *(a + nl for a in additions), record.render() + nl, nl]
    at = _new_section_position(doc)
    if at == len(out) and out and not out[-1].endswith("\n"):
        out[-1] += nl
    return "".join(out[:at] + block + out[at:])


def _splice(
    out: list[str], md: Metadata, drop: set[int], additions: list[str], record: Record, nl: str
) -> str:
    kept_fields = [f.index for f in md.fields if f.index not in drop]
    heading = md.heading_index
    anchor = kept_fields[-1] if kept_fields else (heading if heading is not None else md.start)
    block = [a + nl for a in additions]
    if record.added == ["section"] and not additions and not kept_fields and heading is not None:
        # Everything plansmith put here is going: the heading, and the blank line it added after.
        drop.add(heading)
        after = next((i for i in range(heading + 1, len(out)) if i not in drop), None)
        if after is not None and is_blank(out[after]):
            drop.add(after)
        record.added.clear()
    if not record.empty:
        block.append(record.render() + nl)
    result: list[str] = []
    for i, line in enumerate(out):
        if i not in drop:
            result.append(line + nl if i == anchor and block and not line.endswith("\n") else line)
        if i == anchor:
            result.extend(block)
    return "".join(result)


def _new_section_position(doc: Document) -> int:
    """Where a new Metadata section goes: after the title and the blank lines that follow it, and
    never after the first phase or stage."""
    first_section = doc.sections[0].start if doc.sections else len(doc.lines)
    if doc.title is None or doc.title.index >= first_section:
        front = front_matter_end(doc.lines)  # YAML front matter stays the first thing in the file
        if not front:
            return 0
        i = front
        while i < first_section and is_blank(doc.lines[i]):
            i += 1
        return i
    i = doc.title.index + 1
    while i < first_section and is_blank(doc.lines[i]):
        i += 1
    return i
