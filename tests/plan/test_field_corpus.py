"""The field corpus (../shared/corpus/field): real plans kept in the conventions of other teams, read
through the plan core as its EXPECT.json says a careful reader reads them.

Covered here: every single-file plan (HumanLayer ``thoughts/shared/plans``, ``.claude/plans``,
``.copilot-tracking/plans``, ``docs/plans``, ``plans/``) parses, reads its phases, validates as
EXPECT.json says, and every inline phase round-trips byte for byte through expand and collapse.
Expanded-folder units (``plan.md`` + ``phase-01-*.md``) are tested with the folder layouts, and
spec-kit folders (``speckit/``) with spec-kit. The corpus is other people's text: it is read from
beside the checkout, never copied into the repository, and these tests skip when it is absent.
"""

from __future__ import annotations

import json
import posixpath

import pytest

from plansmith.plan.complexity import analyze_plan, points
from plansmith.plan.layout import PlanLocation, build_plan, plan_files
from plansmith.plan.transforms import collapse_phase, expand_phase
from plansmith.plan.validate import validate_plan

from .corpus import CORPUS, corpus_plans

FIELD = CORPUS.parent / "field"
pytestmark = pytest.mark.skipif(
    not FIELD.is_dir(), reason="the shared field corpus is not beside the checkout"
)


def _expect() -> dict[str, list[str]]:
    return json.loads((FIELD / "EXPECT.json").read_text(encoding="utf-8")) if FIELD.is_dir() else {}


EXPECT = _expect()


def _single_file_units() -> list[str]:
    """Every plan file of the corpus that is a unit of its own: not spec-kit's, not in a folder unit."""
    if not FIELD.is_dir():
        return []
    listed = [u for key in ("must_validate", "must_fail", "not_in_expect") for u in EXPECT[key]]
    folders = [u for u in listed if (FIELD / u).is_dir()]
    return sorted(
        path
        for p in FIELD.rglob("*.md")
        if p.name != "SOURCES.md"
        and not (path := p.relative_to(FIELD).as_posix()).startswith("speckit/")
        and not any(path.startswith(folder + "/") for folder in folders)
    )


UNITS = _single_file_units()
MUST_VALIDATE = [u for u in UNITS if u in EXPECT.get("must_validate", [])]


def _read(unit: str) -> tuple[dict[str, str], PlanLocation]:
    text = (FIELD / unit).read_bytes().decode("utf-8")  # byte for byte: no newline translation
    name = posixpath.splitext(posixpath.basename(unit))[0]
    return {unit: text}, PlanLocation(name, unit, None)


def test_the_corpus_is_all_there() -> None:
    assert len(UNITS) >= 28
    assert len(MUST_VALIDATE) >= 23
    assert set(MUST_VALIDATE) | set(EXPECT["not_in_expect"]) >= set(UNITS)


@pytest.mark.parametrize("unit", MUST_VALIDATE)
def test_plans_a_reader_calls_consistent_read_their_phases_and_validate(unit: str) -> None:
    files, loc = _read(unit)
    plan = build_plan(files, loc)
    numbers = [p.number for p in plan.phases]
    assert len(numbers) >= 2 and len(set(numbers)) == len(numbers)
    errors = [p.render() for p in validate_plan(plan) if p.is_error]
    assert errors == []


@pytest.mark.parametrize("unit", UNITS)
def test_every_inline_phase_round_trips_byte_for_byte(unit: str) -> None:
    files, loc = _read(unit)
    plan = build_plan(files, loc)
    if any(p.is_error for p in validate_plan(plan)):
        assert unit not in MUST_VALIDATE
        pytest.skip("no phases, or an inconsistent plan (a duplicate id): validate says why")
    for phase in plan.phases:
        expanded = expand_phase(files, loc, phase.number)
        assert not [p for p in validate_plan(build_plan(expanded.files, expanded.location)) if p.is_error]
        assert collapse_phase(expanded.files, expanded.location, phase.number).files == files


def test_box_headings_read_as_phases_with_their_boxes_as_status() -> None:
    """The hve-core task planner writes ``### [x] Phase 1: ...``; those plans read as zero phases
    before (and still "validated")."""
    boxed = 0
    for unit in MUST_VALIDATE:
        files, loc = _read(unit)
        box_lines = {
            i for i, line in enumerate(files[unit].splitlines()) if line.startswith(("### [x] ", "### [ ] "))
        }
        if not box_lines:
            continue
        boxed += 1
        phases = build_plan(files, loc).phases
        assert {p.section.start for p in phases} == box_lines, unit
        assert {p.section.status for p in phases} <= {"x", " "}, unit
    assert boxed >= 5


def _phase_points_and_scores() -> list[tuple[float, float, str]]:
    """(points, displayed score, id) of every phase of both corpora: the real plans as discovery
    groups them, the field's single-file plans."""
    from .corpus import corpus_files

    found = []
    real = corpus_files()
    for loc in corpus_plans(real):
        for item in analyze_plan(build_plan(plan_files(real, loc), loc)).items:
            if item.kind == "phase":
                found.append((points(item.factors), item.score, f"{loc.main_path}:{item.id}"))
    for unit in UNITS:
        files, loc = _read(unit)
        for item in analyze_plan(build_plan(files, loc)).items:
            if item.kind == "phase":
                found.append((points(item.factors), item.score, f"{unit}:{item.id}"))
    return sorted(found)


def test_no_two_phases_whose_points_differ_by_more_than_15_percent_show_the_same_score() -> None:
    phases = _phase_points_and_scores()
    assert len(phases) >= 200
    by_score: dict[float, list[tuple[float, str]]] = {}
    for pts, score, name in phases:
        by_score.setdefault(score, []).append((pts, name))
    clashes = [
        (score, group[0], group[-1]) for score, group in by_score.items() if group[-1][0] > 1.15 * group[0][0]
    ]
    assert clashes == []
    assert len({score for _, score, _ in phases if score >= 8.0}) >= 10  # the top still ranks


@pytest.mark.parametrize(
    ("unit", "ids"),
    [
        ("EdwardSalkeld__chatting/plans/milestone-02-telegram-integration.md", ["A", "B", "C", "D", "E"]),
        ("Lcc622__BU2Ama/docs/plans/implementation-plan.md", ["1", "2", "3"]),
    ],
)
def test_letter_ids_and_the_chinese_phase_word_read_their_phases(unit: str, ids: list[str]) -> None:
    """The two plans issue 16 left unread ("no phases"): ``Phase A`` .. ``Phase E`` and ``阶段 1``.
    Their round trips are in the test above (skipped for them before)."""
    assert unit in UNITS
    files, loc = _read(unit)
    plan = build_plan(files, loc)
    assert [str(p.number) for p in plan.phases] == ids
    assert not [p for p in validate_plan(plan) if p.is_error]
