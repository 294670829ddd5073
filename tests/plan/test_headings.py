"""Which headings are phases (docs/plan-format.md, "Which headings are phases"): one case per rule."""

from __future__ import annotations

from plansmith.plan.layout import PlanLocation, build_plan
from plansmith.plan.model import Plan
from plansmith.plan.parser import parse_document
from plansmith.plan.validate import validate_plan

PATH = "specs/plans/001_x.md"


def plan_of(text: str) -> Plan:
    return build_plan({PATH: text}, PlanLocation("001_x", PATH, None))


def phases(text: str) -> list[tuple[str, int]]:
    """(id, line) of each phase, lines 1-based."""
    return [(str(p.number), p.section.start + 1) for p in plan_of(text).phases]


def codes(text: str) -> set[str]:
    return {p.code for p in validate_plan(plan_of(text))}


WITH_SECTION = """# Plan

## Success Validation

### Phase 0 Validation
- checks

## Implementation Phases

### Phase 0: Setup
- [ ] a

#### Phase 0.1: a sub-step, deeper than the phases
- [ ] b

### Phase 1: Build
- [ ] c

### Phase 2: Ship
- [ ] d

## Risk Assessment

### Phase 2 Risks
- rollback

## Completion Criteria

### Phase 1 Complete
- all green
"""


def test_with_a_phases_section_only_its_phase_headings_are_phases() -> None:
    assert phases(WITH_SECTION) == [("0", 10), ("1", 16), ("2", 19)]
    assert codes(WITH_SECTION) == set()  # no duplicates from Validation, Risks, Completion


def test_a_phase_ends_at_the_next_h2_so_other_sections_are_not_in_it() -> None:
    last = plan_of(WITH_SECTION).phases[-1].section
    assert last.end == 22 - 1  # "## Risk Assessment" (line 22) ends phase 2


def test_deeper_phase_headings_inside_a_phase_are_body_text() -> None:
    phase0 = plan_of(WITH_SECTION).phases[0]
    assert phase0.section.start < 13 - 1 < phase0.section.end  # "#### Phase 0.1" stays inside phase 0
    assert [t.text for t in phase0.section.tasks] == ["a", "b"]


def test_the_section_may_be_called_implementation_plan_or_phases() -> None:
    for name in ("Implementation Plan", "Phases", "Implementation", "5. Implementation Phases:"):
        text = WITH_SECTION.replace("## Implementation Phases", f"## {name}")
        assert [n for n, _ in phases(text)] == ["0", "1", "2"], name


def test_h2_phases_after_a_phases_heading_with_no_phase_inside() -> None:
    """ "## Implementation Phases" as an introduction, phases as its h2 siblings: the fallback rule."""
    text = (
        "# Plan\n\n## Implementation Phases\nIntro.\n\n## Phase 1: A\n- [ ] a\n\n## Phase 2: B\n- [ ] b\n\n"
        "## Risks\n\n### Phase 1 Risks\n- x\n"
    )
    assert phases(text) == [("1", 6), ("2", 9)]
    assert codes(text) == set()


def test_without_a_phases_section_the_shallowest_level_holds_the_phases() -> None:
    text = "# Plan\n\n## Phase 1: A\n### Phase 1.5 details\n- [ ] a\n\n## Phase 2: B\n- [ ] b\n"
    assert phases(text) == [("1", 3), ("2", 7)]


def test_without_a_phases_section_a_group_that_only_repeats_phases_is_not_phases() -> None:
    """Phases under another h2 name ("## Work"), summaries under "## Success Criteria" and
    "## Risk Assessment": the group holding most phases wins; a group naming only taken ids talks
    about them."""
    text = (
        "# Plan\n\n## Success Criteria\n\n### Phase 1: done when green\n\n### Phase 2: done when shipped\n\n"
        "## Work\n\n### Phase 1: A\n- [ ] a\n\n### Phase 2: B\n- [ ] b\n\n### Phase 3: C\n- [ ] c\n\n"
        "## Risk Assessment\n\n### Phase 2 Risks\n- x\n"
    )
    assert [n for n, _ in phases(text)] == ["1", "2", "3"]
    assert phases(text)[0][1] == 11
    assert codes(text) == set()


def test_without_a_phases_section_groups_with_new_ids_are_phases_too() -> None:
    """Phases split over two h2 parts are all phases; a real duplicate is still reported."""
    text = "# Plan\n\n## Part A\n\n### Phase 1: A\n\n### Phase 2: B\n\n## Part B\n\n### Phase 3: C\n"
    assert [n for n, _ in phases(text)] == ["1", "2", "3"]
    dup = text + "\n### Phase 2: again\n"
    assert [str(s.number) for s in plan_of(dup).main.sections] == ["1", "2", "3", "2"]
    assert "duplicate-phase" in codes(dup)


def test_phase_headings_in_code_fences_are_not_headings() -> None:
    text = WITH_SECTION.replace("- [ ] c\n", "- [ ] c\n\n```markdown\n### Phase 9: example\n```\n")
    assert [n for n, _ in phases(text)] == ["0", "1", "2"]


def test_phase_files_title_and_stage_headings() -> None:
    """A phase file titled "# Phase N:" with "### Stage M:" stages (deeper than the title by two),
    and one whose title is "### Phase N:" (some tools write that); "Stage 3.1" bold lines are text."""
    text = (
        "# Phase 2.5: Inserted\n\n## Overview\n\n### Stage 1: A\n- [ ] a\n\n### Stage 2: B\n"
        "**Stage 2.1: x**\n"
    )
    doc = parse_document("specs/plans/001_x/phase_2_5_inserted.md", text, "phase")
    assert doc.root is not None and str(doc.root.number) == "2.5"
    assert [str(s.number) for s in doc.sections] == ["1", "2"]
    h3 = parse_document("specs/plans/001_x/phase_2_x.md", "### Phase 2: Title\n\n#### Stage 1: A\n", "phase")
    assert h3.root is not None and h3.root.number == 2 and [s.number for s in h3.sections] == [1]


def test_a_phase_file_titled_without_an_id_takes_it_from_its_name() -> None:
    doc = parse_document("specs/plans/001_x/phase_5a_extra.md", "# Extra work\n\n### Stage 1: A\n", "phase")
    assert doc.root is not None and str(doc.root.number) == "5a"
