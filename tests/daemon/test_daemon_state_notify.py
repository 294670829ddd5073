"""State file, lock, status text; sd_notify over a real socket; journald log prefixes."""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from daemon_helpers import MAIN

from plansmith.atomic import write_json_atomic
from plansmith.daemon.log import JournalFormatter, journald_priority, setup_logging, under_journald
from plansmith.daemon.sdnotify import Notifier
from plansmith.daemon.state import (
    MAX_ERRORS,
    MAX_RUNS,
    DaemonAlreadyRunning,
    DaemonLock,
    DaemonState,
    RunEntry,
    StateStore,
    format_status,
    lock_holder,
    read_status,
)
from plansmith.git_backend.paths import find_repository

# --- lock and state ---------------------------------------------------------------------------------


def test_lock_is_exclusive_and_names_the_holder(tmp_path: Path) -> None:
    first = DaemonLock(tmp_path)
    first.acquire()
    try:
        assert lock_holder(tmp_path) == os.getpid()
        with pytest.raises(DaemonAlreadyRunning) as info:
            DaemonLock(tmp_path).acquire(retries=1, delay_s=0.01)
        assert f"pid {os.getpid()}" in str(info.value)
        assert info.value.hint
    finally:
        first.release()
    assert lock_holder(tmp_path) is None
    second = DaemonLock(tmp_path)
    second.acquire()
    second.release()


def test_lock_of_a_killed_process_is_free(tmp_path: Path) -> None:
    code = (
        "import sys, time; from pathlib import Path; from plansmith.daemon.state import DaemonLock;"
        "DaemonLock(Path(sys.argv[1])).acquire(); print('locked', flush=True); time.sleep(60)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    assert lock_holder(tmp_path) == proc.pid
    proc.kill()
    proc.wait(5)
    assert lock_holder(tmp_path) is None


def test_atomic_write_leaves_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    for i in range(20):
        write_json_atomic(target, {"i": i})
    assert json.loads(target.read_text()) == {"i": 19}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_state_lists_are_bounded() -> None:
    state = DaemonState(repository="r")
    for i in range(MAX_RUNS * 3):
        state.add_run(RunEntry(f"p{i}", "edit", "analysed", "t", 0.1))
        state.add_error("x", f"e{i}")
    data = state.to_json()
    assert len(data["last_runs"]) == MAX_RUNS and data["last_runs"][0]["plan"] == f"p{MAX_RUNS * 3 - 1}"
    assert len(data["errors"]) == MAX_ERRORS


def test_status_of_a_repository_without_daemon(make_repo: Callable[..., Path]) -> None:
    repo = make_repo()
    status = read_status(find_repository(repo).state_dir)
    assert status["running"] is False and status["pid"] is None
    assert format_status(status) == "daemon: not running"


def test_stale_state_file_of_a_dead_daemon(make_repo: Callable[..., Path]) -> None:
    repo = make_repo()
    state_dir = find_repository(repo).state_dir
    state = DaemonState(repository=str(repo), pid=999_999)
    state.heartbeat = (datetime.now(UTC) - timedelta(minutes=5)).isoformat(timespec="seconds")
    StateStore(state_dir).write(state)  # says running: true, but nobody holds the lock
    status = read_status(state_dir)
    assert status["running"] is False
    assert status["last_seen"] == state.heartbeat
    text = format_status(status)
    assert text.startswith("daemon: not running (last seen ")
    assert "(5 min ago)" in text


def test_format_status_shows_runs_pending_and_errors() -> None:
    status = {
        "running": True,
        "pid": 42,
        "started": "2026-01-01T10:00:00+00:00",
        "heartbeat": "2026-01-01T10:05:00+00:00",
        "pending": [{"plan": "001_x", "item": "phase_3", "score": 9.1, "message": "phase 3 scores 9.1"}],
        "last_runs": [
            {
                "plan": "001_x",
                "trigger": "commit",
                "result": "proposal",
                "proposal": "plansmith/001_x",
                "time": "2026-01-01T10:04:00+00:00",
                "duration_s": 1.5,
                "errors": ["agent timed out"],
            }
        ],
        "errors": [{"time": "2026-01-01T10:03:00+00:00", "where": "prune", "message": "boom"}],
    }
    now = datetime(2026, 1, 1, 10, 5, 30, tzinfo=UTC)
    text = format_status(status, now=now)
    assert "daemon: running (pid 42" in text and "(30 s ago)" in text
    assert "  001_x: phase 3 scores 9.1" in text
    assert "001_x  commit: proposal -> plansmith/001_x (1.5 s)" in text
    assert "error: agent timed out" in text
    assert "prune: boom" in text


# --- sd_notify --------------------------------------------------------------------------------------


def test_notify_without_socket_is_a_noop() -> None:
    n = Notifier({})
    assert not n.enabled
    assert n.ready() is False and n.watchdog() is False
    assert n.watchdog_interval_s is None


def test_notify_over_a_path_socket() -> None:
    folder = tempfile.mkdtemp(prefix="psn")
    path = os.path.join(folder, "n.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(2)
    try:
        n = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "3000000"})
        assert n.watchdog_interval_s == 1.5
        assert n.ready("watching")
        assert sock.recv(1024).decode().splitlines() == [
            "READY=1",
            f"MAINPID={os.getpid()}",
            "STATUS=watching",
        ]
        assert n.watchdog()
        assert sock.recv(1024) == b"WATCHDOG=1"
        assert n.stopping()
        assert sock.recv(1024) == b"STOPPING=1"
        n.close()
    finally:
        sock.close()
        shutil.rmtree(folder)


def test_notify_over_an_abstract_socket() -> None:
    name = f"plansmith-test-{os.getpid()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    sock.settimeout(2)
    try:
        n = Notifier({"NOTIFY_SOCKET": "@" + name})
        assert n.status("busy\nline")
        assert sock.recv(1024) == b"STATUS=busy line"
    finally:
        sock.close()


def test_watchdog_for_another_pid_is_ignored() -> None:
    n = Notifier({"NOTIFY_SOCKET": "/nonexistent", "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"})
    assert n.watchdog_interval_s is None
    assert n.ready() is False  # sending to a missing socket fails quietly


# --- logging ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "prio"),
    [(logging.CRITICAL, 3), (logging.ERROR, 3), (logging.WARNING, 4), (logging.INFO, 6), (logging.DEBUG, 7)],
)
def test_journald_priorities(level: int, prio: int) -> None:
    assert journald_priority(level) == prio
    record = logging.LogRecord("plansmith.x", level, __file__, 1, "two\nlines", None, None)
    assert JournalFormatter("%(message)s").format(record) == f"<{prio}>two\n<{prio}>lines"


def test_under_journald_detection() -> None:
    stream = io.StringIO()
    assert under_journald({"INVOCATION_ID": "abc"}, stream)
    assert not under_journald({}, stream)
    with tempfile.TemporaryFile("w") as f:
        st = os.fstat(f.fileno())
        assert under_journald({"JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"}, f)
        assert not under_journald({"JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino + 1}"}, f)


@pytest.fixture
def restore_loggers() -> Iterator[None]:
    """setup_logging changes global loggers; put them back for the other tests (caplog)."""
    names = ("plansmith", "watchdog", "apscheduler")
    saved = {n: (list(logging.getLogger(n).handlers), logging.getLogger(n).propagate) for n in names}
    levels = {n: logging.getLogger(n).level for n in names}
    yield
    for n, (handlers, propagate) in saved.items():
        logger = logging.getLogger(n)
        logger.handlers[:] = handlers
        logger.propagate = propagate
        logger.setLevel(levels[n])


@pytest.mark.usefixtures("restore_loggers")
def test_setup_logging_plain_and_journal() -> None:
    plain = io.StringIO()
    setup_logging(stream=plain, env={})
    logging.getLogger("plansmith.daemon.test").warning("hello")
    assert "WARNING" in plain.getvalue() and "hello" in plain.getvalue()
    journal = io.StringIO()
    setup_logging(logging.DEBUG, stream=journal, env={"INVOCATION_ID": "x"})
    logging.getLogger("plansmith.daemon.test").debug("dbg")
    logging.getLogger("plansmith.daemon.test").error("bad")
    assert journal.getvalue().splitlines() == [
        "<7>plansmith.daemon.test: dbg",
        "<3>plansmith.daemon.test: bad",
    ]
    assert "dbg" not in plain.getvalue()


def test_daemon_logs_with_priorities_under_systemd(plan_repo: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(MAIN), str(plan_repo), str(tmp_path / "calls.jsonl"), "--once"],
        env={**os.environ, "INVOCATION_ID": "0123456789abcdef"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line]
    assert lines
    assert all(line[:3] in ("<3>", "<4>", "<6>", "<7>") for line in lines), lines
