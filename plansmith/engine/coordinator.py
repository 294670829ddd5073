"""One run of expand/collapse: committed plan -> operations -> coordinator -> commit -> proposal.

Operations are computed in parallel by the runner (each on the base content, with timeouts,
retries and partial-failure handling); one coordinator then applies the successful ones in order,
recomputes metadata, validates and commits in the scratch worktree. The user's working tree, index,
HEAD and branches are never written; the result is a proposal branch.

This module reads the request (committed plan, analysis, items, pre-run checks, dry run, confirmation)
and reports the result; the confirmed run itself is :mod:`plansmith.engine.apply_run`, the types are in
:mod:`plansmith.engine.items` (re-exported here). It must not write files or git state itself, and
never writes to a person or reads from one: it tells what happened as run events
(:mod:`plansmith.run_events`) and asks through the callables the shell put in the request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from plansmith import discovery
from plansmith.engine.apply_run import RunStart, execute
from plansmith.engine.items import (
    TRANSFORMS,
    ItemResult,
    OperationRequest,
    RunItem,
    RunOutcome,
    Verb,
    apply_item,
    choose_items,
    in_apply_order,
    unique_items,
)
from plansmith.engine.preflight import (
    REJECTED,
    rejected_before,
    require_item,
    require_item_state,
    require_usable_name,
)
from plansmith.engine.runner import OpOutcome
from plansmith.engine.structure_decisions import leave_decided_alone
from plansmith.errors import ConfirmationRequired, PlansmithError
from plansmith.git_backend.repo import worktree_status
from plansmith.plan.complexity import Analysis, analyze_plan
from plansmith.plan.layout import PlanLocation, build_plan, collector_paused, documents_held, plan_files
from plansmith.run_events import (
    AnalysisReady,
    ItemReported,
    LeftAlone,
    NothingChanged,
    NothingToDo,
    OperationFailed,
    Planned,
    ProposalMade,
    RunFinished,
    SkippedRejected,
    UncommittedLeftOut,
    WouldChange,
)

if TYPE_CHECKING:
    from plansmith.git_backend.repo import RepoPaths
    from plansmith.plan.model import Plan
    from plansmith.run_events import Confirm, Decide, FailureChoice, RunEventSink
    from plansmith.workspace import Workspace

__all__ = [
    "TRANSFORMS",
    "ItemResult",
    "OperationRequest",
    "RunItem",
    "RunOutcome",
    "Verb",
    "apply_item",
    "choose_items",
    "confirm",
    "finished_event",
    "run_request",
]


def run_request(ws: Workspace, request: OperationRequest) -> RunOutcome:
    """Run one request; what happens is told as run events to ``request.run_events`` (the analysis, the
    items, a dry run's changes, the end of the run), the questions asked through ``request.confirm`` and
    ``request.decide``."""
    # Each text parsed once in the run, however often it is read; and no cyclic garbage collection
    # while it runs: plans make no cycles, but the collector walked the whole plan again and again
    # (2 of 10 s of an expand of a 100,000-phase plan, issue 18). Both end with the run.
    with documents_held(), collector_paused():
        return _run_request(ws, request)


def _run_request(ws: Workspace, request: OperationRequest) -> RunOutcome:
    repo = ws.require_repo()
    settings = ws.settings
    files = discovery.committed_texts(repo, ws.plan_roots, settings.limits.max_plan_bytes)
    refs = discovery.catalog(files, patterns=ws.plan_roots)
    ref = discovery.locate(refs, ws.plan_roots, request.plan, ws.rel_or_none(request.plan))
    if ref is None:
        raise discovery.unknown_plan(
            request.plan,
            refs,
            what="committed plan",
            hint="plansmith works on committed plans: commit the plan first (git add + git commit)",
        )
    loc = ref.location
    require_usable_name(loc)
    files = plan_files(files, loc)
    plan = build_plan(files, loc)
    analysis = analyze_plan(plan, settings.thresholds)
    items, left_alone = _items_of(repo, loc, plan, analysis, request)
    outcome = RunOutcome(plan=loc.main_path, dry_run=request.dry_run, left_alone=left_alone)
    tell = request.run_events
    for reason in left_alone:
        tell(LeftAlone(reason))
    if not items:
        tell(NothingToDo(request.operation, loc.main_path))
        return outcome
    if request.auto and rejected_before(repo, loc, files):
        outcome.skipped = REJECTED
        tell(SkippedRejected(loc.main_path, REJECTED))
        return outcome
    _warn_uncommitted(ws, loc, tell)
    tell(AnalysisReady(analysis))
    tell(Planned(request.operation, tuple(i.id for i in items)))
    if request.dry_run:
        return _dry_run(files, loc, request.operation, items, outcome, tell)
    if not request.assume_yes and not confirm(request.interactive, ask=request.confirm):
        tell(NothingChanged())
        return outcome
    decide = _runner_decide(request.decide) if request.interactive else None
    start = RunStart(ws, repo, request, files, loc, analysis, plan_id=ref.id, decide=decide)
    execute(start, items, outcome)
    tell(finished_event(outcome))
    return outcome


def _items_of(
    repo: RepoPaths, loc: PlanLocation, plan: Plan, analysis: Analysis, request: OperationRequest
) -> tuple[list[RunItem], list[str]]:
    """The items to run, and the recommended ones left alone because a person decided otherwise."""
    if request.auto:
        recommended = choose_items(analysis, request.operation)
        return leave_decided_alone(repo, loc, plan, analysis, recommended, request.operation)
    # An unknown item, or one in a wrong state, is refused here: no run folder, no ref, no artifact.
    named = request.items or ((request.phase or 0, request.stage),)
    items = in_apply_order(unique_items([RunItem(phase, stage) for phase, stage in named]), request.operation)
    for item in items:
        require_item(plan, item.phase, item.stage)
        require_item_state(plan, request.operation, item.phase, item.stage)
    return items, []


def _runner_decide(decide: Decide | None) -> Callable[[OpOutcome], FailureChoice] | None:
    """The person's answer to a failed operation, asked about the run's value (not the runner's)."""
    if decide is None:
        return None
    asked = decide
    return lambda failed: asked(OperationFailed(failed.op_id, failed.error))


CONFIRM_HINT = "pass --yes to proceed without the prompt (or --dry-run to look first)"


def confirm(interactive: bool, hint: str = CONFIRM_HINT, *, ask: Confirm | None = None) -> bool:
    """Whether the person says go ahead (``ask``: the shell's ``Proceed? [y/N]``); refused, not asked,
    without a terminal or without a way to ask (no prompt that nobody can answer)."""
    if not interactive or ask is None:
        raise ConfirmationRequired("confirmation needed but standard input is not a terminal", hint=hint)
    return ask()


def _warn_uncommitted(ws: Workspace, loc: PlanLocation, tell: RunEventSink) -> None:
    scope = loc.folder or loc.main_path
    dirty = [e.path for e in worktree_status(ws.require_repo(), [scope])]
    if dirty:
        tell(UncommittedLeftOut(tuple(dirty)))


def _dry_run(
    files: dict[str, str],
    loc: PlanLocation,
    verb: Verb,
    items: list[RunItem],
    outcome: RunOutcome,
    tell: RunEventSink,
) -> RunOutcome:
    current, cur_loc = files, loc
    created: set[str] = set()
    modified: set[str] = set()
    deleted: set[str] = set()
    for item in items:
        try:
            change = apply_item(current, cur_loc, verb, item)
        except PlansmithError as exc:
            outcome.operations.append(ItemResult(item.id, verb, "failed", error=exc.message))
            continue
        current, cur_loc = change.files, change.location
        created |= set(change.created)
        modified |= set(change.modified)
        deleted |= set(change.deleted)
        outcome.operations.append(ItemResult(item.id, verb, "skipped", error="dry run"))
    outcome.changes = {
        "created": sorted(created - deleted),
        "modified": sorted(modified - deleted - created),
        "deleted": sorted(deleted - created),
    }
    for kind, paths in outcome.changes.items():
        for path in paths:
            tell(WouldChange(kind, path))
    tell(NothingChanged(dry_run=True))
    return outcome


def finished_event(outcome: RunOutcome) -> RunFinished:
    """The end of a run as the event the person's report is drawn from."""
    items = tuple(ItemReported(op.item, op.operation, op.status, op.error) for op in outcome.operations)
    p = outcome.proposal
    proposal = None if p is None else ProposalMade(p.id, p.branch, p.commit)
    return RunFinished(items, proposal, tuple(outcome.moves), outcome.merged)
