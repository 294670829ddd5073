"""What is decided for a committed plan when nobody named an item: the daemon and CI runners ask here.

For each plan, in this order (one function, so the daemon and ``plansmith ci`` can never disagree):

1. ``unchanged`` - this plan content was handled before for this base branch (the caller keeps that
   memory: the daemon in its state folder, CI runners in the remote's ``refs/plansmith/`` refs);
2. ``edited`` - the plan's proposal branch has commits of someone else on it: it is left alone;
3. ``rejected`` - the user rejected a proposal made from exactly this content (the same check as
   ``--auto-analysis`` on the command line: :func:`plansmith.engine.preflight.rejected_before`);
4. ``run`` - expand, else collapse, every recommended item: :func:`propose_automatically`; with the
   setting ``sync_status`` the markers of phases whose boxes are all ticked are made true in the same
   proposal, or in a proposal of their own when nothing else is recommended (docs/progress.md).

Within a run, a person's structure decisions are honoured like rejections (:func:`leave_decided_alone`,
asked by every automatic run: daemon, CI, ``--auto-analysis``): an item they collapsed or expanded
(by hand, or by approving a proposal) is not proposed the other way until its own text changes.

Decides and runs; stores no memory of its own beyond the structure it saw (each caller keeps its
``handled`` digests; the structure memory is :func:`plansmith.git_backend.rejections.update_structure`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from plansmith.discovery import catalog, committed_texts
from plansmith.engine.coordinator import OperationRequest, run_request
from plansmith.engine.items import ItemResult, RunOutcome
from plansmith.engine.preflight import REJECTED, rejected_before
from plansmith.engine.sync import OPERATION, run_sync
from plansmith.plan.layout import PlanLocation
from plansmith.run_events import AgentWarned
from plansmith.snapshot import plan_digest

if TYPE_CHECKING:
    from plansmith.engine.coordinator import RunOutcome
    from plansmith.engine.progress import ProgressSink
    from plansmith.git_backend.proposals import Proposal
    from plansmith.git_backend.repo import RepoPaths
    from plansmith.run_events import RunEvent
    from plansmith.workspace import Workspace

log = logging.getLogger(__name__)
Action = Literal["unchanged", "edited", "rejected", "run"]
EDITED = "the proposal branch has commits plansmith did not make; it is left alone"


@dataclass(frozen=True, slots=True)
class PlanDecision:
    action: Action
    digest: str
    """The content hash of the plan's committed files (what ``handled`` memories store)."""

    @property
    def reason(self) -> str | None:
        """Why nothing is run, in words (``None`` for ``run`` and ``unchanged``)."""
        return {"edited": EDITED, "rejected": REJECTED}.get(self.action)


def decide(
    repo: RepoPaths,
    loc: PlanLocation,
    files: Mapping[str, str],
    *,
    handled: str | None,
    existing: Proposal | None,
) -> PlanDecision:
    """What to do with the committed plan at ``loc`` (see the module doc for the order).

    ``handled``: the digest handled last for this plan and base branch (``None``: never);
    ``existing``: the plan's live proposal, if any.
    """
    digest = plan_digest(files, loc)
    if handled == digest:
        return PlanDecision("unchanged", digest)
    if existing is not None and existing.state == "edited":
        return PlanDecision("edited", digest)
    if rejected_before(repo, loc, files):
        return PlanDecision("rejected", digest)
    return PlanDecision("run", digest)


def propose_automatically(
    ws: Workspace,
    loc: PlanLocation,
    *,
    base_branch: str | None = None,
    progress: ProgressSink | None = None,
) -> RunOutcome | None:
    """Expand every item the analysis recommends, else collapse likewise, else sync the markers of
    finished phases (``sync_status``); the run's outcome.

    ``None`` when there was nothing to do. ``base_branch``: the branch the proposal is for (default:
    the one checked out; a CI runner on a detached HEAD names it). ``progress``: where the runs report
    their operations (a terminal's live view).
    """

    left_alone: list[str] = []
    for verb in ("expand", "collapse"):
        request = OperationRequest(
            plan=str(ws.root / loc.main_path),
            operation=verb,
            auto=True,
            assume_yes=True,
            agent=ws.settings.agent,
            agent_required=ws.settings.agent_required,
            base_branch=base_branch,
            progress=progress,
            run_events=_log_agent_warnings,
            sync=ws.settings.sync_status,
        )
        outcome = run_request(ws, request)
        if outcome.operations or outcome.skipped:
            return outcome
        left_alone += outcome.left_alone
    if ws.settings.sync_status and (synced := _sync_alone(ws, loc, base_branch)) is not None:
        return synced
    if left_alone:  # nothing run because a person decided otherwise: say so (status shows it)
        return RunOutcome(plan=loc.main_path, skipped="left alone: " + "; ".join(left_alone))
    return None


def _log_agent_warnings(event: RunEvent) -> None:
    """Nobody reads an automatic run's report, but an agent's warning belongs in the daemon's journal
    and the CI job's log (the rest, such as "uncommitted changes left out", is the normal case here)."""
    if isinstance(event, AgentWarned):
        log.warning("%s: %s", event.item, event.warning)


def _sync_alone(ws: Workspace, loc: PlanLocation, base_branch: str | None) -> RunOutcome | None:
    """A proposal of the finished phases' markers alone (nothing else was recommended); as a run
    outcome, one ``sync`` operation per item, so the daemon and CI report it like the others."""

    files = committed_texts(ws.require_repo(), ws.plan_roots, ws.settings.limits.max_plan_bytes)
    plan_id = next((ref.id for ref in catalog(files, patterns=ws.plan_roots) if ref.location == loc), None)
    synced = run_sync(ws, loc, files, plan_id=plan_id, base_branch=base_branch, only_done=True)
    if not synced.items:
        return None
    outcome = RunOutcome(plan=loc.main_path, proposal=synced.proposal, skipped=synced.skipped)
    if synced.proposal is not None:
        outcome.operations = [ItemResult(item, OPERATION, "success") for item in synced.items]
    outcome.moves = [f"{c.path}:{c.line}: {c.after.strip()}" for c in synced.changes]
    return outcome
