"""``plansmith expand|collapse PLAN (--auto-analysis | phase N [stage M])``: a run that ends in a proposal.

Turns the arguments into an :class:`~plansmith.engine.coordinator.OperationRequest`; the engine does
the rest (committed plan, scratch worktree, proposal branch). Nothing here writes anything. On a
terminal the analysis is a table fitted to its width and the operations show live while they run
(:mod:`plansmith.terminal.progress`); elsewhere the output is the plain lines it always was. The engine
tells what happened as run events and asks through callables: both come from
:mod:`plansmith.terminal.reporting`. It must not hold engine logic: it only turns arguments into calls
and prints results.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from plansmith.commands.common import emit_json, open_workspace, plan_arg
from plansmith.engine.coordinator import OperationRequest, run_request
from plansmith.errors import UsageError
from plansmith.plan.ids import ItemId
from plansmith.terminal.display import PLAIN, display_for
from plansmith.terminal.output import print_analysis
from plansmith.terminal.progress import progress_for
from plansmith.terminal.reporting import RunReporter, ask_to_proceed, failure_asker

if TYPE_CHECKING:
    from plansmith.engine.coordinator import OperationRequest, RunOutcome
    from plansmith.plan.ids import ItemId
    from plansmith.terminal.display import Display
    from plansmith.workspace import Workspace

ITEM_USAGE = (
    "name each item as 'phase N' or 'phase N stage M' (several in a row: 'phase 3 phase 4'), "
    "or use --auto-analysis"
)


def parse_item(words: Sequence[str]) -> tuple[str, str | None]:
    """``phase N [stage M]`` -> ``(N, M)``, kept as the text typed (phase ids such as ``2.5`` are text)."""
    shape_ok = len(words) in (2, 4) and words[0] == "phase" and (len(words) == 2 or words[2] == "stage")
    if not shape_ok or not all(words[1::2]):
        raise UsageError(ITEM_USAGE)
    return words[1], (words[3] if len(words) == 4 else None)


def parse_items(words: Sequence[str]) -> list[tuple[str, str | None]]:
    """``phase 3 phase 4 stage 1 ...`` -> one ``(N, M)`` per item, as MCP's ``items`` list takes them:
    every item starts with ``phase``; a ``stage M`` right after it belongs to it."""
    if not words:
        return []
    starts = [i for i, word in enumerate(words) if word == "phase"]
    if not starts or starts[0] != 0:
        raise UsageError(ITEM_USAGE)
    items = [parse_item(words[a:b]) for a, b in zip(starts, [*starts[1:], len(words)], strict=True)]
    twice = sorted({_item_text(i) for i in items if items.count(i) > 1})
    if twice:
        raise UsageError(f"{', '.join(twice)} named twice", hint=ITEM_USAGE)
    return items


def _item_text(item: tuple[str, str | None]) -> str:
    return f"phase {item[0]}" + ("" if item[1] is None else f" stage {item[1]}")


def _item_number(text: str) -> ItemId:
    """The engine's id for a phase or stage typed on the command line: ``3``, ``2.5``, ``5a``, ``A``,
    ``CF-1``."""

    number = ItemId.parse(text)
    if number is None:
        raise UsageError(ITEM_USAGE)
    return number


def run_operation(
    ws: Workspace, request: OperationRequest, *, show: bool, display: Display | None = None
) -> RunOutcome:
    """Run one expand/collapse request; ``show``: progress and result for people on stdout, drawn as
    ``display`` says (default: plain); else only the run's warnings, on stderr."""

    if not show:
        return run_request(ws, replace(request, run_events=RunReporter(None)))
    shown = display or PLAIN
    with progress_for(shown) as view:
        show_analysis = (lambda analysis: print_analysis(shown, analysis)) if shown.rich else None
        report = RunReporter(view.out, live=view.live, show_analysis=show_analysis)
        asked = replace(request, run_events=report, confirm=ask_to_proceed, decide=failure_asker(view.live))
        return run_request(ws, replace(asked, progress=view.sink) if view.live is not None else asked)


def operation_document(ws: Workspace, request: OperationRequest) -> dict[str, object]:
    """The ``expand --json`` / ``collapse --json`` document of one request (nothing printed)."""
    return run_operation(ws, request, show=False).as_json()


def main(args: argparse.Namespace) -> int:
    if bool(args.item) == bool(args.auto_analysis):
        raise UsageError("give either 'phase N [stage M]' or --auto-analysis")
    named = [
        (_item_number(p), None if m is None else _item_number(m)) for p, m in parse_items(args.item or [])
    ]
    phase, stage = named[0] if named else (None, None)
    parallel = 1 if args.sequential else args.parallel
    ws = open_workspace(
        args.repo, max_parallel=parallel, agent=args.agent, agent_required=args.agent_required or None
    )
    request = OperationRequest(
        plan=plan_arg(ws, args.plan),
        operation=args.command,
        phase=phase,
        stage=stage,
        items=tuple(named),  # several items: one run, one proposal
        auto=args.auto_analysis,
        dry_run=args.dry_run,
        merge=args.merge,
        assume_yes=args.yes or (args.json and not sys.stdin.isatty()),
        interactive=sys.stdin.isatty() and not args.json,
        agent=ws.settings.agent,
        agent_required=ws.settings.agent_required,
    )
    outcome = run_operation(ws, request, show=not args.json, display=display_for(args))
    if args.json:
        emit_json(outcome.as_json())
    return outcome.exit_code
