"""The real ``plansmith daemon`` process for end-to-end tests: start it in a repository, wait until it
runs, read its ``status --json``, and stop it with SIGTERM (its exit code kept for the test to check).

One place for what the daemon tests of several features (plan roots, field roots, spec-kit folders,
status sync) each wrote again. Real processes, real git; no timing assertions, only bounded waits.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from git_helper import run_git


def status(repo: Path) -> dict[str, object]:
    """``plansmith status --json`` in ``repo``."""
    out = subprocess.run(
        [sys.executable, "-m", "plansmith", "status", "--json"], cwd=repo, capture_output=True, text=True
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def wait_for(predicate: Callable[[], object], timeout: float = 30.0) -> bool:
    """Whether ``predicate`` came true within ``timeout`` seconds (polled every 0.1 s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def branches(repo: Path) -> set[str]:
    """The proposal branches (``plansmith/...``) of ``repo``."""
    return set(run_git(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/plansmith/").split())


def pending_plans(repo: Path) -> set[str]:
    """The plans whose uncommitted edits the daemon analysed (``status --json`` ``pending``)."""
    return {str(p["plan"]) for p in status(repo).get("pending") or []}  # type: ignore[attr-defined, index]


@dataclass
class Daemon:
    process: subprocess.Popen[bytes]
    exit_code: int | None = None  # set when the daemon was stopped


@contextmanager
def running_daemon(repo: Path, *args: str) -> Iterator[Daemon]:
    """The daemon running in ``repo`` (started, and seen running in its status) for the ``with`` body;
    stopped with SIGTERM afterwards, its exit code in :attr:`Daemon.exit_code`."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "plansmith", "daemon", *args],
        cwd=repo,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    daemon = Daemon(proc)
    try:
        assert wait_for(lambda: status(repo).get("running") is True), "the daemon did not start"
        yield daemon
    finally:
        proc.send_signal(signal.SIGTERM)
        daemon.exit_code = proc.wait(timeout=30)
