"""Phase headings as the field writes them (docs/plan-format.md, "Heading forms, statuses and ids"):
one case per form, the status contract, ids, and duplicates reported in every form."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plansmith.plan.headings import read_item_heading
from plansmith.plan.ids import ItemId
from plansmith.plan.layout import PlanLocation, build_plan
from plansmith.plan.model import Plan
from plansmith.plan.validate import validate_plan

PATH = "docs/plans/rollout.md"


def plan_of(text: str) -> Plan:
    return build_plan({PATH: text}, PlanLocation("rollout", PATH, None))


def codes(text: str) -> dict[str, int]:
    """Problem code -> its line, for every problem of the plan."""
    return {p.code: p.line for p in validate_plan(plan_of(text))}


@pytest.mark.parametrize(
    ("heading", "number", "title", "status"),
    [
        ("Phase 1: Build the API", "1", "Build the API", None),
        ("Phase 1 — Build the API", "1", "Build the API", None),
        ("Phase 1 – Build the API", "1", "Build the API", None),
        ("Phase 1 - Build the API", "1", "Build the API", None),
        ("Phase 1. Build the API", "1", "Build the API", None),
        ("Phase 1 Build the API", "1", "Build the API", None),
        ("Phase 1", "1", "", None),
        ("Phase 0：准备", "0", "准备", None),
        ("Phase 3 (optional) — Polish", "3", "(optional) Polish", None),
        ("Phase 3 (later, out of scope):", "3", "(later, out of scope)", None),
        ("Phase 2 (Security)", "2", "(Security)", None),
        ("[x] Phase 1: Schema", "1", "Schema", "x"),
        ("[X] Phase 1: Schema", "1", "Schema", "X"),
        ("[ ] Phase 2: Handlers", "2", "Handlers", " "),
        ("[x] Implementation Phase 7: Final Validation", "7", "Final Validation", "x"),
        ("Phase 01: Security Fixes", "1", "Security Fixes", None),
        ("Phase 4A: Split the worker", "4a", "Split the worker", None),
        ("Phase 3c: Third part", "3c", "Third part", None),
        ("Phase 2.3: Decimal", "2.3", "Decimal", None),
        ("Phase 10a.1: Deep", "10a.1", "Deep", None),
        ("Phase 0.5: Inserted", "0.5", "Inserted", None),
        ("Phase 1: Makefile [COMPLETED]", "1", "Makefile", "COMPLETED"),
        ("Phase 1: Makefile ✅ COMPLETED (2026-01-02)", "1", "Makefile", "✅ COMPLETED (2026-01-02)"),
        ("Phase 1: Makefile ✅ DONE", "1", "Makefile", "✅ DONE"),
        ("Phase 1: Makefile ✅", "1", "Makefile", "✅"),
        ("Phase 4: Cleanup ⏭️ SKIPPED", "4", "Cleanup", "⏭️ SKIPPED"),
        ("Phase 2: Wire it up - DONE", "2", "Wire it up", "DONE"),
        ("Phase 2: Wire it up — TODO", "2", "Wire it up", "TODO"),
        ("Phase 2: Review [EXECUTOR: MAIN]", "2", "Review [EXECUTOR: MAIN]", None),
        ("Phase 2: Backend — Group Model & API", "2", "Backend — Group Model & API", None),
        ("Phase 5: Advanced Features 🚀", "5", "Advanced Features 🚀", None),
        ("✅ Phase 1: Foundation", "1", "Foundation", "✅"),
        ("✅ Phase 1: Foundation (Complete)", "1", "Foundation", "✅ Complete"),
        ("Phase 1 (Completed)", "1", "", "Completed"),
        ("Phase 1 (COMPLETED): Foundation", "1", "Foundation", "COMPLETED"),
        ("Phase 1 (Completed) ✅", "1", "", "Completed ✅"),
        ("Phase 1: Foundation (2-3 days)", "1", "Foundation (2-3 days)", None),
        ("**Phase 1: Endpoint Design**", "1", "Endpoint Design", None),
        ("**Phase 1: Config Updates** ✅ COMPLETE", "1", "Config Updates", "✅ COMPLETE"),
        ("🚀 Phase 1: Setup", "1", "Setup", None),
        ("Phase 2: )", "2", ")", None),
        ("Phase 2: ]", "2", "]", None),
    ],
)
def test_each_heading_form_reads_its_id_title_and_status(
    heading: str, number: str, title: str, status: str | None
) -> None:
    parsed = read_item_heading("phase", heading)
    assert parsed is not None
    assert (str(parsed.number), parsed.title, parsed.status) == (number, title, status)
    assert parsed.link is None


@pytest.mark.parametrize(
    "heading",
    [
        "Phase 1-3: Everything",
        "Phase 1–3: Everything",
        "Phases 1 and 2",
        "Phase [N]: Template",
        "Phaser 1",
        "**Overview**",
        "📋 Phase Overview",
        "第一阶段：准备",
    ],
)
def test_ranges_templates_and_other_words_are_not_phases(heading: str) -> None:
    assert read_item_heading("phase", heading) is None


def test_a_linked_heading_reads_its_text_and_points_at_its_file() -> None:
    parsed = read_item_heading(
        "phase", "[Phase 01: Security Fixes](phase-01-security-fixes.md) ⚠️ **CRITICAL**"
    )
    assert parsed is not None
    assert (parsed.number, parsed.title, parsed.status) == (ItemId(1), "Security Fixes ⚠️ **CRITICAL**", None)
    assert parsed.link == "phase-01-security-fixes.md"


def test_zero_padded_ids_are_the_same_phase_as_unpadded_ones() -> None:
    text = "# P\n\n## Phase 01: One\n- [ ] a\n\n## Phase 1: One again\n- [ ] b\n"
    assert codes(text) == {"duplicate-phase": 6}


def _plan(heading_of: str, numbers: list[str], box: str = " ") -> str:
    body = "".join(f"{heading_of.format(n=n)}\n- [{box}] task {k}\n\n" for k, n in enumerate(numbers))
    return f"# Rollout\n\n## Implementation Checklist\n\n{body}"


def _says_done(form: str) -> bool:
    """Whether a heading form's marker claims the phase is done (its boxes must then be ticked)."""
    return any(word in form for word in ("[x]", "COMPLETED", "DONE", "✅", "Completed"))


FORMS = [
    "### [x] Phase {n}: Step",
    "### [ ] Phase {n}: Step",
    "### [x] Implementation Phase {n}: Step",
    "## Phase {n} — Step",
    "## Phase {n} – Step",
    "## Phase {n} - Step",
    "## Phase {n}. Step",
    "## Phase {n}",
    "## Phase {n}：Step",
    "### Phase {n} (optional) — Step",
    "## Phase {n}: Step [COMPLETED]",
    "## Phase {n}: Step ✅ COMPLETED (2026-01-02)",
    "## Phase {n}: Step - DONE",
    "### ✅ Phase {n}: Step",
    "### Phase {n} (Completed): Step",
    "### **Phase {n}: Step**",
]


@pytest.mark.parametrize("form", FORMS)
def test_every_form_reads_as_phases_and_validates(form: str) -> None:
    text = _plan(form, ["1", "2", "3"], "x" if _says_done(form) else " ")
    assert [str(p.number) for p in plan_of(text).phases] == ["1", "2", "3"]
    assert codes(text) == {}


@pytest.mark.parametrize("form", [f for f in FORMS if _says_done(f)])
def test_a_done_marker_over_an_open_box_drifts_in_every_form(form: str) -> None:
    """Issue 20 in every heading convention: a marker that says done while a box is open."""
    drifts = [(p.code, p.line) for p in validate_plan(plan_of(_plan(form, ["1", "2"])))]
    assert drifts == [("status-drift", 5), ("status-drift", 8)]  # each heading's own line


@pytest.mark.parametrize("form", ["### [ ] Phase {n}: Step", "## Phase {n}: Step [IN PROGRESS]"])
def test_all_boxes_ticked_under_a_not_done_marker_drifts(form: str) -> None:
    drifts = [(p.code, p.line) for p in validate_plan(plan_of(_plan(form, ["1", "2"], "x")))]
    assert drifts == [("status-drift", 5), ("status-drift", 8)]


@pytest.mark.parametrize("form", FORMS)
def test_a_duplicate_id_is_an_error_in_every_form(form: str) -> None:
    """An agent that appends a second '### [x] Phase 3' must be told, whatever the heading form."""
    text = _plan(form, ["1", "2", "3", "3"], "x" if _says_done(form) else " ")
    found = codes(text)
    assert found.keys() == {"duplicate-phase"}
    assert found["duplicate-phase"] == text.splitlines().index(form.format(n="3"), 12) + 1


def test_a_box_phase_duplicated_by_an_agent_is_reported_on_its_line() -> None:
    text = _plan("### [ ] Phase {n}: Step", ["1", "2", "3"]) + "### [x] Phase 3: Step\n- [x] redone\n"
    problems = [p for p in validate_plan(plan_of(text)) if p.is_error]
    assert [(p.code, p.line) for p in problems] == [("duplicate-phase", len(text.splitlines()) - 1)]


def test_sub_phases_decimal_plans_and_inserted_phases_read_in_order() -> None:
    ids = ["1", "2", "3", "3a", "3b", "3c", "3d", "4A", "0.5"]
    plan = plan_of(_plan("## Phase {n}: Step", ids))
    assert [str(p.number) for p in plan.phases] == ["1", "2", "3", "3a", "3b", "3c", "3d", "4a", "0.5"]
    assert sorted(p.number for p in plan.phases)[0] == ItemId("0.5")
    decimal = _plan("## Phase {n}: Step", ["1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "3.3"])
    assert codes(decimal) == {}
    assert codes(_plan("## Phase {n}: Step", ["10", "10a", "10a.1", "10a.2", "10b"])) == {"phase-gap": 5}


def test_a_plan_starting_at_phase_6_is_a_gap_warning_not_an_error() -> None:
    text = _plan("### [x] Implementation Phase {n}: Step", ["6", "7"], "x")
    problems = validate_plan(plan_of(text))
    assert [(p.code, p.is_error) for p in problems] == [("phase-gap", False)]


def test_status_markers_are_never_part_of_the_title_and_the_plan_keeps_them() -> None:
    text = _plan("## Phase {n}: Step ✅ DONE", ["1"]) + "## Phase 2: Next [IN PROGRESS]\n- [ ] x\n"
    sections = [p.section for p in plan_of(text).phases]
    assert [(s.title, s.status) for s in sections] == [("Step", "✅ DONE"), ("Next", "IN PROGRESS")]


_TITLES = st.text(
    alphabet=st.characters(categories=("L", "N", "Zs"), include_characters="&/,'"), min_size=1, max_size=30
).map(str.strip)


@given(title=_TITLES.filter(lambda t: t and not t[0].isdigit()), number=st.integers(0, 999))
def test_the_title_is_what_follows_the_separator_in_every_separator(title: str, number: int) -> None:
    for separator in (": ", " — ", " – ", " - ", ". ", "："):
        parsed = read_item_heading("phase", f"Phase {number}{separator}{title}")
        assert parsed is not None, separator
        assert parsed.number == number
        assert parsed.title == title.strip() or parsed.status is not None


@given(
    prefix=st.sampled_from(["", "[x] ", "✅ ", "**", "[", "Implementation "]),
    text=st.text(max_size=40),
)
def test_any_heading_text_is_read_or_refused_never_an_error(prefix: str, text: str) -> None:
    for kind in ("phase", "stage"):
        for written in (
            f"{prefix}{kind.title()} 1{text}",
            f"{prefix}{kind.title()} 1: {text}",
            f"{prefix}{text}",
        ):
            parsed = read_item_heading(kind, written)
            assert parsed is None or parsed.title == parsed.title.strip()
