"""Big plans stay linear (issue 18): operation counts per step; the indexes against the scans they replaced.

No timing (the machine is shared and noisy): each step of a command is run under ``sys.settrace``
and the lines executed inside plansmith are counted, for a plan of ``SMALL`` phases and one four
times bigger. Linear work grows about 4x; a scan per item (quadratic) grows about 16x. The limit,
``MAX_GROWTH``, leaves room for n log n sorting and fixed costs. Hypothesis checks that the dict and
Kahn's layering answer exactly what the linear scans they replaced answered.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import plansmith
from plansmith.git_backend.messages import proposal_message
from plansmith.plan.complexity import Analysis, Item, MergedPhases, Scorer, Thresholds, analyze_plan
from plansmith.plan.ids import ItemId
from plansmith.plan.layout import PlanLocation, _longest_token, build_plan
from plansmith.plan.mermaid import _escaped_label, label_text, structure_tree, waves_flowchart
from plansmith.plan.model import PhaseNode, Plan
from plansmith.plan.parser import parse_document
from plansmith.plan.review import review_plan
from plansmith.plan.transforms import collapse_phase, expand_phase
from plansmith.plan.validate import validate_plan
from plansmith.plan.waves import Waves, compute_waves, find_cycle
from plansmith.terminal.text import analysis_text

SMALL = 150
MAX_GROWTH = 5.0  # for 4x the phases; a quadratic step grows about 16x
PACKAGE = str(Path(plansmith.__file__).parent)
LOC = PlanLocation("001_big", "specs/plans/001_big.md", None)


def big_plan_files(phases: int) -> dict[str, str]:
    """A plan of ``phases`` phases in one dependency chain; every fifth phase has two stages, the
    second depending on the first."""
    parts = ["# Plan: Big\n\n## Overview\nA big plan.\n\n## Implementation Phases\n\n"]
    for n in range(1, phases + 1):
        parts.append(f"### Phase {n}: Part {n}\n")
        if n > 1:
            parts.append(f"**Dependencies**: [{n - 1}]\n")
        parts.append(f"- [ ] write `src/p{n}.py`\n- [x] test it\n\n")
        if n % 5 == 0:
            parts.append(
                "#### Stage 1: First\n- [ ] a\n\n#### Stage 2: Second\nDependencies: [1]\n- [ ] b\n\n"
            )
    return {LOC.main_path: "".join(parts)}


def executed_lines(step: Callable[[], object]) -> int:
    """How many lines of plansmith's own code ``step`` executes."""
    count = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return local

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        return local if frame.f_code.co_filename.startswith(PACKAGE) else None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        step()
    finally:
        sys.settrace(previous)
    return count


def _prepared(phases: int) -> tuple[dict[str, str], Plan, Analysis, Waves[ItemId]]:
    files = big_plan_files(phases)
    plan = build_plan(files, LOC)
    analysis = analyze_plan(plan)
    waves = compute_waves({p.number: list(p.dependencies) for p in plan.phases})
    return files, plan, analysis, waves


def _expand_and_message(files: dict[str, str], plan: Plan, analysis: Analysis, phases: int) -> object:
    change = expand_phase(files, LOC, phases // 2)
    after = build_plan(change.files, change.location)
    return proposal_message(
        "expand", [f"phase_{phases // 2}"], LOC.name, plan, analysis, after, analyze_plan(after)
    )


STEPS: dict[str, Callable[[dict[str, str], Plan, Analysis, Waves[ItemId], int], object]] = {
    "build_plan": lambda files, plan, analysis, waves, n: build_plan(files, LOC),
    "analyze_plan": lambda files, plan, analysis, waves, n: analyze_plan(plan),
    "analysis table": lambda files, plan, analysis, waves, n: analysis_text(analysis),
    "item lookups": lambda files, plan, analysis, waves, n: [analysis.item(it.id) for it in analysis.items],
    "structure_tree": lambda files, plan, analysis, waves, n: structure_tree(plan, analysis),
    "compute_waves": lambda files, plan, analysis, waves, n: compute_waves(
        {p.number: list(p.dependencies) for p in plan.phases}
    ),
    "waves_flowchart": lambda files, plan, analysis, waves, n: waves_flowchart(plan, waves, analysis),
    "validate_plan": lambda files, plan, analysis, waves, n: validate_plan(plan),
    "review_plan": lambda files, plan, analysis, waves, n: review_plan(plan, Thresholds()),
    "expand_phase + proposal_message": lambda files, plan, analysis, waves, n: _expand_and_message(
        files, plan, analysis, n
    ),
}


@pytest.mark.parametrize("step", list(STEPS))
def test_each_step_grows_linearly_with_the_number_of_phases(step: str) -> None:
    def count(phases: int) -> int:
        prepared = _prepared(phases)
        return executed_lines(lambda: STEPS[step](*prepared, phases))

    small, big = count(SMALL), count(4 * SMALL)
    growth = big / small
    assert growth < MAX_GROWTH, f"{step}: {small:,} -> {big:,} lines for 4x the phases ({growth:.1f}x)"


LEVEL_1 = PlanLocation("001_big", "specs/plans/001_big/001_big.md", "specs/plans/001_big")


def expanded_plan_files(phases: int) -> dict[str, str]:
    """A level-1 plan of ``phases`` phases, every even one expanded into its own file."""
    expanded = list(range(2, phases + 1, 2))
    parts = [
        "# Plan: Big\n\n## Metadata\n- **Structure Level**: 1\n",
        f"- **Expanded Phases**: [{', '.join(map(str, expanded))}]\n\n## Implementation Phases\n\n",
    ]
    files = {}
    for n in range(1, phases + 1):
        deps = f"**Dependencies**: [{n - 1}]\n" if n > 1 else ""
        if n % 2 == 0:
            parts.append(
                f"### Phase {n}: Part {n}\n\n"
                f"For detailed tasks, see [Phase {n} Details](phase_{n}_part_{n}.md)\n\n"
            )
            files[f"{LEVEL_1.folder}/phase_{n}_part_{n}.md"] = (
                f"# Phase {n}: Part {n}\n\n## Metadata\n- **Phase Number**: {n}\n"
                f"- **Parent Plan**: [001_big.md](001_big.md)\n\n{deps}- [ ] write `src/p{n}.py`\n\n"
                "## Stage 1: Inline\n- [ ] a step\n"
            )
        else:
            parts.append(f"### Phase {n}: Part {n}\n{deps}- [ ] task\n\n")
    files[LEVEL_1.main_path] = "".join(parts)
    return files


LEVEL_1_STEPS: dict[str, Callable[[dict[str, str], int], object]] = {
    "build_plan": lambda files, n: build_plan(files, LEVEL_1),
    "validate_plan": lambda files, n: validate_plan(build_plan(files, LEVEL_1)),
    "expand_phase": lambda files, n: expand_phase(files, LEVEL_1, n // 2 + 1),  # n // 2 is even
    "collapse_phase": lambda files, n: collapse_phase(files, LEVEL_1, n // 2),
    "analyze_plan": lambda files, n: analyze_plan(build_plan(files, LEVEL_1)),
    # thresholds low enough that every expanded phase "still scores too much" and its stage is listed
    "review_plan": lambda files, n: review_plan(build_plan(files, LEVEL_1), Thresholds(1.0, 0.5)),
}


@pytest.mark.parametrize("step", list(LEVEL_1_STEPS))
def test_each_step_on_a_plan_with_many_expanded_phases_grows_linearly(step: str) -> None:
    """Thousands of phase files: each file's phase was found by a scan of every phase id."""

    def count(phases: int) -> int:
        files = expanded_plan_files(phases)
        assert validate_plan(build_plan(files, LEVEL_1)) == []
        return executed_lines(lambda: LEVEL_1_STEPS[step](files, phases))

    small, big = count(SMALL + 2), count(4 * SMALL + 8)  # n // 2 even
    growth = big / small
    assert growth < MAX_GROWTH, f"{step}: {small:,} -> {big:,} lines for 4x the phases ({growth:.1f}x)"


@given(
    st.text(st.sampled_from("phase_12a"), max_size=16),
    st.sets(st.text(st.sampled_from("phase_12a"), min_size=1, max_size=10), max_size=8),
)
def test_the_longest_token_of_a_file_name_is_the_one_a_scan_finds(name: str, tokens: set[str]) -> None:
    by_token = {t: ItemId(n) for n, t in enumerate(sorted(tokens))}
    fits = [t for t in by_token if name == t or name.startswith(t + "_")]
    assert _longest_token(name, by_token) == (max(fits, key=len) if fits else None)


def test_a_plan_with_many_empty_phases_sections_parses_linearly() -> None:
    """Every ``## Phases`` heading before the one that holds the phases looked at every phase."""

    def plan_text(n: int) -> str:
        empty = "".join(f"## Phases\nNothing here {k}.\n\n" for k in range(n))
        phases = "".join(f"### Phase {k}: Part {k}\n- [ ] task\n\n" for k in range(1, n + 1))
        return f"# Plan: Big\n\n{empty}## Implementation Phases\n\n{phases}"

    def count(n: int) -> int:
        text = plan_text(n)
        assert len(build_plan({LOC.main_path: text}, LOC).phases) == n
        return executed_lines(lambda: parse_document(LOC.main_path, text, "plan"))

    small, big = count(SMALL), count(4 * SMALL)
    assert big / small < MAX_GROWTH, f"{small:,} -> {big:,} lines for 4x the phases"


def test_reviewing_a_plan_of_empty_phases_grows_linearly() -> None:
    """Empty phases merge into one run that never reaches ``expand``: the run was measured again
    for every phase added."""

    def count(n: int) -> int:
        body = "".join(f"### Phase {k}: Part {k}\n\n" for k in range(1, n + 1))
        plan = build_plan({LOC.main_path: f"# Plan: P\n\n## Implementation Phases\n\n{body}"}, LOC)
        assert len(review_plan(plan).merge_candidates[0].phases) == n
        return executed_lines(lambda: review_plan(plan))

    small, big = count(SMALL), count(4 * SMALL)
    assert big / small < MAX_GROWTH, f"{small:,} -> {big:,} lines for 4x the phases"


def test_the_line_count_sees_a_scan_per_item() -> None:
    """The measure itself: a scan of every item per item, the old ``Analysis.item``, grows ~16x."""

    def scan_per_item(analysis: Analysis) -> None:
        for wanted in analysis.items:
            for it in analysis.items:
                if it.id == wanted.id:
                    break

    def counted(phases: int) -> int:
        analysis = _prepared(phases)[2]
        return _lines_of_python(lambda: scan_per_item(analysis))

    assert counted(4 * SMALL) / counted(SMALL) > MAX_GROWTH


def _lines_of_python(step: Callable[[], object]) -> int:
    """Lines executed by ``step`` wherever they are (here: in this test module)."""
    count = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        count += event == "line"
        return local

    previous = sys.gettrace()
    sys.settrace(lambda frame, event, arg: local)
    try:
        step()
    finally:
        sys.settrace(previous)
    return count


# --- the indexes answer what the scans answered ---------------------------------------------------------


def _item(item_id: str, score: float) -> Item:
    return Item(item_id, "phase", ItemId(1), None, "t", False, "x.md", score, "keep", {}, [], score)


@given(
    st.lists(st.sampled_from(["phase_1", "phase_2", "phase_2_stage_1", "phase_3", "phase_10"]), max_size=12),
    st.sampled_from(["phase_1", "phase_2", "phase_2_stage_1", "phase_3", "phase_10", "phase_4", ""]),
)
def test_item_lookup_equals_the_first_match_of_a_scan(ids: list[str], wanted: str) -> None:
    analysis = Analysis("x.md", 0, Thresholds(), tuple(_item(i, n / 10) for n, i in enumerate(ids)))
    scanned = next((it for it in analysis.items if it.id == wanted), None)
    assert analysis.item(wanted) is scanned


def _reference_find_cycle(graph: Mapping[int, Sequence[int]]) -> tuple[int, ...] | None:
    """``find_cycle`` before issue 18 (sorting each node's dependencies on every visit)."""
    colour = dict.fromkeys(graph, 0)
    for root in sorted(graph):
        if colour[root] != 0:
            continue
        path: list[int] = []
        stack = [(root, 0)]
        while stack:
            node, next_child = stack.pop()
            if next_child == 0:
                colour[node] = 1
                path.append(node)
            deps = sorted(d for d in graph.get(node, ()) if d in graph)
            if next_child < len(deps):
                stack.append((node, next_child + 1))
                child = deps[next_child]
                if colour[child] == 1:
                    cycle = list(reversed(path[path.index(child) :]))
                    start = cycle.index(min(cycle))
                    return tuple(cycle[start:] + cycle[:start])
                if colour[child] == 0:
                    stack.append((child, 0))
            else:
                colour[node] = 2
                path.pop()
    return None


def _reference_waves(graph: Mapping[int, Sequence[int]]) -> tuple[tuple[int, ...], ...]:
    """The layering before issue 18: each wave rescans every remaining node."""
    remaining = {n: {d for d in deps if d in graph and d != n} for n, deps in graph.items()}
    done: set[int] = set()
    waves: list[tuple[int, ...]] = []
    while remaining:
        ready = tuple(sorted(n for n, deps in remaining.items() if deps <= done))
        waves.append(ready)
        done.update(ready)
        for n in ready:
            del remaining[n]
    return tuple(waves)


graphs = st.dictionaries(
    st.integers(0, 12), st.lists(st.integers(0, 14), max_size=4), max_size=12
)  # ids up to 14: some dependencies name nodes that do not exist


@settings(max_examples=300)
@given(graphs)
def test_waves_and_cycles_equal_the_quadratic_reference(graph: dict[int, list[int]]) -> None:
    waves = compute_waves(graph)
    expected_cycle = _reference_find_cycle(graph)
    assert find_cycle(graph) == expected_cycle
    assert waves.cycle == expected_cycle
    assert waves.waves == (None if expected_cycle is not None else _reference_waves(graph))


@given(st.data())
def test_waves_of_acyclic_graphs_equal_the_reference(data: st.DataObject) -> None:
    """Acyclic graphs (each node depends on some of the nodes before it in a random order), where
    the layering is really compared (the strategy above draws many cycles)."""
    order = data.draw(st.permutations(range(data.draw(st.integers(1, 30)))))
    graph = {
        node: data.draw(st.lists(st.sampled_from(order[:i]), max_size=3)) if i else []
        for i, node in enumerate(order)
    }
    assert compute_waves(graph).waves == _reference_waves(graph)


@given(st.text(st.sampled_from("0123456789"), min_size=1, max_size=12))
def test_the_fast_path_for_decimal_ids_gives_what_the_general_path_gives(written: str) -> None:
    """``ItemId("12")`` skips the regex (200,000 ids in a 100,000-phase plan); `` 12`` takes it."""
    try:
        general = ItemId(f" {written}")
    except ValueError:
        with pytest.raises(ValueError):
            ItemId(written)
        return
    fast = ItemId(written)
    assert (fast.key, str(fast), hash(fast), fast.is_integer) == (
        general.key,
        str(general),
        hash(general),
        True,
    )
    assert fast == general == int(written)


@given(
    st.text(st.sampled_from("abcXYZ019 .,:-_/+'?!=@\t\n\"#%<[é"), max_size=60),
    st.sampled_from([None, 1, 5, 48]),
)
def test_the_fast_path_of_labels_gives_what_escaping_each_character_gives(
    text: str, limit: int | None
) -> None:
    """Plain titles skip the character-by-character escaping (100,000 labels in a big plan's chart)."""
    assert label_text(text, limit) == _escaped_label(text, limit)


@given(
    st.lists(st.sampled_from(["1", "2", "2.5", "3", "5a", "CF-1"]), max_size=8),
    st.sampled_from([1, 2, "2.5", 3, "5a", "cf-1", 4, "7"]),
)
def test_phase_lookup_equals_the_first_match_of_a_scan(numbers: list[str], wanted: int | str) -> None:
    body = "".join(f"### Phase {n}: Title {k}\n- [ ] task\n\n" for k, n in enumerate(numbers))
    plan = build_plan({LOC.main_path: f"# Plan: P\n\n## Implementation Phases\n\n{body}"}, LOC)
    target = ItemId(wanted)
    assert plan.phase(wanted) is next((p for p in plan.phases if p.number == target), None)


def test_parsing_pauses_the_collector_and_leaves_it_as_it_found_it() -> None:
    import gc

    from plansmith.plan.layout import collector_paused

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # a second parse at the same time (another thread)
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    build_plan(big_plan_files(3), LOC)
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # a program that keeps it off keeps it off
    finally:
        gc.enable()


@st.composite
def phase_groups(draw: st.DrawFn) -> tuple[Plan, list[int]]:
    """A plan of up to 8 phases with random content and dependencies (on themselves, on later phases,
    on phases that do not exist), and an order of some of them."""
    n = draw(st.integers(1, 8))
    body = []
    for k in range(1, n + 1):
        deps = draw(st.lists(st.integers(1, n + 2), max_size=3))
        tasks = draw(
            st.lists(st.sampled_from(["- [ ] a in `x.py`", "- [ ] b with a migration", "text"]), max_size=3)
        )
        line = f"**Dependencies**: [{', '.join(map(str, deps))}]\n" if deps else ""
        body.append(f"### Phase {k}: P{k}\n{line}" + "".join(t + "\n" for t in tasks) + "\n")
    plan = build_plan({LOC.main_path: "# Plan: P\n\n## Implementation Phases\n\n" + "".join(body)}, LOC)
    order = draw(st.permutations(range(n)))
    return plan, order[: draw(st.integers(1, n))]


@given(phase_groups())
def test_a_group_grown_one_phase_at_a_time_measures_what_merging_it_measures(
    case: tuple[Plan, list[int]],
) -> None:
    plan, order = case
    scorer = Scorer(plan)
    group = MergedPhases(scorer)
    members: list[PhaseNode] = []
    for k in order:
        phase = plan.phases[k]
        assert group.counts(phase) == scorer.merged([*members, phase])
        group.add(phase)
        members.append(phase)
        assert group.counts() == scorer.merged(members)
