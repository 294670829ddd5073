"""``plansmith orchestrate "DESCRIPTION"``: a workflow of agent steps that ends in a proposal.

Turns the arguments into an :class:`~plansmith.engine.orchestrate.OrchestrateRequest`; the engine does
the rest, telling what happened as run events that :class:`~plansmith.terminal.reporting.RunReporter`
shows. It must not hold engine logic: it only turns arguments into calls and prints results.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import TYPE_CHECKING

from plansmith.commands.common import emit_json, open_workspace
from plansmith.engine.orchestrate import OrchestrateRequest, run_orchestrate
from plansmith.terminal.display import PLAIN, display_for
from plansmith.terminal.progress import progress_for
from plansmith.terminal.reporting import RunReporter, ask_to_proceed

if TYPE_CHECKING:
    from plansmith.engine.orchestrate import OrchestrateOutcome, OrchestrateRequest
    from plansmith.terminal.display import Display
    from plansmith.workspace import Workspace


def run(
    ws: Workspace, request: OrchestrateRequest, *, show: bool, display: Display | None = None
) -> OrchestrateOutcome:
    """One workflow run; ``show``: its steps for people on stdout, live on a terminal (``display``);
    else only the run's warnings, on stderr."""

    if not show:
        return run_orchestrate(ws, replace(request, run_events=RunReporter(None)))
    with progress_for(display or PLAIN) as view:
        asked = replace(request, run_events=RunReporter(view.out, live=view.live), confirm=ask_to_proceed)
        return run_orchestrate(ws, replace(asked, progress=view.sink) if view.live is not None else asked)


def main(args: argparse.Namespace) -> int:
    ws = open_workspace(args.repo, max_parallel=1 if args.sequential else None, agent=args.agent)
    request = OrchestrateRequest(
        description=args.description,
        agent=ws.settings.agent,
        assume_yes=args.yes or (args.json and not sys.stdin.isatty()),
        interactive=sys.stdin.isatty() and not args.json,
        restart=args.restart,
        phases=getattr(args, "phases", None),
    )
    outcome = run(ws, request, show=not args.json, display=display_for(args))
    if args.json:
        emit_json(outcome.as_json())
    return outcome.exit_code
