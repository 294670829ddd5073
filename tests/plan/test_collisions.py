"""The radar's decisions (plansmith.plan.collisions), pure: digests per phase, one branch's change,
collisions across branches."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from plansmith.plan.collisions import (
    BranchChange,
    PlanState,
    branch_change,
    find_collisions,
    item_digests,
    next_free_number,
)
from plansmith.plan.layout import PlanLocation, build_plan

PATH = "specs/plans/001_x.md"
task_texts = st.text(st.characters(codec="ascii", categories=("L", "N")), min_size=1, max_size=20)


def plan_of(tasks: list[str], path: str = PATH) -> dict[str, str]:
    name = path.rsplit("/", 1)[1].removesuffix(".md")
    body = "".join(f"## Phase {n}: Part {n}\n\n- [ ] {t}\n\n" for n, t in enumerate(tasks, 1))
    return {path: f"# Plan: {name}\n\n{body}"}


def digests(files: dict[str, str], path: str = PATH) -> dict[str, str]:
    name = path.rsplit("/", 1)[1].removesuffix(".md")
    return item_digests(build_plan(files, PlanLocation(name, path, None)))


def state(signature: str, path: str = PATH, key: str = "001_x", root: str = "specs/plans") -> PlanState:
    name = path.rsplit("/", 1)[1].removesuffix(".md")
    return PlanState(key, key, root, name, path, ((path, signature),))


@given(st.lists(task_texts, min_size=2, max_size=6, unique=True), st.data())
def test_editing_one_phase_changes_only_that_phase(tasks: list[str], data: st.DataObject) -> None:
    which = data.draw(st.integers(0, len(tasks) - 1))
    edited = [*tasks]
    edited[which] = tasks[which] + " more"
    before, after = digests(plan_of(tasks)), digests(plan_of(edited))
    change = branch_change(
        "b", [state("old")], [state("new")], {((PATH, "old"),): before, ((PATH, "new"),): after}
    )
    assert change.changed == {"001_x": {f"phase_{which + 1}": after[f"phase_{which + 1}"]}}


def test_blank_lines_and_heading_levels_are_not_edits() -> None:
    text = plan_of(["one", "two"])[PATH]
    looser = text.replace("## Phase", "### Phase").replace("- [ ] two\n", "\n- [ ] two\n\n")
    assert digests({PATH: text}) == digests({PATH: looser})


def test_a_stage_edit_is_the_stage_not_its_phase() -> None:
    text = "# Plan: x\n\n## Phase 1: A\n\n- [ ] a\n\n### Stage 1: S\n\n- [ ] s\n"
    before, after = digests({PATH: text}), digests({PATH: text.replace("- [ ] s", "- [ ] t")})
    assert {k for k in before if before[k] != after[k]} == {"phase_1_stage_1"}


def test_the_next_free_number_keeps_the_width() -> None:
    assert next_free_number([]) == "001"
    assert next_free_number(["009", "012"]) == "013"
    assert next_free_number(["0999"]) == "1000"


def test_identical_additions_on_two_branches_do_not_collide() -> None:
    added = state("same", "specs/plans/002_y.md", "002_y")
    changes = [BranchChange("a", added=(added,)), BranchChange("b", added=(added,))]
    assert find_collisions("main", [state("base")], changes) == []


def test_a_number_the_branch_saw_at_its_base_is_no_collision() -> None:
    ours = state("ours", "specs/plans/002_y.md", "002_y")
    theirs = state("theirs", "specs/plans/002_z.md", "002_z")
    saw = frozenset({("specs/plans", "002_z")})
    assert find_collisions("main", [theirs], [BranchChange("a", added=(ours,), base_names=saw)]) == []
    (found,) = find_collisions("main", [theirs], [BranchChange("a", added=(ours,))])
    assert found.kind == "number-collision" and "003" in found.hint


def test_a_renamed_plan_claims_its_number_only_when_the_number_changed() -> None:
    base = state("blob")  # 001_x, its file unchanged by the rename (the same blob)
    renumbered = branch_change("a", [base], [state("blob", "specs/plans/004_x.md", "004_x")], {})
    assert renumbered.added == () and [p.number for p in renumbered.renumbered] == ["004"]
    renamed = branch_change("a", [base], [state("blob", "specs/plans/001_core.md", "001_core")], {})
    assert renamed.added == () and renamed.renumbered == ()  # same number: nothing claimed


@given(st.lists(st.integers(0, 5), min_size=2, max_size=5), st.booleans())
def test_branches_collide_exactly_when_they_edit_one_phase_differently(
    owners: list[int], share: bool
) -> None:
    """Phase ``i`` is edited by branch ``owners[i]`` (and, with ``share``, phase 0 by every branch):
    a same-phase finding exactly for the phases two branches edited differently."""
    tasks = [f"task {n}" for n in range(len(owners))]
    base = digests(plan_of(tasks))
    changes = []
    for branch in sorted(set(owners)):
        edited = [
            t + f" by {branch}" if owners[i] == branch or (share and i == 0) else t
            for i, t in enumerate(tasks)
        ]
        signature = ((PATH, f"tip{branch}"),)
        after = digests(plan_of(edited))
        change = branch_change(
            f"b{branch}",
            [state("base")],
            [state(f"tip{branch}")],
            {((PATH, "base"),): base, signature: after},
        )
        changes.append(change)
    found = find_collisions("main", [state("base")], changes)
    shared = share and len(changes) > 1
    assert {f.item for f in found} == ({"phase_1"} if shared else set())
    assert all(f.kind == "same-phase" for f in found)
