"""``plansmith daemon [--once]``: watch the repository in the foreground until SIGTERM/SIGINT.

Wires the daemon loop (:mod:`plansmith.daemon.service`) to the engine's handler
(:class:`plansmith.daemon.main.EngineHandler`); what the daemon does lives there.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING

from plansmith.commands.common import open_workspace

if TYPE_CHECKING:
    from plansmith.workspace import Workspace


def run_daemon(ws: Workspace, *, once: bool) -> int:
    """Run the daemon for the workspace's repository; the exit status (1 after a handler error)."""
    from plansmith.daemon.log import setup_logging
    from plansmith.daemon.main import EngineHandler
    from plansmith.daemon.scheduler import JobIntervals
    from plansmith.daemon.service import run_daemon as run_loop

    setup_logging(logging.INFO, stream=sys.stderr)
    return run_loop(
        ws.require_repo().worktree,
        EngineHandler(ws),
        roots=ws.plan_roots,
        debounce_ms=ws.settings.debounce_ms,
        once=once,
        intervals=JobIntervals(reconcile_s=ws.settings.reconcile_interval_s),
    )


def main(args: argparse.Namespace) -> int:
    return run_daemon(open_workspace(args.repo), once=args.once)
