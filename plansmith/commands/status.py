"""``plansmith status``: the daemon's state, its last runs, pending analyses, open proposals, errors.

Reads the daemon's state file and the proposal branches; changes nothing. On a terminal the same
facts are a dashboard (:mod:`plansmith.terminal.dashboard`); elsewhere the plain lines and the JSON
document stay as they were.
It must not hold daemon logic: it only reads its state and prints results.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from plansmith.commands.common import EXIT_OK, emit_json, open_workspace
from plansmith.commands.next import chosen_plans
from plansmith.commands.validate import format_root_counts
from plansmith.daemon.radar_watch import read_findings
from plansmith.daemon.state import format_status
from plansmith.git_backend import proposals
from plansmith.git_backend.session import session_for
from plansmith.plan.progress import PlanProgress, plan_progress
from plansmith.terminal.display import display_for

if TYPE_CHECKING:
    from plansmith.git_backend.proposals import Proposal
    from plansmith.git_backend.session import GitSession
    from plansmith.plan.progress import PlanProgress
    from plansmith.workspace import Workspace


def status_document(ws: Workspace) -> dict[str, Any]:
    """The ``status --json`` document: the daemon's state (``docs/daemon.md``) plus ``proposals``."""
    return _status(ws)[0]


def _status(ws: Workspace) -> tuple[dict[str, Any], list[Proposal]]:
    import time

    # lazy: the daemon package loads watchdog and APScheduler
    from plansmith.daemon.entry import daemon_status

    repo = ws.require_repo()
    session, now = session_for(repo), time.time()
    status = daemon_status(repo.worktree)
    found = proposals.list_proposals(repo, prefix=ws.settings.proposal_prefix)
    status["radar"] = read_findings(repo.state_dir)  # None until the daemon has looked
    status["proposals"] = [
        {
            "id": p.id,
            "branch": p.branch,
            "plan": p.plan,
            "state": p.state,
            "operation": p.operation,
            "items": list(p.items),
            **_age(session, p.commit, now),
        }
        for p in found
    ]
    status["plans"] = [p.as_json() for p in _plan_progress(ws)]
    status["roots"] = [{"root": root, "plans": count} for root, count in ws.plans_per_root()]
    return status, found


def _plan_progress(ws: Workspace) -> list[PlanProgress]:
    """Per plan of the working tree: tasks done of total, the current wave, status drift (issue 20)."""

    return [plan_progress(plan) for plan in chosen_plans(ws, None)]


def _age(session: GitSession, commit: str, now: float) -> dict[str, Any]:
    """When the proposal's tip was committed (ISO, UTC) and its age in seconds, for a dashboard."""
    from datetime import UTC, datetime

    try:
        stamp = int(session.commit(commit).committer.rsplit(" ", 2)[-2])
    except (ValueError, IndexError):
        return {"updated": None, "age_s": None}
    return {
        "updated": datetime.fromtimestamp(stamp, UTC).isoformat(timespec="seconds"),
        "age_s": max(0, int(now) - stamp),
    }


def main(args: argparse.Namespace) -> int:
    status, found = _status(open_workspace(args.repo))
    if args.json:
        emit_json(status, as_text=True)
        return EXIT_OK
    display = display_for(args)
    if display.rich:
        # lazy: rich, only for a terminal that shows it
        from plansmith.terminal.dashboard import dashboard_view

        display.console().print(dashboard_view(status, found))
        _print_plans(status)
        _print_radar(status["radar"])
        return EXIT_OK

    print(format_status(status))
    print(format_root_counts([(r["root"], r["plans"]) for r in status["roots"]]))
    if status["proposals"]:
        print("open proposals:")
        for p in status["proposals"]:
            print(f"  {p['id']}: {p['operation']} {', '.join(p['items'])} on {p['branch']} ({p['state']})")
    _print_plans(status)
    _print_radar(status["radar"])
    return EXIT_OK


def _print_plans(status: dict[str, Any]) -> None:
    if status["plans"]:
        print("plans:")
    for doc in status["plans"]:
        shown = PlanProgress(doc["plan"], doc["done"], doc["total"], doc["wave"], doc["waves"], doc["drift"])
        print(f"  {shown.render()}")


def _print_radar(findings: list[dict[str, Any]] | None) -> None:
    """The collisions the daemon's radar saw after the last fetch (docs/radar.md)."""
    if findings:
        print(f"radar: {len(findings)} collision{'s' if len(findings) != 1 else ''} across branches:")
        for finding in findings:
            print(f"  {finding.get('kind')}: {finding.get('message')}")
