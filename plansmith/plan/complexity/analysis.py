"""Analysis of a plan: every phase and stage scored, with an expand / collapse / keep recommendation.

Recommendations, with ``Thresholds(expand=8.0, collapse=4.0)`` by default, compare the displayed
(one-decimal) score, so what people read is what was decided:

- an inline item scoring ``>= expand`` is recommended for expansion; a stage only when its phase is
  already expanded (otherwise the phase is the one to expand first, and the reason says so);
- an expanded item scoring ``<= collapse`` is recommended for collapse; a phase only when none of its
  stages is expanded (stages collapse first);
- everything else is kept. The band between the thresholds is a dead band: expansion moves the text
  unchanged into a file that scores the same, so an item never flips back right after it flipped.

This module builds values; it must not render them (plansmith.terminal does) nor touch files. Pure: imports
only :mod:`plansmith.plan`. Phase and stage numbers are carried through as the model holds them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from plansmith.plan.complexity.measure import Scorer
from plansmith.plan.complexity.scoring import Score, score_counts
from plansmith.plan.ids import ItemId, id_json
from plansmith.plan.model import Document, PhaseNode, Plan, Section, StageNode
from plansmith.plan.thresholds import Thresholds

Recommendation = Literal["expand", "collapse", "keep"]


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    kind: Literal["phase", "stage"]
    phase: ItemId
    stage: ItemId | None
    title: str
    expanded: bool
    path: str  # the file holding the item's content
    score: float  # one decimal
    recommendation: Recommendation
    factors: dict[str, int]
    reasons: list[str]
    value: float  # the unrounded score: ranks items that display the same score (not in the JSON)

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "phase": self.phase.as_json(),
            "stage": id_json(self.stage),
            "title": self.title,
            "expanded": self.expanded,
            "path": self.path,
            "score": self.score,
            "recommendation": self.recommendation,
            "factors": dict(self.factors),
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True, slots=True, weakref_slot=True)  # weak: renderers may remember its text
class Analysis:
    plan: str  # the main plan's path
    structure_level: int
    thresholds: Thresholds
    items: tuple[Item, ...]
    # Item id -> the first item with that id, built once: renderers and the engine look items up per
    # item, and a scan per lookup made 100,000-phase plans quadratic (issue 18).
    _by_id: dict[str, Item] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, Item] = {}
        for it in self.items:
            by_id.setdefault(it.id, it)  # the first one wins, as the scan it replaces
        object.__setattr__(self, "_by_id", by_id)

    def as_json(self) -> dict[str, object]:
        """Exactly the ``plansmith analyze --json`` document."""
        return {
            "plan": self.plan,
            "structure_level": self.structure_level,
            "thresholds": self.thresholds.as_json(),
            "items": [item.as_json() for item in self.items],
        }

    def item(self, item_id: str) -> Item | None:
        """The first item with id ``item_id`` (O(1)), or None."""
        return self._by_id.get(item_id)

    def recommended(self, recommendation: Recommendation) -> list[Item]:
        return [it for it in self.items if it.recommendation == recommendation]


def _recommend_phase(node: PhaseNode, score: float, t: Thresholds, reasons: list[str]) -> Recommendation:
    if node.holder == node.file:
        reasons.append("listed in the main file's table: kept in its own file")
        return "keep"
    if not node.expanded:
        return "expand" if score >= t.expand else "keep"
    if score <= t.collapse:
        if any(s.expanded for s in node.stages):
            reasons.append("collapse its expanded stages first")
            return "keep"
        return "collapse"
    return "keep"


def _recommend_stage(
    phase: PhaseNode, node: StageNode, score: float, t: Thresholds, reasons: list[str]
) -> Recommendation:
    if phase.holder == phase.file:
        return "keep"  # a phase listed in a table: its file is left as the other tool keeps it
    if node.expanded:
        return "collapse" if score <= t.collapse else "keep"
    if score >= t.expand:
        if not phase.expanded:
            reasons.append(f"expand phase {phase.number} first")
            return "keep"
        return "expand"
    return "keep"


def _item(phase: PhaseNode, node: PhaseNode | StageNode, s: Score, t: Thresholds) -> Item:
    reasons = list(s.reasons)
    if isinstance(node, PhaseNode):
        rec = _recommend_phase(node, s.score, t, reasons)
    else:
        rec = _recommend_stage(phase, node, s.score, t, reasons)
    return Item(
        id=node.id,
        kind="stage" if isinstance(node, StageNode) else "phase",
        phase=phase.number,
        stage=node.number if isinstance(node, StageNode) else None,
        title=node.title,
        expanded=node.expanded,
        path=node.content_path,
        score=s.score,
        recommendation=rec,
        factors=s.factors,
        reasons=reasons,
        value=s.value,
    )


def analyze_plan(plan: Plan, thresholds: Thresholds | None = None) -> Analysis:
    """Score every phase and stage of ``plan`` and recommend expand / collapse / keep for each."""
    return analyze_with(plan, thresholds if thresholds is not None else Thresholds(), Scorer(plan))


def analyze_phases(plan: Plan, thresholds: Thresholds, phases: Sequence[PhaseNode]) -> Analysis:
    """:func:`analyze_plan` of ``phases`` of ``plan`` only (their items are those of the whole
    analysis): a proposal's message of a big plan reads only the phases it draws (issue 18)."""
    return analyze_with(plan, thresholds, Scorer(plan), phases)


def analyze_with(
    plan: Plan, t: Thresholds, scorer: Scorer, phases: Sequence[PhaseNode] | None = None
) -> Analysis:
    """:func:`analyze_plan` with a given :class:`Scorer` of ``plan``, so a caller that scores more
    (the review) reads each document once; of ``phases`` only when given."""
    items: list[Item] = []
    for phase in plan.phases if phases is None else phases:
        items.append(_item(phase, phase, score_counts(scorer.content(phase)), t))
        items.extend(_item(phase, stage, score_counts(scorer.content(stage)), t) for stage in phase.stages)
    return Analysis(plan.main_path, plan.level, t, tuple(items))


def score_section(doc: Document, section: Section) -> Score:
    """The score of one phase or stage section of ``doc`` (its heading line and a Metadata block of
    the file are not counted)."""
    return score_counts(Scorer().section(doc, section))


def score_node(plan: Plan, node: PhaseNode | StageNode) -> Score:
    """The score of a phase or stage of ``plan``: its file when expanded, else its inline section."""
    return score_counts(Scorer(plan).content(node))


def score_phase_total(plan: Plan, node: PhaseNode) -> Score:
    """The whole phase: its own text plus the content of its expanded stage files (their stubs are
    not counted twice). Equal to :func:`score_node` when no stage is expanded."""
    return score_counts(Scorer(plan).phase_total(node))


def merged_score(plan: Plan, phases: Sequence[PhaseNode]) -> Score:
    """The score the text of ``phases`` would have as one phase (the review's merge estimate): tasks,
    lines, test lines, code blocks and stages add up; files and risk terms are united; dependencies
    are those of the phases on phases outside the group."""
    return score_counts(Scorer(plan).merged(phases))


__all__ = [
    "Analysis",
    "Item",
    "Recommendation",
    "Thresholds",
    "analyze_plan",
    "analyze_with",
    "merged_score",
    "score_node",
    "score_phase_total",
    "score_section",
]
