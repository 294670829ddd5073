"""The daemon's two entry points for the commands: run it on a repository, read its status.

Thin: it finds the repository and builds the options; it must not hold any of the loop's logic
(:mod:`plansmith.daemon.loop`) nor format anything for people (:func:`plansmith.daemon.state.format_status`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from plansmith.daemon.handler import DaemonHandler, DaemonOptions
from plansmith.daemon.jobs import JobIntervals
from plansmith.daemon.loop import Daemon
from plansmith.daemon.sdnotify import Notifier
from plansmith.daemon.state import read_status
from plansmith.git_backend.paths import find_repository
from plansmith.plan.roots import DEFAULT_ROOTS


def run_daemon(
    repo_root: Path,
    handler: DaemonHandler,
    *,
    roots: str | Sequence[str] = DEFAULT_ROOTS,
    debounce_ms: int = 500,
    once: bool = False,
    max_wait_factor: float = 5.0,
    intervals: JobIntervals | None = None,
    stop_timeout_s: float = 10.0,
    notifier: Notifier | None = None,
    options: DaemonOptions | None = None,
) -> int:
    """Watch the repository and drive ``handler`` until SIGTERM/SIGINT (or once, with ``once=True``).

    Returns the exit code: 0 after SIGTERM or a clean ``--once``, 130 after SIGINT, 1 when ``--once``
    met a handler error. Raises :class:`~plansmith.daemon.state.DaemonAlreadyRunning` (exit 1 for the
    CLI) when another daemon holds the repository's lock. ``options``, when given, replace the timing
    arguments (the CLI passes the settings' options, the same ones a SIGHUP reloads).
    """
    repo = find_repository(repo_root)
    options = options or DaemonOptions(
        debounce_ms=debounce_ms,
        max_wait_factor=max_wait_factor,
        intervals=intervals or JobIntervals(),
        stop_timeout_s=stop_timeout_s,
    )
    daemon = Daemon(repo, handler, roots=roots, options=options, notifier=notifier)
    return daemon.run(once=once)


def daemon_status(repo_root: Path) -> dict[str, Any]:
    """The daemon part of ``plansmith status --json`` for the repository containing ``repo_root``."""
    return read_status(find_repository(repo_root).state_dir)
