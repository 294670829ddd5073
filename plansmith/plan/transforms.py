"""Expand and collapse: pure functions from a file mapping to a new file mapping.

Expansion moves a phase (or stage) section, byte for byte, into its own file: the heading becomes
the file's title (shifted up to level 1), plansmith writes a small Metadata block, and every heading
of the body is shifted by the same amount. The section in the parent is replaced by a stub: the
heading line unchanged, the Objective line, and a link to the new file. Collapse is the exact
inverse, so ``collapse(expand(plan)) == plan`` byte for byte; what the user changed in the file or
added to the stub ends up in the collapsed section. No files or git here: mappings in, mappings out.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from plansmith.errors import PlanError, UnknownItemError
from plansmith.plan.folders import (
    is_own_folder,
    new_phase_stem,
    parent_link_index,
    relative_link,
    retarget_link,
)
from plansmith.plan.ids import IdLike, ItemId, item_id
from plansmith.plan.layout import PlanLocation, build_plan, folder_location, item_stem, parent_link, slugify
from plansmith.plan.metadata import EXPANDED_STAGES, format_list, read_record
from plansmith.plan.metadata_sync import synced_writes, synced_writes_after_expand
from plansmith.plan.model import Document, PhaseNode, Plan, Section
from plansmith.plan.parser import field_key, parse_document, parse_field
from plansmith.plan.scanner import is_blank, strip_eol

# Fields plansmith writes into an expanded file; collapse removes them again.
_CHILD_FIELDS = frozenset({"phase number", "stage number", "parent plan", "parent phase", EXPANDED_STAGES})
_BACK_LINK = re.compile(r"^\s*\[[^\]]*(?:←|back)[^\]]*\]\([^)]*\)\s*$", re.I)
_HASHES = re.compile(r"^( {0,3})(#+)")


@dataclass(frozen=True, slots=True)
class Change:
    """The result of an operation: the whole new mapping and what happened to which file."""

    files: dict[str, str]
    location: PlanLocation
    created: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()


@dataclass(slots=True)
class _Edit:
    """Collects file writes and deletions against an original mapping."""

    original: Mapping[str, str]
    files: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.files = dict(self.original)

    def write(self, path: str, text: str) -> None:
        self.files[path] = text

    def delete(self, path: str) -> None:
        self.files.pop(path, None)

    def move(self, old: str, new: str, text: str) -> None:
        if new != old and new in self.files:
            raise PlanError(f"{new}: already exists; plansmith will not overwrite it", path=new)
        self.delete(old)
        self.write(new, text)

    def change(self, location: PlanLocation) -> Change:
        before, after = self.original, self.files
        return Change(
            files=after,
            location=location,
            created=tuple(sorted(p for p in after if p not in before)),
            modified=tuple(sorted(p for p in after if p in before and after[p] != before[p])),
            deleted=tuple(sorted(p for p in before if p not in after)),
        )


# --- the shared core: a section <-> a file of its own --------------------------------------------


def _ensure_eol(line: str, nl: str) -> str:
    return line if line.endswith("\n") else line + nl


def _shift(line: str, delta: int) -> str:
    """The heading line with ``delta`` more (or fewer) ``#``."""
    m = _HASHES.match(line)
    if m is None or delta == 0:
        return line
    count = max(1, len(m.group(2)) + delta)
    return m.group(1) + "#" * count + line[m.end() :]


def _shifted_lines(doc: Document, start: int, end: int, delta: int) -> list[str]:
    heading_lines = {h.index for h in doc.headings}
    return [_shift(doc.lines[i], delta) if i in heading_lines else doc.lines[i] for i in range(start, end)]


def _child_text(holder: Document, section: Section, fields: list[tuple[str, str]]) -> str:
    """The text of the file a section is expanded into."""
    nl = holder.newline
    delta = 1 - section.heading.level
    title = _ensure_eol(_shift(holder.lines[section.start], delta), nl)
    body = _shifted_lines(holder, section.start + 1, section.content_end, delta)
    if body:
        body[-1] = _ensure_eol(body[-1], nl)
    block = [f"## Metadata{nl}", *(f"- **{name}**: {value}{nl}" for name, value in fields)]
    return title + nl + "".join(block) + (nl + "".join(body) if body else "")


def _stub(holder: Document, section: Section, label: str, target: str) -> list[str]:
    nl = holder.newline
    ends_with_eol = holder.lines[section.content_end - 1].endswith("\n")
    stub = [_ensure_eol(holder.lines[section.start], nl)]
    if section.objective_index is not None:
        stub.append(_ensure_eol(holder.lines[section.objective_index], nl))
    stub.append(nl)
    stub.append(f"For detailed tasks, see [{label} Details]({target})" + (nl if ends_with_eol else ""))
    return stub


def _replace_lines(doc: Document, start: int, end: int, new: list[str]) -> str:
    return "".join([*doc.lines[:start], *new, *doc.lines[end:]])


def _body_start(child: Document, title_index: int) -> tuple[int, list[str]]:
    """Where the child's own body begins after the title, skipping plansmith's Metadata block (and
    back-links to the parent). Returns the index and any user fields of the block to keep."""
    i = title_index + 1
    while i < len(child.lines) and (is_blank(child.lines[i]) or _BACK_LINK.match(child.lines[i])):
        i += 1
    md = child.metadata
    if md is None or md.heading_index != i:
        return title_index + 1, []
    record_index, _ = read_record(child)
    kept: list[str] = []
    j = i + 1
    while j < len(child.lines):
        parsed = parse_field(strip_eol(child.lines[j]))
        if j == record_index:
            j += 1
        elif parsed is not None and not child.lines[j][:1].isspace():
            if field_key(parsed[0]) not in _CHILD_FIELDS:
                kept.append(child.lines[j])
            j += 1
        else:
            break
    if kept:
        return j, [child.lines[i], *kept]
    if j < len(child.lines) and is_blank(child.lines[j]):
        j += 1
    return j, []


def _restore(holder: Document, stub: Section, child: Document) -> list[str]:
    """The section text that replaces ``stub`` when ``child`` collapses back into ``holder``."""
    nl = holder.newline
    title = child.root.heading if child.root is not None else child.title
    if title is None:
        raise PlanError(
            f"{child.path}: has no '# Phase N:' / '# Stage N:' title, so it cannot be collapsed",
            hint="add the title line back, or merge the file by hand",
            path=child.path,
        )
    delta = stub.heading.level - title.level
    heading = _shift(child.lines[title.index], delta)
    if strip_eol(heading) == strip_eol(holder.lines[stub.start]):
        heading = holder.lines[stub.start]  # byte-identical, including its line ending
    start, kept_fields = _body_start(child, title.index)
    body = [_shift(x, delta) if x.lstrip().startswith("#") else x for x in kept_fields]
    body += _shifted_lines(child, start, len(child.lines), delta)
    while body and is_blank(body[-1]):
        body.pop()
    restored = [_ensure_eol(heading, nl), *body]
    extras = _stub_extras(holder, stub, child)
    if extras:
        restored[-1] = _ensure_eol(restored[-1], nl)
        restored += [nl, *(_ensure_eol(x, nl) for x in extras)]
    if not holder.lines[stub.content_end - 1].endswith("\n"):
        restored[-1] = strip_eol(restored[-1])
    elif not restored[-1].endswith("\n"):
        restored[-1] += nl
    return restored


def _stub_extras(holder: Document, stub: Section, child: Document) -> list[str]:
    """Lines the user added to a stub (anything but the heading, Objective line, link, blanks)."""
    child_lines = {strip_eol(x) for x in child.lines}
    extras = []
    for i in range(stub.start + 1, stub.content_end):
        line = holder.lines[i]
        if is_blank(line) or i == stub.link_index:
            continue
        if i == stub.objective_index and strip_eol(line) in child_lines:
            continue
        extras.append(line)
    return extras


# --- plan-level operations ------------------------------------------------------------------------


def _plan_and_phase(files: Mapping[str, str], loc: PlanLocation, number: ItemId) -> tuple[Plan, PhaseNode]:
    plan = build_plan(files, loc)
    numbers = [s.number for s in plan.main.sections]
    if number not in numbers:
        raise UnknownItemError(
            f"{loc.main_path}: there is no phase {number} (phases: {', '.join(map(str, numbers)) or 'none'})",
            path=loc.main_path,
        )
    if numbers.count(number) > 1:
        raise PlanError(
            f"{loc.main_path}: phase {number} appears {numbers.count(number)} times",
            hint="give every phase its own number, then try again (plansmith validate lists them)",
            path=loc.main_path,
        )
    node = plan.phase(number)
    assert node is not None
    return plan, node


def _folder_of(loc: PlanLocation) -> str:
    return loc.folder or posixpath.join(posixpath.dirname(loc.main_path), loc.name)


def expand_phase(files: Mapping[str, str], loc: PlanLocation, number: IdLike) -> Change:
    """Move phase ``number`` into ``phase_N_slug.md`` beside the main plan (the plan becomes a folder).
    ``number`` is an id (``3``, ``"2.5"``, ``ItemId("5a")``)."""
    number = item_id(number)
    plan, node = _plan_and_phase(files, loc, number)
    if node.expanded:
        raise PlanError(
            f"{loc.main_path}: phase {number} is already expanded into {node.file}",
            hint=f"expand one of its stages instead: expand PLAN phase {number} stage M",
            path=loc.main_path,
        )
    folder = _folder_of(loc)
    new_loc = folder_location(loc)  # a main file named plan.md, tasks.md, NAME-index.md stays put
    stem = new_phase_stem(files, folder, number.file_token, slugify(node.section.title))
    child_path = f"{folder}/{stem}.md"
    if child_path in files or f"{folder}/{stem}/{stem}.md" in files:
        raise PlanError(
            f"{child_path}: already exists but is not linked from phase {number}",
            hint="link it from the phase (For detailed tasks, see [...](file)) or move it away",
            path=child_path,
        )
    fields = [("Phase Number", str(number)), ("Parent Plan", parent_link(new_loc))]
    child = _child_text(plan.main, node.section, fields)
    stub = _stub(plan.main, node.section, f"Phase {number}", f"{stem}.md")
    edit = _Edit(files)
    edit.move(
        loc.main_path,
        new_loc.main_path,
        _replace_lines(plan.main, node.section.start, node.section.content_end, stub),
    )
    edit.write(child_path, child)
    # Without parsing the whole main plan again when it can (issue 18); the same bytes either way.
    writes = synced_writes_after_expand(plan, number, edit.files, new_loc, child_path)
    if writes is None:
        _sync_metadata(edit, new_loc)
    for path, text in (writes or {}).items():
        edit.write(path, text)
    return edit.change(new_loc)


def expand_stage(files: Mapping[str, str], loc: PlanLocation, phase: IdLike, stage: IdLike) -> Change:
    """Move stage ``stage`` of an expanded phase into ``phase_N_slug/stage_M_slug.md``."""
    phase, stage = item_id(phase), item_id(stage)
    plan, node = _plan_and_phase(files, loc, phase)
    if node.document is None or node.file is None:
        raise PlanError(
            f"{loc.main_path}: phase {phase} is not expanded, so its stages cannot be",
            hint=f"expand the phase first: plansmith expand PLAN phase {phase}",
            path=loc.main_path,
        )
    stage_node = node.stage(stage)
    numbers = [s.number for s in node.document.sections]
    if stage_node is None:
        raise UnknownItemError(
            f"{node.file}: phase {phase} has no stage {stage} "
            f"(stages: {', '.join(map(str, numbers)) or 'none'})",
            path=node.file,
        )
    if numbers.count(stage) > 1:
        raise PlanError(f"{node.file}: stage {stage} appears {numbers.count(stage)} times", path=node.file)
    if stage_node.expanded:
        raise PlanError(
            f"{node.file}: stage {stage} is already expanded into {stage_node.file}", path=node.file
        )

    edit = _Edit(files)
    phase_path = _move_phase_file(edit, plan, phase, into_folder=True)
    phase_doc = parse_document(phase_path, edit.files[phase_path], "phase")
    section = phase_doc.section(stage)
    assert section is not None
    phase_dir = posixpath.dirname(phase_path)
    stem = item_stem("stage", stage, section.title)
    child_path = f"{phase_dir}/{stem}.md"
    if child_path in edit.files:
        raise PlanError(f"{child_path}: already exists but is not linked from stage {stage}", path=child_path)
    phase_name = posixpath.basename(phase_path)
    fields = [("Stage Number", str(stage)), ("Parent Phase", f"[{phase_name}]({phase_name})")]
    child = _child_text(phase_doc, section, fields)
    stub = _stub(phase_doc, section, f"Stage {stage}", f"{stem}.md")
    edit.write(phase_path, _replace_lines(phase_doc, section.start, section.content_end, stub))
    edit.write(child_path, child)
    _sync_metadata(edit, loc)
    return edit.change(loc)


def collapse_stage(files: Mapping[str, str], loc: PlanLocation, phase: IdLike, stage: IdLike) -> Change:
    """Merge an expanded stage file back into its phase file (the exact inverse of expand_stage)."""
    phase, stage = item_id(phase), item_id(stage)
    _, node = _plan_and_phase(files, loc, phase)
    stage_node = node.stage(stage) if node.expanded else None
    if stage_node is None or stage_node.document is None or stage_node.file is None:
        raise PlanError(
            f"{loc.main_path}: stage {stage} of phase {phase} is not expanded",
            hint="run 'plansmith analyze PLAN' to see which items are expanded",
            path=loc.main_path,
        )
    assert node.document is not None
    edit = _Edit(files)
    restored = _restore(node.document, stage_node.section, stage_node.document)
    edit.write(
        node.document.path,
        _replace_lines(node.document, stage_node.section.start, stage_node.section.content_end, restored),
    )
    edit.delete(stage_node.file)
    if not any(s.expanded for s in node.stages if s.number != stage):
        _move_phase_file(edit, build_plan(edit.files, loc), phase, into_folder=False)
    _sync_metadata(edit, loc)
    return edit.change(loc)


def collapse_phase(
    files: Mapping[str, str], loc: PlanLocation, number: IdLike, *, cascade: bool = False
) -> Change:
    """Merge an expanded phase back into the main plan. Expanded stages are collapsed first when
    ``cascade`` is true, else the call is refused."""
    number = item_id(number)
    plan, node = _plan_and_phase(files, loc, number)
    if node.document is None or node.file is None:
        raise PlanError(
            f"{loc.main_path}: phase {number} is not expanded",
            hint="run 'plansmith analyze PLAN' to see which items are expanded",
            path=loc.main_path,
        )
    expanded_stages = [s.number for s in node.stages if s.expanded]
    if expanded_stages and not cascade:
        raise PlanError(
            f"{node.file}: phase {number} has expanded stages {format_list(expanded_stages)}",
            hint=f"collapse them first (plansmith collapse PLAN phase {number} stage M), "
            "or use --auto-analysis",
            path=node.file,
        )
    current = dict(files)
    for stage in reversed(expanded_stages):
        current = collapse_stage(current, loc, number, stage).files
    plan, node = _plan_and_phase(current, loc, number)  # the state after its stages collapsed
    assert node.document is not None and node.file is not None
    edit = _Edit(files)
    edit.files = current
    restored = _restore(plan.main, node.section, node.document)
    edit.write(
        plan.main.path, _replace_lines(plan.main, node.section.start, node.section.content_end, restored)
    )
    edit.delete(node.file)
    new_loc = loc
    remaining = [p for p in plan.phases if p.expanded and p.number != number]
    folder = _folder_of(loc)
    others = [p for p in edit.files if p.startswith(folder + "/") and p != loc.main_path]
    if not remaining and not others and is_own_folder(loc.main_path, loc.folder):
        new_loc = PlanLocation(loc.name, f"{posixpath.dirname(folder)}/{loc.name}.md".lstrip("/"), None)
        edit.move(loc.main_path, new_loc.main_path, edit.files[loc.main_path])
    _sync_metadata(edit, new_loc)
    return edit.change(new_loc)


def _move_phase_file(edit: _Edit, plan: Plan, phase: ItemId, *, into_folder: bool) -> str:
    """Move an expanded phase file into its own folder (before a stage expands) or back out of it
    (after the last stage collapsed), and retarget the two links that point across the move."""
    node = plan.phase(phase)
    assert node is not None and node.file is not None and node.document is not None
    old = node.file
    parent = posixpath.dirname(old)
    name = posixpath.basename(old)
    stem = name[: -len(".md")]
    in_folder = posixpath.basename(parent) == stem
    if into_folder == in_folder:
        return old
    if into_folder:
        new = f"{parent}/{stem}/{name}"
    else:
        new = f"{posixpath.dirname(parent)}/{name}"
        if any(p.startswith(parent + "/") and p != old for p in edit.files):
            return old  # the folder holds other files: leave the phase where it is
    text = retarget_link(
        node.document,
        parent_link_index(node.document),
        relative_link(old, plan.main.path),
        relative_link(new, plan.main.path),
    )
    edit.move(old, new, text)
    stub = node.section
    if (
        stub.link_index is not None
        and posixpath.normpath(posixpath.join(posixpath.dirname(plan.main.path), stub.link or "")) == old
    ):
        main_text = retarget_link(
            plan.main, stub.link_index, relative_link(plan.main.path, old), relative_link(plan.main.path, new)
        )
        edit.write(plan.main.path, main_text)
    return new


def _sync_metadata(edit: _Edit, loc: PlanLocation) -> None:
    """Recompute the owned metadata fields of the main plan and every expanded phase file."""
    for path, text in synced_writes(edit.files, loc).items():
        edit.write(path, text)
