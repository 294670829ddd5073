"""``plansmith analyze PLAN``: the score of every phase and stage, and what to do with each.

Reads the plan from the working tree; changes nothing.
It must not hold engine logic: it only turns arguments into calls and prints results.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from plansmith.commands.common import EXIT_OK, emit_json, open_workspace, plan_arg
from plansmith.plan.complexity import analyze_plan
from plansmith.plan.mermaid import structure_tree
from plansmith.terminal.display import display_for
from plansmith.terminal.output import print_analysis

if TYPE_CHECKING:
    from plansmith.plan.complexity import Analysis
    from plansmith.workspace import Workspace


def analysis_of(ws: Workspace, plan: str) -> Analysis:
    return analyze_plan(ws.plan(plan_arg(ws, plan)), ws.settings.thresholds)


def analyze_document(ws: Workspace, plan: str) -> dict[str, object]:
    """The ``analyze --json`` document (shape in docs/cli.md)."""
    return analysis_of(ws, plan).as_json()


def analysis_mermaid(ws: Workspace, plan: str) -> str:
    """``analyze --format mermaid``: the plan's tree of files, phases and stages as a Mermaid flowchart."""

    parsed = ws.plan(plan_arg(ws, plan))
    return structure_tree(parsed, analyze_plan(parsed, ws.settings.thresholds))


def main(args: argparse.Namespace) -> int:
    if args.format == "mermaid":
        sys.stdout.write(analysis_mermaid(open_workspace(args.repo), args.plan))
        return EXIT_OK
    analysis = analysis_of(open_workspace(args.repo), args.plan)
    if args.json:
        emit_json(analysis.as_json())
    else:
        print_analysis(display_for(args), analysis)
    return EXIT_OK
