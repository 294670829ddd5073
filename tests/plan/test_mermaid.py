"""Mermaid text of plans (the pure part): shape of the statements, escaping of hostile text, opaque ids.

Whether Mermaid accepts and draws the text is checked in tests/render (headless Chromium); here every
line is matched against the few statement forms the module may write, so that no plan text can add a
statement, a directive or HTML of its own.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from plansmith.plan.complexity import analyze_plan
from plansmith.plan.layout import build_plan, find_plans
from plansmith.plan.mermaid import (
    MAX_TITLE,
    dependency_edges,
    label_text,
    mermaid_block,
    structure_change,
    structure_change_block,
    structure_tree,
    waves_flowchart,
)
from plansmith.plan.model import PhaseNode, Plan
from plansmith.plan.transforms import expand_phase
from plansmith.plan.waves import compute_waves

PLANS_DIR = "specs/plans"
LABEL = r'"[^"\n`<>]*"'
STATEMENTS = [
    r"flowchart (TB|LR)",
    rf"subgraph [a-z]*\d+\[{LABEL}\]",
    r"direction LR",
    r"end",
    rf"[abf]?[nfs]\d+(\[{LABEL}\]|\[\[{LABEL}\]\]|\({LABEL}\))",
    r"[ab]?[nfs]\d+ --> [ab]?[nfs]\d+",
    r"b0 ~~~ a0",  # the invisible link that puts "Before" first
    r"classDef [a-z]+ [a-z:#0-9,-]+",
    r"class [a-z0-9,]+ [a-z]+",
    r"linkStyle [0-9,]+ stroke:#[0-9a-f]+,stroke-width:\dpx",
]


def assert_only_known_statements(diagram: str) -> None:
    assert diagram.endswith("\n") and "\r" not in diagram
    for line in diagram.splitlines():
        assert line == line.rstrip() and not line.lstrip().startswith(("%%", "#"))
        assert any(re.fullmatch(form, line.strip()) for form in STATEMENTS), f"unexpected line {line!r}"


def labels(diagram: str) -> list[str]:
    return re.findall(r'"([^"]*)"', diagram)


def plan_of(text: str, name: str = "001_feature") -> Plan:
    files = {f"{PLANS_DIR}/{name}.md": text}
    (loc,) = find_plans(files, PLANS_DIR)
    return build_plan(files, loc)


def phases_text(*phases: tuple[str, str, str]) -> str:
    """(title, status, dependencies) per phase, numbered from 1."""
    out = ["# Feature\n\n## Implementation Phases\n\n"]
    for n, (title, status, deps) in enumerate(phases, 1):
        out.append(f"### Phase {n}: {title}{status}\n**Dependencies**: {deps}\n- [ ] work {n}\n\n")
    return "".join(out)


def waves_of(plan: Plan) -> Any:
    return compute_waves({p.number: list(p.dependencies) for p in plan.phases})


DIAMOND = plan_of(phases_text(("Setup", " [COMPLETE]", "[]"), ("Backend", "", "[1]"), ("UI", "", "[1]"),
                              ("Ship", " [IN PROGRESS]", "[2, 3, 2]")))  # fmt: skip


# --- labels ------------------------------------------------------------------------------------------


def test_label_text_replaces_every_dangerous_character_with_an_entity() -> None:
    assert label_text('a "b" <c> `d` #e %%f & [g] (h) {i} |j| ;k', None) == (
        "a #34;b#34; #60;c#62; #96;d#96; #35;e #37;#37;f #38; #91;g#93; #40;h#41; #123;i#125; "
        "#124;j#124; #59;k"
    )
    plain = "plain words, dots. colons: slash/dash-underscore_ plus+ 'quote' ?!=@"
    assert label_text(plain, None) == plain


def test_label_text_is_one_line_and_keeps_unicode() -> None:
    assert label_text("a\nb\r\nc\td\u2028e\x85f\x00g   h") == "a b c d e f g h"
    assert label_text("Données 🚀 漢字 👩‍💻") == "Données 🚀 漢字 👩‍💻"


def test_label_text_truncates_before_escaping() -> None:
    long = "x" * 300
    assert label_text(long) == "x" * (MAX_TITLE - 1) + "…"
    quotes = '"' * 300
    assert label_text(quotes) == "#34;" * (MAX_TITLE - 1) + "…"  # never a cut entity
    assert label_text(long, None) == long


def test_label_text_defuses_mermaids_own_entity_marks() -> None:
    # Mermaid turns "ﬂ°°35¶ß" into "#" after decoding entities; the label must show the characters.
    assert "\ufb02" not in label_text("\ufb02\u00b0\u00b035\u00b6\u00df")
    assert "\u00b6\u00df" not in label_text("\ufb02\u00b0\u00b035\u00b6\u00df")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_a_safe_label(text: str) -> None:
    label = label_text(text)
    assert not set(label) & set('"\n\r<>`%&') and "\ufb02" not in label
    assert len(re.sub(r"#\d+;", "x", label)) <= MAX_TITLE
    assert re.fullmatch(r"([^#]|#\d+;)*", label)  # every # starts an entity of ours


# --- waves ---------------------------------------------------------------------------------------------


def test_waves_flowchart_has_a_subgraph_per_wave_and_an_edge_per_dependency() -> None:
    chart = waves_flowchart(DIAMOND, waves_of(DIAMOND), analyze_plan(DIAMOND))
    assert_only_known_statements(chart)
    assert chart.splitlines()[0] == "flowchart TB"
    assert [line.strip() for line in chart.splitlines() if "subgraph" in line] == [
        'subgraph w1["Wave 1"]',
        'subgraph w2["Wave 2"]',
        'subgraph w3["Wave 3"]',
    ]
    edges = [line.strip() for line in chart.splitlines() if "-->" in line]
    assert edges == ["n1 --> n2", "n1 --> n3", "n2 --> n4", "n3 --> n4"]  # the repeated [2, 3, 2] once
    assert 'n1["Phase 1: Setup · score ' in chart and " · COMPLETE" in chart
    # Colours come from the boxes (issue 20): every phase here has one open box, so none is done or
    # in progress, whatever its marker says.
    assert "class " not in chart


def test_waves_flowchart_colours_phases_by_their_boxes_not_their_markers() -> None:
    plan = plan_of(
        phases_text(("Setup", " [NOT STARTED]", "[]"), ("Backend", " [COMPLETE]", "[1]"), ("UI", "", "[1]"))
        .replace("- [ ] work 1", "- [x] work 1")
        .replace("- [ ] work 3", "- [x] work 3\n- [ ] more 3")
    )
    chart = waves_flowchart(plan, waves_of(plan))
    assert_only_known_statements(chart)
    assert "class n1 done" in chart  # ticked, though marked NOT STARTED
    assert "class n3 active" in chart  # one of two ticked
    assert "n2 done" not in chart and "n2 active" not in chart  # marked COMPLETE, its box open


def test_waves_flowchart_without_analysis_has_no_scores() -> None:
    chart = waves_flowchart(DIAMOND, waves_of(DIAMOND))
    assert_only_known_statements(chart)
    assert "score" not in chart and 'n2["Phase 2: Backend"]' in chart


def test_a_cycle_is_drawn_in_red_without_waves() -> None:
    plan = plan_of(phases_text(("A", "", "[3]"), ("B", "", "[1]"), ("C", "", "[2]"), ("D", "", "[1]")))
    chart = waves_flowchart(plan, waves_of(plan), analyze_plan(plan))
    assert_only_known_statements(chart)
    assert "subgraph" not in chart
    edges = [line.strip() for line in chart.splitlines() if "-->" in line]
    assert edges == ["n3 --> n1", "n1 --> n2", "n2 --> n3", "n1 --> n4"]
    assert "linkStyle 0,1,2 stroke:" in chart and "class n1,n2,n3 cycle" in chart


def test_dependencies_on_missing_phases_are_left_out() -> None:
    plan = plan_of(phases_text(("A", "", "[]"), ("B", "", "[1, 7]")))
    assert dependency_edges(plan) == [(1, 2)]
    assert waves_flowchart(plan, waves_of(plan)).count("-->") == 1


def _with_ids(plan: Plan, ids: dict[int, Any]) -> Plan:
    """The plan with its phase ids replaced (string ids such as "2.5", as the parser reads them)."""

    def renumber(phase: PhaseNode) -> PhaseNode:
        section = dataclasses.replace(phase.section, dependencies=tuple(ids[d] for d in phase.dependencies))
        return dataclasses.replace(phase, number=ids[phase.number], section=section)

    return dataclasses.replace(plan, phases=tuple(renumber(p) for p in plan.phases))


def test_phase_ids_are_opaque_text_never_node_ids() -> None:
    hostile_ids = {1: "0.5", 2: "5a", 3: 'CF-1"]; click n1', 4: "end"}
    plan = _with_ids(DIAMOND, hostile_ids)
    chart = waves_flowchart(plan, waves_of(plan))
    assert_only_known_statements(chart)
    assert [line.split("[", 1)[0].strip() for line in chart.splitlines() if '["Phase' in line] == [
        "n1",
        "n2",
        "n3",
        "n4",
    ]
    assert "Phase 0.5: Setup" in chart and "Phase 5a: Backend" in chart and "Phase end: Ship" in chart
    assert "Phase CF-1#34;#93;#59; click n1: UI" in chart


# --- structure tree ------------------------------------------------------------------------------------


def _expanded() -> tuple[Plan, Plan]:
    heavy = "".join(f"- [ ] migrate `src/db/m{i % 5}.py` step {i}\n" for i in range(16))
    text = phases_text(("Setup", "", "[]"), ("Database", "", "[1]"))
    text = text.replace(
        "- [ ] work 2\n", f"#### Stage 1: Schema\n- [ ] tables\n\n#### Stage 2: Data\n{heavy}"
    )
    files = {f"{PLANS_DIR}/001_feature.md": text}
    (loc,) = find_plans(files, PLANS_DIR)
    change = expand_phase(files, loc, 2)
    return build_plan(files, loc), build_plan(change.files, change.location)


def test_structure_tree_has_a_node_per_phase_stage_and_file() -> None:
    before, after = _expanded()
    tree = structure_tree(after, analyze_plan(after))
    assert_only_known_statements(tree)
    assert tree.splitlines()[0] == "flowchart LR"
    nodes = re.findall(r"^\s+([nfs]\d+)[\[(]", tree, re.MULTILINE)
    assert nodes == ["f1", "n1", "n2", "f2", "s1", "s2"]
    assert 'f1[["specs/plans/001_feature/001_feature.md · Feature · level 1"]]' in tree
    assert 'f2[["phase_2_database.md"]]' in tree
    edges = [line.strip() for line in tree.splitlines() if "-->" in line]
    assert edges == ["f1 --> n1", "f1 --> n2", "n2 --> f2", "f2 --> s1", "f2 --> s2"]
    assert re.search(r'n1\["Phase 1: Setup · \d+\.\d (keep|expand|collapse)"\]', tree)
    level0 = structure_tree(before, analyze_plan(before))
    assert "expand" in level0 and "class n2 expand" in level0  # the heavy phase is recommended


def test_before_after_block_is_a_fenced_block_for_a_commit_message() -> None:
    before, after = _expanded()
    change = structure_change(before, analyze_plan(before), after, analyze_plan(after))
    assert_only_known_statements(change)
    assert 'subgraph b0["Before"]' in change and 'subgraph a0["After"]' in change
    ids = re.findall(r"^\s+([ab][nfs]\d+)[\[(]", change, re.MULTILINE)
    assert len(ids) == len(set(ids)) and {i[0] for i in ids} == {"a", "b"}
    block = structure_change_block(before, analyze_plan(before), after, analyze_plan(after))
    assert block == mermaid_block(change) == f"```mermaid\n{change}```\n"
    assert not any(line.startswith("#") for line in block.splitlines())  # git would strip such lines


# --- any title ---------------------------------------------------------------------------------------

LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # str.splitlines() would split a heading there
HEADING_TEXT = st.text(
    st.characters(
        codec="utf-8",
        exclude_categories=("Cs",),
        exclude_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029",
    ),
    min_size=1,
    max_size=320,
)


@settings(max_examples=100, deadline=None)
@given(st.lists(HEADING_TEXT, min_size=1, max_size=4), st.sampled_from(["", " [IN PROGRESS]", ' [a"b<c>]']))
def test_any_title_gives_quoted_labels_without_raw_specials(titles: list[str], status: str) -> None:
    text = phases_text(*((t, status, f"[{max(n, 1)}]" if n else "[]") for n, t in enumerate(titles)))
    plan = plan_of(text)
    analysis = analyze_plan(plan)
    for diagram in (
        waves_flowchart(plan, waves_of(plan), analysis),
        structure_tree(plan, analysis),
        structure_change(plan, analysis, plan, analysis),
    ):
        assert_only_known_statements(diagram)
        for label in labels(diagram):
            assert not set(label) & set("\n<>`%&"), label
        node_lines = [line for line in diagram.splitlines() if re.match(r"\s+[abf]?[nfs]\d+[\[(]", line)]
        assert len(node_lines) >= len(plan.phases)
