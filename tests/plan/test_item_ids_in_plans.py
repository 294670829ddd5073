"""Inserted, lettered and prefixed phase ids through the core: parse, validate, waves, metadata, files."""

from __future__ import annotations

import pytest

from plansmith.plan.ids import ItemId
from plansmith.plan.layout import PlanLocation, build_plan
from plansmith.plan.metadata import format_list, format_stages, read_id_list, read_stage_map
from plansmith.plan.model import Plan
from plansmith.plan.transforms import collapse_phase, collapse_stage, expand_phase, expand_stage
from plansmith.plan.validate import validate_plan
from plansmith.plan.waves import compute_waves

PATH = "specs/plans/001_x.md"
LOC = PlanLocation("001_x", PATH, None)


def plan_of(text: str) -> Plan:
    return build_plan({PATH: text}, LOC)


def _phases(*ids: str, stages: str = "") -> str:
    body = "".join(f"### Phase {i}: Title {i}\n- [ ] task\n{stages}\n" for i in ids)
    return f"# Plan\n\n## Metadata\n- **Structure Level**: 0\n\n## Implementation Phases\n\n{body}"


@pytest.mark.parametrize(
    "ids",
    [
        ["0", "1", "2"],
        ["0", "0.5", "1"],
        ["1", "2", "2.5", "3"],
        ["1", "2", "2a", "2b", "3"],
        ["1", "2", "CF-1", "CF-2"],
    ],
)
def test_each_id_form_parses_and_validates(ids: list[str]) -> None:
    plan = plan_of(_phases(*ids))
    assert [str(p.number) for p in plan.phases] == ids
    assert [p.id for p in plan.phases] == [f"phase_{i}" for i in ids]
    assert validate_plan(plan) == []


def test_gaps_in_integer_numbering_are_warnings() -> None:
    (gap,) = validate_plan(plan_of(_phases("1", "2", "4", "5")))
    assert (gap.code, gap.severity, gap.line) == ("phase-gap", "warning", 14)
    assert "skip 3" in gap.message and gap.render().startswith(f"{PATH}:14: warning: ")
    # 5a stands for 5 and 2.5 for 2: no gap; prefixed ids are no integers
    assert validate_plan(plan_of(_phases("1", "2", "3a", "4", "CF-9"))) == []
    (lettered_gap,) = validate_plan(plan_of(_phases("1", "2.5", "4")))
    assert lettered_gap.code == "phase-gap" and "skip 3" in lettered_gap.message


def test_stage_gaps_are_warnings_and_duplicates_errors() -> None:
    stages = "#### Stage 1: a\n\n#### Stage 3: c\n"
    expanded = expand_phase({PATH: _phases("1", stages=stages)}, LOC, 1)
    codes = {(p.code, p.severity) for p in validate_plan(build_plan(expanded.files, expanded.location))}
    assert codes == {("stage-gap", "warning")}
    dup = plan_of(_phases("1", "2.5", "2.50", "2.5"))
    found = [(p.code, p.severity) for p in validate_plan(dup)]
    assert found == [("duplicate-phase", "error")]  # 2.5 twice; 2.50 is another id (version order)


def test_waves_order_ids_naturally_and_write_them_as_json() -> None:
    graph = {ItemId("CF-1"): [], ItemId("5a"): [ItemId(2)], ItemId(2): [], ItemId("2.5"): [ItemId(2)]}
    waves = compute_waves(graph)
    assert waves.waves == ((2, ItemId("CF-1")), (ItemId("2.5"), ItemId("5a")))
    assert waves.as_json("p")["waves"] == [[2, "CF-1"], ["2.5", "5a"]]
    looped = compute_waves({ItemId("2.5"): [ItemId("3")], ItemId("3"): [ItemId("2.5")]})
    assert looped.as_json("p")["cycle"] == ["2.5", 3]


def test_metadata_lists_of_ids() -> None:
    ids = [ItemId(w) for w in ("5", "2.5", "CF-1", "1", "5a")]
    assert format_list(ids) == "[1, 2.5, 5, 5a, CF-1]"
    assert read_id_list("[1, 2, 2.5, 5]") == [1, 2, ItemId("2.5"), 5]
    assert (
        read_id_list("3, 5") == [3, 5]
        and read_id_list("none") == []
        and read_id_list("[phase_5a]") == [ItemId("5a")]
    )
    stages = {ItemId("2.5"): [ItemId(1)], ItemId(2): [ItemId(1), ItemId(2)]}
    assert format_stages(stages) == "{2: [1, 2], 2.5: [1]}"
    assert read_stage_map("{2.5: [1], 3: [1, 2]}") == {ItemId("2.5"): [1], 3: [1, 2]}


def test_expand_inserted_phase_and_its_stage_file_names_metadata_and_round_trip() -> None:
    text = _phases("1", "2", "2.5", "3", stages="#### Stage 1: Part\n- [ ] s\n")
    files = {PATH: text}
    one = expand_phase(files, LOC, "2.5")
    assert set(one.created) == {"specs/plans/001_x/001_x.md", "specs/plans/001_x/phase_2_5_title_2_5.md"}
    two = expand_stage(one.files, one.location, "2.5", 1)
    folder = "specs/plans/001_x/phase_2_5_title_2_5"
    assert f"{folder}/stage_1_part.md" in two.created
    main = two.files[two.location.main_path]
    assert "- **Expanded Phases**: [2.5]" in main and "- **Expanded Stages**: {2.5: [1]}" in main
    assert "- **Phase Number**: 2.5" in two.files[f"{folder}/phase_2_5_title_2_5.md"]
    plan = build_plan(two.files, two.location)
    assert validate_plan(plan) == []
    assert [p.number for p in plan.phases if p.expanded] == [ItemId("2.5")]
    back = collapse_stage(two.files, two.location, ItemId("2.5"), 1)
    assert back.files == one.files
    assert collapse_phase(one.files, one.location, "2.5").files == files


def test_lettered_and_prefixed_files_sit_beside_integer_ones_without_confusion() -> None:
    files = {PATH: _phases("1", "1.5", "2", "2a", "CF-1")}
    current, loc = files, LOC
    for n in ("1", "1.5", "2a", "CF-1", "2"):
        change = expand_phase(current, loc, n)
        current, loc = change.files, change.location
    names = sorted(p.rsplit("/", 1)[-1] for p in current if "/phase_" in p)
    assert names == [
        "phase_1_5_title_1_5.md",
        "phase_1_title_1.md",
        "phase_2_title_2.md",
        "phase_2a_title_2a.md",
        "phase_cf_1_title_cf_1.md",
    ]
    plan = build_plan(current, loc)
    assert validate_plan(plan) == []
    assert all(
        p.expanded
        and p.file is not None
        and p.file.endswith(p.number.file_token + f"_title_{p.number.file_token}.md")
        for p in plan.phases
    )
    for n in ("2", "CF-1", "1", "2a", "1.5"):
        change = collapse_phase(current, loc, n)
        current, loc = change.files, change.location
    assert current == files


def test_an_unlinked_phase_file_is_found_by_its_id_the_longest_name_wins() -> None:
    """Without a link, phase_2_5_x.md belongs to phase 2.5 (not to phase 2 with slug "5_x")."""
    main = _phases("2", "2.5").replace("### Phase 2.5: Title 2.5\n- [ ] task\n", "### Phase 2.5: Title 2.5\n")
    files = {
        "specs/plans/001_x/001_x.md": main.replace("- **Structure Level**: 0", "- **Structure Level**: 1"),
        "specs/plans/001_x/phase_2_5_x.md": "# Phase 2.5: Title 2.5\n\n- [ ] task\n",
    }
    plan = build_plan(files, PlanLocation("001_x", "specs/plans/001_x/001_x.md", "specs/plans/001_x"))
    assert [(str(p.number), p.file) for p in plan.phases] == [
        ("2", None),
        ("2.5", "specs/plans/001_x/phase_2_5_x.md"),
    ]
