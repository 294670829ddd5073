"""Making plansmith's own metadata fields true after an operation: which files get which text.

The general way (:func:`synced_writes`) builds the plan of the operation's result and recomputes
``Structure Level``, ``Expanded Phases`` and ``Expanded Stages`` from it. Expanding one phase of a big
plan has a shortcut (:func:`synced_writes_after_expand`): the fields follow from the plan before the
change, and the main plan's fields sit above the phase that moved, so they are edited in the text
already there instead of parsing the whole main plan once more (1.3 s of the 100,000-phase plan,
issue 18). The shortcut checks its answer against the result's plan and gives way to the general way
whenever it cannot be sure; both give the same bytes (tests/plan/test_big_plan_shortcuts.py).

Pure: texts and plans in, texts out; no I/O. It must never write a field the user owns.
"""

from __future__ import annotations

from collections.abc import Mapping

from plansmith.plan.folders import is_foreign_main
from plansmith.plan.ids import ItemId
from plansmith.plan.layout import PlanLocation, build_plan, parsed_document
from plansmith.plan.metadata import (
    EXPANDED_PHASES,
    EXPANDED_STAGES,
    STRUCTURE_LEVEL,
    format_list,
    format_stages,
    update_owned_fields,
)
from plansmith.plan.model import Plan
from plansmith.plan.speckit_folders import is_tasks_file


def _stages_of(plan: Plan) -> dict[ItemId, list[ItemId]]:
    stages = {p.number: [s.number for s in p.stages if s.expanded] for p in plan.phases}
    return {p: s for p, s in stages.items() if s}


def wanted_fields(plan: Plan, loc: PlanLocation) -> dict[str, str]:
    """The values of the owned fields the main plan of ``plan`` should carry."""
    wanted = {
        STRUCTURE_LEVEL: str(plan.level),
        EXPANDED_PHASES: format_list([p.number for p in plan.phases if p.expanded]),
        EXPANDED_STAGES: format_stages(_stages_of(plan)),
    }
    if is_foreign_main(loc.main_path, loc.folder):  # plan.md of another tool: only fields it has
        wanted = {k: v for k, v in wanted.items() if plan.main.metadata and plan.main.metadata.get(k)}
    return wanted


def synced_writes(files: Mapping[str, str], loc: PlanLocation) -> dict[str, str]:
    """The new text of the main plan and of every expanded phase file, their owned fields made true."""
    plan = build_plan(files, loc)
    stages = _stages_of(plan)
    writes = {plan.main.path: update_owned_fields(plan.main, wanted_fields(plan, loc))}
    for p in plan.phases:
        if p.document is not None and p.file is not None:
            text = update_owned_fields(p.document, {EXPANDED_STAGES: format_list(stages.get(p.number, []))})
            writes[p.file] = text
    return writes


def synced_writes_after_expand(
    base: Plan, number: ItemId, files: Mapping[str, str], loc: PlanLocation, child_path: str
) -> dict[str, str] | None:
    """:func:`synced_writes` of ``files``, the result of moving phase ``number`` of ``base`` into
    ``child_path`` (the main plan now at ``loc``), without parsing that result's main plan; None when
    the shortcut does not apply or its result's plan disagrees with what it predicted."""
    node = base.phase(number)
    main_text = files.get(loc.main_path)
    if (
        node is None
        or main_text is None
        or not _shortcut_applies(base, node.section.start, files, loc, child_path)
    ):
        return None
    header = "".join(base.main.lines[: node.section.start])
    tail = "".join(base.main.lines[node.section.start :])
    if not main_text.startswith(header):
        return None
    stages = _stages_of(base)
    wanted = {
        STRUCTURE_LEVEL: "2" if stages else "1",
        EXPANDED_PHASES: format_list([p.number for p in base.phases if p.expanded or p.number == number]),
        EXPANDED_STAGES: format_stages(stages),
    }
    # The fields lie above the phase that moved: edit them in the text before the change, keep the rest.
    edited = update_owned_fields(base.main, wanted)
    if not edited.endswith(tail):
        return None
    writes = {loc.main_path: edited[: len(edited) - len(tail)] + main_text[len(header) :]}
    for p in base.phases:
        if p.document is not None and p.file is not None:
            text = update_owned_fields(p.document, {EXPANDED_STAGES: format_list(stages.get(p.number, []))})
            writes[p.file] = text
    child = parsed_document(child_path, files[child_path], "phase")
    writes[child_path] = update_owned_fields(child, {EXPANDED_STAGES: format_list([])})
    result = build_plan({**files, **writes}, loc)  # the caller builds it next: parsed once, not lost
    expanded_files = {p.file for p in result.phases if p.document is not None and p.file is not None}
    if wanted_fields(result, loc) != wanted or expanded_files != set(writes) - {loc.main_path}:
        return None
    return writes


def _shortcut_applies(
    base: Plan, moved_start: int, files: Mapping[str, str], loc: PlanLocation, child_path: str
) -> bool:
    """Whether the result's plan has the phases of ``base`` as they were (the moved one expanded) and
    the main plan's fields lie wholly above the moved phase, where the text did not change."""
    if is_tasks_file(loc.main_path) or is_foreign_main(loc.main_path, loc.folder) or moved_start == 0:
        return False
    md = base.main.metadata
    if md is not None and md.end > moved_start:
        return False
    if base.main_path != loc.main_path and loc.folder is not None:
        # A file that became a folder: links now resolve from the folder. Sure only when nothing was
        # expanded and the folder holds nothing but the moved plan and the new phase file.
        prefix = loc.folder + "/"
        if len(base.documents) > 1 or any(p.section.link is not None for p in base.phases):
            return False
        if any(path.startswith(prefix) and path not in (loc.main_path, child_path) for path in files):
            return False
    return True
