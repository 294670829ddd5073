"""The main loop's mailbox: a bounded thread-safe queue the loop can block on together with signals.

Producers (watchdog threads, scheduler jobs) append items and poke a self-pipe; the main loop waits with
``select`` on the pipe, which is also the ``signal.set_wakeup_fd`` target, so a signal wakes it without
the signal handler touching any lock. When the queue is full, further items are dropped and a full
rescan is requested instead (memory stays bounded, nothing is lost for good). File events for the same
path and kind that arrive before the loop drains them are folded into one (first time, last time,
count), so a storm costs memory per distinct path, not per event.

It must not interpret items (the loop does) nor block a producer.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Literal

EventKind = Literal[
    "created", "modified", "closed", "deleted", "moved", "dir_created", "dir_deleted", "dir_moved"
]


@dataclass(frozen=True, slots=True)
class FileEvent:
    """A change below the plans folder; ``path`` is repository-relative (POSIX)."""

    path: str
    kind: str
    time: float
    first: float | None = None
    """When several events for the same path and kind were folded: the time of the first one."""
    count: int = 1


@dataclass(frozen=True, slots=True)
class RefsEvent:
    """HEAD, a ref or packed-refs changed (commit, checkout, merge, rebase, fetch ...)."""

    time: float


@dataclass(frozen=True, slots=True)
class RescanRequest:
    reason: str


@dataclass(slots=True)
class JobRequest:
    """A scheduler job asking the main loop to run a handler method; ``done`` is set when finished."""

    name: str
    done: threading.Event = field(default_factory=threading.Event)


InboxItem = FileEvent | RefsEvent | RescanRequest | JobRequest


class Inbox:
    def __init__(self, maxsize: int = 20_000) -> None:
        self.maxsize = maxsize
        self._items: deque[InboxItem] = deque()
        self._files: dict[tuple[str, str], list[float]] = {}
        self._lock = threading.Lock()
        self._armed = False
        self._closed = False
        self.overflowed = 0
        self.dropped = 0
        self._rescan_reason: str | None = None
        self.read_fd, self.write_fd = os.pipe()
        os.set_blocking(self.read_fd, False)
        os.set_blocking(self.write_fd, False)

    # producers (any thread) ----------------------------------------------------------------------
    def put(self, item: InboxItem) -> bool:
        """Queue ``item``; returns False if it was dropped (full or closed)."""
        with self._lock:
            if self._closed:
                if isinstance(item, JobRequest):
                    item.done.set()
                return False
            if isinstance(item, FileEvent):
                folded = self._files.get((item.path, item.kind))
                if folded is not None:
                    folded[1] = max(folded[1], item.time)
                    folded[2] += 1
                    return True
            if len(self._items) + len(self._files) >= self.maxsize and not isinstance(item, JobRequest):
                self.dropped += 1
                if self._rescan_reason is None:
                    self.overflowed += 1
                    self._rescan_reason = "event queue full"
                    self._items.append(RescanRequest("event queue full"))
                return False
            if isinstance(item, FileEvent):
                self._files[(item.path, item.kind)] = [item.time, item.time, 1]
            else:
                self._items.append(item)
            poke = not self._armed
            self._armed = True
        if poke:
            self.wake()
        return True

    def wake(self) -> None:
        """Make the next (or current) :meth:`wait` return; safe from any thread."""
        with contextlib.suppress(BlockingIOError, OSError):
            os.write(self.write_fd, b"!")

    # consumer (main thread) ----------------------------------------------------------------------
    def wait(self, timeout: float | None) -> None:
        """Block until an item, a signal or ``timeout`` seconds (None: forever)."""
        with self._lock:
            if self._items or self._files:
                return
        if timeout is not None and timeout <= 0:
            return
        with contextlib.suppress(InterruptedError):
            select.select([self.read_fd], [], [], timeout)

    def drain(self) -> list[InboxItem]:
        with contextlib.suppress(BlockingIOError, OSError):
            while os.read(self.read_fd, 4096):
                pass
        with self._lock:
            self._armed = False
            files = self._files
            self._files = {}
            items = list(self._items)
            self._items.clear()
            self._rescan_reason = None
        events: list[InboxItem] = [
            FileEvent(path, kind, last, first if first != last else None, int(count))
            for (path, kind), (first, last, count) in files.items()
        ]
        return events + items

    def __len__(self) -> int:
        return len(self._items) + len(self._files)

    def close(self) -> list[InboxItem]:
        """Refuse further items; release waiting jobs; return what was still queued."""
        with self._lock:
            self._closed = True
            items = list(self._items)
            self._items.clear()
        for item in items:
            if isinstance(item, JobRequest):
                item.done.set()
        return items

    def release_fds(self) -> None:
        for fd in (self.read_fd, self.write_fd):
            with contextlib.suppress(OSError):
                os.close(fd)
