"""One run of expand/collapse: committed plan -> operations -> coordinator -> commit -> proposal.

Operations are computed in parallel by the runner (each on the base content, with timeouts,
retries and partial-failure handling); one coordinator then applies the successful ones in order,
recomputes metadata, validates and commits in the scratch worktree. The user's working tree, index,
HEAD and branches are never written; the result is a proposal branch.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TextIO

from plansmith import discovery
from plansmith.engine import artifacts
from plansmith.engine.elaborate import Elaboration, created_child, elaborate_all
from plansmith.engine.preflight import REJECTED, rejected_before, require_item
from plansmith.engine.progress import ProgressSink, queued, runner_listener
from plansmith.engine.runner import AttemptContext, Operation, OpOutcome, run_operations
from plansmith.errors import ConfirmationRequired, ConflictError, PlanError, PlansmithError
from plansmith.plan.api import decode_files
from plansmith.plan.complexity import Analysis, Thresholds, analyze_plan
from plansmith.plan.ids import IdLike, item_id, item_name, natural_key
from plansmith.plan.layout import PlanLocation, build_plan, plan_files
from plansmith.plan.transforms import Change, collapse_phase, collapse_stage, expand_phase, expand_stage
from plansmith.plan.validate import validate_plan
from plansmith.terminal.text import analysis_text

if TYPE_CHECKING:
    from plansmith.git_backend.proposals import Proposal
    from plansmith.git_backend.repo import RepoPaths
    from plansmith.git_backend.worktree import ScratchWorktree
    from plansmith.workspace import Workspace

Verb = Literal["expand", "collapse"]


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


@dataclass(frozen=True)
class Item:
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
    proposal: dict[str, str] | None = None
    operations: list[ItemResult] = field(default_factory=list)
    merged: bool = False
    dry_run: bool = False
    changes: dict[str, list[str]] = field(default_factory=dict)
    skipped: str | None = None  # why nothing was run although there was something to do
    moves: list[str] = field(default_factory=list)  # "phase 3 → specs/plans/001_x/phase_3_db.md", per item

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
            "proposal": self.proposal,
            "operations": [o.as_json() for o in self.operations],
            "summary": {"total": len(self.operations), "successful": self.successful, "failed": self.failed},
            "merged": self.merged,
        }
        if self.dry_run:
            doc["dry_run"] = True
            doc["changes"] = self.changes
        if self.skipped is not None:
            doc["skipped"] = self.skipped
        return doc


TRANSFORMS: dict[tuple[Verb, bool], Callable[..., Change]] = {
    ("expand", False): expand_phase,
    ("expand", True): expand_stage,
    ("collapse", False): collapse_phase,
    ("collapse", True): collapse_stage,
}


def apply_item(files: Mapping[str, str], loc: PlanLocation, verb: Verb, item: Item) -> Change:
    transform = TRANSFORMS[(verb, item.stage is not None)]
    if item.stage is None:
        return transform(files, loc, item.phase)
    return transform(files, loc, item.phase, item.stage)


def choose_items(analysis: Analysis, verb: Verb) -> list[Item]:
    """Every recommended item, in the order the coordinator applies them (stages before phases when
    collapsing, so a phase is collapsed after the stages it holds)."""
    picked = [Item(i.phase, i.stage) for i in analysis.items if i.recommendation == verb]
    if verb == "collapse":
        # stages first, then phases from the last to the first (natural id order)
        picked.sort(
            key=lambda it: (it.stage is not None, natural_key(it.phase), natural_key(it.stage or 0)),
            reverse=True,
        )
    return picked


def committed_files(repo: RepoPaths, roots: str | Sequence[str], max_bytes: int) -> dict[str, str]:
    """The text of every file in a plan root at HEAD (``roots``: root patterns, or one folder)."""
    from plansmith import discovery

    texts, problems = decode_files(discovery.committed_files(repo, "HEAD", roots), max_bytes=max_bytes)
    del problems  # undecodable files elsewhere do not block this plan; its own are checked below
    return texts


def run_request(
    ws: Workspace,
    request: OperationRequest,
    *,
    out: TextIO | None,
    show_analysis: Callable[[Analysis], None] | None = None,
    progress: ProgressSink | None = None,
) -> RunOutcome:
    """Run one request; ``out``: lines for people (None: silent). ``show_analysis`` shows the analysis
    before the prompt (default: the plain table on ``out``; the terminal layer draws it to fit).
    ``progress`` receives an event whenever an operation is queued, starts, retries or ends."""
    repo = ws.require_repo()
    settings = ws.settings
    files = committed_files(repo, ws.plan_roots, settings.limits.max_plan_bytes)
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
    files = plan_files(files, loc)
    plan = build_plan(files, loc)
    thresholds = Thresholds(settings.thresholds.expand, settings.thresholds.collapse)
    analysis = analyze_plan(plan, thresholds)
    if request.auto:
        items = choose_items(analysis, request.operation)
    else:  # an item the plan does not have is refused here: no run folder, no worktree, no artifact
        items = [Item(request.phase or 0, request.stage)]
        require_item(plan, items[0].phase, items[0].stage)
    outcome = RunOutcome(plan=loc.main_path, dry_run=request.dry_run)
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
    return _execute(ws, repo, files, loc, request, items, analysis, outcome, out, progress, plan_id=ref.id)


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
    from plansmith.git_backend.repo import worktree_status

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
    items: list[Item],
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


def _execute(
    ws: Workspace,
    repo: RepoPaths,
    files: dict[str, str],
    loc: PlanLocation,
    request: OperationRequest,
    items: list[Item],
    analysis: Analysis,
    outcome: RunOutcome,
    out: TextIO | None,
    progress: ProgressSink | None = None,
    *,
    plan_id: str | None = None,
) -> RunOutcome:
    from plansmith.git_backend import checkpoints
    from plansmith.git_backend.repo import resolve_commit
    from plansmith.git_backend.worktree import ScratchWorktree

    settings = ws.settings
    verb = request.operation
    run_dir = artifacts.new_run_dir(repo.state_dir / "runs", verb)
    run_id = run_dir.name
    base = resolve_commit(repo, "HEAD")

    applied: list[Item] = []
    children: dict[str, str] = {}  # item id -> the file its expansion created

    def run_round(
        round_items: list[Item], base_files: dict[str, str], base_loc: PlanLocation
    ) -> tuple[dict[str, str], PlanLocation]:
        """Operations in parallel on ``base_files``, then applied in order by this one coordinator."""

        def make_op(item: Item) -> Operation:
            def op(ctx: AttemptContext) -> OpOutcome:
                return OpOutcome.ok(apply_item(base_files, base_loc, verb, item))

            return Operation(item.id, op)

        queued(progress, [i.id for i in round_items])
        result = run_operations(
            [make_op(i) for i in round_items],
            max_parallel=settings.max_parallel,
            timeout_s=settings.retry.base_timeout_s,
            factor=settings.retry.factor,
            max_attempts=settings.retry.max_attempts,
            decide_on_failure=_asker(progress) if request.interactive else None,
            on_event=runner_listener(progress) if progress is not None else None,
        )
        current, cur_loc = base_files, base_loc
        for item in round_items:
            op_outcome = result.outcome(item.id)
            status, error = op_outcome.status, op_outcome.error
            change: Change | None = None
            if status == "success":
                try:  # apply on top of the earlier items: the main plan and metadata are shared
                    change = apply_item(current, cur_loc, verb, item)
                    current, cur_loc = change.files, change.location
                    applied.append(item)
                    child = created_child(change.created, stage=item.stage is not None)
                    if child is not None:
                        children[item.id] = child
                except PlansmithError as exc:
                    status, error = "failed", exc.message
            record = artifacts.record_for(
                verb,
                item.id,
                op_outcome if status == op_outcome.status else OpOutcome.fail(error or "failed"),
                files_created=change.created if change else (),
                files_modified=change.modified if change else (),
            )
            path = artifacts.write_artifact(run_dir, record)
            outcome.operations.append(ItemResult(item.id, verb, status, str(path), error))
        return current, cur_loc

    current, cur_loc = run_round(items, files, loc)
    if request.auto and verb == "expand" and applied:
        # Hierarchy review, second round: stages of phases expanded just now that are still too complex.
        again = analyze_plan(build_plan(current, cur_loc), analysis.thresholds)
        tried = {i.id for i in items}
        second = [i for i in choose_items(again, "expand") if i.id not in tried]
        if second:
            _say(out, f"second round: {', '.join(i.id for i in second)}")
            current, cur_loc = run_round(second, current, cur_loc)

    if request.agent and verb == "expand" and applied:
        current, cur_loc, applied = _elaborate(
            ws, request, run_dir, files, loc, current, cur_loc, applied, children, outcome, progress
        )

    before = {p.code for p in validate_plan(build_plan(files, loc))}
    after = validate_plan(build_plan(current, cur_loc)) if applied else []
    untouched = {path for path, text in files.items() if current.get(path) == text}
    # A problem is the run's doing only if it is new and about a file the run wrote.
    new_problems = [p for p in after if p.code not in before and p.path not in untouched]
    if new_problems:
        for res in outcome.operations:
            if res.status == "success":
                res.status, res.error = "failed", "the result did not validate: " + new_problems[0].render()
        applied = []
    if not applied:
        _report(out, outcome, None)
        return outcome

    scratch = ScratchWorktree.ensure(repo, ws.plan_roots)
    with scratch.session():
        scratch.reset_to(base)
        checkpoint = checkpoints.create(
            repo, base, plan=plan_id or loc.name, operation=verb, items=[i.id for i in applied]
        )
        try:
            _write_changes(scratch.path, files, current)
            message = _message(loc, verb, applied, files, current, cur_loc, analysis)
            outcome.moves = message.moves
            commit = _commit(scratch, settings.commit.author, loc, verb, applied, base, run_id, message.text)
            proposal = _publish(repo, commit, settings.proposal_prefix, plan_id=plan_id)
        except BaseException:
            checkpoints.restore(scratch, checkpoint.id)
            raise
        checkpoints.delete(repo, checkpoint.id)
    outcome.proposal = {
        "id": proposal.id,
        "branch": proposal.branch,
        "commit": proposal.commit,
        "base": proposal.base,
    }
    if not outcome.failed:
        artifacts.cleanup(run_dir, keep_on_failure=True)
    if request.merge:
        from plansmith.git_backend import proposals

        proposals.approve(repo, proposal.id, prefix=settings.proposal_prefix)
        outcome.merged = True
    _report(out, outcome, settings.proposal_prefix)
    return outcome


def _write_changes(root: Path, before: Mapping[str, str], after: Mapping[str, str]) -> None:
    """Make the scratch worktree's plan files match ``after`` (paths come from the plan core, whose
    slugs cannot leave the plan folder; a resolved path outside the worktree is refused anyway)."""
    real_root = root.resolve()
    for path in sorted(set(before) - set(after)):
        target = root / path
        if target.resolve().is_relative_to(real_root) and target.exists():
            target.unlink()
            _prune_empty(target.parent, root)
    for path, text in after.items():
        if before.get(path) == text:
            continue
        target = root / path
        if not target.resolve().is_relative_to(real_root):
            raise PlanError(f"{path}: would be written outside the repository; refused", path=path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))


def _prune_empty(folder: Path, root: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


@dataclass(frozen=True)
class _Message:
    text: str  # subject, blank line, body (the trailers are added when committing)
    moves: list[str]


def _message(
    loc: PlanLocation,
    verb: Verb,
    items: list[Item],
    before: dict[str, str],
    after: dict[str, str],
    after_loc: PlanLocation,
    analysis: Analysis,
) -> _Message:
    """What moved where, the analysis before the change and the structure before and after (Mermaid)."""
    from plansmith.git_backend.messages import item_moves, proposal_body, proposal_subject
    from plansmith.plan.mermaid import structure_change_block

    ids = [i.id for i in items]
    before_plan, after_plan = build_plan(before, loc), build_plan(after, after_loc)
    after_analysis = analyze_plan(after_plan, analysis.thresholds)
    moves = item_moves(verb, ids, analysis, after_analysis)
    block = structure_change_block(before_plan, analysis, after_plan, after_analysis)
    body = proposal_body(moves, analysis_text(analysis), block)
    return _Message(f"{proposal_subject(verb, ids, loc.name)}\n\n{body}", moves)


def _commit(
    scratch: ScratchWorktree,
    author: str,
    loc: PlanLocation,
    verb: Verb,
    items: list[Item],
    base: str,
    run_id: str,
    message: str,
) -> str:
    from plansmith.git_backend.messages import proposal_trailers

    ids = [i.id for i in items]
    trailers = proposal_trailers(plan=loc.main_path, operation=verb, items=ids, base=base, run=run_id)
    return scratch.commit(message, author, trailers)


def _publish(repo: RepoPaths, commit: str, prefix: str, *, plan_id: str | None = None) -> Proposal:
    """Publish ``commit`` as the proposal of the plan ``plan_id`` (default: its main file's name)."""
    from plansmith.git_backend import proposals
    from plansmith.plan.roots import branch_component

    name = plan_id or proposals.plan_name_of(_trailer_plan(repo, commit))
    component = branch_component(name)
    existing = next((p for p in proposals.list_proposals(repo, prefix=prefix) if p.id == component), None)
    if existing is not None and existing.state == "edited":
        raise ConflictError(
            f"proposal {existing.id} has commits of yours on it; plansmith leaves it alone",
            hint=f"merge or delete branch {existing.branch}, then run again",
        )
    expected = existing.commit if existing else None
    return proposals.publish(repo, commit, expected=expected, prefix=prefix, plan_id=name)


def _trailer_plan(repo: RepoPaths, commit: str) -> str:
    from plansmith.git_backend.messages import TRAILER_PLAN
    from plansmith.git_backend.proposals import commit_trailers

    return commit_trailers(repo, commit)[TRAILER_PLAN]


def _report(out: TextIO | None, outcome: RunOutcome, prefix: str | None) -> None:
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
    out.write(f"\nproposal {p['id']} on branch {p['branch']} ({p['commit'][:10]})\n")
    for move in outcome.moves:
        out.write(f"  {move}\n")
    if outcome.merged:
        out.write("merged into the current branch\n")
    else:
        out.write(f"  approve: plansmith proposals approve {p['id']}   (or: git merge {p['branch']})\n")
        out.write(f"  reject:  plansmith proposals reject {p['id']}    (or: git branch -D {p['branch']})\n")


def _elaborate(
    ws: Workspace,
    request: OperationRequest,
    run_dir: Path,
    files: dict[str, str],
    loc: PlanLocation,
    current: dict[str, str],
    cur_loc: PlanLocation,
    applied: list[Item],
    children: dict[str, str],
    outcome: RunOutcome,
    progress: ProgressSink | None = None,
) -> tuple[dict[str, str], PlanLocation, list[Item]]:
    """Let the agent rewrite each new file; keep what it passes, drop items whose required agent failed."""
    assert request.agent is not None
    jobs = [
        Elaboration(item.id, children[item.id], current[children[item.id]].splitlines()[0].lstrip("# "))
        for item in applied
        if item.id in children
    ]
    results = elaborate_all(
        ws.settings,
        request.agent,
        request.agent_required,
        cur_loc.main_path,
        current,
        jobs,
        run_dir / "work",
        progress=progress,
    )
    failed = {item for item, r in results.items() if r.failed is not None}
    for res in outcome.operations:
        r = results.get(res.item)
        if r is None:
            continue
        res.warnings.extend(r.warnings)
        for warning in r.warnings:
            print(f"plansmith: warning: {res.item}: {warning}", file=sys.stderr)
        if r.failed is not None:
            res.status, res.error = "failed", f"agent {request.agent}: {r.failed}"
        if res.artifact is not None:
            record = artifacts.read_artifact(Path(res.artifact))
            details = dict(record.details) | r.details
            status = "failed" if r.failed is not None else record.status
            updated = replace(
                record, status=status, error=res.error, warnings=tuple(res.warnings), details=details
            )
            artifacts.write_artifact(run_dir, updated)
    kept = [item for item in applied if item.id not in failed]
    if failed:  # rebuild without the items whose required elaboration failed
        current, cur_loc = files, loc
        for item in kept:
            change = apply_item(current, cur_loc, "expand", item)
            current, cur_loc = change.files, change.location
    for item in kept:
        r = results.get(item.id)
        if r is not None and r.text is not None:
            current = dict(current, **{children[item.id]: r.text})
    return current, cur_loc, kept
