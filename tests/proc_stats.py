"""What a process holds, read from Linux ``/proc``: its open descriptors and its child processes.

The soak tests compare these before and after many operations (the test process itself, or a daemon
started as a subprocess); a leak shows as a count that grows.
"""

from __future__ import annotations

import os
from pathlib import Path


def open_fds(pid: int | str = "self") -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def child_pids(pid: int | str = "self") -> list[int]:
    """The live children of ``pid``, from every one of its threads (``/proc/PID/task/TID/children``)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except FileNotFoundError:  # the thread ended while we looked
            continue
    return found
