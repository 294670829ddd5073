"""Scores that rank: more of any factor never lowers a score, size alone orders items strictly up to
100 KB, scores stay within 0..10 and approach 10 without saturating."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plansmith.plan.complexity import (
    EXPAND_POINTS,
    FACTOR_NAMES,
    KNEE,
    MAX_SCORE,
    TAIL,
    Score,
    analyze_plan,
    curve,
    points,
    score_section,
    weigh,
)
from plansmith.plan.layout import PlanLocation, build_plan
from plansmith.plan.parser import parse_document

from .strategies import section_body

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FILLER = "More prose that describes the work in plain words, nothing else.\n"  # 65 bytes, no factor words


def scored(body: str, heading: str = "### Phase 1: Work") -> Score:
    doc = parse_document("p.md", f"# Plan\n\n{heading}\n{body}", "plan")
    return score_section(doc, doc.sections[0])


ADDITIONS = {
    "task": "- [ ] one more task\n",
    "nested task": "  - [x] a nested one\n",
    "file path": "Also touches `src/extra/new_module.py`.\n",
    "bare file path": "See migrations/0003_more.sql for the schema.\n",
    "risk term": "Risk: a race condition between workers.\n",
    "stage": "#### Stage 9: Extra\n- [ ] staged work\n",
    "lines": FILLER * 3,
    "code block": "```bash\nmake check\n```\n",
    "test line": "Verify with pytest.\n",
}


@SETTINGS
@given(section_body(), st.sampled_from(sorted(ADDITIONS)))
def test_more_of_any_factor_never_lowers_the_score(body: list[str], addition: str) -> None:
    text = "\n".join(body) + "\n" if body else ""
    before, after = scored(text), scored(text + ADDITIONS[addition])
    assert after.value >= before.value
    assert after.score >= before.score
    assert all(after.factors[name] >= before.factors[name] for name in FACTOR_NAMES)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(section_body(), st.lists(st.integers(0, 1600), min_size=2, max_size=2, unique=True))
def test_size_alone_orders_items_strictly_up_to_100_kb(body: list[str], sizes: list[int]) -> None:
    small, big = sorted(sizes)
    text = "\n".join(body) + "\n" if body else ""
    a, b = scored(text + FILLER * small), scored(text + FILLER * big)
    assert len((text + FILLER * big).encode()) <= 110_000
    assert a.value < b.value < MAX_SCORE  # distinct and ordered, below the cap
    assert a.score <= b.score
    assert {k: v for k, v in a.factors.items() if k != "lines"} == {
        k: v for k, v in b.factors.items() if k != "lines"
    }


def test_doubling_a_big_item_raises_its_displayed_score() -> None:
    # One decimal is the output contract: items of 7, 14, 28 and 55 KB with the same make-up must not
    # collapse onto one displayed value (they all showed 10.0 before the re-tune).
    unit = "".join(f"- [ ] step {i} in `src/mod_{i % 7}.py`\n" for i in range(12)) + FILLER * 100
    shown = [scored(unit * n).score for n in (1, 2, 4, 8)]
    assert len((unit * 8).encode()) > 50_000
    assert shown == sorted(shown) and len(set(shown)) == 4
    assert shown[-1] < 10.0


factor_values = st.fixed_dictionaries({name: st.integers(0, 10**7) for name in FACTOR_NAMES})


@SETTINGS
@given(factor_values, st.sampled_from(FACTOR_NAMES), st.integers(1, 10**6))
def test_every_factor_adds_points_and_the_score_stays_within_0_and_10(
    factors: dict[str, int], name: str, more: int
) -> None:
    bigger = {**factors, name: factors[name] + more}
    assert points(bigger) > points(factors)
    assert 0.0 <= curve(points(factors)) <= curve(points(bigger)) <= MAX_SCORE
    assert 0.0 <= weigh(factors) <= weigh(bigger) <= MAX_SCORE


@SETTINGS
@given(st.floats(0, 200), st.floats(0, 200))
def test_curve_is_increasing_continuous_and_below_ten(p: float, q: float) -> None:
    low, high = sorted((p, q))
    assert 0.0 <= curve(low) <= curve(high) < MAX_SCORE
    if high - low > 1e-6 and high < 100:
        assert curve(low) < curve(high)


def test_curve_shape() -> None:
    assert curve(0.0) == 0.0
    assert curve(KNEE) == KNEE and math.isclose(curve(EXPAND_POINTS), 8.0)  # the thresholds' places
    for p in (4.5, 6.0, 8.0, 10.0):  # between them, the curve the thresholds were fitted on
        assert math.isclose(curve(p), MAX_SCORE - TAIL * math.exp(-(p - KNEE) / TAIL))
    h = 1e-6
    assert math.isclose((curve(KNEE + h) - KNEE) / h, 1.0, rel_tol=1e-4)
    assert round(curve(100.0), 1) == 9.9 and round(curve(103.0), 1) == 10.0  # 10.0 shows from ~103 points


@given(st.floats(0.0475, 47.0))
def test_fifteen_percent_more_points_always_show_a_higher_score(p: float) -> None:
    """From a one-line stub (0.0475 points) to far beyond the heaviest real phase (28 points)."""
    assert curve(p * 1.15) - curve(p) > 0.1
    assert round(curve(p * 1.15), 1) > round(curve(p), 1)


def test_items_keep_the_unrounded_value_out_of_the_json() -> None:
    path = "specs/plans/001_x.md"
    text = "# P\n\n### Phase 1: A\n- [ ] a\n\n### Phase 2: B\n- [ ] a\n- [ ] b\n"
    analysis = analyze_plan(build_plan({path: text}, PlanLocation("001_x", path, None)))
    one, two = analysis.items
    assert one.value < two.value and round(one.value, 1) == one.score
    assert "value" not in one.as_json()
