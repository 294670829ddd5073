"""``plansmith orchestrate "DESCRIPTION"``: a workflow of agent steps that ends in a proposal.

Turns the arguments into an :class:`~plansmith.engine.orchestrate.OrchestrateRequest`; the engine does
the rest.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from plansmith.commands.common import emit_json, open_workspace

if TYPE_CHECKING:
    from plansmith.engine.orchestrate import OrchestrateOutcome, OrchestrateRequest
    from plansmith.workspace import Workspace


def orchestrate_document(ws: Workspace, request: OrchestrateRequest) -> dict[str, object]:
    """The ``orchestrate --json`` document of one run (nothing printed)."""
    return run(ws, request, show=False).as_json()


def run(ws: Workspace, request: OrchestrateRequest, *, show: bool) -> OrchestrateOutcome:
    from plansmith.engine.orchestrate import run_orchestrate

    return run_orchestrate(ws, request, out=sys.stdout if show else None)


def main(args: argparse.Namespace) -> int:
    from plansmith.engine.orchestrate import OrchestrateRequest

    ws = open_workspace(args.repo, max_parallel=1 if args.sequential else None, agent=args.agent)
    request = OrchestrateRequest(
        description=args.description,
        agent=ws.settings.agent,
        assume_yes=args.yes or (args.json and not sys.stdin.isatty()),
        interactive=sys.stdin.isatty() and not args.json,
        restart=args.restart,
        phases=getattr(args, "phases", None),
    )
    outcome = run(ws, request, show=not args.json)
    if args.json:
        emit_json(outcome.as_json())
    return outcome.exit_code
