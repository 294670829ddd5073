"""The parts of a proposal's commit message for people: what moved where, the body's order."""

from __future__ import annotations

from plansmith.git_backend.messages import describe_items, item_moves, proposal_body
from plansmith.plan.complexity import Analysis, Item, Thresholds
from plansmith.plan.ids import ItemId


def item(ident: str, path: str, *, phase: str = "3", stage: str | None = None) -> Item:
    return Item(
        id=ident,
        kind="phase" if stage is None else "stage",
        phase=ItemId.parse(phase),  # type: ignore[arg-type]
        stage=None if stage is None else ItemId.parse(stage),
        title="T",
        expanded=True,
        path=path,
        score=9.0,
        recommendation="keep",
        factors={},
        reasons=[],
        value=9.0,
    )


def analysis(*items: Item) -> Analysis:
    return Analysis("specs/plans/001_x.md", 0, Thresholds(), items)


def test_items_read_as_people_name_them_whatever_their_ids() -> None:
    assert describe_items(["phase_3", "phase_2.5_stage_1", "phase_CF-1", "research:api"]) == (
        "phase 3, phase 2.5 stage 1, phase CF-1, research:api"
    )


def test_an_expansion_names_the_new_file_and_a_collapse_where_it_came_from() -> None:
    before = analysis(
        item("phase_3", "specs/plans/001_x.md"), item("phase_2.5", "specs/plans/001_x.md", phase="2.5")
    )
    after = analysis(
        item("phase_3", "specs/plans/001_x/phase_3_db.md"),
        item("phase_2.5", "specs/plans/001_x/phase_2.5_api.md", phase="2.5"),
    )
    assert item_moves("expand", ["phase_3", "phase_2.5", "phase_9"], before, after) == [
        "phase 3 → specs/plans/001_x/phase_3_db.md",
        "phase 2.5 → specs/plans/001_x/phase_2.5_api.md",
    ]
    assert item_moves("collapse", ["phase_3"], after, before) == [
        "phase 3 → specs/plans/001_x.md (from specs/plans/001_x/phase_3_db.md)"
    ]


def test_the_body_says_what_moved_then_the_analysis_then_the_picture() -> None:
    body = proposal_body(["phase 3 → a.md"], "TABLE\n", "```mermaid\nflowchart TB\n```\n")
    assert body == (
        "phase 3 → a.md\n\nAnalysis before the change:\n\nTABLE\n\n"
        "Structure before and after:\n\n```mermaid\nflowchart TB\n```\n"
    )
    assert proposal_body([], "TABLE") == "Analysis before the change:\n\nTABLE\n"
