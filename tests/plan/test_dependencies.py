"""Every dependency form of docs/plan-format.md, read the same way for phases and (within a phase) stages."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plansmith.plan.dependencies import RANGE_MAX, is_prose, parse_dependencies
from plansmith.plan.ids import ItemId
from plansmith.plan.layout import PlanLocation, build_plan
from plansmith.plan.metadata import read_id_list
from plansmith.plan.model import Plan
from plansmith.plan.problems import Problem
from plansmith.plan.validate import validate_plan

PATH = "specs/plans/001_x.md"


def plan_of(text: str) -> Plan:
    return build_plan({PATH: text}, PlanLocation("001_x", PATH, None))


def _plan_with(dependency_line: str) -> str:
    return (
        "# Plan\n\n## Implementation Phases\n\n"
        "### Phase 1: A\n- [ ] a\n\n### Phase 2: B\n- [ ] b\n\n### Phase 2.5: Inserted\n- [ ] c\n\n"
        f"### Phase 3: C\n{dependency_line}\n- [ ] d\n"
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("**Dependencies**: [1, 2]", ["1", "2"]),
        ("dependencies: [1, 2]", ["1", "2"]),
        ("depends_on: [phase_1]", ["1"]),
        ("**Dependencies**: depends_on: [2.5]", ["2.5"]),
        ("- **Dependencies**: [Phase 1, Phase 2]", ["1", "2"]),
        ("**Dependencies**: Phase 1 complete", ["1"]),
        ("**Dependencies**: Phases 1-2", ["1", "2"]),
        ("**Dependencies**: Phase 2 complete, user priority HIGH or MEDIUM", ["2"]),
        ("**Dependencies**: Phase 1 and Phase 2.5", ["1", "2.5"]),
        ("**Dependencies**: 1, 2", ["1", "2"]),
        ("**Dependencies:** [2.5]", ["2.5"]),
        ("**Dependencies**: None", []),
        ("**Dependencies**: None (all tools are there)", []),
        ("**Dependencies**: []", []),
        ("**Dependencies**:", []),
    ],
)
def test_each_dependency_form_is_read(line: str, expected: list[str]) -> None:
    plan = plan_of(_plan_with(line))
    phase = plan.phase(3)
    assert phase is not None
    assert [str(d) for d in phase.dependencies] == expected
    assert validate_plan(plan) == []


def test_a_range_means_every_integer_in_it_but_not_inserted_ids() -> None:
    assert parse_dependencies("Phases 1-3") == (1, 2, 3)
    assert parse_dependencies("[1-3]") == (1, 2, 3)
    assert parse_dependencies("Phases 2.5-4") == (ItemId("2.5"), 4)  # other ends: just the two ends
    assert len(parse_dependencies(f"Phases 1-{10**6}") or ()) == 2  # a typo does not make a million ids
    assert len(parse_dependencies(f"Phases 1-{RANGE_MAX + 1}") or ()) == RANGE_MAX + 1


def test_lettered_and_prefixed_ids_in_lists() -> None:
    assert [str(d) for d in parse_dependencies("[5a, CF-1, phase_2.5]") or ()] == ["5a", "CF-1", "2.5"]


def test_prose_that_names_no_phase_is_no_dependency_and_a_warning() -> None:
    plan = plan_of(_plan_with("**Dependencies**: All analysis reports complete"))
    phase = plan.phase(3)
    assert phase is not None and phase.dependencies == ()
    (problem,) = validate_plan(plan)
    assert (problem.code, problem.severity, problem.line) == ("unreadable-dependencies", "warning", 15)
    assert "names no phase" in problem.message
    assert is_prose("All analysis reports complete") and not is_prose("none") and not is_prose(None)


def test_a_nested_dependencies_bullet_describes_a_task_not_the_phase() -> None:
    text = _plan_with("- [ ] research a tool\n  - Dependencies: Python version, package requirements")
    plan = plan_of(text)
    assert plan.phase(3) is not None and plan.phase(3).dependencies == ()  # type: ignore[union-attr]
    assert validate_plan(plan) == []


def test_dependency_errors_stay_errors() -> None:
    def problems(line: str) -> list[Problem]:
        return validate_plan(plan_of(_plan_with(line)))

    (unknown,) = problems("**Dependencies**: [7]")
    assert (unknown.code, unknown.severity) == ("unknown-dependency", "error")
    assert "depends on phase 7" in unknown.message
    (self_dep,) = problems("**Dependencies**: Phase 3 complete")
    assert (self_dep.code, self_dep.severity) == ("self-dependency", "error")
    cyclic = _plan_with("**Dependencies**: [2.5]").replace(
        "### Phase 2.5: Inserted\n", "### Phase 2.5: X\ndependencies: [3]\n"
    )
    (cycle,) = validate_plan(plan_of(cyclic))
    assert (cycle.code, cycle.severity) == ("dependency-cycle", "error")
    assert "(2.5 -> 3 -> 2.5)" in cycle.message


STAGES = """# Plan

## Implementation Phases

### Phase 1: A

#### Stage 1: First
- [ ] a

#### Stage 2: Second
**Dependencies**: Stage 1 complete
- [ ] b

#### Stage 3: Third
**Dependencies**: {deps}
- [ ] c
"""


def test_stage_dependencies_are_read_within_their_phase() -> None:
    plan = plan_of(STAGES.format(deps="[1, 2]"))
    phase = plan.phase(1)
    assert phase is not None
    assert [list(map(str, s.dependencies)) for s in phase.stages] == [[], ["1"], ["1", "2"]]
    assert validate_plan(plan) == []
    assert [str(d) for d in parse_dependencies("Stages 1-2 complete", "stage") or ()] == ["1", "2"]


def test_stage_dependency_problems() -> None:
    (unknown,) = validate_plan(plan_of(STAGES.format(deps="Stage 4 complete")))
    assert (unknown.code, unknown.severity) == ("unknown-dependency", "error")
    assert "stage 3 of phase 1 depends on stage 4" in unknown.message
    (cycle,) = validate_plan(plan_of(STAGES.format(deps="[3]").replace("Stage 1 complete", "[3]")))
    assert cycle.code == "self-dependency"
    looped = STAGES.format(deps="[2]").replace("Stage 1 complete", "Stage 3 complete")
    (loop,) = validate_plan(plan_of(looped))
    assert loop.code == "dependency-cycle" and "stages of phase 1" in loop.message
    (prose,) = validate_plan(plan_of(STAGES.format(deps="after the review")))
    assert (prose.code, prose.severity) == ("unreadable-dependencies", "warning")
    # a stage waiting for another phase names a phase, not prose: no warning
    assert validate_plan(plan_of(STAGES.format(deps="Phase 1 complete"))) == []


@settings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from(["phase", "stage"]))
def test_any_dependency_text_reads_as_ids_or_prose_never_a_crash(value: str, kind: str) -> None:
    found = parse_dependencies(value, kind)
    assert found is None or all(isinstance(d, ItemId) for d in found)
    assert all(isinstance(i, ItemId) for i in read_id_list(value))


@pytest.mark.parametrize(
    ("written", "expected"),
    [("3", (3,)), ("Phases 2-3", (2, 3)), ("Phase 1–3", (1, 2, 3)), ("Phase 1 — 3", (1, 2, 3))],
)
def test_depends_on_and_ranges_as_the_field_writes_them(written: str, expected: tuple[int, ...]) -> None:
    text = _plan_with(f"**Depends on**: {written}")
    phase = plan_of(text).phase(3)
    assert phase is not None and phase.dependencies == expected


def test_all_previous_phases_names_every_phase_before() -> None:
    plan = plan_of(_plan_with("**Dependencies**: All previous phases"))
    phase = plan.phase(3)
    assert phase is not None and phase.dependencies == (1, 2, ItemId("2.5"))
    assert validate_plan(plan) == []


@pytest.mark.parametrize(
    "body",
    [
        "**Dependencies**: `rs-core`, `rs-bounded` (for internal buffer).",
        "**Dependencies**: requests, pydantic>=2",
        "**Dependencies**: python 3.11",
        "**Dependencies**:\n```bash\npip install requests\n```",
        "**Dependencies**:\n- `requests`\n- `pydantic`",
    ],
)
def test_a_package_list_or_code_block_names_no_phase_and_is_no_warning(body: str) -> None:
    plan = plan_of(_plan_with(body))
    phase = plan.phase(3)
    assert phase is not None and phase.dependencies == ()
    assert validate_plan(plan) == []
