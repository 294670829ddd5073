"""``plansmith next [PLAN] [--budget TOKENS]``: the phases ready to work on, with their open tasks.

A phase is ready when it is not done and every phase it depends on is done by its boxes (not by its
marker); across every plan when PLAN is omitted, in wave order. ``--budget`` trims the answer to about
that many tokens (whole tasks) and says how many tasks were left out. Reads the working tree; changes
nothing. It must not hold the rules: those are :mod:`plansmith.plan.ready`.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from plansmith.commands.common import EXIT_OK, emit_json, open_workspace, plan_arg
from plansmith.errors import UsageError
from plansmith.plan.ready import in_wave_order, ready_phases, trim_to_budget
from plansmith.snapshot import plan_from_files

if TYPE_CHECKING:
    from plansmith.plan.model import Plan
    from plansmith.plan.ready import ReadyPhase
    from plansmith.workspace import Workspace


def chosen_plans(ws: Workspace, plan: str | None) -> list[Plan]:
    """The plan a PLAN argument names, or every plan of the working tree (PLAN omitted)."""

    if plan is not None:
        return [ws.plan(plan_arg(ws, plan))]
    texts, _ = ws.files()
    return [plan_from_files(texts, ref.location) for ref in ws.plans()]


def next_document(ws: Workspace, plan: str | None = None, budget: int | None = None) -> dict[str, object]:
    """The ``next --json`` document: ``{"ready": [...], "left_out": N}``."""
    ready, left_out = ready_work(ws, plan, budget)
    return {"ready": [r.as_json() for r in ready], "left_out": left_out}


def ready_work(ws: Workspace, plan: str | None, budget: int | None) -> tuple[list[ReadyPhase], int]:
    if budget is not None and budget < 1:
        raise UsageError(f"--budget {budget}: give a positive number of tokens, e.g. --budget 2000")
    ready = in_wave_order(r for p in chosen_plans(ws, plan) for r in ready_phases(p))
    return trim_to_budget(ready, budget)


def render(ready: list[ReadyPhase], left_out: int, budget: int | None) -> str:
    lines: list[str] = []
    for phase in ready:
        lines.append(phase.heading())
        for task in phase.tasks:
            lines += task.lines()
    if not ready and not left_out:
        lines.append("nothing is ready: every phase is done or waits for a phase that is not")
    if left_out:
        lines.append(
            f"left out: {left_out} more task{'s' if left_out != 1 else ''} over the budget of {budget} "
            "tokens; raise --budget to see them"
        )
    return "\n".join(lines) + "\n"


def main(args: argparse.Namespace) -> int:
    ws = open_workspace(args.repo)
    ready, left_out = ready_work(ws, args.plan, args.budget)
    if args.json:
        emit_json({"ready": [r.as_json() for r in ready], "left_out": left_out})
    else:
        print(render(ready, left_out, args.budget), end="")
    return EXIT_OK
