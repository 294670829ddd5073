"""``plansmith daemon [--once]``: watch the repository in the foreground until SIGTERM/SIGINT.

Wires the daemon loop (:mod:`plansmith.daemon.loop`, started by :mod:`plansmith.daemon.entry`) to the
engine's handler (:class:`plansmith.daemon.engine_handler.EngineHandler`); what the daemon does lives
there.
It must not hold daemon logic: it only turns arguments into calls and prints results.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING

from plansmith.commands.common import open_workspace
from plansmith.daemon.log import setup_logging
from plansmith.terminal.display import PLAIN, display_for
from plansmith.terminal.progress import progress_for

if TYPE_CHECKING:
    from plansmith.terminal.display import Display
    from plansmith.workspace import Workspace


def run_daemon(ws: Workspace, *, once: bool, display: Display | None = None) -> int:
    """Run the daemon for the workspace's repository; the exit status (1 after a handler error).

    ``--once`` on a terminal (``display`` rich) shows the runs' operations live, with the log lines
    above them; the long-running daemon only logs, as a service does.
    """
    # lazy: watchdog and APScheduler load only when the daemon really starts
    from plansmith.daemon.engine_handler import EngineHandler, daemon_options
    from plansmith.daemon.entry import run_daemon as run_loop

    with progress_for(display if once and display is not None else PLAIN) as view:
        live = view.live
        setup_logging(logging.INFO, stream=live.writer(sys.stderr) if live is not None else sys.stderr)
        return run_loop(
            ws.require_repo().worktree,
            EngineHandler(ws, progress=view.sink if live is not None else None),
            roots=ws.plan_roots,
            once=once,
            options=daemon_options(ws.settings),
        )


def main(args: argparse.Namespace) -> int:
    return run_daemon(open_workspace(args.repo), once=args.once, display=display_for(args))
