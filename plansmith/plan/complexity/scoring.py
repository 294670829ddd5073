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

2. **Curve.** Up to :data:`KNEE` (4) points the score *is* the points. Above, it approaches 10
   without reaching it, leaving the straight line with the same slope (no kink): the distance to 10
   (6 at the knee) shrinks by a factor ``e`` every :data:`TAIL` (6) points::

       score = points                                   if points <= 4
       score = 10 - 6 * exp(-(points - 4) / 6)          otherwise

   Since doubling a count adds a constant number of points, each doubling of a big item cuts its
   distance to 10 by a constant factor: phases of 7, 14, 28 and 55 KB of the same make-up score 8.1,
   8.9, 9.4 and 9.7 instead of all showing 10.0. The displayed score needs about 33 points to round
   to 10.0, more than any phase of the real corpus has (28 for its heaviest: 40 KB, 65 tasks).

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
KNEE = 4.0  # points up to which the score equals the points
TAIL = MAX_SCORE - KNEE  # points per e-fold of the distance to 10 above the knee; equal to that distance
# at the knee, so the curve keeps slope 1 there (smooth)

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
    """The unrounded score of ``pts`` points: equal up to :data:`KNEE`, then approaching 10."""
    if pts <= KNEE:
        return max(0.0, pts)
    return MAX_SCORE - (MAX_SCORE - KNEE) * math.exp(-(pts - KNEE) / TAIL)


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
    "KNEE",
    "MAX_SCORE",
    "TAIL",
    "WEIGHTS",
    "Score",
    "curve",
    "points",
    "reasons_of",
    "score_counts",
    "weigh",
]
