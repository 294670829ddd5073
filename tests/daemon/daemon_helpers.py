"""Helpers for the daemon tests: the daemon as a subprocess or on a thread, a recording handler."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from plansmith.daemon.loop import Daemon, DaemonOptions, PendingAnalysis, RunContext, RunRecord
from plansmith.daemon.scheduler import JobIntervals
from plansmith.git_backend.paths import find_repository

MAIN = Path(__file__).with_name("daemon_main.py")

PLAN_A = "# Plan: Alpha\n\n## Phase 1: Setup\n\n- [ ] task one\n"
PLAN_B = "# Plan: Beta\n\n## Phase 1: Start\n\n- [ ] task\n"
PHASE_B = "# Phase 2: More\n\n- [ ] task\n"

PLAN_FILES: dict[str, str | bytes] = {
    "README.md": "# repo\n",
    "specs/plans/001_alpha.md": PLAN_A,
    "specs/plans/002_beta/002_beta.md": PLAN_B,
    "specs/plans/002_beta/phase_2_more.md": PHASE_B,
}


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.02) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


def run_git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


class DaemonProcess:
    """The daemon entry point as a real subprocess, with its recorded handler calls."""

    def __init__(self, repo: Path, record: Path, args: Sequence[str] = (), env: dict[str, str] | None = None):
        self.repo = repo
        self.record = record
        self.stderr_path = record.with_suffix(".stderr")
        self._stderr = self.stderr_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, str(MAIN), str(repo), str(record), *args],
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            env={**os.environ, **(env or {})},
        )

    def calls(self, name: str | None = None) -> list[dict[str, Any]]:
        try:
            lines = self.record.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        out = [json.loads(line) for line in lines if line.strip()]
        return [c for c in out if name is None or c["call"] == name]

    def state(self) -> dict[str, Any]:
        path = Path(find_repository(self.repo).state_dir) / "state.json"
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data

    def wait_ready(self, timeout: float = 15.0) -> None:
        def ready() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"daemon exited early ({self.proc.returncode}): {self.stderr()}")
            return self.state().get("phase") == "watching" and any(
                c["trigger"] == "start" for c in self.calls("handle_committed")
            )

        wait_for(ready, timeout)

    def stderr(self) -> str:
        self._stderr.flush()
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def send(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> tuple[int, float]:
        started = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(timeout)
        return code, time.monotonic() - started

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self._stderr.close()


class Recorder:
    """An in-process handler that keeps its calls in a list."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any, str]] = []
        self.lock = threading.Lock()

    def _add(self, name: str, plans: Any, trigger: str) -> None:
        with self.lock:
            self.calls.append((name, plans, trigger))

    def of(self, name: str) -> list[tuple[str, Any, str]]:
        with self.lock:
            return [c for c in self.calls if c[0] == name]

    def recover(self, ctx: RunContext) -> None:
        self._add("recover", None, ctx.trigger)

    def analyse_uncommitted(self, plans: Sequence[str], ctx: RunContext) -> Sequence[PendingAnalysis]:
        self._add("analyse_uncommitted", list(plans), ctx.trigger)
        return []

    def handle_committed(self, plans: Sequence[str] | None, ctx: RunContext) -> Sequence[RunRecord]:
        self._add("handle_committed", None if plans is None else list(plans), ctx.trigger)
        return []

    def refresh_stale(self, ctx: RunContext) -> None:
        self._add("refresh_stale", None, ctx.trigger)

    def cleanup(self, ctx: RunContext) -> None:
        self._add("cleanup", None, ctx.trigger)

    def prune(self, ctx: RunContext) -> None:
        self._add("prune", None, ctx.trigger)

    def reload_settings(self) -> DaemonOptions | None:
        self._add("reload_settings", None, "")
        return None


class ThreadedDaemon:
    """The real Daemon loop on a background thread (no signal handling), for in-process measurements."""

    def __init__(self, repo: Path, *, debounce_ms: int = 100, max_wait_factor: float = 5.0) -> None:
        self.recorder = Recorder()
        self.daemon = Daemon(
            find_repository(repo),
            self.recorder,
            options=DaemonOptions(
                debounce_ms=debounce_ms,
                max_wait_factor=max_wait_factor,
                intervals=JobIntervals(reconcile_s=0, refresh_s=0, cleanup_s=0, prune_s=0, heartbeat_s=0),
            ),
            exit_when_overdue=False,
        )
        self.result: int | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self.result = self.daemon.run()

    def __enter__(self) -> ThreadedDaemon:
        self.thread.start()
        wait_for(lambda: self.daemon.state.phase == "watching" and self.recorder.of("handle_committed"))
        return self

    def __exit__(self, *exc: object) -> None:
        self.daemon.request_stop()
        self.thread.join(15)
        assert not self.thread.is_alive()

    def quiet(self, seconds: float) -> None:
        """Wait until nothing is pending and the loop is idle for a while."""
        time.sleep(seconds)
        wait_for(lambda: self.daemon.plans.pending() == 0 and not self.daemon._has_work(), 10)
