"""The loop as a real subprocess: real signals, real git, real files, a real notify socket."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from daemon_helpers import DaemonProcess, run_git, wait_for

from plansmith.daemon.entry import daemon_status
from plansmith.daemon.state import format_status

A = "specs/plans/001_alpha.md"
Spawn = Callable[..., DaemonProcess]


class NotifySocket:
    def __init__(self) -> None:
        # AF_UNIX paths are limited to ~108 bytes: use a short temporary folder.
        self.dir = tempfile.mkdtemp(prefix="psn")
        self.path = os.path.join(self.dir, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.05)
        self.messages: list[str] = []

    def poll(self) -> list[str]:
        while True:
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except (TimeoutError, BlockingIOError):
                return self.messages

    def has(self, line: str) -> bool:
        return any(line in m.splitlines() for m in self.poll())

    def close(self) -> None:
        self.sock.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def notify() -> Iterator[NotifySocket]:
    ns = NotifySocket()
    yield ns
    ns.close()


def edit(repo: Path, rel: str, extra: str) -> None:
    path = repo / rel
    path.write_text(path.read_text() + extra)


def test_lifecycle_edit_commit_reload_second_instance_sigterm(
    plan_repo: Path, spawn: Spawn, notify: NotifySocket
) -> None:
    d = spawn(plan_repo, env={"NOTIFY_SOCKET": notify.path})
    d.wait_ready()
    wait_for(lambda: notify.has("READY=1"))
    assert [c["call"] for c in d.calls()][:2] == ["recover", "handle_committed"]
    assert d.calls("handle_committed")[0]["plans"] is None

    # Edit without commit: analysed and reported, no proposal work.
    edit(plan_repo, A, "- [ ] more\n")
    wait_for(lambda: d.calls("analyse_uncommitted"))
    assert d.calls("analyse_uncommitted")[0]["plans"] == ["001_alpha"]
    wait_for(lambda: d.state().get("pending"))
    pending = d.state()["pending"]
    assert pending[0]["plan"] == "001_alpha"
    assert "a proposal follows once it is committed" in pending[0]["message"]
    status = daemon_status(plan_repo)
    assert status["running"] is True and status["pid"] == d.proc.pid
    assert "001_alpha: phase 3 scores 9.1" in format_status(status)

    # Commit: handle_committed for that plan; pending cleared.
    run_git(plan_repo, "commit", "-qam", "alpha grows")
    wait_for(lambda: len(d.calls("handle_committed")) == 2)
    last = d.calls("handle_committed")[-1]
    assert (last["plans"], last["trigger"]) == (["001_alpha"], "commit")
    wait_for(lambda: d.state().get("pending") == [])
    assert len(d.calls("analyse_uncommitted")) == 1

    # SIGHUP: settings reloaded, systemd told RELOADING then READY again.
    d.send(signal.SIGHUP)
    wait_for(lambda: d.calls("reload_settings"))
    wait_for(lambda: notify.has("RELOADING=1"))

    # A second instance is refused, naming the pid, and changes nothing.
    before = d.state()
    second = spawn(plan_repo)
    assert second.proc.wait(15) == 1
    err = second.stderr()
    assert f"already running for this repository (pid {d.proc.pid})" in err
    assert second.calls() == []
    assert d.state()["pid"] == before["pid"] and d.proc.poll() is None

    # SIGTERM: clean exit 0 well within 10 s; STOPPING=1; state says stopped.
    code, took = d.stop(signal.SIGTERM)
    print(f"\nSIGTERM -> exit {code} in {took * 1000:.0f} ms")
    assert code == 0
    assert took < 10
    wait_for(lambda: notify.has("STOPPING=1"))
    lines = [line for m in notify.poll() for line in m.splitlines()]
    assert lines.index("READY=1") < lines.index("STOPPING=1")
    status = daemon_status(plan_repo)
    assert status["running"] is False
    assert status["last_seen"]
    assert format_status(status).startswith("daemon: not running (last seen ")
    # The lock is free again: a new daemon starts.
    third = spawn(plan_repo)
    third.wait_ready()
    assert third.stop()[0] == 0


def test_sigterm_cancels_the_run_in_flight(plan_repo: Path, spawn: Spawn) -> None:
    d = spawn(plan_repo, "--block-commits")
    d.wait_ready()
    edit(plan_repo, A, "- [ ] x\n")
    run_git(plan_repo, "commit", "-qam", "x")
    wait_for(lambda: any(c["trigger"] == "commit" for c in d.calls("handle_committed")))
    code, took = d.stop(signal.SIGTERM)
    print(f"\nSIGTERM during a run -> exit {code} in {took * 1000:.0f} ms")
    assert code == 0
    assert took < 10
    assert d.calls("cancelled"), "the handler saw the cancellation"


def test_sigint_exits_130(plan_repo: Path, spawn: Spawn) -> None:
    d = spawn(plan_repo)
    d.wait_ready()
    assert d.stop(signal.SIGINT)[0] == 130


def test_once_handles_the_current_state_and_exits(plan_repo: Path, spawn: Spawn) -> None:
    edit(plan_repo, A, "- [ ] uncommitted\n")
    d = spawn(plan_repo, "--once")
    assert d.proc.wait(20) == 0, d.stderr()
    calls = [(c["call"], c.get("plans"), c.get("trigger")) for c in d.calls()]
    assert calls == [
        ("recover", None, "start"),
        ("analyse_uncommitted", ["001_alpha"], "once"),
        ("handle_committed", None, "once"),
    ]
    state = d.state()
    assert state["running"] is False and state["phase"] == "stopped"


def test_handler_errors_are_recorded_and_backed_off(plan_repo: Path, spawn: Spawn) -> None:
    d = spawn(plan_repo, "--fail-analyse")
    d.wait_ready()
    edit(plan_repo, A, "- [ ] boom\n")
    wait_for(lambda: d.calls("analyse_uncommitted"))
    wait_for(lambda: d.state().get("errors"))
    error = d.state()["errors"][0]
    assert error["where"] == "analyse_uncommitted"
    assert "analysis exploded" in error["message"]
    # Retries back off (2 s, 4 s ...): over 3 s at most 2 attempts, and the loop lives on.
    time.sleep(3)
    attempts = len(d.calls("analyse_uncommitted"))
    assert 1 <= attempts <= 2
    assert d.proc.poll() is None
    assert d.stop()[0] == 0
    assert "analysis exploded" in d.stderr()


def test_scheduler_runs_reconciliation(plan_repo: Path, spawn: Spawn) -> None:
    d = spawn(plan_repo, "--reconcile-s", "1")
    d.wait_ready()
    wait_for(lambda: any(c["trigger"] == "reconcile" for c in d.calls("handle_committed")), 5)
    assert d.stop()[0] == 0
    assert d.state()["counters"]["job_reconcile"] >= 1


def _wakeups(d: DaemonProcess) -> int:
    return int(d.state().get("counters", {}).get("wakeups", 0))


def test_idle_daemon_does_not_wake_up(plan_repo: Path, spawn: Spawn) -> None:
    d = spawn(plan_repo)
    d.wait_ready()
    time.sleep(0.5)
    # Touch the state so the counters are current: a heartbeat is only written by the job (60 s).
    d.send(signal.SIGHUP)
    wait_for(lambda: d.calls("reload_settings"))
    time.sleep(0.2)
    start = _wakeups(d)
    time.sleep(3)
    assert d.stop()[0] == 0
    idle = _wakeups(d) - start - 1  # the SIGTERM wake-up itself
    print(f"\nidle 3 s: {idle} wake-up(s) of the main loop")
    assert idle <= 2


def test_idle_with_systemd_watchdog_only_pings(plan_repo: Path, spawn: Spawn, notify: NotifySocket) -> None:
    d = spawn(plan_repo, env={"NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "1000000"})
    d.wait_ready()
    time.sleep(3)
    code, _ = d.stop()
    assert code == 0
    pings = sum(1 for m in notify.poll() if "WATCHDOG=1" in m.splitlines())
    wakeups = _wakeups(d)
    print(f"\nwatchdog 1 s (ping every 0.5 s), ~3.5 s alive: {pings} pings, {wakeups} wake-ups")
    assert pings >= 4
    assert wakeups <= pings + 4
