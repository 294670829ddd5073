"""Small file-system helpers for plansmith's own state under ``<common git dir>/plansmith/``.

Two guarantees matter here: a JSON state file is either the old or the new version, never half
written (a daemon can be killed at any instant: :mod:`plansmith.atomic` writes every such file), and two
plansmith processes never use the scratch worktree at the same time (:func:`file_lock`). Both are done
with POSIX primitives (``rename``, ``flock``) rather than a library so that the hook fast path can import
this module for free. It never writes outside the paths it is given.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from plansmith.atomic import write_bytes_atomic, write_json_atomic
from plansmith.errors import ConflictError

__all__ = ["file_lock", "read_json", "write_bytes_atomic", "write_json_atomic"]


def read_json(path: Path, default: Any) -> Any:
    """The JSON content of ``path``, or ``default`` when the file does not exist."""
    try:
        return json.loads(path.read_bytes())
    except FileNotFoundError:
        return default


class _Holder:
    """Process-wide state of one lock file: an in-process lock plus the flock'ed descriptor."""

    def __init__(self) -> None:
        self.thread_lock = threading.RLock()
        self.fd: int | None = None
        self.depth = 0


_HOLDERS: dict[str, _Holder] = {}
_HOLDERS_GUARD = threading.Lock()


def _holder(path: Path) -> _Holder:
    with _HOLDERS_GUARD:
        return _HOLDERS.setdefault(str(path), _Holder())


@contextlib.contextmanager
def file_lock(path: Path, *, timeout: float = 30.0, what: str = "plansmith's state") -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing) for the duration of the block.

    ``flock`` excludes other processes and is released by the kernel when a holder dies, so a killed
    daemon never leaves a lock behind. It is re-entrant within one thread (nested operations of the
    same worktree session must not deadlock) and exclusive between threads of one process (an
    in-process ``RLock`` in front of the descriptor). Waits up to ``timeout`` seconds, then raises
    :class:`ConflictError`.
    """
    holder = _holder(path)
    deadline = time.monotonic() + timeout
    if not holder.thread_lock.acquire(timeout=max(timeout, 0.0)):
        raise _busy(path, what)
    try:
        if holder.depth == 0:
            holder.fd = _flock(path, deadline, what)
        holder.depth += 1
        try:
            yield
        finally:
            holder.depth -= 1
            if holder.depth == 0 and holder.fd is not None:
                fcntl.flock(holder.fd, fcntl.LOCK_UN)
                os.close(holder.fd)
                holder.fd = None
    finally:
        holder.thread_lock.release()


def _flock(path: Path, deadline: float, what: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    delay = 0.005
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise _busy(path, what) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.1)


def _busy(path: Path, what: str) -> ConflictError:
    return ConflictError(
        f"{what} is in use by another plansmith process (lock {path.name})",
        hint="wait for the running plansmith operation to finish, or stop the daemon, then try again",
    )
