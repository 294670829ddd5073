"""The confirmed part of an expand/collapse run: operations in parallel, applied in order, one proposal.

Each round runs its operations with the parallel runner on the same base content, then this one
coordinator applies the successful ones in order on top of each other (the main plan and its metadata
are shared), writes an artifact per item, optionally lets an agent elaborate the new files, validates
the result and publishes it through :mod:`plansmith.engine.publish`. It must not write the user's
working tree, index, HEAD or branches (only ``--merge``, through ``approve.approve``), and must not
print anything itself: it reports through the request's progress sink (each operation) and its run
events (a second round, an agent's warnings).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from plansmith.engine import artifacts, publish
from plansmith.engine.elaborate import Elaboration, created_child, elaborate_all
from plansmith.engine.items import (
    ItemResult,
    OperationRequest,
    ProposalRef,
    RunItem,
    RunOutcome,
    apply_item,
    choose_items,
)
from plansmith.engine.progress import RunSummary
from plansmith.engine.runner import AttemptContext, Operation, OpOutcome, RunResult, run_operations
from plansmith.errors import PlansmithError
from plansmith.git_backend.approve import approve as approve_proposal
from plansmith.git_backend.messages import proposal_message, proposal_trailers
from plansmith.git_backend.repo import resolve_commit
from plansmith.git_backend.worktree import ScratchWorktree
from plansmith.plan.complexity import Analysis, analyze_plan
from plansmith.plan.complexity.analysis import analyze_phases
from plansmith.plan.layout import PlanLocation, build_plan, collector_paused
from plansmith.plan.mermaid import drawn_phases
from plansmith.plan.model import Plan
from plansmith.plan.progress import sync_edits
from plansmith.plan.transforms import Change
from plansmith.plan.validate import new_errors, validate_plan
from plansmith.run_events import AgentWarned, SecondRoundStarted

if TYPE_CHECKING:
    from plansmith.git_backend.repo import RepoPaths
    from plansmith.workspace import Workspace

Decide = Callable[[OpOutcome], Literal["retry", "skip", "abort"]]


@dataclass(frozen=True)
class RunStart:
    """What a confirmed run starts from: the workspace, the committed plan and its analysis, the request
    (which says where to report), and how to ask about a failed operation (``decide``)."""

    ws: Workspace
    repo: RepoPaths
    request: OperationRequest
    files: dict[str, str]  # the plan's committed files (the base every change is made against)
    loc: PlanLocation
    analysis: Analysis
    plan_id: str | None = None
    decide: Decide | None = None


@dataclass
class PlanRun:
    """One confirmed run: what it started from and what it has applied so far."""

    start: RunStart
    outcome: RunOutcome
    run_dir: Path
    base: str
    applied: list[RunItem] = field(default_factory=list)
    children: dict[str, str] = field(default_factory=dict)  # item id -> the file its expansion created
    results: list[RunResult] = field(default_factory=list)


def execute(start: RunStart, items: list[RunItem], outcome: RunOutcome) -> RunOutcome:
    """Run ``items``, apply what succeeded, publish one proposal (none when nothing applies)."""
    ws, repo, request, plan_id = start.ws, start.repo, start.request, start.plan_id
    run_dir = artifacts.new_run_dir(repo.state_dir / "runs", request.operation)
    base = resolve_commit(repo, "HEAD")
    run = PlanRun(start, outcome, run_dir, base)
    current, cur_loc = run_rounds(run, items)
    if request.agent and request.operation == "expand" and run.applied:
        current, cur_loc = elaborate(run, current, cur_loc)
    outcome.summary = _summary(run.results)
    after = build_plan(current, cur_loc)  # once: validation and the proposal message both read it
    if not _keep_if_valid(run, current, after):
        return outcome
    synced = _synced_markers(after, current) if request.sync else {}
    if synced:
        current = {**current, **synced}
        after = build_plan(current, cur_loc)
    _commit_and_publish(run, current, after, plan_id)
    if synced:
        outcome.moves.append(f"status markers made true in {', '.join(sorted(synced))}")
    if not outcome.failed:
        artifacts.cleanup(run_dir, keep_on_failure=True)
    if request.merge and outcome.proposal is not None:
        approve_proposal(repo, outcome.proposal.id, prefix=ws.settings.proposal_prefix)
        outcome.merged = True
    return outcome


def run_rounds(run: PlanRun, items: list[RunItem]) -> tuple[dict[str, str], PlanLocation]:
    """The first round, and with ``--auto-analysis`` a second one for the stages of phases expanded
    just now that are still too complex (the hierarchy review)."""
    current, cur_loc = run_round(run, items, run.start.files, run.start.loc)
    if run.start.request.auto and run.start.request.operation == "expand" and run.applied:
        again = analyze_plan(build_plan(current, cur_loc), run.start.analysis.thresholds)
        tried = {i.id for i in items}
        second = [i for i in choose_items(again, "expand") if i.id not in tried]
        if second:
            run.start.request.run_events(SecondRoundStarted(tuple(i.id for i in second)))
            current, cur_loc = run_round(run, second, current, cur_loc)
    return current, cur_loc


def run_round(
    run: PlanRun, items: list[RunItem], base_files: dict[str, str], base_loc: PlanLocation
) -> tuple[dict[str, str], PlanLocation]:
    """Operations in parallel on ``base_files``, then applied in order by this one coordinator."""
    verb = run.start.request.operation
    settings = run.start.ws.settings

    def make_op(item: RunItem) -> Operation:
        def op(ctx: AttemptContext) -> OpOutcome:
            del ctx
            return OpOutcome.ok(apply_item(base_files, base_loc, verb, item))

        return Operation(item.id, op)

    result = run_operations(
        [make_op(i) for i in items],
        max_parallel=settings.max_parallel,
        timeout_s=settings.retry.base_timeout_s,
        factor=settings.retry.factor,
        max_attempts=settings.retry.max_attempts,
        decide_on_failure=run.start.decide,
        progress=None if run.start.request.agent and verb == "expand" else run.start.request.progress,
    )
    run.results.append(result)
    current, cur_loc = base_files, base_loc
    for item in items:
        current, cur_loc = _apply_one(run, item, result.outcome(item.id), current, cur_loc, base_files)
    return current, cur_loc


def _computed_on(op_outcome: OpOutcome, current: dict[str, str], base_files: dict[str, str]) -> Change | None:
    """The operation's own change when nothing was applied before it (the same pure transform on the
    same files: computing it again cost a parse of the whole plan, issue 18)."""
    value = op_outcome.value
    return value if current is base_files and isinstance(value, Change) else None


def _apply_one(
    run: PlanRun,
    item: RunItem,
    op_outcome: OpOutcome,
    current: dict[str, str],
    cur_loc: PlanLocation,
    base_files: dict[str, str],
) -> tuple[dict[str, str], PlanLocation]:
    """Apply one computed item on top of the earlier ones and write its artifact."""
    verb = run.start.request.operation
    status, error = op_outcome.status, op_outcome.error
    change: Change | None = None
    if status == "success":
        try:  # apply on top of the earlier items: the main plan and metadata are shared
            change = _computed_on(op_outcome, current, base_files) or apply_item(current, cur_loc, verb, item)
            current, cur_loc = change.files, change.location
            run.applied.append(item)
            child = created_child(change.created, stage=item.stage is not None)
            if child is not None:
                run.children[item.id] = child
        except PlansmithError as exc:
            status, error = "failed", exc.message
    record = artifacts.record_for(
        verb,
        item.id,
        op_outcome if status == op_outcome.status else OpOutcome.fail(error or "failed"),
        files_created=change.created if change else (),
        files_modified=change.modified if change else (),
    )
    path = artifacts.write_artifact(run.run_dir, record)
    run.outcome.operations.append(ItemResult(item.id, verb, status, str(path), error))
    return current, cur_loc


def _synced_markers(after: Plan, current: dict[str, str]) -> dict[str, str]:
    """The files whose markers a sync changes on top of the run's result (``after``, built from
    ``current``): only items whose boxes are all ticked, so the same proposal carries the expansion and
    the marker (issue 20)."""

    return sync_edits(after, current, only_done=True)


def _summary(results: list[RunResult]) -> RunSummary | None:
    """The runs of this request as one summary (the agent round dominates when there is one)."""
    if not results:
        return None
    parts = [r.summary() for r in results]
    return RunSummary(
        total=parts[0].total,
        successful=parts[-1].successful,
        failed=parts[-1].failed,
        wall_s=sum(p.wall_s for p in parts),
        sequential_s=sum(p.sequential_s for p in parts),
    )


def _keep_if_valid(run: PlanRun, current: dict[str, str], after_plan: Plan) -> bool:
    """Whether there is something valid to publish; a result with new problems fails every item."""
    with collector_paused():  # the collector walking a big plan's objects was half of validating it
        after = validate_plan(after_plan) if run.applied else []
        # The plan's problems from before the run matter only when the result has errors (seconds on
        # a 100,000-phase plan, issue 18).
        errors_after = any(p.is_error for p in after)
        before = validate_plan(build_plan(run.start.files, run.start.loc)) if errors_after else []
    untouched = {path for path, text in run.start.files.items() if current.get(path) == text}
    # A problem is the run's doing only if it is a new error and about a file the run wrote.
    new_problems = [p for p in new_errors(before, after) if p.path not in untouched]
    if new_problems:
        for res in run.outcome.operations:
            if res.status == "success":
                res.status, res.error = "failed", "the result did not validate: " + new_problems[0].render()
        run.applied = []
    return bool(run.applied)


def _commit_and_publish(run: PlanRun, current: dict[str, str], after: Plan, plan_id: str | None) -> None:
    settings, verb, loc = run.start.ws.settings, run.start.request.operation, run.start.loc
    ids = [i.id for i in run.applied]
    message, run.outcome.moves = proposal_message(
        verb,
        ids,
        loc.name,
        build_plan(run.start.files, loc),
        run.start.analysis,
        after,
        # only what the message shows: a big plan's trees are cut (issue 18)
        analyze_phases(after, run.start.analysis.thresholds, drawn_phases(after, ids)),
    )
    trailers = proposal_trailers(
        plan=loc.main_path, operation=verb, items=ids, base=run.base, run=run.run_dir.name
    )
    proposal = publish.commit_and_publish(
        run.start.repo,
        ScratchWorktree.ensure(run.start.repo, run.start.ws.plan_roots),
        publish.ProposalCommit(
            base=run.base,
            before=run.start.files,
            after=current,
            message=message,
            author=settings.commit.author,
            trailers=trailers,
            checkpoint=(plan_id or loc.name, verb, ids),
            prefix=settings.proposal_prefix,
            plan_id=plan_id,
            base_branch=run.start.request.base_branch,
        ),
    )
    run.outcome.proposal = ProposalRef.of(proposal)


def elaborate(
    run: PlanRun, current: dict[str, str], cur_loc: PlanLocation
) -> tuple[dict[str, str], PlanLocation]:
    """Let the agent rewrite each new file; keep what it passes, drop items whose required agent failed."""
    request = run.start.request
    assert request.agent is not None
    jobs = [
        Elaboration(
            item.id, run.children[item.id], current[run.children[item.id]].splitlines()[0].lstrip("# ")
        )
        for item in run.applied
        if item.id in run.children
    ]
    results, agent_run = elaborate_all(
        run.start.ws.settings,
        request.agent,
        request.agent_required,
        cur_loc.main_path,
        current,
        jobs,
        run.run_dir / "work",
        progress=request.progress,
    )
    run.results.append(agent_run)
    failed = {item for item, r in results.items() if r.failed is not None}
    for res in run.outcome.operations:
        r = results.get(res.item)
        if r is not None:
            _merge_elaboration(run, res, r.warnings, r.failed, r.details)
    kept = [item for item in run.applied if item.id not in failed]
    if failed:  # rebuild without the items whose required elaboration failed
        current, cur_loc = run.start.files, run.start.loc
        for item in kept:
            change = apply_item(current, cur_loc, "expand", item)
            current, cur_loc = change.files, change.location
    for item in kept:
        r = results.get(item.id)
        if r is not None and r.text is not None:
            current = dict(current, **{run.children[item.id]: r.text})
    run.applied = kept
    return current, cur_loc


def _merge_elaboration(
    run: PlanRun, res: ItemResult, warnings: list[str], failed: str | None, details: dict[str, object]
) -> None:
    """Fold an item's elaboration into its result and its artifact record."""
    res.warnings.extend(warnings)
    for warning in warnings:
        run.start.request.run_events(AgentWarned(res.item, warning))
    if failed is not None:
        res.status, res.error = "failed", f"agent {run.start.request.agent}: {failed}"
    if res.artifact is not None:
        record = artifacts.read_artifact(Path(res.artifact))
        status = "failed" if failed is not None else record.status
        updated = replace(
            record,
            status=status,
            error=res.error,
            warnings=tuple(res.warnings),
            details=dict(record.details) | details,
        )
        artifacts.write_artifact(run.run_dir, updated)
