"""The complexity formula: factors -> a score from 0 to 10, one decimal.

A score is a weighted sum of factors, each with diminishing returns, capped at 10 and rounded with
``round(x, 1)``:

=============  ===================
factor         contribution
=============  ===================
tasks          ``2.4 * log1p(n/2)``
files          ``1.0 * log1p(n)``
risk_terms     ``0.8 * min(n, 3)``
tests          ``0.5 * log1p(n)``
stages         ``0.5 * min(n, 4)``
dependencies   ``0.25 * min(n, 4)``
code_blocks    ``0.5 * log1p(n)``
lines          ``0.4 * log1p(n/5)``
=============  ===================

Calibration (tested): a phase of 2 tasks and nothing else scores about 2; a typical phase of 6-8 tasks
touching two files scores 4-6; a phase of 15 tasks touching 6 files, naming a migration and
asking for tests scores 8.5 or more. Forty bare tasks alone reach 8. Pure: no I/O, imports only
:mod:`plansmith.plan`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from plansmith.plan.complexity.features import RISK_TERMS
from plansmith.plan.complexity.measure import Counts

MAX_SCORE = 10.0

# factor -> (weight, kind, cap): "log" adds ``weight * log1p(n / cap)``, "per" adds ``weight * min(n, cap)``
WEIGHTS: dict[str, tuple[float, str, float]] = {
    "tasks": (2.4, "log", 2.0),
    "files": (1.0, "log", 1.0),
    "stages": (0.5, "per", 4.0),
    "dependencies": (0.25, "per", 4.0),
    "risk_terms": (0.8, "per", 3.0),
    "tests": (0.5, "log", 1.0),
    "code_blocks": (0.5, "log", 1.0),
    "lines": (0.4, "log", 5.0),
}


@dataclass(frozen=True, slots=True)
class Score:
    score: float  # 0.0..10.0, one decimal: what people and the JSON see
    factors: dict[str, int]
    reasons: list[str]
    value: float  # the unrounded score, for strict ranking


def points(factors: dict[str, int]) -> float:
    """The weighted sum of a set of factors (missing factors count 0)."""
    total = 0.0
    for name, (w, kind, k) in WEIGHTS.items():
        n = factors.get(name, 0)
        total += w * (math.log1p(n / k) if kind == "log" else min(n, k))
    return total


def curve(pts: float) -> float:
    """The unrounded score of ``pts``: capped at 10."""
    return min(MAX_SCORE, max(0.0, pts))


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
    "MAX_SCORE",
    "WEIGHTS",
    "Score",
    "curve",
    "points",
    "reasons_of",
    "score_counts",
    "weigh",
]
