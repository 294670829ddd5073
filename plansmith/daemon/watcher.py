"""Event sources: a watchdog observer on the plan roots and on the git dirs, and the overflow hook.

Watches:
- each literal folder the root patterns start with (``specs`` and ``.claude/specs`` for the default
  ``plans_dirs``) recursively, for file and directory creations, modifications, close-after-write,
  deletions and moves (open/close-without-write are not asked for: the daemon reading a plan to hash
  it must not wake itself up). Events are turned into :class:`FileEvent` with repository-relative
  paths; which of them belong to a plan is decided by the (pure) debouncer. A folder that is or may
  become a root (``specs/042_new``, ``specs/042_new/plans``) also asks for a rescan, so a root created
  while the daemon runs is picked up even if its first files raced the new watch. A literal folder that
  does not exist yet is waited for through a watch on its nearest existing ancestor.
- the git dirs: this worktree's git dir and the common git dir (non-recursive: ``HEAD``,
  ``packed-refs``) plus ``refs/`` (and ``reftable/``) recursively. Anything that says HEAD or a ref moved
  becomes a :class:`RefsEvent`; ``*.lock`` churn, the index, objects and ``plansmith/`` are ignored.

watchdog 7 reports an inotify queue overflow only through its loggers (``watchdog.observers.inotify_c``:
"Inotify queue overflowed; filesystem events were lost", and ``watchdog.observers.inotify``:
"Inotify queue overflowed; reconciling recursive watches ..."); no event is delivered. The
:class:`OverflowHook` logging handler turns those warnings into an immediate rescan request.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

from plansmith.daemon.debounce import is_ref_change
from plansmith.daemon.inbox import FileEvent, Inbox, RefsEvent, RescanRequest
from plansmith.daemon.repo import RepoPaths
from plansmith.plan.roots import as_patterns, could_hold_root, literal_prefixes

log = logging.getLogger(__name__)

OVERFLOW_LOGGERS = ("watchdog.observers.inotify_c", "watchdog.observers.inotify")

_PLAN_EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileClosedEvent,
    FileDeletedEvent,
    FileMovedEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]
_GIT_EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileClosedEvent,
    FileDeletedEvent,
    FileMovedEvent,
    DirDeletedEvent,
]


def _text(path: bytes | str) -> str:
    return os.fsdecode(path)


def _kind(event: FileSystemEvent) -> str:
    return f"dir_{event.event_type}" if event.is_directory else event.event_type


class _PlansHandler(FileSystemEventHandler):
    def __init__(self, root: Path, roots: tuple[str, ...], inbox: Inbox) -> None:
        self._prefix = str(root).rstrip(os.sep) + os.sep
        self._roots = roots
        self._inbox = inbox

    def _rel(self, path: bytes | str) -> str | None:
        p = _text(path)
        # A plain prefix cut (watchdog gives absolute paths below the watched folder): this runs for
        # every event of a storm, so it stays cheap.
        if not p.startswith(self._prefix):
            return None
        rel = p[len(self._prefix) :]
        return rel if os.sep == "/" else rel.replace(os.sep, "/")

    def dispatch(self, event: FileSystemEvent) -> None:
        now = time.monotonic()
        kind = _kind(event)
        for raw in (event.src_path, event.dest_path):
            rel = self._rel(raw)
            if rel is not None:
                self._inbox.put(FileEvent(rel, kind, now))
                if kind in ("dir_created", "dir_moved") and could_hold_root(rel, self._roots):
                    self._inbox.put(RescanRequest(f"{rel} may be a new plan root"))


class _AncestorHandler(FileSystemEventHandler):
    """Watches the nearest existing ancestor of a missing root folder; asks for a rescan on new dirs."""

    def __init__(self, inbox: Inbox) -> None:
        self._inbox = inbox

    def dispatch(self, event: FileSystemEvent) -> None:
        if event.is_directory:
            self._inbox.put(RescanRequest("a plan root's folder may have appeared"))


class _GitHandler(FileSystemEventHandler):
    def __init__(self, dirs: list[Path], inbox: Inbox) -> None:
        self._dirs = [str(d) for d in dirs]
        self._inbox = inbox

    def _is_ref(self, path: bytes | str) -> bool:
        p = _text(path)
        if not p:
            return False
        for base in self._dirs:
            if p == base or p.startswith(base + os.sep):
                rel = os.path.relpath(p, base).replace(os.sep, "/")
                if rel.startswith("plansmith/") or rel == "plansmith":
                    return False
                if is_ref_change(rel):
                    return True
        return False

    def dispatch(self, event: FileSystemEvent) -> None:
        if self._is_ref(event.dest_path) or self._is_ref(event.src_path):
            self._inbox.put(RefsEvent(time.monotonic()))


class OverflowHook(logging.Handler):
    """Turns watchdog's "queue overflowed" warnings into a rescan request."""

    def __init__(self, inbox: Inbox) -> None:
        super().__init__(level=logging.WARNING)
        self._inbox = inbox
        self.seen = 0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record must not break watchdog's thread
            message = str(record.msg)
        if "overflow" in message.lower():
            self.seen += 1
            self._inbox.put(RescanRequest("inotify queue overflow"))

    def install(self) -> None:
        for name in OVERFLOW_LOGGERS:
            logger = logging.getLogger(name)
            # The hook only sees records the logger lets through.
            if logger.getEffectiveLevel() > logging.WARNING:
                logger.setLevel(logging.WARNING)
            logger.addHandler(self)

    def uninstall(self) -> None:
        for name in OVERFLOW_LOGGERS:
            logging.getLogger(name).removeHandler(self)


@dataclass
class _FolderWatch:
    """The watch on one literal folder, or on its nearest existing ancestor while it is missing."""

    watch: ObservedWatch | None = None
    ino: tuple[int, int] | None = None
    ancestor_watch: ObservedWatch | None = None
    ancestor_path: Path | None = None


class Watcher:
    """Owns the watchdog observer; thread-safe ``ensure_watches`` re-creates watches that went away."""

    def __init__(
        self,
        repo: RepoPaths,
        roots: str | Sequence[str],
        inbox: Inbox,
        *,
        observer_factory: Callable[[], BaseObserver] | None = None,
    ) -> None:
        self.repo = repo
        self.roots = as_patterns(roots)
        self.folders = literal_prefixes(self.roots)
        self.inbox = inbox
        self._observer_factory = observer_factory or Observer
        self._observer: BaseObserver | None = None
        self._watches = {folder: _FolderWatch() for folder in self.folders}
        self._lock = threading.Lock()
        self.overflow_hook = OverflowHook(inbox)

    def watched(self) -> list[str]:
        """The literal folders watched now (the others do not exist yet)."""
        return [folder for folder, state in self._watches.items() if state.watch is not None]

    def _git_dirs(self) -> tuple[list[Path], list[Path]]:
        flat = [self.repo.git_dir]
        if self.repo.common_dir != self.repo.git_dir:
            flat.append(self.repo.common_dir)
        deep = [p for p in (self.repo.common_dir / "refs", self.repo.common_dir / "reftable") if p.is_dir()]
        return flat, deep

    def start(self) -> None:
        observer = self._observer_factory()
        self._observer = observer
        self.overflow_hook.install()
        flat, deep = self._git_dirs()
        handler = _GitHandler(flat, self.inbox)
        for d in flat:
            observer.schedule(handler, str(d), recursive=False, event_filter=_GIT_EVENTS)
        for d in deep:
            observer.schedule(handler, str(d), recursive=True, event_filter=_GIT_EVENTS)
        self.ensure_watches()
        observer.start()

    def ensure_watches(self) -> bool:
        """(Re)schedule the watch of each literal folder that appeared, vanished or was replaced.

        Returns True if the watches changed (the caller should rescan).
        """
        observer = self._observer
        if observer is None:
            return False
        with self._lock:
            changed = False
            for folder, state in self._watches.items():
                # A folder created right after the ancestor watch was placed would be missed: look again.
                for _ in range(8):
                    if not self._ensure_once(observer, folder, state):
                        break
                    changed = True
            return changed

    def _ensure_once(self, observer: BaseObserver, folder: str, state: _FolderWatch) -> bool:
        path = self.repo.root / folder
        try:
            st = path.stat()
            ino: tuple[int, int] | None = (
                (st.st_dev, st.st_ino) if path.is_dir() and not path.is_symlink() else None
            )
        except OSError:
            ino = None
        ancestor: Path | None = None
        if ino is None:
            ancestor = path.parent
            while not ancestor.is_dir() and ancestor != self.repo.root:
                ancestor = ancestor.parent
        if ino is not None and ino == state.ino and state.watch is not None:
            return False
        if ancestor is not None and ancestor == state.ancestor_path and state.ancestor_watch is not None:
            return False
        for watch in (state.watch, state.ancestor_watch):
            if watch is not None:
                with contextlib.suppress(KeyError, OSError):
                    observer.unschedule(watch)
        state.watch = state.ancestor_watch = None
        state.ino = state.ancestor_path = None
        if ino is not None:
            state.watch = observer.schedule(
                _PlansHandler(self.repo.root, self.roots, self.inbox),
                str(path),
                recursive=True,
                event_filter=_PLAN_EVENTS,
            )
            state.ino = ino
            log.debug("watching %s", folder)
        elif ancestor is not None:
            state.ancestor_watch = observer.schedule(
                _AncestorHandler(self.inbox),
                str(ancestor),
                recursive=False,
                event_filter=[DirCreatedEvent, DirMovedEvent],
            )
            state.ancestor_path = ancestor
            # Most repositories have only some of the default roots: the one "watching" line of the
            # loop says what is watched; a root that is not there is no news (debug only).
            log.debug("%s does not exist yet; waiting for it to appear", folder)
        return True

    def stop(self, timeout: float = 3.0) -> None:
        observer = self._observer
        self._observer = None
        self.overflow_hook.uninstall()
        if observer is None:
            return
        observer.stop()
        observer.join(timeout)
