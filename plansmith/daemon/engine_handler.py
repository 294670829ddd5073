"""The daemon's handler: what happens when the watcher says a plan changed. Wires the loop to the engine.

- uncommitted edits are analysed and reported in ``plansmith status`` (no proposal);
- committed plans whose content changed are run through the same engine as
  ``plansmith expand/collapse --auto-analysis``, and the result becomes a proposal;
- content the user rejected is remembered and not proposed again until it changes;
- a proposal the user committed onto (``edited``) is left alone.

It must not watch, debounce or schedule anything (the loop does), nor write the user's working tree,
index, HEAD or branches: proposals are made in the scratch worktree and published as branches.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from plansmith.atomic import write_json_atomic
from plansmith.daemon.handler import DaemonOptions, PendingAnalysis, PlanBackoff, RunContext, RunRecord
from plansmith.daemon.jobs import JobIntervals
from plansmith.discovery import catalog, committed_texts
from plansmith.engine import decisions
from plansmith.engine.decisions import decide
from plansmith.engine.handled import HandledDigests
from plansmith.errors import PlansmithError
from plansmith.git_backend import proposals, session
from plansmith.git_backend.repo import current_branch
from plansmith.git_backend.worktree import ScratchWorktree
from plansmith.plan.complexity import analyze_plan
from plansmith.snapshot import plan_from_files
from plansmith.workspace import open_workspace

if TYPE_CHECKING:
    from plansmith.config import Settings
    from plansmith.engine.progress import ProgressSink
    from plansmith.plan.roots import PlanRef
    from plansmith.workspace import Workspace

log = logging.getLogger("plansmith.daemon")
ARTIFACT_MAX_AGE_S = 7 * 24 * 3600


def daemon_options(settings: Settings) -> DaemonOptions:
    """The daemon's options as the settings give them, at start and again after SIGHUP: one spelling,
    so that a reload keeps every setting (it once kept the debounce only, and the reconcile interval
    fell back to its default)."""
    return DaemonOptions(
        debounce_ms=settings.debounce_ms,
        intervals=JobIntervals(reconcile_s=settings.reconcile_interval_s),
        proposal_prefix=settings.proposal_prefix,
    )


class EngineHandler:
    """The :class:`~plansmith.daemon.handler.DaemonHandler` that runs plansmith's engine."""

    def __init__(self, ws: Workspace, progress: ProgressSink | None = None) -> None:
        self.ws = ws
        self.progress = progress  # where runs report their operations (a terminal's live view, --once)
        self.state_dir = ws.require_repo().state_dir
        self.handled_path = self.state_dir / "handled.json"
        self.backoff = PlanBackoff()

    # --- helpers ------------------------------------------------------------------------------

    def _handled(self) -> HandledDigests:
        try:
            data = json.loads(self.handled_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return HandledDigests()
        return HandledDigests.from_json(data)

    def _remember(self, branch: str, plan: str, digest: str) -> None:
        data = self._handled()
        data.remember(branch, plan, digest)
        write_json_atomic(self.handled_path, data)

    def _committed(self) -> tuple[dict[str, str], list[PlanRef]]:
        repo = self.ws.require_repo()
        files = committed_texts(repo, self.ws.plan_roots, self.ws.settings.limits.max_plan_bytes)
        return files, catalog(files, patterns=self.ws.plan_roots)

    # --- DaemonHandler ---------------------------------------------------------------------------

    def recover(self, ctx: RunContext) -> None:

        # Repairs a damaged scratch worktree and removes locks a killed run left behind.
        ScratchWorktree.ensure(self.ws.require_repo(), self.ws.plan_roots)

    def analyse_uncommitted(self, plans: Sequence[str], ctx: RunContext) -> Sequence[PendingAnalysis]:
        self.ws.reread()
        texts, _ = self.ws.files()
        thresholds = self.ws.settings.thresholds
        pending: list[PendingAnalysis] = []
        for ref in self.ws.plans():
            if ref.key not in plans:
                continue
            loc = ref.location
            analysis = analyze_plan(plan_from_files(texts, loc), thresholds)
            for item in analysis.items:
                if item.recommendation == "keep":
                    continue
                pending.append(
                    PendingAnalysis(
                        ref.key,
                        item.id,
                        item.score,
                        f"{item.id.replace('_', ' ')} scores {item.score}: a proposal to "
                        f"{item.recommendation} it follows once it is committed",
                    )
                )
        return pending

    def handle_committed(self, plans: Sequence[str] | None, ctx: RunContext) -> Sequence[RunRecord]:
        repo = self.ws.require_repo()
        branch = current_branch(repo)
        if branch is None:
            return []  # detached HEAD: there is no branch to propose against
        files, refs = self._committed()
        handled = self._handled().get(branch, {})
        open_ids = {p.id: p for p in proposals.list_proposals(repo, prefix=self.ws.settings.proposal_prefix)}
        records: list[RunRecord] = []
        for ref in refs:  # keyed by id: two plans of the same name in different roots never collide
            loc = ref.location
            if plans is not None and ref.key not in plans:
                continue
            if ctx.is_cancelled():
                break
            if self.backoff.waiting(ref.id):
                continue  # this plan failed unexpectedly not long ago; the others go on
            try:
                # The same decision as CI runners make (plansmith.engine.decisions), from this memory.
                known, existing = handled.get(ref.id), open_ids.get(ref.branch_component)
                decision = decide(repo, loc, files, handled=known, existing=existing)
                if decision.action == "unchanged":
                    continue  # cheap: nothing changed since the last run for this branch
                if decision.action == "run":
                    records.append(self._run(ref, ctx))
                else:
                    records.append(RunRecord(ref.id, f"skipped: {decision.reason}"))
                self._remember(branch, ref.id, decision.digest)
            except Exception as exc:  # one plan's failure must not stop the others (issue 18)
                records.append(self._failed_alone(ref, exc))
                continue
            self.backoff.succeeded(ref.id)
            ctx.progress(f"handled {ref.id}")
        return records

    def _failed_alone(self, ref: PlanRef, exc: Exception) -> RunRecord:
        """Record an unexpected failure of one plan: it backs off alone and is shown in ``status``."""

        delay = self.backoff.failed(ref.id)
        what = exc.located() if isinstance(exc, PlansmithError) else f"{type(exc).__name__}: {exc}"
        log.exception("%s failed; this plan is retried in %.0f s, the others go on", ref.id, delay)
        session.close(self.ws.require_repo())  # the next git question starts a fresh session
        return RunRecord(ref.id, f"failed (retried in {delay:.0f} s)", None, None, [what])

    def _run(self, ref: PlanRef, ctx: RunContext) -> RunRecord:
        started = time.monotonic()
        try:
            outcome = decisions.propose_automatically(self.ws, ref.location, progress=self.progress)
        except PlansmithError as exc:
            return RunRecord(ref.id, "failed", None, time.monotonic() - started, [exc.located()])
        if outcome is None:
            return RunRecord(ref.id, "nothing to do", None, time.monotonic() - started)
        if outcome.skipped is not None:
            return RunRecord(ref.id, f"skipped: {outcome.skipped}", None, time.monotonic() - started)
        errors = [f"{o.item}: {o.error}" for o in outcome.operations if o.error]
        branch = outcome.proposal.branch if outcome.proposal else None
        verb = outcome.operations[0].operation
        summary = f"{verb}: {outcome.successful} of {len(outcome.operations)} succeeded"
        if outcome.moves:  # in one line, what moved where
            summary += f" ({'; '.join(outcome.moves)})"
        return RunRecord(ref.id, summary, branch, time.monotonic() - started, errors)

    def refresh_stale(self, ctx: RunContext) -> Sequence[RunRecord]:
        repo = self.ws.require_repo()
        stale = {
            p.id
            for p in proposals.list_proposals(repo, prefix=self.ws.settings.proposal_prefix)
            if p.state == "stale"
        }
        refs = [ref for ref in self._committed()[1] if ref.branch_component in stale]
        if not refs:
            return []
        # Forget what was handled for them so that they are recomputed on the new base.
        data = self._handled()
        data.forget(ref.id for ref in refs)

        write_json_atomic(self.handled_path, data)
        return self.handle_committed(sorted({ref.key for ref in refs}), ctx)

    def cleanup(self, ctx: RunContext) -> None:
        runs = self.state_dir / "runs"
        cutoff = time.time() - ARTIFACT_MAX_AGE_S
        for run_dir in runs.iterdir() if runs.is_dir() else ():
            if run_dir.is_dir() and run_dir.stat().st_mtime < cutoff:
                shutil.rmtree(run_dir, ignore_errors=True)

    def prune(self, ctx: RunContext) -> None:
        self.recover(ctx)  # only plansmith's own worktree: never the user's other worktrees

    def reload_settings(self) -> DaemonOptions | None:
        self.ws = open_workspace(str(self.ws.root))
        return daemon_options(self.ws.settings)
