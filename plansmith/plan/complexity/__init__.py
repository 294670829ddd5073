"""Complexity scores for phases and stages: deterministic, explainable, 0.0 to 10.0 with one decimal.

The package is split by concern; import from here, the names below are the public interface:

- :mod:`.features` — what is counted in the text (file paths, risk terms, test lines, code blocks,
  non-blank lines), once per document;
- :mod:`.measure` — what belongs to a phase or a stage (its file when expanded, not plansmith's
  Metadata block) and its :class:`Counts`;
- :mod:`.scoring` — the formula: factors -> points -> a score approaching 10 (:class:`Score`);
- :mod:`.analysis` — recommendations, :class:`Item`, :class:`Analysis`, :func:`analyze_plan`; with
  :class:`Thresholds` from :mod:`plansmith.plan.thresholds` (also the settings' section).

The table people read is drawn outside the plan core (:mod:`plansmith.terminal.text`,
:mod:`plansmith.terminal.tables`).

Everything here is pure: text and parsed plans in, values out; no I/O, no imports outside
:mod:`plansmith.plan`. The same text always gets the same score.
"""

from plansmith.plan.complexity.analysis import (
    Analysis,
    Item,
    Recommendation,
    Thresholds,
    analyze_plan,
    analyze_with,
    merged_score,
    score_node,
    score_phase_total,
    score_section,
)
from plansmith.plan.complexity.features import RISK_TERMS, paths_in, risk_terms_in
from plansmith.plan.complexity.measure import FACTOR_NAMES, Counts, MergedPhases, Scorer
from plansmith.plan.complexity.scoring import (
    EXPAND_POINTS,
    KNEE,
    MAX_SCORE,
    TAIL,
    WEIGHTS,
    Score,
    curve,
    points,
    score_counts,
    weigh,
)

__all__ = [
    "EXPAND_POINTS",
    "FACTOR_NAMES",
    "KNEE",
    "MAX_SCORE",
    "RISK_TERMS",
    "TAIL",
    "WEIGHTS",
    "Analysis",
    "Counts",
    "Item",
    "MergedPhases",
    "Recommendation",
    "Score",
    "Scorer",
    "Thresholds",
    "analyze_plan",
    "analyze_with",
    "curve",
    "merged_score",
    "paths_in",
    "points",
    "risk_terms_in",
    "score_counts",
    "score_node",
    "score_phase_total",
    "score_section",
    "weigh",
]
