"""Progress by the boxes (plan/progress.py): the marker classifier, drift in both directions for every
heading form, expanded phases and stages, and the byte-minimal sync edits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plansmith.plan.layout import build_plan, find_plans
from plansmith.plan.model import Plan
from plansmith.plan.progress import (
    classify_marker,
    is_done,
    phase_progress,
    plan_drift,
    sync_edits,
)
from plansmith.plan.transforms import expand_phase, expand_stage
from plansmith.plan.validate import validate_plan

PLANS_DIR = "specs/plans"
MAIN = f"{PLANS_DIR}/001_feature.md"
MAIN_1 = f"{PLANS_DIR}/001_feature/001_feature.md"  # the main plan once a phase is expanded


def files_plan(files: dict[str, str]) -> Plan:
    (loc,) = find_plans(files, PLANS_DIR)
    return build_plan(files, loc)


def plan_of(text: str) -> Plan:
    return files_plan({MAIN: text})


def one_phase(marker: str, boxes: str) -> str:
    """A plan whose phase 1 has ``marker`` after its title and one task per character of ``boxes``."""
    tasks = "".join(f"- [{b}] task {i}\n" for i, b in enumerate(boxes))
    return f"# Feature\n\n## Implementation Phases\n\n### Phase 1: Setup{marker}\n{tasks}\n"


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        ("COMPLETED", "done"),
        ("COMPLETE", "done"),
        ("DONE", "done"),
        ("✅", "done"),
        ("✅ COMPLETED (2026-01-02)", "done"),
        ("FINISHED", "done"),
        ("x", "done"),
        ("X", "done"),
        (" ", "not_started"),
        ("NOT STARTED", "not_started"),
        ("TODO", "not_started"),
        ("INCOMPLETE", "not_started"),
        ("IN PROGRESS", "in_progress"),
        ("🚧 IN PROGRESS", "in_progress"),
        ("WIP", "in_progress"),
        ("PARTIALLY COMPLETE", "in_progress"),
        ("~", "in_progress"),
        ("SKIPPED", "skipped"),
        ("CANCELLED", "skipped"),
        ("BLOCKED", "unknown"),
        ("P1", "unknown"),
        (None, "unknown"),
    ],
)
def test_markers_are_classified_from_their_text(marker: str | None, expected: str) -> None:
    assert classify_marker(marker) == expected


@given(st.text(max_size=30))
def test_the_classifier_takes_any_text(marker: str) -> None:
    assert classify_marker(marker) in ("done", "in_progress", "not_started", "skipped", "unknown")


@pytest.mark.parametrize("marker", [" [COMPLETED]", " [COMPLETE]", " [DONE]"])
@pytest.mark.parametrize("boxes", ["x ", "  "])
def test_a_phase_marked_done_with_open_boxes_drifts(marker: str, boxes: str) -> None:
    plan = plan_of(one_phase(marker, boxes))
    (drift,) = plan_drift(plan)
    assert (drift.path, drift.line, drift.item) == (MAIN, 5, "phase 1")
    assert drift.wanted == ("in_progress" if "x" in boxes else "not_started")
    problems = [p for p in validate_plan(plan) if p.code == "status-drift"]
    assert [(p.path, p.line, p.severity) for p in problems] == [(MAIN, 5, "warning")]
    assert "open" in problems[0].message


@pytest.mark.parametrize("marker", [" [NOT STARTED]", " [IN PROGRESS]"])
def test_all_boxes_ticked_under_a_not_done_marker_drifts(marker: str) -> None:
    (drift,) = plan_drift(plan_of(one_phase(marker, "xX")))
    assert drift.wanted == "done" and "all 2 tasks are ticked" in drift.message


@pytest.mark.parametrize(
    ("marker", "boxes"),
    [(" [COMPLETE]", "xx"), (" [IN PROGRESS]", "x "), (" [NOT STARTED]", "  "), ("", "x "), ("", "xx"),
     (" [BLOCKED]", "xx"), (" [SKIPPED]", "  "), (" [COMPLETE]", "")],
)  # fmt: skip
def test_markers_that_tell_the_truth_or_say_nothing_do_not_drift(marker: str, boxes: str) -> None:
    assert plan_drift(plan_of(one_phase(marker, boxes))) == []


STAGED = """# Feature

## Implementation Phases

### Phase 1: Build [COMPLETE]

#### Stage 1: Model [COMPLETE]
- [x] model

#### Stage 2: API [NOT STARTED]
- [x] api
- [x] tests
"""


def test_stages_drift_on_their_own_and_make_the_phase_done() -> None:
    plan = plan_of(STAGED)
    assert phase_progress(plan.phases[0]).done
    drifts = plan_drift(plan)
    assert [(d.item, d.line, d.wanted) for d in drifts] == [("phase 1 stage 2", 10, "done")]


def test_a_phase_with_an_open_stage_is_not_done() -> None:
    plan = plan_of(STAGED.replace("- [x] model", "- [ ] model"))
    assert not is_done(plan.phases[0])
    items = {d.item: d.wanted for d in plan_drift(plan)}
    assert items == {"phase 1": "in_progress", "phase 1 stage 1": "not_started", "phase 1 stage 2": "done"}


def expanded(text: str, phase: int = 1) -> dict[str, str]:
    files = {MAIN: text}
    (loc,) = find_plans(files, PLANS_DIR)
    return dict(expand_phase(files, loc, phase).files)


def test_an_expanded_phase_is_judged_by_its_file_and_its_stub() -> None:
    files = expanded(one_phase(" [COMPLETE]", "x "))
    plan = files_plan(files)
    phase = plan.phases[0]
    assert phase.expanded and phase.file is not None
    drifts = plan_drift(plan)
    assert [(d.path, d.line, d.wanted) for d in drifts] == [
        (MAIN_1, 10, "in_progress"),
        (phase.file, 1, "in_progress"),
    ]


def test_an_expanded_phase_whose_stub_and_file_disagree_drifts_at_the_stub() -> None:
    files = expanded(one_phase(" [IN PROGRESS]", "x "))
    plan = files_plan(files)
    file = plan.phases[0].file
    assert file is not None
    files[file] = files[file].replace("[IN PROGRESS]", "[NOT STARTED]", 1)
    drifts = plan_drift(files_plan(files))
    assert [(d.path, d.line, d.wanted) for d in drifts] == [(MAIN_1, 10, None)]
    assert file in drifts[0].message and "agree" in drifts[0].message


def test_an_expanded_stage_is_judged_by_its_file() -> None:
    files = expanded(STAGED)
    plan = files_plan(files)
    (loc,) = find_plans(files, PLANS_DIR)
    files = dict(expand_stage(files, loc, 1, 2).files)
    plan = files_plan(files)
    stage = plan.phases[0].stage(2)
    assert stage is not None and stage.expanded
    assert any(d.item == "phase 1 stage 2" and d.path == stage.file for d in plan_drift(plan))


# --- sync -------------------------------------------------------------------------------------------


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    pairs = zip(before.splitlines(keepends=True), after.splitlines(keepends=True), strict=True)
    return [(a, b) for a, b in pairs if a != b]


def test_sync_changes_only_the_marker_text_in_the_plans_own_style() -> None:
    text = one_phase(" [COMPLETED]", "x ") + "### Phase 2: Ship [NOT STARTED]\n- [x] ship\n\n"
    text += "### Phase 3: Docs [COMPLETED]\n- [x] docs\n"
    plan = plan_of(text)
    after = sync_edits(plan, {MAIN: text})[MAIN]
    assert changed_lines(text, after) == [
        ("### Phase 1: Setup [COMPLETED]\n", "### Phase 1: Setup [IN PROGRESS]\n"),
        ("### Phase 2: Ship [NOT STARTED]\n", "### Phase 2: Ship [COMPLETED]\n"),  # the plan's word
    ]
    assert len(after) - len(text) == len("IN PROGRESS") - len("COMPLETED") + len("COMPLETED") - len(
        "NOT STARTED"
    )
    assert plan_drift(plan_of(after)) == []


def test_sync_keeps_crlf_and_leaves_a_true_plan_alone() -> None:
    text = one_phase(" [NOT STARTED]", "xx").replace("\n", "\r\n")
    after = sync_edits(plan_of(text), {MAIN: text})[MAIN]
    assert after == text.replace("[NOT STARTED]", "[COMPLETE]")
    assert sync_edits(plan_of(after), {MAIN: after}) == {}


def test_sync_fixes_a_stage_and_an_expanded_file() -> None:
    files = expanded(one_phase(" [COMPLETE]", "x "))
    plan = files_plan(files)
    changed = sync_edits(plan, files)
    assert changed and plan_drift(files_plan({**files, **changed})) == []
    for path, text in changed.items():
        assert all("[" in b for _a, b in changed_lines(files[path], text))


@pytest.mark.parametrize(
    ("line", "marker", "wanted", "expected"),
    [
        ("### [x] Phase 1: Setup\n", "x", "in_progress", "### [ ] Phase 1: Setup\n"),
        ("### [ ] Phase 1: Setup [x]\n", " ", "done", "### [x] Phase 1: Setup [x]\n"),
        ("## Phase 2 ✅ COMPLETED (2026-01-02)\n", "✅ COMPLETED (2026-01-02)", "in_progress",
         "## Phase 2 IN PROGRESS\n"),
        ("### Phase 3: Ship - DONE\n", "DONE", "not_started", "### Phase 3: Ship - NOT STARTED\n"),
        ("### Phase 4: Done right [DONE]\n", "DONE", "in_progress",
         "### Phase 4: Done right [IN PROGRESS]\n"),
    ],
)  # fmt: skip
def test_every_heading_form_gets_only_its_marker_replaced(
    line: str, marker: str, wanted: str, expected: str
) -> None:
    from plansmith.plan.progress import DEFAULT_MARKERS, _new_marker, _replace_marker

    new = _new_marker(marker, wanted, DEFAULT_MARKERS)  # type: ignore[arg-type]
    assert _replace_marker(line, marker, new) == expected


MARKERS = [
    "",
    " [COMPLETE]",
    " [COMPLETED]",
    " [IN PROGRESS]",
    " [NOT STARTED]",
    " [DONE]",
    " [BLOCKED]",
    " [SKIPPED]",
]


@given(
    st.lists(
        st.tuples(st.sampled_from(MARKERS), st.text(alphabet="x ", max_size=4)),
        min_size=1,
        max_size=6,
    )
)
def test_sync_leaves_no_drift_it_can_settle_and_changes_only_marker_text(
    phases: list[tuple[str, str]],
) -> None:
    text = "# Feature\n\n## Implementation Phases\n\n"
    for n, (marker, boxes) in enumerate(phases, 1):
        text += f"### Phase {n}: Step {n}{marker}\n" + "".join(
            f"- [{b}] task {n}.{i}\n" for i, b in enumerate(boxes)
        )
        text += "\n"
    changed = sync_edits(plan_of(text), {MAIN: text})
    after = changed.get(MAIN, text)
    assert after.count("\n") == text.count("\n")
    for before_line, after_line in changed_lines(text, after):
        assert before_line.startswith("### Phase ") and after_line.startswith("### Phase ")
        assert before_line.split("[", 1)[0] == after_line.split("[", 1)[0]  # only the marker changed
    assert [d for d in plan_drift(plan_of(after)) if d.wanted is not None] == []
    assert sync_edits(plan_of(after), {MAIN: after}) == {}  # idempotent


HEADINGS = [
    "## Phase 1: Setup{m}",  # h2 phases without a phases section
    "### Phase 1 - Setup{m}",
    "### Phase 1 — Setup{m}",
    "### Phase 1 Setup{m}",
    "#### Phase 1:{m}",  # no title
    "### Phase 1a: Setup{m}",
    "### Phase CF-1: Setup{m}",
]


@pytest.mark.parametrize("heading", HEADINGS)
@pytest.mark.parametrize(
    ("marker", "boxes", "wanted"),
    [(" [COMPLETE]", "x ", "in_progress"), (" [IN PROGRESS]", "xx", "done"), (" [NOT STARTED]", "x", "done")],
)
def test_drift_in_every_heading_convention_both_ways(
    heading: str, marker: str, boxes: str, wanted: str
) -> None:
    head = heading.format(m=marker)
    section = "" if head.startswith("## ") else "## Implementation Phases\n\n"
    tasks = "".join(f"- [{b}] task {i}\n" for i, b in enumerate(boxes))
    text = f"# Feature\n\n{section}{head}\n{tasks}"
    plan = plan_of(text)
    assert len(plan.phases) == 1
    (drift,) = plan_drift(plan)
    assert drift.wanted == wanted and drift.line == text.splitlines().index(head) + 1
    after = sync_edits(plan, {MAIN: text})[MAIN]
    new = {"done": "[COMPLETE]", "in_progress": "[IN PROGRESS]"}[wanted]  # no such word in the plan yet
    assert [b for _a, b in changed_lines(text, after)] == [head.replace(marker.strip(), new) + "\n"]
