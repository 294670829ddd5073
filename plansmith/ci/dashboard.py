"""What the dashboard shows, gathered from the repository: the plans of one branch as committed, the
open proposals, the remembered rejections, the complex phases nobody proposed, progress and the radar.

Reads only (committed plans, proposal branches, the rejection store); the document itself is made by
:mod:`plansmith.render.dashboard_markdown`, and published by :mod:`plansmith.ci.dashboard_publish`.

Status drift and done/total come from :mod:`plansmith.plan.progress`, the same rules as ``validate``'s
``status-drift`` and ``plansmith status`` (docs/progress.md).
It must not write anything and must not decide what to propose (that is ``engine/decisions.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from plansmith import discovery
from plansmith.engine.preflight import rejected_before
from plansmith.engine.radar import radar_report
from plansmith.errors import PlansmithError
from plansmith.git_backend import proposals as proposals_store
from plansmith.git_backend.rejections import listed
from plansmith.git_backend.repo import current_branch, default_branch, resolve_commit
from plansmith.plan.api import decode_files
from plansmith.plan.complexity import analyze_plan
from plansmith.plan.mermaid import waves_flowchart
from plansmith.plan.progress import plan_drift
from plansmith.plan.waves import compute_waves
from plansmith.render.dashboard_markdown import (
    DashboardData,
    PlanProgressRow,
    ProposalRow,
    RejectionRow,
    WaitingItem,
)
from plansmith.snapshot import plan_from_files

if TYPE_CHECKING:
    from plansmith.git_backend.proposals import Proposal
    from plansmith.plan.collisions import Finding
    from plansmith.plan.complexity import Analysis
    from plansmith.plan.model import Plan, Task
    from plansmith.plan.roots import PlanRef
    from plansmith.workspace import Workspace

EDITED = "edited: its proposal branch has commits plansmith did not make"
# The branch the dashboard is published on; its proposals-like branch is not a proposal.
DASHBOARD_BRANCH = "plansmith/dashboard"
REJECTED = "rejected: a proposal for this content was deleted; it is proposed again when the plan changes"
NOT_YET = "not proposed yet: the next `plansmith ci` run proposes it"


def dashboard_data(
    ws: Workspace,
    *,
    branch: str | None = None,
    rev: str | None = None,
    findings: Sequence[Finding] | None = None,
    web: tuple[str, str, str] | None = None,
) -> DashboardData:
    """Everything the dashboard shows for ``branch`` (default: the one checked out, else the default
    branch), its plans as commit ``rev`` has them (default: the branch's tip). ``findings``: the
    radar's, when the caller ran it already; ``web``: ``(host kind, host, owner/repo)`` to link the
    proposal branches to their pages."""

    repo = ws.require_repo()
    name = branch or current_branch(repo) or default_branch(repo)
    commit = resolve_commit(repo, rev or f"refs/heads/{name}")
    raw = discovery.committed_files(repo, commit, ws.plan_roots)
    texts, _problems = decode_files(raw, max_bytes=ws.settings.limits.max_plan_bytes)

    listed = proposals_store.list_proposals(repo, prefix=ws.settings.proposal_prefix)
    found = [p for p in listed if p.branch != DASHBOARD_BRANCH]  # the dashboard's own branch is none
    data = DashboardData(name, commit, drift_known=True)
    data.proposals = [_proposal_row(p, web) for p in found]
    data.rejections = _rejections(ws)
    for ref in discovery.catalog(texts, patterns=ws.plan_roots):
        _add_plan(ws, data, ref, texts, found)
    if findings is None:
        findings = radar_report(ws).findings
    data.findings = list(findings)
    return data


def _proposal_row(p: Proposal, web: tuple[str, str, str] | None) -> ProposalRow:
    link = p.branch
    if web is not None:
        kind, host, path = web
        link = f"https://{host}/{path}/{'-/tree' if kind == 'gitlab' else 'tree'}/{p.branch}"
    return ProposalRow(p.id, p.plan, p.operation, p.items, p.state, p.created, link)


def _rejections(ws: Workspace) -> list[RejectionRow]:
    return [
        RejectionRow(
            plan, str(e.get("proposal", "")), str(e.get("content_hash", "")), str(e.get("rejected_at", ""))
        )
        for plan, e in listed(ws.require_repo())
    ]


def _add_plan(
    ws: Workspace, data: DashboardData, ref: PlanRef, texts: Mapping[str, str], found: list[Proposal]
) -> None:
    loc = ref.location
    try:
        plan = plan_from_files(texts, loc)
    except PlansmithError:
        return  # an unreadable plan: `validate` says why; the dashboard shows the others
    if not plan.phases:
        return
    analysis = analyze_plan(plan, ws.settings.thresholds)
    done, total = _tasks(plan)
    waves = _waves(plan, analysis) if done < total else None
    data.plans.append(PlanProgressRow(ref.id, loc.main_path, done, total, _drift(plan), waves))
    mine = [p for p in found if p.plan == loc.main_path]
    for item in analysis.recommended("expand"):
        if any(item.id in p.items and p.state != "edited" for p in mine):
            continue  # proposed, and the proposal is plansmith's own
        data.waiting.append(WaitingItem(ref.id, item.id, item.score, _why(ws, ref, texts, mine)))


def _why(ws: Workspace, ref: PlanRef, texts: Mapping[str, str], mine: list[Proposal]) -> str:
    if any(p.state == "edited" for p in mine):
        return EDITED
    if rejected_before(ws.require_repo(), ref.location, texts):
        return REJECTED
    return NOT_YET


def _tasks(plan: Plan) -> tuple[int, int]:
    """Tasks checked and tasks in all, over every phase and stage (each task counted once)."""
    tasks: list[Task] = []
    for phase in plan.phases:
        tasks += phase.content.tasks
        tasks += [t for stage in phase.stages if stage.expanded for t in stage.content.tasks]
    return sum(1 for t in tasks if t.checked), len(tasks)


def _waves(plan: Plan, analysis: Analysis) -> str:
    return waves_flowchart(
        plan, compute_waves({p.number: list(p.dependencies) for p in plan.phases}), analysis
    )


def _drift(plan: Plan) -> str | None:
    """The plan's status drift in words (the headings whose markers disagree with their boxes), or
    ``None`` when every marker tells the truth."""

    drifted = plan_drift(plan)
    if not drifted:
        return None
    shown = ", ".join(d.item for d in drifted[:3])
    more = f" and {len(drifted) - 3} more" if len(drifted) > 3 else ""
    verb = "markers disagree" if len(drifted) != 1 else "marker disagrees"
    return f"{len(drifted)} {verb}: {shown}{more}"
