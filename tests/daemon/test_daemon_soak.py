"""Soak: a thousand commit-triggered steps through the real loop and its long-lived git session.

Each round commits a new version of a plan (``git commit -a``: the disk matches HEAD, no edit), then
drives one step of the real :class:`~plansmith.daemon.loop.Daemon` as the watcher would (a ref event in
the inbox), which reads HEAD through the session, hashes the disk and hands the plan to the handler.
Open descriptors and child processes must stay flat, and the resident memory must not grow.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from daemon_helpers import Recorder, run_git
from proc_stats import child_pids, open_fds

from plansmith.daemon.handler import DaemonOptions
from plansmith.daemon.inbox import RefsEvent
from plansmith.daemon.jobs import JobIntervals
from plansmith.daemon.loop import Daemon
from plansmith.git_backend.paths import find_repository

ROUNDS = 1000
A = "specs/plans/001_alpha.md"


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024 / 1e6
    return 0.0


@pytest.mark.slow
def test_a_thousand_commit_steps_keep_descriptors_children_and_memory_flat(plan_repo: Path) -> None:
    recorder = Recorder()
    daemon = Daemon(
        find_repository(plan_repo),
        recorder,
        options=DaemonOptions(intervals=JobIntervals(0, 0, 0, 0, 0)),
        exit_when_overdue=False,
    )
    daemon.lock.acquire()
    try:
        daemon.start(once=True)  # no watcher, no scheduler: the steps are driven below
        daemon.run_pending("once")
        baseline: tuple[int, int] | None = None
        rss_at_baseline = 0.0
        started = time.monotonic()
        for i in range(ROUNDS):
            (plan_repo / A).write_text(f"# Plan: Alpha {i}\n", encoding="utf-8")
            run_git(plan_repo, "commit", "-qam", f"round {i}")  # the disk matches HEAD: not an edit
            daemon.inbox.put(RefsEvent(time.monotonic()))
            daemon._step(time.monotonic())
            if i == 9:
                baseline = (open_fds(), len(child_pids()))  # after the session and its cat-file are up
                rss_at_baseline = _rss_mb()
        took = time.monotonic() - started
        handled = [c for c in recorder.of("handle_committed") if c[2] == "commit"]
        assert len(handled) == ROUNDS
        assert baseline is not None
        assert (open_fds(), len(child_pids())) == baseline
        # The daemon's own resident memory (47 MB, under the 80 MB goal) is measured by bench_daemon; here
        # the process is pytest's, so what is checked is that the steps do not make it grow.
        grew = _rss_mb() - rss_at_baseline
        assert grew < 10
        print(f"\n{ROUNDS} commit steps in {took:.1f} s; fds/children {baseline}; RSS +{grew:.1f} MB")
    finally:
        daemon.shutdown()
