"""The complexity formula: factors -> points -> a score from 0 to 10 that ranks items of every size.

Two steps, both strictly increasing, so more of anything never lowers a score and bigger items keep
ranking above smaller ones:

1. **Points.** Each factor ``n`` adds ``weight * ln(1 + n / unit)``: every doubling of a count adds
   about the same number of points, so no single factor runs away with the score and none ever stops
   counting (no caps).

   ============  ======  ====  ===========================================================
   factor        weight  unit  why
   ============  ======  ====  ===========================================================
   tasks         3.8     4     the work itself: the main driver of small and medium items
   lines         2.4     50    size: what tells a 60 KB phase from a 20 KB one
   files         2.3     3     distinct files touched: breadth of the change
   code_blocks   1.0     4     examples and listings to follow or write
   stages        0.8     1     structure already present: work someone already split
   tests         0.6     2     test lines grow with the tasks; counted lightly so test-heavy
                               phases are not mistaken for big ones
   dependencies  0.4     1     coupling with other phases
   risk_terms    0.35    1     cheap words, noisy (``auth``, ``production``): a light signal
   ============  ======  ====  ===========================================================

2. **Curve.** A score is a function of ``ln(points)`` that rises at least
   :data:`RESOLUTION` (0.76) per e-fold of points everywhere an item can be: 15 % more points always
   show at least 0.106 more, so two items whose points differ by more than 15 % never display the same
   one-decimal score, at the bottom (one-line stubs) as at the top (60 KB phases). Between 4 and
   :data:`EXPAND_POINTS` (10.59) points it is the curve the thresholds were fitted on, unchanged, so
   the items that score ``>= 8`` and ``<= 4`` are exactly the ones they were::

       points <= 0.04         score = 0.5 * points                     (only 0 occurs: one line is 0.05)
       0.04 .. 2              score = 0.02 + 0.76 * ln(points / 0.04)
       2 .. 4                 score = the line in ln(points) from 2.99 at 2 to 4 at 4
       4 .. 10.59             score = 10 - 6 * exp(-(points - 4) / 6)  (4 at 4, 8 at 10.59)
       10.59 .. 16            score = 8 + 2 * ln(points / 10.59)       (8.83 at 16)
       16 .. 50.6             score = 8.83 + 0.76 * ln(points / 16)    (9.7 at 50.6)
       above                  score = 10 - 0.3 * (points / 50.6) ** -2.53  (approaches 10)

   Continuous and strictly increasing; 15 % more points show a higher score from one line's worth
   (0.0475) to 47 points (the heaviest phase of the two corpora has 28), and 10.0 is displayed only
   beyond 102 points.

The weights, units and curve were fitted on the real plans of the shared corpus (see
``docs/complexity.md``): phases a person would split score 8 or more, tiny expanded files 4 or less.
Output is rounded to one decimal (``Score.score``); ``Score.value`` keeps the unrounded value so
ranking stays strict. Pure: no I/O, imports only :mod:`plansmith.plan`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from plansmith.plan.complexity.features import RISK_TERMS
from plansmith.plan.complexity.measure import Counts

MAX_SCORE = 10.0
KNEE = 4.0  # points and score where the fitted curve begins; the collapse threshold's place
TAIL = MAX_SCORE - KNEE  # points per e-fold of the distance to 10 on the fitted curve
RESOLUTION = 0.76  # least score per e-fold of points: > 0.1 / ln(1.15), so 15 % more points show
FLOOR_POINTS, FLOOR_SCORE = 0.04, 0.02  # below one line's worth of points (0.0475): linear to 0
LOW_POINTS = 2.0  # the bottom segment's end: 2 bare tasks (1.5 points) stay under 3
LOW_SCORE = FLOOR_SCORE + RESOLUTION * math.log(LOW_POINTS / FLOOR_POINTS)
EXPAND_POINTS = KNEE + TAIL * math.log(3.0)  # where the fitted curve reaches 8 (10.59 points)
EXPAND_SCORE = MAX_SCORE - TAIL / 3.0
BIG_POINTS, BIG_SLOPE = 16.0, 2.0  # 10.59..16 points: a steeper start, so big phases spread out
BIG_SCORE = EXPAND_SCORE + BIG_SLOPE * math.log(BIG_POINTS / EXPAND_POINTS)
TOP_SCORE = 9.7  # where the top segment starts to approach 10
TOP_POINTS = BIG_POINTS * math.exp((TOP_SCORE - BIG_SCORE) / RESOLUTION)
_TOP_POWER = RESOLUTION / (MAX_SCORE - TOP_SCORE)  # keeps the slope where the tail begins
_LOG_KNEE_LOW = math.log(KNEE / LOW_POINTS)
_log, _exp = math.log, math.exp

# factor -> (weight, unit): the factor adds ``weight * ln(1 + count / unit)`` points
WEIGHTS: dict[str, tuple[float, float]] = {
    "tasks": (3.8, 4.0),
    "files": (2.3, 3.0),
    "stages": (0.8, 1.0),
    "dependencies": (0.4, 1.0),
    "risk_terms": (0.35, 1.0),
    "tests": (0.6, 2.0),
    "code_blocks": (1.0, 4.0),
    "lines": (2.4, 50.0),
}


# WEIGHTS flattened once: points() runs for every item and merge estimate (issue 10's plan has ~230).
_WEIGHT_ROWS = tuple((name, weight, unit) for name, (weight, unit) in WEIGHTS.items())
_log1p = math.log1p


@dataclass(frozen=True, slots=True)
class Score:
    score: float  # 0.0..10.0, one decimal: what people and the JSON see
    factors: dict[str, int]
    reasons: list[str]
    value: float  # the unrounded score, for strict ranking


def points(factors: dict[str, int]) -> float:
    """The points of a set of factors (missing factors count 0)."""
    total = 0.0
    get = factors.get
    for name, weight, unit in _WEIGHT_ROWS:  # the order of WEIGHTS: the sum is the same bit for bit
        n = get(name, 0)
        if n:  # a zero factor adds ln(1) = 0.0: skipping it leaves the sum bit for bit the same
            total += weight * _log1p(n / unit)
    return total


def curve(pts: float) -> float:
    """The unrounded score of ``pts`` points (the segments of the module docstring). The fitted
    segment, where most items are, is tested first."""
    if pts > KNEE:
        if pts <= EXPAND_POINTS:
            return MAX_SCORE - TAIL * _exp(-(pts - KNEE) / TAIL)
        if pts <= BIG_POINTS:
            return EXPAND_SCORE + BIG_SLOPE * _log(pts / EXPAND_POINTS)
        if pts <= TOP_POINTS:
            return BIG_SCORE + RESOLUTION * _log(pts / BIG_POINTS)
        return MAX_SCORE - (MAX_SCORE - TOP_SCORE) * math.pow(pts / TOP_POINTS, -_TOP_POWER)
    if pts > LOW_POINTS:
        return LOW_SCORE + (KNEE - LOW_SCORE) * _log(pts / LOW_POINTS) / _LOG_KNEE_LOW
    if pts > FLOOR_POINTS:
        return FLOOR_SCORE + RESOLUTION * _log(pts / FLOOR_POINTS)
    return max(0.0, pts * (FLOOR_SCORE / FLOOR_POINTS))


def weigh(factors: dict[str, int]) -> float:
    """The displayed score of a set of factors: one decimal, 0.0..10.0."""
    return round(curve(points(factors)), 1)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def reasons_of(counts: Counts) -> list[str]:
    """The factors in words, in a fixed order (risk terms in :data:`RISK_TERMS` order); zeros left out."""
    reasons: list[str] = []
    if counts.tasks:
        reasons.append(_plural(counts.tasks, "task"))
    if counts.files:
        reasons.append(f"touches {_plural(len(counts.files), 'file')}")
    if counts.risks:  # most items name none: skip walking the terms
        reasons.extend(f"risk: {name}" for name in RISK_TERMS if name in counts.risks)
    if counts.stages:
        reasons.append(_plural(counts.stages, "stage"))
    if counts.dependencies:
        reasons.append(_plural(counts.dependencies, "dependency", "dependencies"))
    if counts.tests:
        reasons.append(_plural(counts.tests, "test requirement"))
    if counts.code_blocks:
        reasons.append(_plural(counts.code_blocks, "code block"))
    if counts.lines:
        reasons.append(_plural(counts.lines, "line"))
    return reasons


def score_counts(counts: Counts) -> Score:
    """The score of measured counts, with its factors and reasons."""
    factors = counts.factors()
    value = curve(points(factors))
    return Score(round(value, 1), factors, reasons_of(counts), value)


__all__ = [
    "EXPAND_POINTS",
    "KNEE",
    "MAX_SCORE",
    "RESOLUTION",
    "TAIL",
    "WEIGHTS",
    "Score",
    "curve",
    "points",
    "reasons_of",
    "score_counts",
    "weigh",
]
