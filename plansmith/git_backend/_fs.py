"""Small file-system helpers for plansmith's own state under ``<common git dir>/plansmith/``.

Two guarantees matter here: a JSON state file is either the old or the new version, never half
written (a daemon can be killed at any instant), and two plansmith processes never use the scratch
worktree at the same time. Both are done with POSIX primitives (``rename``, ``flock``) rather than a
library so that the hook fast path can import this module for free.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from plansmith.errors import ConflictError


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new content, never a mix.

    The temporary file lives in the same folder (rename is only atomic within one file system) and is
    fsynced before the rename; the folder is fsynced after it so the rename itself survives a crash.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(tmp).unlink()
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    except OSError:  # some file systems refuse fsync on folders; the rename is still atomic there
        pass
    finally:
        os.close(dir_fd)


def write_json_atomic(path: Path, data: Any) -> None:
    """Write ``data`` as indented, key-sorted JSON (stable output keeps diffs of state files readable)."""
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    write_bytes_atomic(path, text.encode("utf-8"))


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
