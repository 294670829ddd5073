"""The shortcuts that make ``expand`` of one phase of a 100,000-phase plan fast (issue 18) give what the
slow paths give.

A proposal's before/after trees of a plan of more than ``MAX_TREE_PHASES`` phases draw the first ones
and the changed ones, and say so; up to that size the message is the one the whole analysis gives.
The analysis of some phases is, item for item, the whole analysis restricted to those phases.
"""

from __future__ import annotations

import gc

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from plansmith.git_backend.messages import proposal_message
from plansmith.plan import mermaid, transforms
from plansmith.plan.complexity import Thresholds, analyze_plan
from plansmith.plan.complexity.analysis import analyze_phases
from plansmith.plan.layout import PlanLocation, build_plan
from plansmith.plan.model import Plan
from plansmith.plan.transforms import expand_phase, expand_stage
from plansmith.render import analysis_table

LOC = PlanLocation("001_big", "specs/plans/001_big.md", None)


def plan_files(phases: int, staged: frozenset[int] = frozenset()) -> dict[str, str]:
    """``phases`` phases in a chain; the phases in ``staged`` have two stages and more tasks."""
    parts = ["# Plan: Big\n\n## Overview\nA big plan.\n\n## Implementation Phases\n\n"]
    for n in range(1, phases + 1):
        parts.append(f"### Phase {n}: Part {n}\n")
        if n > 1:
            parts.append(f"Dependencies: {n - 1}\n")
        parts.append(f"- [ ] write `src/p{n}.py`\n")
        if n in staged:
            parts.append(
                "- [ ] a\n- [ ] b\n- [ ] c\n\n#### Stage 1: First\n- [ ] x\n\n#### Stage 2: Second\n- [ ] y\n"
            )
        parts.append("\n")
    return {LOC.main_path: "".join(parts)}


def expanded(files: dict[str, str], number: int) -> tuple[Plan, Plan]:
    change = expand_phase(files, LOC, number)
    return build_plan(files, LOC), build_plan(change.files, change.location)


@settings(max_examples=40, deadline=None)
@given(
    phases=st.integers(min_value=1, max_value=12),
    staged=st.frozensets(st.integers(min_value=1, max_value=12)),
    data=st.data(),
)
def test_the_analysis_of_some_phases_is_the_whole_analysis_of_those_phases(
    phases: int, staged: frozenset[int], data: st.DataObject
) -> None:
    plan = build_plan(plan_files(phases, staged), LOC)
    chosen = data.draw(st.lists(st.sampled_from(plan.phases), unique_by=lambda p: p.id))
    chosen.sort(key=plan.phases.index)
    thresholds = Thresholds(expand=3.0, collapse=1.0)
    whole = analyze_plan(plan, thresholds)
    wanted = {p.number for p in chosen}
    part = analyze_phases(plan, thresholds, chosen)
    assert part.items == tuple(item for item in whole.items if item.phase in wanted)
    assert (part.plan, part.structure_level, part.thresholds) == (
        whole.plan,
        whole.structure_level,
        thresholds,
    )


@settings(max_examples=25, deadline=None)
@given(phases=st.integers(min_value=1, max_value=10), data=st.data())
def test_up_to_the_limit_the_message_is_the_one_the_whole_analysis_gives(
    phases: int, data: st.DataObject
) -> None:
    number = data.draw(st.integers(min_value=1, max_value=phases))
    files = plan_files(phases, frozenset({number}))
    before, after = expanded(files, number)
    analysis = analyze_plan(before)
    ids = [f"phase_{number}"]
    slow = proposal_message("expand", ids, LOC.name, before, analysis, after, analyze_plan(after))
    part = analyze_phases(after, analysis.thresholds, mermaid.drawn_phases(after, ids))
    assert proposal_message("expand", ids, LOC.name, before, analysis, after, part) == slow
    assert "phases not drawn" not in slow[0]


def test_a_plan_past_the_limit_draws_the_first_phases_and_the_changed_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(mermaid, "MAX_TREE_PHASES", 3)
    files = plan_files(8, frozenset({6}))
    before, after = expanded(files, 6)
    analysis = analyze_plan(before)
    ids = ["phase_6"]
    drawn = mermaid.drawn_phases(after, ids)
    assert [str(p.number) for p in drawn] == ["1", "2", "3", "6"]
    part = analyze_phases(after, analysis.thresholds, drawn)
    message, moves = proposal_message("expand", ids, LOC.name, before, analysis, after, part)
    whole_moves = proposal_message("expand", ids, LOC.name, before, analysis, after, analyze_plan(after))[1]
    assert moves == whole_moves == ["phase 6 → specs/plans/001_big/phase_6_part_6.md"]
    assert "(a plan of more than 3 phases: the first 3 and the changed ones are drawn)" in message
    assert message.count("… 4 more phases not drawn") == 2  # before and after
    assert "Phase 6: Part 6" in message and "phase_6_part_6.md" in message
    assert "Phase 5: Part 5" not in message.split("Structure before and after:")[1]
    assert "phase_5 " in message.split("Structure before and after:")[0]  # the table keeps every phase


HEADERS = (
    "",
    "## Metadata\n- **Status**: draft\n\n",
    "## Metadata\n- **Structure Level**: 0 (one file)\n- **Expanded Phases**: none\n\n",
    "- **Owner**: me\n- **Expanded Phases**: []\n\n",
    '## Metadata\n- **Expanded Stages**: {}\n<!-- plansmith: {"added": ["expanded stages"]} -->\n\n',
)


@st.composite
def plans_to_expand(draw: st.DrawFn) -> tuple[dict[str, str], PlanLocation, int]:
    """A plan in the conventions the shortcut meets (metadata or none, at the top or the bottom, front
    matter, stages, links), some phases already expanded, and the phase to expand next."""
    phases = draw(st.integers(min_value=1, max_value=6))
    header = draw(st.sampled_from(HEADERS))
    front = draw(st.sampled_from(("", "---\nid: x\n---\n")))
    at_bottom = draw(st.booleans())
    parts = [f"{front}# Plan: Shapes\n\n" + ("" if at_bottom else header) + "## Implementation Phases\n\n"]
    for n in range(1, phases + 1):
        parts.append(f"### Phase {n}: Part {n}\n")
        if draw(st.booleans()) and n > 1:
            parts.append(f"Dependencies: {n - 1}\n")
        parts.append("- [ ] do it\n")
        if draw(st.booleans()):
            parts.append("\n#### Stage 1: One\n- [ ] x\n\n#### Stage 2: Two\n- [ ] y\n")
        if draw(st.booleans()):
            parts.append(f"See [Phase {n} notes](notes_{n}.md)\n")
        parts.append("\n")
    if at_bottom:
        parts.append(header)
    files = {LOC.main_path: "".join(parts)}
    if draw(st.booleans()):
        files["specs/plans/notes_1.md"] = "# Notes\n"
    loc = LOC
    for n in draw(st.lists(st.integers(min_value=1, max_value=phases), unique=True, max_size=phases - 1)):
        if build_plan(files, loc).phase(n).expanded:  # type: ignore[union-attr]  # linked already
            continue
        change = expand_phase(files, loc, n)
        files, loc = change.files, change.location
        phase = build_plan(files, loc).phase(n)
        if phase is not None and phase.stage(1) is not None and draw(st.booleans()):
            change = expand_stage(files, loc, n, 1)  # a stage of an expanded phase too
            files, loc = change.files, change.location
    plan = build_plan(files, loc)
    left = [p.number for p in plan.phases if not p.expanded]
    assume(bool(left))
    return files, loc, int(str(draw(st.sampled_from(left))))


@settings(max_examples=150, deadline=None)
@given(case=plans_to_expand())
def test_the_metadata_shortcut_of_expand_gives_the_bytes_of_the_general_way(
    case: tuple[dict[str, str], PlanLocation, int],
) -> None:
    files, loc, number = case
    fast = expand_phase(files, loc, number)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(transforms, "synced_writes_after_expand", lambda *args: None)
        slow = expand_phase(files, loc, number)
    assert fast == slow


def test_the_shortcut_is_taken_for_a_plain_plan_and_a_plan_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    def general_way(*args: object) -> None:
        raise AssertionError("the general way was taken")

    files = plan_files(6, frozenset({2}))
    monkeypatch.setattr(transforms, "_sync_metadata", general_way)
    change = expand_phase(files, LOC, 2)  # a file that becomes a folder
    again = expand_phase(change.files, change.location, 4)  # a folder with a phase file already
    assert "- **Expanded Phases**: [2, 4]" in again.files[again.location.main_path]


def test_the_table_of_an_analysis_is_drawn_once_and_forgotten_with_it() -> None:
    plan = build_plan(plan_files(12, frozenset({3})), LOC)
    analysis = analyze_plan(plan)
    first = analysis_table.analysis_text(analysis)
    assert first == analysis_table._table(analysis, 36)
    assert analysis_table.analysis_text(analysis) is first  # the run's second reader gets it for free
    assert analysis_table.analysis_text(analyze_plan(plan)) == first  # an equal analysis: the same text
    assert analysis_table.analysis_text(analysis, title_width=4) == analysis_table._table(analysis, 4)
    key = id(analysis)
    del analysis
    gc.collect()
    assert key not in analysis_table._TABLES
