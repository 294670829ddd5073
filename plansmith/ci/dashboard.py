"""What the dashboard shows, gathered from the repository: the plans of one branch as committed, the
open proposals, the remembered rejections, the complex phases nobody proposed, progress and the radar.

Reads only (committed plans, proposal branches, the rejection store); the document itself is made by
:mod:`plansmith.terminal.dashboard_markdown`, and published by :mod:`plansmith.ci.dashboard_publish`.

Status drift comes from ``plansmith.plan.progress`` when that module exists (it is written in
parallel); until then :func:`_drift` is the one seam to connect, and the dashboard shows done/total only.
It must not write anything and must not decide what to propose (that is ``engine/decisions.py``).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from plansmith.terminal.dashboard_markdown import (
    DashboardData,
    PlanProgress,
    ProposalRow,
    RejectionRow,
    WaitingItem,
)

if TYPE_CHECKING:
    from plansmith.git_backend.proposals import Proposal
    from plansmith.plan.collisions import Finding
    from plansmith.plan.complexity import Analysis
    from plansmith.plan.model import Plan, Task
    from plansmith.plan.roots import PlanRef
    from plansmith.workspace import Workspace

PROGRESS_MODULE = "plansmith.plan.progress"
DRIFT_CONNECTED = False  # set when _drift asks the progress module (the seam below)
EDITED = "edited: its proposal branch has commits plansmith did not make"
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
    from plansmith import discovery
    from plansmith.git_backend import proposals as proposals_store
    from plansmith.git_backend.repo import current_branch, default_branch, resolve_commit
    from plansmith.plan.api import decode_files

    repo = ws.require_repo()
    name = branch or current_branch(repo) or default_branch(repo)
    commit = resolve_commit(repo, rev or f"refs/heads/{name}")
    raw = discovery.committed_files(repo, commit, ws.plan_roots)
    texts, _problems = decode_files(raw, max_bytes=ws.settings.limits.max_plan_bytes)
    from plansmith.ci.dashboard_publish import DASHBOARD_BRANCH

    listed = proposals_store.list_proposals(repo, prefix=ws.settings.proposal_prefix)
    found = [p for p in listed if p.branch != DASHBOARD_BRANCH]  # the dashboard's own branch is none
    data = DashboardData(name, commit, drift_known=_drift_known())
    data.proposals = [_proposal_row(p, web) for p in found]
    data.rejections = _rejections(ws)
    for ref in discovery.catalog(texts, patterns=ws.plan_roots):
        _add_plan(ws, data, ref, texts, found)
    if findings is None:
        from plansmith.commands.radar import radar_report

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
    from plansmith.git_backend.rejections import listed

    return [
        RejectionRow(
            plan, str(e.get("proposal", "")), str(e.get("content_hash", "")), str(e.get("rejected_at", ""))
        )
        for plan, e in listed(ws.require_repo())
    ]


def _add_plan(
    ws: Workspace, data: DashboardData, ref: PlanRef, texts: Mapping[str, str], found: list[Proposal]
) -> None:
    from plansmith.errors import PlansmithError
    from plansmith.plan.complexity import analyze_plan
    from plansmith.plan.layout import build_plan, plan_files

    loc = ref.location
    try:
        plan = build_plan(plan_files(texts, loc), loc)
    except PlansmithError:
        return  # an unreadable plan: `validate` says why; the dashboard shows the others
    if not plan.phases:
        return
    analysis = analyze_plan(plan, ws.settings.thresholds.for_analysis())
    done, total = _tasks(plan)
    waves = _waves(plan, analysis) if done < total else None
    data.plans.append(PlanProgress(ref.id, loc.main_path, done, total, _drift(plan), waves))
    mine = [p for p in found if p.plan == loc.main_path]
    for item in analysis.recommended("expand"):
        if any(item.id in p.items and p.state != "edited" for p in mine):
            continue  # proposed, and the proposal is plansmith's own
        data.waiting.append(WaitingItem(ref.id, item.id, item.score, _why(ws, ref, texts, mine)))


def _why(ws: Workspace, ref: PlanRef, texts: Mapping[str, str], mine: list[Proposal]) -> str:
    from plansmith.engine.preflight import rejected_before

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
    from plansmith.plan.mermaid import waves_flowchart
    from plansmith.plan.waves import compute_waves

    return waves_flowchart(
        plan, compute_waves({p.number: list(p.dependencies) for p in plan.phases}), analysis
    )


def _drift_known() -> bool:
    """Whether the dashboard shows a drift column: only once :func:`_drift` is connected to the
    progress module (until then a column would read "none" for every plan, which would be untrue)."""
    return DRIFT_CONNECTED and importlib.util.find_spec(PROGRESS_MODULE) is not None


def _drift(plan: Plan) -> str | None:
    """The plan's status drift in words, or ``None``.

    Seam: ``plansmith.plan.progress`` (issue in progress elsewhere) will say which phases' status
    markers disagree with their checkboxes. Connect it here when it lands and set
    :data:`DRIFT_CONNECTED`; until then the dashboard leaves the drift column out and shows done/total.
    """
    return None
