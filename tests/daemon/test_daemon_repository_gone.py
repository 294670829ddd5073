"""Issue 18: a daemon whose repository was deleted retried forever. Now it logs one clear line, tells
systemd why (``STATUS=``) and exits non-zero, so the service shows as failed instead of busy."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from daemon_helpers import PLAN_FILES


def test_the_daemon_stops_with_a_clear_status_when_its_repository_is_deleted(
    make_repo: Callable[..., Path],
) -> None:
    repo = make_repo(dict(PLAN_FILES))
    folder = tempfile.mkdtemp(prefix="plansmith-notify-")  # short: socket paths are limited in length
    path = os.path.join(folder, "n.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(30)
    env = {**os.environ, "NOTIFY_SOCKET": path, "WATCHDOG_USEC": "2000000", "WATCHDOG_PID": ""}
    proc = subprocess.Popen(
        [sys.executable, "-m", "plansmith", "--repo", str(repo), "daemon"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        messages: list[str] = []
        while not any(m.startswith("READY=1") for m in messages):
            messages.append(sock.recv(4096).decode())
        _delete_while_the_daemon_may_write(repo)
        started = time.monotonic()
        code = proc.wait(30)
        took = time.monotonic() - started
        _, stderr = proc.communicate()
        while True:
            try:
                messages.append(sock.recv(4096).decode())
            except (TimeoutError, OSError):
                break
            sock.settimeout(0.5)
    finally:
        if proc.poll() is None:
            proc.kill()
        sock.close()
        shutil.rmtree(folder)
    assert code == 1, stderr
    assert not repo.exists(), sorted(str(p) for p in repo.rglob("*"))  # nothing written back
    assert took < 10
    assert f"the repository {repo} is gone (deleted or moved); nothing left to watch" in stderr
    assert stderr.count("is gone") == 1, stderr
    assert "is gone" in stderr.strip().splitlines()[-1]  # the last word: why it stopped
    last = [m for m in messages if "STOPPING=1" in m][-1]
    assert f"STATUS=the repository {repo} is gone" in last


def _delete_while_the_daemon_may_write(repo: Path) -> None:
    """``rm -rf`` as a person runs it: the daemon may still be writing its first state (the structure
    memory, the status file) when the deletion starts, so a file can appear in a folder being removed;
    delete again until the folder is gone, as a person would."""
    for _ in range(50):
        shutil.rmtree(repo, ignore_errors=True)
        if not repo.exists():
            return
        time.sleep(0.05)
    raise AssertionError(f"{repo} could not be deleted")
