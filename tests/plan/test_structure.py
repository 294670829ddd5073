"""The facts behind a person's structure decision: which items are expanded, and a digest of each
item's own text that does not change when the plan around it does, nor when it moves into a file."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from plansmith.plan.layout import build_plan, find_plans
from plansmith.plan.structure import ItemState, flipped, item_states
from plansmith.plan.transforms import collapse_phase, expand_phase

PLAN = "specs/plans/001_feature.md"


def states(text: str) -> dict[str, ItemState]:
    files = {PLAN: text}
    (loc,) = find_plans(files, "specs/plans")
    return item_states(build_plan(files, loc))


def plan(tasks: list[int], intro: str = "") -> str:
    phases = "".join(
        f"### Phase {n}: Part {n}\n" + "".join(f"- [ ] step {k}\n" for k in range(count)) + "\n"
        for n, count in enumerate(tasks, 1)
    )
    return f"# Feature\n\n{intro}{phases}"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=2, max_size=5), st.text("abc \n", max_size=20))
def test_an_item_digest_ignores_the_text_around_it(tasks: list[int], intro: str) -> None:
    plain, other = states(plan(tasks)), states(plan(tasks, intro.replace("#", "") + "\n\n"))
    assert plain == other
    grown = states(plan([*tasks[:-1], tasks[-1] + 1]))
    last = f"phase_{len(tasks)}"
    assert grown[last].digest != plain[last].digest
    assert all(grown[i] == plain[i] for i in plain if i != last)


def test_expanding_flips_the_item_and_collapsing_gives_the_same_digest_back() -> None:
    files = {PLAN: plan([3, 4])}
    (loc,) = find_plans(files, "specs/plans")
    before = item_states(build_plan(files, loc))
    change = expand_phase(files, loc, 2)
    after = item_states(build_plan(change.files, change.location))
    assert after["phase_2"].expanded and not before["phase_2"].expanded
    seen = {item: s.expanded for item, s in before.items()}
    assert flipped(seen, after) == {"phase_2": after["phase_2"]}
    back = collapse_phase(change.files, change.location, 2)
    again = item_states(build_plan(back.files, back.location))
    assert again == before
    assert flipped({"phase_9": True}, again) == {}  # items new or gone are not decisions
