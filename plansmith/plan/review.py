"""Hierarchy review: is the plan's tree in good shape, and what comes after the current recommendations?

``review_plan`` looks at four things, all derived from :mod:`plansmith.plan.complexity` scores:

balance
    The spread of the phases' whole-phase scores (a phase with expanded stages counts its stage files
    too, see :func:`~plansmith.plan.complexity.score_phase_total`): min, max, mean and a verdict.
    The plan is ``unbalanced`` when the heaviest and the lightest phase are further apart than the dead
    band (``max - min > expand - collapse``, 4.0 by default): one phase is then "expand-worthy" while
    another is "collapse-worthy" on the same scale. ``balanced`` otherwise; ``empty`` with no phases.

recommended now
    The analysis's own recommendations (an inline item scoring ``>= expand``, an expanded one scoring
    ``<= collapse``), so that the review and ``analyze`` tell one story: "still complex" below is only
    about items that were expanded already.

still complex
    Expanded items that still score ``>= expand`` on their own file. For a phase, its inline stages
    scoring ``>= expand`` are listed heaviest first (expand those); when it has none, the advice is
    to split the phase into stages. An expanded stage cannot go deeper: the advice is to split it.

merge candidates
    Runs of consecutive inline phases that are each ``<= collapse``, have the same status, and have no
    dependency between them other than the chain: each phase of the run depends on the one before it,
    or only on what the run's first phase already depends on (or on nothing). Two phases that could
    run in parallel after a common one (a diamond) are not merged. The run stops before the merged
    text would reach ``expand`` (so merging never triggers an expansion recommendation).

second round
    What would be recommended once the current recommendations are applied: the inline stages of a
    phase recommended for expansion that score ``>= expand`` (expansion moves the text unchanged, so
    their scores stay the same and they become expandable).
"""

from __future__ import annotations

from dataclasses import dataclass

from plansmith.plan.complexity import Analysis, Item, Thresholds
from plansmith.plan.complexity import MergedPhases as _MergedPhases
from plansmith.plan.complexity import Scorer as _Scorer
from plansmith.plan.complexity import analyze_with as _analyze
from plansmith.plan.complexity import score_counts as _finish
from plansmith.plan.ids import ItemId, id_json, item_name
from plansmith.plan.model import PhaseNode, Plan


@dataclass(frozen=True, slots=True)
class Balance:
    phases: int
    min: float | None
    max: float | None
    mean: float | None  # one decimal
    spread: float | None  # max - min, one decimal
    verdict: str  # "balanced", "unbalanced" or "empty"
    heaviest: str | None  # phase id
    lightest: str | None
    scores: dict[str, float]  # phase id -> whole-phase score

    def as_json(self) -> dict[str, object]:
        return {
            "phases": self.phases,
            "min": self.min,
            "max": self.max,
            "mean": self.mean,
            "spread": self.spread,
            "verdict": self.verdict,
            "heaviest": self.heaviest,
            "lightest": self.lightest,
            "scores": dict(self.scores),
        }


@dataclass(frozen=True, slots=True)
class Recommended:
    id: str
    kind: str  # "phase" or "stage"
    score: float
    recommendation: str  # "expand" or "collapse", as ``analyze`` says
    message: str

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "score": self.score,
            "recommendation": self.recommendation,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class StillComplex:
    id: str
    kind: str  # "phase" or "stage"
    path: str
    score: float
    stages: tuple[tuple[str, float], ...]  # inline stages to expand (id, score), heaviest first
    message: str

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "path": self.path,
            "score": self.score,
            "stages": [{"id": i, "score": s} for i, s in self.stages],
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class MergeCandidate:
    phases: tuple[ItemId, ...]
    scores: tuple[float, ...]
    combined: float  # the score of the merged text
    message: str

    def as_json(self) -> dict[str, object]:
        return {
            "phases": [p.as_json() for p in self.phases],
            "scores": list(self.scores),
            "combined": self.combined,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class SecondRound:
    id: str
    kind: str
    phase: ItemId
    stage: ItemId | None
    score: float
    recommendation: str
    after: str  # the first-round operation that makes it possible, e.g. "expand phase_3"
    message: str

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "phase": self.phase.as_json(),
            "stage": id_json(self.stage),
            "score": self.score,
            "recommendation": self.recommendation,
            "after": self.after,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class Review:
    plan: str
    thresholds: Thresholds
    analysis: Analysis
    balance: Balance
    recommended: tuple[Recommended, ...]
    still_complex: tuple[StillComplex, ...]
    merge_candidates: tuple[MergeCandidate, ...]
    second_round: tuple[SecondRound, ...]

    def as_json(self) -> dict[str, object]:
        """The ``plansmith review --json`` document."""
        return {
            "plan": self.plan,
            "balance": self.balance.as_json(),
            "recommended": [x.as_json() for x in self.recommended],
            "still_complex": [x.as_json() for x in self.still_complex],
            "merge_candidates": [x.as_json() for x in self.merge_candidates],
            "second_round": [x.as_json() for x in self.second_round],
        }


def _balance(plan: Plan, t: Thresholds, scorer: _Scorer) -> Balance:
    scores = {p.id: _finish(scorer.phase_total(p)).score for p in plan.phases}
    if not scores:
        return Balance(0, None, None, None, None, "empty", None, None, {})
    values = list(scores.values())
    lo, hi = min(values), max(values)
    spread = round(hi - lo, 1)
    verdict = "unbalanced" if spread > t.expand - t.collapse else "balanced"
    heaviest = next(k for k, v in scores.items() if v == hi)
    lightest = next(k for k, v in scores.items() if v == lo)
    mean = round(sum(values) / len(values), 1)
    return Balance(len(values), lo, hi, mean, spread, verdict, heaviest, lightest, scores)


def _recommended(analysis: Analysis) -> list[Recommended]:
    out: list[Recommended] = []
    for it in analysis.items:
        if it.recommendation not in ("expand", "collapse"):
            continue
        name = f"phase {it.phase}" if it.stage is None else f"stage {it.stage} of phase {it.phase}"
        where = "inline" if not it.expanded else "expanded"
        message = f"{name} ({where}) scores {it.score:.1f}: {it.recommendation} it"
        out.append(Recommended(it.id, it.kind, it.score, it.recommendation, message))
    return out


def _still_complex(analysis: Analysis, t: Thresholds) -> list[StillComplex]:
    out: list[StillComplex] = []
    # Inline stages scoring >= expand, by phase, in plan order: once, not a scan per phase (issue 18).
    complex_stages: dict[ItemId, list[Item]] = {}
    for s in analysis.items:
        if s.kind == "stage" and not s.expanded and s.score >= t.expand:
            complex_stages.setdefault(s.phase, []).append(s)
    for it in analysis.items:
        if not it.expanded or it.score < t.expand:
            continue
        if it.kind == "stage":
            out.append(
                StillComplex(
                    id=it.id,
                    kind=it.kind,
                    path=it.path,
                    score=it.score,
                    stages=(),
                    message=f"stage {it.stage} of phase {it.phase} is expanded but still scores "
                    f"{it.score:.1f}; consider splitting it into smaller stages",
                )
            )
            continue
        stages = sorted(
            complex_stages.get(it.phase, ()), key=lambda s: (-s.score, (s.stage or ItemId(0)).key)
        )
        if stages:
            names = ", ".join(f"stage {s.stage} ({s.score:.1f})" for s in stages)
            message = f"phase {it.phase} is expanded but still scores {it.score:.1f}; expand {names}"
        else:
            message = (
                f"phase {it.phase} is expanded but still scores {it.score:.1f} and has no stage scoring "
                f">= {t.expand:.1f}; consider splitting it into stages"
            )
        out.append(
            StillComplex(it.id, it.kind, it.path, it.score, tuple((s.id, s.score) for s in stages), message)
        )
    return out


def _mergeable(run: list[PhaseNode], nxt: PhaseNode) -> bool:
    """``nxt`` may join ``run`` when the only dependency between them is the chain: ``nxt`` depends
    on the run's last phase, or only on what the run's first phase already waits for (or nothing)."""
    return set(nxt.dependencies) <= {run[-1].number} | set(run[0].dependencies)


def _merge_candidates(analysis: Analysis, t: Thresholds, scorer: _Scorer) -> list[MergeCandidate]:
    scores = {it.id: it.score for it in analysis.items if it.kind == "phase"}

    def simple(p: PhaseNode) -> bool:
        return not p.expanded and scores[p.id] <= t.collapse

    out: list[MergeCandidate] = []
    assert scorer.plan is not None
    phases = list(scorer.plan.phases)
    i = 0
    while i < len(phases):
        first = phases[i]
        if not simple(first):
            i += 1
            continue
        run = [first]
        group = _MergedPhases(scorer)  # the run so far, grown without measuring it again
        group.add(first)
        combined = scores[first.id]
        j = i + 1
        while j < len(phases):
            nxt = phases[j]
            if not simple(nxt) or nxt.status != first.status or not _mergeable(run, nxt):
                break
            together = _finish(group.counts(nxt)).score
            if together >= t.expand:
                break
            run.append(nxt)
            group.add(nxt)
            combined = together
            j += 1
        if len(run) > 1:
            numbers = tuple(p.number for p in run)
            listed = ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"
            out.append(
                MergeCandidate(
                    numbers,
                    tuple(scores[p.id] for p in run),
                    combined,
                    f"consider merging phases {listed} (each <= {t.collapse:.1f}; together {combined:.1f})",
                )
            )
        i = j if len(run) > 1 else i + 1
    return out


def _second_round(analysis: Analysis, t: Thresholds) -> list[SecondRound]:
    expanding = {it.phase for it in analysis.items if it.kind == "phase" and it.recommendation == "expand"}
    out: list[SecondRound] = []
    for it in analysis.items:
        if it.kind != "stage" or it.phase not in expanding or it.expanded or it.score < t.expand:
            continue
        out.append(
            SecondRound(
                id=it.id,
                kind="stage",
                phase=it.phase,
                stage=it.stage,
                score=it.score,
                recommendation="expand",
                after=f"expand {item_name(it.phase)}",
                message=f"after expanding phase {it.phase}, stage {it.stage} ({it.score:.1f}) is worth "
                "expanding too",
            )
        )
    return out


def review_plan(plan: Plan, thresholds: Thresholds | None = None) -> Review:
    """Review the shape of ``plan``'s tree (see the module docstring)."""
    t = thresholds if thresholds is not None else Thresholds()
    scorer = _Scorer(plan)
    analysis = _analyze(plan, t, scorer)
    return Review(
        plan=plan.main_path,
        thresholds=t,
        analysis=analysis,
        balance=_balance(plan, t, scorer),
        recommended=tuple(_recommended(analysis)),
        still_complex=tuple(_still_complex(analysis, t)),
        merge_candidates=tuple(_merge_candidates(analysis, t, scorer)),
        second_round=tuple(_second_round(analysis, t)),
    )


__all__ = [
    "Balance",
    "MergeCandidate",
    "Recommended",
    "Review",
    "SecondRound",
    "StillComplex",
    "review_plan",
]
