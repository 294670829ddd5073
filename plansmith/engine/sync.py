"""A status sync run: the committed plan's drifted markers made true, published as a proposal.

The changes come from the pure core (:func:`plansmith.plan.progress.sync_edits`: only the marker
text of drifted headings, in the plan's own style); publishing is the engine's usual path
(:func:`plansmith.engine.publish.commit_and_publish`: scratch worktree, checkpoint, proposal branch by
compare-and-swap), and content the user rejected before is not proposed again
(:func:`plansmith.engine.preflight.rejected_before`). It must not write the user's working tree,
index, HEAD or branches, and must not print: the command and the daemon report the outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from plansmith.engine import publish
from plansmith.engine.items import ProposalRef
from plansmith.engine.preflight import REJECTED, rejected_before
from plansmith.git_backend.messages import proposal_subject, proposal_trailers
from plansmith.git_backend.repo import resolve_commit
from plansmith.git_backend.worktree import ScratchWorktree
from plansmith.plan.layout import PlanLocation, build_plan, plan_files
from plansmith.plan.progress import plan_drift, sync_edits

if TYPE_CHECKING:
    from plansmith.git_backend.repo import RepoPaths
    from plansmith.workspace import Workspace

OPERATION = "sync"


@dataclass(frozen=True, slots=True)
class MarkerChange:
    path: str
    line: int  # 1-based
    before: str  # the heading line, without its line ending
    after: str

    def as_json(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "before": self.before, "after": self.after}


@dataclass
class SyncOutcome:
    plan: str
    items: list[str] = field(default_factory=list)
    changes: list[MarkerChange] = field(default_factory=list)
    proposal: ProposalRef | None = None
    skipped: str | None = None
    dry_run: bool = False

    def as_json(self) -> dict[str, object]:
        doc: dict[str, object] = {
            "plan": self.plan,
            "items": self.items,
            "changes": [c.as_json() for c in self.changes],
            "proposal": None if self.proposal is None else self.proposal.as_json(),
        }
        if self.skipped is not None:
            doc["skipped"] = self.skipped
        if self.dry_run:
            doc["dry_run"] = True
        return doc


def marker_changes(before: Mapping[str, str], after: Mapping[str, str]) -> list[MarkerChange]:
    """The heading lines a sync changes (a sync never adds or removes a line)."""
    found: list[MarkerChange] = []
    for path in sorted(after):
        old, new = before[path].splitlines(), after[path].splitlines()
        found += [
            MarkerChange(path, n, a, b) for n, (a, b) in enumerate(zip(old, new, strict=False), 1) if a != b
        ]
    return found


def synced_files(
    files: Mapping[str, str], loc: PlanLocation, *, only_done: bool = False
) -> tuple[dict[str, str], list[str]]:
    """The plan's files that a sync changes (new text) and the ids of the items it fixes
    (``only_done``: only items whose boxes are all ticked, as the daemon offers)."""
    own = plan_files(files, loc)
    plan = build_plan(own, loc)
    changed = sync_edits(plan, own, only_done=only_done)
    items = [
        d.id
        for d in plan_drift(plan)
        if d.wanted is not None and d.path in changed and (d.wanted == "done" or not only_done)
    ]
    return changed, list(dict.fromkeys(items))


def sync_message(plan_name: str, items: list[str], changes: list[MarkerChange]) -> str:
    body = "\n".join(f"{c.path}:{c.line}: {c.before.strip()} → {c.after.strip()}" for c in changes)
    why = "The status markers made true: each phase or stage below is marked as its boxes say."
    return f"{proposal_subject(OPERATION, items, plan_name)}\n\n{why}\n\n{body}\n"


def run_sync(
    ws: Workspace,
    loc: PlanLocation,
    files: Mapping[str, str],
    *,
    plan_id: str | None = None,
    dry_run: bool = False,
    confirm: Callable[[SyncOutcome], bool] | None = None,
    base_branch: str | None = None,
    only_done: bool = False,
) -> SyncOutcome:
    """Propose the marker fixes of the committed plan at ``loc`` (``files``: committed plan files).

    ``confirm`` is asked after the changes are known (None: no question)."""
    repo = ws.require_repo()
    changed, items = synced_files(files, loc, only_done=only_done)
    outcome = SyncOutcome(loc.main_path, items, marker_changes(files, changed), dry_run=dry_run)
    if not changed or dry_run:
        return outcome
    if rejected_before(repo, loc, files):
        outcome.skipped = REJECTED
        return outcome
    if confirm is not None and not confirm(outcome):
        outcome.skipped = "not confirmed"
        return outcome
    outcome.proposal = _publish(ws, repo, loc, files, changed, outcome, plan_id, base_branch)
    return outcome


def _publish(
    ws: Workspace,
    repo: RepoPaths,
    loc: PlanLocation,
    files: Mapping[str, str],
    changed: Mapping[str, str],
    outcome: SyncOutcome,
    plan_id: str | None,
    base_branch: str | None,
) -> ProposalRef:
    base = resolve_commit(repo, "HEAD")
    before = plan_files(files, loc)
    proposal = publish.commit_and_publish(
        repo,
        ScratchWorktree.ensure(repo, ws.plan_roots),
        publish.ProposalCommit(
            base=base,
            before=before,
            after={**before, **changed},
            message=sync_message(loc.name, outcome.items, outcome.changes),
            author=ws.settings.commit.author,
            trailers=proposal_trailers(
                plan=loc.main_path, operation=OPERATION, items=outcome.items, base=base, run="sync"
            ),
            checkpoint=(plan_id or loc.name, OPERATION, outcome.items),
            prefix=ws.settings.proposal_prefix,
            plan_id=plan_id,
            base_branch=base_branch,
        ),
    )
    return ProposalRef.of(proposal)
