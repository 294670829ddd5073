"""``plansmith verify [PLAN] [--strict]``: ticked tasks that no later commit backs.

Each ticked task naming files (in backticks) must be followed, in history, by a commit that changed
one of them (renames followed); otherwise it is an ``unbacked-tick`` warning with its line and files.
Tasks naming no file are counted, not judged. One history walk per run
(:mod:`plansmith.git_backend.history`), whatever the number of tasks. Exit 0 (warnings), 1 with
``--strict`` when there are findings. Reads the working tree's plans and the history; changes
nothing. It must not hold the rules: those are :mod:`plansmith.plan.ticks`.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from plansmith.commands.common import EXIT_OK, EXIT_PROBLEM, emit_json, open_workspace
from plansmith.commands.next import chosen_plans
from plansmith.git_backend.history import read_history
from plansmith.plan.ticks import judge_ticks

if TYPE_CHECKING:
    from plansmith.plan.ticks import TickReport
    from plansmith.workspace import Workspace


def verify_report(ws: Workspace, plan: str | None = None) -> TickReport:
    plans = chosen_plans(ws, plan)
    return judge_ticks(plans, read_history(ws.require_repo()))


def verify_document(ws: Workspace, plan: str | None = None) -> dict[str, object]:
    """The ``verify --json`` document: ``{"unbacked": [...], "backed": N, "unjudged": N}``."""
    return verify_report(ws, plan).as_json()


def main(args: argparse.Namespace) -> int:
    report = verify_report(open_workspace(args.repo), args.plan)
    failed = bool(args.strict and report.unbacked)
    if args.json:
        emit_json(report.as_json())
        return EXIT_PROBLEM if failed else EXIT_OK
    for finding in report.unbacked:
        print(finding.render(), file=sys.stderr)
    summary = (
        f"{len(report.unbacked)} unbacked, {report.backed} backed by a later commit, "
        f"{report.unjudged} naming no file (not judged)"
    )
    if failed:
        print(f"plansmith: error: {summary}", file=sys.stderr)
        print("hint: commit the work these tasks name, or untick them", file=sys.stderr)
        return EXIT_PROBLEM
    print(f"{'ok' if not report.unbacked else 'warning'}: {summary}")
    return EXIT_OK
