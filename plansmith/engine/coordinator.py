"""One run of expand/collapse: committed plan -> operations -> coordinator -> commit -> proposal.

Operations are computed in parallel by the runner (each on the base content, with timeouts,
retries and partial-failure handling); one coordinator then applies the successful ones in order,
recomputes metadata, validates and commits in the scratch worktree. The user's working tree, index,
HEAD and branches are never written; the result is a proposal branch.

This module reads the request (committed plan, analysis, items, pre-run checks, dry run, confirmation)
and reports the result; the confirmed run itself is :mod:`plansmith.engine.apply_run`, the types are in
:mod:`plansmith.engine.items` (re-exported here). It must not write files or git state itself.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from typing import TYPE_CHECKING, Literal, TextIO

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
from plansmith.render.analysis_table import analysis_text

if TYPE_CHECKING:
    from plansmith.engine.progress import ProgressSink
    from plansmith.git_backend.repo import RepoPaths
    from plansmith.plan.model import Plan
    from plansmith.workspace import Workspace

__all__ = [
    "TRANSFORMS",
    "ItemResult",
    "OperationRequest",
    "RunItem",
    "RunOutcome",
    "Verb",
    "apply_item",
    "ask_on_failure",
    "choose_items",
    "confirm",
    "run_request",
]


def run_request(
    ws: Workspace,
    request: OperationRequest,
    *,
    out: TextIO | None,
    show_analysis: Callable[[Analysis], None] | None = None,
) -> RunOutcome:
    """Run one request; ``out``: lines for people (None: silent). ``show_analysis`` shows the analysis
    before the prompt (default: the plain table on ``out``; the terminal layer draws it to fit)."""
    # Each text parsed once in the run, however often it is read; and no cyclic garbage collection
    # while it runs: plans make no cycles, but the collector walked the whole plan again and again
    # (2 of 10 s of an expand of a 100,000-phase plan, issue 18). Both end with the run.
    with documents_held(), collector_paused():
        return _run_request(ws, request, out=out, show_analysis=show_analysis)


def _run_request(
    ws: Workspace,
    request: OperationRequest,
    *,
    out: TextIO | None,
    show_analysis: Callable[[Analysis], None] | None,
) -> RunOutcome:
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
    thresholds = settings.thresholds.for_analysis()
    analysis = analyze_plan(plan, thresholds)
    items, left_alone = _items_of(repo, loc, plan, analysis, request)
    outcome = RunOutcome(plan=loc.main_path, dry_run=request.dry_run, left_alone=left_alone)
    for reason in left_alone:
        _say(out, f"left alone: {reason}")
    if not items:
        _say(out, f"nothing to {request.operation} in {loc.main_path}")
        return outcome
    if request.auto and rejected_before(repo, loc, files):
        outcome.skipped = REJECTED
        _say(out, f"skipped {loc.main_path}: {REJECTED}")
        return outcome
    _warn_uncommitted(ws, loc, out)
    if out is not None:
        if show_analysis is not None:
            show_analysis(analysis)
        else:
            out.write(analysis_text(analysis) + "\n")
        out.write(f"\n{request.operation}: {', '.join(i.id for i in items)}\n")
    if request.dry_run:
        return _dry_run(files, loc, request.operation, items, outcome, out)
    if not request.assume_yes and not _confirm(request):
        _say(out, "nothing changed")
        return outcome
    decide = _asker(request.progress) if request.interactive else None
    start = RunStart(ws, repo, request, files, loc, analysis, plan_id=ref.id, decide=decide, out=out)
    execute(start, items, outcome)
    _report(out, outcome)
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


def ask_on_failure(
    outcome: OpOutcome, pause: Callable[[], AbstractContextManager[object]] = nullcontext
) -> Literal["retry", "skip", "abort"]:
    """At a terminal, ask what to do with an operation that failed all its attempts. ``pause`` holds a
    live progress view still while the question is on the screen."""
    with pause():
        print(f"{outcome.op_id} failed: {outcome.error}", file=sys.stderr)
        while True:
            answer = input("[r]etry, [s]kip it, or [a]bort the run? ").strip().lower()[:1]
            if answer in ("r", "s", "a"):
                return {"r": "retry", "s": "skip", "a": "abort"}[answer]  # type: ignore[return-value]


def _asker(progress: ProgressSink | None) -> Callable[[OpOutcome], Literal["retry", "skip", "abort"]]:
    """:func:`ask_on_failure`, pausing the sink's live view if it has one (a ``paused()`` method)."""
    pause = getattr(progress, "paused", None)
    return ask_on_failure if pause is None else partial(ask_on_failure, pause=pause)


def _say(out: TextIO | None, text: str) -> None:
    if out is not None:
        out.write(text + "\n")


def _confirm(request: OperationRequest) -> bool:
    return confirm(request.interactive)


def confirm(
    interactive: bool, hint: str = "pass --yes to proceed without the prompt (or --dry-run to look first)"
) -> bool:
    """Ask ``Proceed? [y/N]``; refuse (no prompt that nobody can answer) without a terminal."""
    if not interactive:
        raise ConfirmationRequired("confirmation needed but standard input is not a terminal", hint=hint)
    answer = input("Proceed? [y/N] ").strip().lower()
    return answer in ("y", "yes")


def _warn_uncommitted(ws: Workspace, loc: PlanLocation, out: TextIO | None) -> None:
    scope = loc.folder or loc.main_path
    dirty = [e.path for e in worktree_status(ws.require_repo(), [scope])]
    if dirty:
        print(
            f"plansmith: warning: uncommitted changes in {', '.join(dirty[:3])} are not included; "
            "the proposal is made from the committed plan",
            file=sys.stderr,
        )


def _dry_run(
    files: dict[str, str],
    loc: PlanLocation,
    verb: Verb,
    items: list[RunItem],
    outcome: RunOutcome,
    out: TextIO | None,
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
            _say(out, f"  would be {kind}: {path}")
    _say(out, "dry run: nothing was changed")
    return outcome


def _report(out: TextIO | None, outcome: RunOutcome) -> None:
    if out is None:
        return
    for op in outcome.operations:
        mark = {"success": "ok", "failed": "FAILED", "skipped": "skipped"}[op.status]
        line = f"  {mark:<7} {op.operation} {op.item}"
        out.write(line + (f": {op.error}" if op.error else "") + "\n")
    if outcome.proposal is None:
        out.write("no proposal was made\n")
        return
    p = outcome.proposal
    out.write(f"\nproposal {p.id} on branch {p.branch} ({p.commit[:10]})\n")
    for move in outcome.moves:
        out.write(f"  {move}\n")
    if outcome.merged:
        out.write("merged into the current branch\n")
    else:
        out.write(f"  approve: plansmith proposals approve {p.id}   (or: git merge {p.branch})\n")
        out.write(f"  reject:  plansmith proposals reject {p.id}    (or: git branch -D {p.branch})\n")
