"""What an expand/collapse run is asked and what it answers: requests, items, per-item results, outcomes.

Also the mapping from (verb, item) to the plan core's transform, so the coordinator, the run and the
dry run apply items the same way. This module must stay free of git, files and output: values only.
It must not run operations itself: the coordinator and the run do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from plansmith.engine.progress import ProgressSink, RunSummary
from plansmith.plan.complexity import Analysis
from plansmith.plan.ids import IdLike, item_id, item_name, natural_key
from plansmith.plan.layout import PlanLocation
from plansmith.plan.transforms import Change, collapse_phase, collapse_stage, expand_phase, expand_stage
from plansmith.run_events import Confirm, Decide, RunEventSink, ignore

if TYPE_CHECKING:
    from plansmith.git_backend.proposals import Proposal

Verb = Literal["expand", "collapse"]


@dataclass(frozen=True, slots=True)
class ProposalRef:
    """The proposal a run published, as runs report it; JSON only at the edge (:meth:`as_json`)."""

    id: str
    branch: str
    commit: str
    base: str

    @classmethod
    def of(cls, proposal: Proposal) -> ProposalRef:
        return cls(proposal.id, proposal.branch, proposal.commit, proposal.base)

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> ProposalRef | None:
        """The value back from a run state file (``None`` stays ``None``)."""
        if data is None:
            return None
        return cls(str(data["id"]), str(data["branch"]), str(data["commit"]), str(data["base"]))

    def as_json(self) -> dict[str, str]:
        return {"id": self.id, "branch": self.branch, "commit": self.commit, "base": self.base}


@dataclass(frozen=True)
class OperationRequest:
    plan: str
    operation: Verb
    phase: IdLike | None = None  # a phase id: 3, "2.5", "5a", "CF-1"
    stage: IdLike | None = None
    auto: bool = False
    dry_run: bool = False
    merge: bool = False
    assume_yes: bool = False
    interactive: bool = False
    agent: str | None = None
    agent_required: bool = False
    base_branch: str | None = None  # the proposal's base branch; default: the one checked out
    items: tuple[tuple[IdLike, IdLike | None], ...] = ()  # several named items (phase, stage) in one run
    sync: bool = False  # also make true the markers of items whose boxes are all ticked (docs/progress.md)
    progress: ProgressSink | None = field(default=None, compare=False)  # live events; None: nobody
    # The person's side (the shell fills them; the engine never prints or reads a terminal itself):
    run_events: RunEventSink = field(default=ignore, compare=False)  # what happened, for the report
    confirm: Confirm | None = field(default=None, compare=False)  # "Proceed?" (None: nobody to ask)
    decide: Decide | None = field(default=None, compare=False)  # retry/skip/abort a failed operation


@dataclass(frozen=True)
class RunItem:
    phase: IdLike
    stage: IdLike | None

    @property
    def id(self) -> str:
        return item_name(item_id(self.phase), None if self.stage is None else item_id(self.stage))


@dataclass
class ItemResult:
    item: str
    operation: str
    status: Literal["success", "failed", "skipped"]
    artifact: str | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "item": self.item,
            "operation": self.operation,
            "status": self.status,
            "artifact": self.artifact,
            "error": self.error,
        }


@dataclass
class RunOutcome:
    plan: str
    proposal: ProposalRef | None = None
    operations: list[ItemResult] = field(default_factory=list)
    merged: bool = False
    dry_run: bool = False
    changes: dict[str, list[str]] = field(default_factory=dict)
    skipped: str | None = None  # why nothing was run although there was something to do
    summary: RunSummary | None = None  # wall time against the sequential estimate, when operations ran
    moves: list[str] = field(default_factory=list)  # "phase 3 → specs/plans/001_x/phase_3_db.md", per item
    left_alone: list[str] = field(default_factory=list)  # recommended items a person decided otherwise

    @property
    def failed(self) -> int:
        return sum(1 for o in self.operations if o.status == "failed")

    @property
    def successful(self) -> int:
        return sum(1 for o in self.operations if o.status == "success")

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def as_json(self) -> dict[str, object]:
        doc: dict[str, object] = {
            "plan": self.plan,
            "proposal": None if self.proposal is None else self.proposal.as_json(),
            "operations": [o.as_json() for o in self.operations],
            "summary": {"total": len(self.operations), "successful": self.successful, "failed": self.failed},
            "merged": self.merged,
        }
        if self.dry_run:
            doc["dry_run"] = True
            doc["changes"] = self.changes
        if self.skipped is not None:
            doc["skipped"] = self.skipped
        if self.left_alone:
            doc["left_alone"] = self.left_alone
        return doc


TRANSFORMS: dict[tuple[Verb, bool], Callable[..., Change]] = {
    ("expand", False): expand_phase,
    ("expand", True): expand_stage,
    ("collapse", False): collapse_phase,
    ("collapse", True): collapse_stage,
}


def apply_item(files: Mapping[str, str], loc: PlanLocation, verb: Verb, item: RunItem) -> Change:
    transform = TRANSFORMS[(verb, item.stage is not None)]
    if item.stage is None:
        return transform(files, loc, item.phase)
    return transform(files, loc, item.phase, item.stage)


def choose_items(analysis: Analysis, verb: Verb) -> list[RunItem]:
    """Every recommended item, in the order the coordinator applies them (stages before phases when
    collapsing, so a phase is collapsed after the stages it holds)."""
    return in_apply_order(
        [RunItem(i.phase, i.stage) for i in analysis.items if i.recommendation == verb], verb
    )


def unique_items(items: list[RunItem]) -> list[RunItem]:
    """``items`` with each item once (first mention kept): ``phase_1`` named twice is one operation, not
    two operations on the same part of the plan."""
    seen: set[str] = set()
    kept = []
    for item in items:
        if item.id not in seen:
            seen.add(item.id)
            kept.append(item)
    return kept


def in_apply_order(items: list[RunItem], verb: Verb) -> list[RunItem]:
    """``items`` in the order the coordinator applies them: as given, but when collapsing stages first
    and phases from the last to the first, so a phase is collapsed after the stages it holds."""
    if verb == "collapse":
        # stages first, then phases from the last to the first (natural id order)
        return sorted(
            items,
            key=lambda it: (it.stage is not None, natural_key(it.phase), natural_key(it.stage or 0)),
            reverse=True,
        )
    return items
