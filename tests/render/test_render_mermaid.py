"""Every Mermaid picture plansmith draws, rendered by Mermaid itself in headless Chromium.

The SVG is checked against the plan it came from (not against the Mermaid text): one node per phase,
stage and file, one edge per dependency, one subgraph per wave with its phases inside it, labels that
show the plan's text exactly (hostile titles included) and nothing that Mermaid would execute. A
diagram Mermaid's parser rejects fails. Locally, a missing Chromium or Mermaid skips these tests with the
reason; in CI (``CI=true``) it fails them.
"""

from __future__ import annotations

import os
import unicodedata
from collections import Counter
from typing import Any

import pytest

from plansmith.plan.complexity import Analysis
from plansmith.plan.mermaid import MAX_TITLE, dependency_edges
from plansmith.plan.model import PhaseNode, Plan, StageNode

from .cases import HOSTILE_TITLES, all_cases
from .renderer import Drawing, Rendered, RendererMissing, read_svg, render

CASES = {case.name: case for case in all_cases()}
BROKEN = 'flowchart TB\n  n1["unclosed] --> n2\n'  # rendered in the same batch: the harness must see it fail
WAVES = [name for name, case in CASES.items() if case.kind == "waves"]
TREES = [name for name, case in CASES.items() if case.kind == "tree"]


@pytest.fixture(scope="module")
def rendered() -> dict[str, Rendered]:
    try:
        *results, broken = render([*(case.diagram for case in CASES.values()), BROKEN])
    except RendererMissing as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must render the Mermaid pictures: {exc}")
        pytest.skip(f"cannot render Mermaid here: {exc}")
    return {**dict(zip(CASES, results, strict=True)), "broken": broken}


@pytest.fixture
def drawing(rendered: dict[str, Rendered], request: pytest.FixtureRequest) -> Drawing:
    result = rendered[request.param]
    assert result.ok, f"Mermaid rejected {request.param}: {result.error}"
    picture = read_svg(result.svg)
    assert not picture.error, f"Mermaid drew its error picture for {request.param}"
    return picture


def shown(text: str, limit: int = MAX_TITLE) -> str:
    """What a label shows of plan text: one line, white space collapsed, long text cut with an ellipsis."""
    flat = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text)
    flat = " ".join(flat.split()).replace("\ufb02", "fl").replace("¶ß", "¶\u2060ß")  # Mermaid's marks
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def unique_phases(plan: Plan) -> dict[Any, PhaseNode]:
    found: dict[Any, PhaseNode] = {}
    for phase in plan.phases:
        found.setdefault(phase.number, phase)
    return found


def item_head(kind: str, number: object, title: str) -> str:
    return f"{kind} {number}: {shown(title)}" if shown(title) else f"{kind} {number}"


# --- waves -----------------------------------------------------------------------------------------


def wave_label(phase: PhaseNode, analysis: Analysis) -> str:
    item = analysis.item(phase.id)
    assert item is not None
    parts = [item_head("Phase", phase.number, phase.title), f"score {item.score:.1f}"]
    if phase.status:
        parts.append(shown(phase.status, 24))
    return " · ".join(parts)


@pytest.mark.parametrize("drawing", WAVES, indirect=True)
def test_waves_have_a_node_per_phase_and_an_edge_per_dependency(drawing: Drawing, request: Any) -> None:
    case = CASES[request.node.callspec.params["drawing"]]
    phases = unique_phases(case.plan)
    labels = {number: wave_label(phase, case.analysis) for number, phase in phases.items()}
    assert Counter(drawing.nodes.values()) == Counter(labels.values())
    by_label = {text: node_id for node_id, text in drawing.nodes.items()}
    text_of = drawing.nodes
    expected_edges = Counter((labels[a], labels[b]) for a, b in dependency_edges(case.plan))
    assert Counter((text_of[a], text_of[b]) for a, b in drawing.edges) == expected_edges
    assert len(drawing.edges) == sum(len({d for d in p.dependencies if d in phases}) for p in phases.values())
    if case.waves.waves is None:
        assert not drawing.clusters  # a cycle: no waves to draw
        return
    assert sorted(drawing.clusters.values()) == sorted(
        f"Wave {k}" for k in range(1, len(case.waves.waves) + 1)
    )
    caption_box = {drawing.clusters[cid]: box for cid, box in drawing.boxes.items()}
    for k, wave in enumerate(case.waves.waves, 1):
        for number in wave:
            centre = drawing.centres[by_label[labels[number]]]
            assert caption_box[f"Wave {k}"].holds(centre), f"phase {number} is drawn outside wave {k}"


@pytest.mark.parametrize("drawing", ["waves:speckit"], indirect=True)
def test_speckit_waves_are_drawn_setup_foundational_stories_polish(drawing: Drawing) -> None:
    case = CASES["waves:speckit"]
    assert case.waves.waves is not None
    assert [[str(n) for n in wave] for wave in case.waves.waves] == [["1"], ["2"], ["3", "4", "5"], ["6"]]
    assert sorted(drawing.clusters.values()) == ["Wave 1", "Wave 2", "Wave 3", "Wave 4"]
    assert len(drawing.edges) == 1 + 3 + 3  # 2 on 1; each story on 2; Polish on each story


# --- trees -----------------------------------------------------------------------------------------


def _item_label(kind: str, node: PhaseNode | StageNode, analysis: Analysis) -> str:
    item = analysis.item(node.id)
    assert item is not None
    return f"{item_head(kind, node.number, node.title)} · {item.score:.1f} {item.recommendation}"


def _file(path: str, plan: Plan) -> str:
    base = plan.folder
    return shown(path[len(base) + 1 :] if base and path.startswith(base + "/") else path, 72)


def expected_tree(plan: Plan, analysis: Analysis) -> tuple[str, tuple[Any, ...]]:
    """(label, children) for the main file, its phases, their files and stages, the stages' files."""
    title = plan.main.title.text if plan.main.title is not None else plan.name
    phases = []
    for phase in plan.phases:
        stages = []
        for stage in phase.stages:
            below = ((_file(stage.file, plan), ()),) if stage.file else ()
            stages.append((_item_label("Stage", stage, analysis), below))
        if phase.file:
            children: tuple[Any, ...] = ((_file(phase.file, plan), tuple(stages)),)
        else:
            children = tuple(stages)
        phases.append((_item_label("Phase", phase, analysis), children))
    root = f"{shown(plan.main_path, 72)} · {shown(title)} · level {plan.level}"
    return root, tuple(phases)


def drawn_trees(drawing: Drawing) -> list[tuple[str, tuple[Any, ...]]]:
    children: dict[str, list[str]] = {node: [] for node in drawing.nodes}
    parents: Counter[str] = Counter()
    for source, target in drawing.edges:
        if source not in drawing.nodes and target not in drawing.nodes:
            continue  # a link between two subgraphs (before ~~~ after)
        children[source].append(target)
        parents[target] += 1
    assert all(count == 1 for count in parents.values()), "a node has two parents: not a tree"

    def build(node: str) -> tuple[str, tuple[Any, ...]]:
        return drawing.nodes[node], tuple(build(child) for child in children[node])

    return [build(node) for node in drawing.nodes if parents[node] == 0]


def _count(tree: tuple[str, tuple[Any, ...]]) -> int:
    return 1 + sum(_count(child) for child in tree[1])


@pytest.mark.parametrize("drawing", TREES, indirect=True)
def test_tree_has_a_node_per_phase_stage_and_file(drawing: Drawing, request: Any) -> None:
    case = CASES[request.node.callspec.params["drawing"]]
    plan = case.plan
    expected = expected_tree(plan, case.analysis)
    (tree,) = drawn_trees(drawing)
    assert tree == expected
    files = 1 + sum(1 for item in plan.items() if item.file is not None)
    stages = sum(len(p.stages) for p in plan.phases)
    assert len(drawing.nodes) == _count(expected) == len(plan.phases) + stages + files
    assert len(drawing.edges) == len(drawing.nodes) - 1


@pytest.mark.parametrize("drawing", ["change:storage"], indirect=True)
def test_before_after_block_draws_both_trees(drawing: Drawing) -> None:
    case = CASES["change:storage"]
    assert case.before is not None
    from plansmith.plan.complexity import analyze_plan

    before = expected_tree(case.before, analyze_plan(case.before))
    after = expected_tree(case.plan, case.analysis)
    assert sorted(drawn_trees(drawing)) == sorted([before, after])
    assert sorted(drawing.clusters.values()) == ["After", "Before"]


# --- hostile text ------------------------------------------------------------------------------------


@pytest.mark.parametrize("drawing", ["waves:hostile", "tree:hostile"], indirect=True)
def test_hostile_titles_show_as_text_and_inject_nothing(drawing: Drawing) -> None:
    texts = " | ".join(drawing.nodes.values())
    for title in HOSTILE_TITLES:
        assert shown(title) in texts  # exactly the plan's text, quotes, brackets and entities included
    assert "<script>alert(1)</script>" in texts
    assert not drawing.tags & {"script", "a", "img", "iframe", "object", "embed"}
    assert not {name for name in drawing.attributes if name.startswith("on") or name == "href"}
    assert "#35;" in texts and "#lt;b#gt;" in texts  # Mermaid's own entity syntax stays literal


@pytest.mark.parametrize("drawing", ["waves:progress"], indirect=True)
def test_phases_are_coloured_by_their_boxes_not_their_markers(drawing: Drawing) -> None:
    """Phase 1 is ticked but marked NOT STARTED (done); phase 2 is marked COMPLETED with a box open
    (in progress); phase 3 is BLOCKED half way (red); phase 4 is untouched (no colour)."""
    colours = {
        node: classes & {"done", "active", "blocked"} for node, classes in drawing.node_classes.items()
    }
    assert colours == {"n1": {"done"}, "n2": {"active"}, "n3": {"blocked"}, "n4": set()}


def test_every_case_was_drawn_and_a_broken_one_is_caught(rendered: dict[str, Rendered]) -> None:
    assert set(rendered) == {*CASES, "broken"}
    failed = [name for name, result in rendered.items() if not result.ok or read_svg(result.svg).error]
    assert failed == ["broken"]  # the harness sees Mermaid's parser reject a diagram
    assert "Parse error" in (rendered["broken"].error or "")
