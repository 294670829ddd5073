"""``plansmith waves PLAN``: execution waves from the phases' dependencies; exit 1 naming a cycle.

Reads the plan from the working tree; changes nothing.
It must not hold engine logic: it only turns arguments into calls and prints results.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from plansmith.commands.common import EXIT_OK, EXIT_PROBLEM, emit_json, open_workspace, plan_arg
from plansmith.plan.complexity import analyze_plan
from plansmith.plan.mermaid import waves_flowchart
from plansmith.plan.waves import compute_waves

if TYPE_CHECKING:
    from plansmith.plan.ids import ItemId
    from plansmith.plan.model import Plan
    from plansmith.plan.waves import Waves
    from plansmith.workspace import Workspace


def waves_of(ws: Workspace, plan: str) -> tuple[Plan, Waves[ItemId]]:
    parsed = ws.plan(plan_arg(ws, plan))
    return parsed, compute_waves({p.number: list(p.dependencies) for p in parsed.phases})


def waves_document(ws: Workspace, plan: str) -> dict[str, object]:
    """The ``waves --json`` document: ``waves`` is null and ``cycle`` set when there is a cycle."""
    parsed, waves = waves_of(ws, plan)
    return waves.as_json(parsed.main_path)


def flowchart(ws: Workspace, plan: Plan, waves: Waves[ItemId]) -> str:
    return waves_flowchart(plan, waves, analyze_plan(plan, ws.settings.thresholds))


def waves_mermaid(ws: Workspace, plan: str) -> str:
    """``waves --format mermaid``: the Mermaid flowchart (drawn on a cycle too, the cycle in red)."""
    return flowchart(ws, *waves_of(ws, plan))


def main(args: argparse.Namespace) -> int:
    ws = open_workspace(args.repo)
    plan, waves = waves_of(ws, args.plan)
    if args.json:
        emit_json(waves.as_json(plan.main_path))
    elif args.format == "mermaid":  # the exit code and the error below still tell of a cycle
        sys.stdout.write(flowchart(ws, plan, waves))
    elif waves.waves is not None:
        for n, wave in enumerate(waves.waves, 1):
            print(f"wave {n}: " + ", ".join(f"phase {p}" for p in wave))
    if waves.cycle is None:
        return EXIT_OK
    if not args.json:  # the JSON document already names the cycle
        chain = " -> ".join(str(n) for n in (*waves.cycle, waves.cycle[0]))
        print(f"plansmith: error: {plan.main_path}: dependency cycle {chain}", file=sys.stderr)
        print("hint: remove one of these dependencies", file=sys.stderr)
    return EXIT_PROBLEM
