"""The daemon's lock and state file under ``<common git dir>/plansmith/``, and ``plansmith status``.

- ``daemon.lock``: ``fcntl.flock`` held for the daemon's lifetime, holding its pid. One daemon per
  repository; the lock goes away with the process, so a crashed daemon never blocks the next one.
- ``state.json``: written atomically (temporary file, fsync, rename). Its shape is documented in
  ``docs/daemon.md`` and returned by :func:`read_status` for ``plansmith status --json``.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plansmith import atomic
from plansmith.errors import DaemonAlreadyRunning

if TYPE_CHECKING:
    from plansmith.daemon.handler import PendingAnalysis, RunRecord

STATE_VERSION = 1
LOCK_NAME = "daemon.lock"
STATE_NAME = "state.json"
MAX_RUNS = 50
MAX_ERRORS = 20


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- lock -----------------------------------------------------------------------------------------


def _read_pid(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


class DaemonLock:
    """An exclusive ``flock`` on ``<state_dir>/daemon.lock`` that stores the holder's pid."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / LOCK_NAME
        self._fd: int | None = None

    def acquire(self, retries: int = 5, delay_s: float = 0.05) -> None:
        """Take the lock or raise :class:`DaemonAlreadyRunning` naming the holder's pid."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        for attempt in range(retries + 1):
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise
                if attempt == retries:
                    os.close(fd)
                    raise DaemonAlreadyRunning(_read_pid(self.path), self.path) from None
                # `plansmith status` probes with a brief shared lock: try again shortly.
                time.sleep(delay_s)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
        with contextlib.suppress(OSError):
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None


def lock_holder(state_dir: Path) -> int | None:
    """The pid of the live daemon holding the lock, or None if no daemon holds it."""
    path = state_dir / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            pid = _read_pid(path)
            return pid if pid is not None else -1
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


# --- state file ------------------------------------------------------------------------------------


@dataclass(slots=True)
class RunEntry:
    plan: str | None
    trigger: str
    result: str
    time: str
    duration_s: float
    proposal: str | None = None
    errors: list[str] = field(default_factory=list)


@dataclass(slots=True)
class PendingEntry:
    plan: str
    item: str | None
    score: float | None
    message: str
    time: str


@dataclass(slots=True)
class ErrorEntry:
    time: str
    where: str
    message: str
    plans: list[str] | None = None


@dataclass(slots=True)
class DaemonState:
    """In-memory state of a running daemon; :meth:`to_json` is the file's content."""

    repository: str
    pid: int = field(default_factory=os.getpid)
    started: str = field(default_factory=now_iso)
    running: bool = True
    heartbeat: str = field(default_factory=now_iso)
    stopped: str | None = None
    phase: str = "starting"
    last_runs: list[RunEntry] = field(default_factory=list)
    pending: dict[str, list[PendingEntry]] = field(default_factory=dict)
    errors: list[ErrorEntry] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    next_jobs: dict[str, str | None] = field(default_factory=dict)

    def count(self, name: str, n: int = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + n

    def add_run(self, entry: RunEntry) -> None:
        self.last_runs.append(entry)
        del self.last_runs[:-MAX_RUNS]

    def add_error(self, where: str, message: str, plans: Iterable[str] | None = None) -> None:
        self.errors.append(
            ErrorEntry(now_iso(), where, message, sorted(plans) if plans is not None else None)
        )
        del self.errors[:-MAX_ERRORS]

    def set_pending(self, plan: str, entries: list[PendingEntry]) -> None:
        if entries:
            self.pending[plan] = entries
        else:
            self.pending.pop(plan, None)

    def record_analysis(
        self, keys: Sequence[str], result: Iterable[PendingAnalysis], trigger: str, duration: float
    ) -> None:
        """An ``analyse_uncommitted`` call for ``keys`` returned ``result``: the plans' pending items."""
        by_plan: dict[str, list[PendingEntry]] = {k: [] for k in keys}
        stamp = now_iso()
        for item in result:
            by_plan.setdefault(item.plan, []).append(
                PendingEntry(item.plan, item.item, item.score, item.message, stamp)
            )
        for key, entries in by_plan.items():
            self.set_pending(key, entries)
        for key in keys:
            self.add_run(RunEntry(key, trigger, "analysed", stamp, round(duration, 3), None, []))
        self.count("analyses", len(keys))

    def record_runs(
        self, records: Sequence[RunRecord] | None, keys: Sequence[str] | None, trigger: str, duration: float
    ) -> int:
        """A handler call's records (none: one ``done`` entry per plan, or for all plans); how many of
        them say a plan failed (the others went on: ``daemon --once`` still exits 1)."""
        stamp = now_iso()
        if not records:
            for key in keys if keys is not None else [None]:
                self.add_run(RunEntry(key, trigger, "done", stamp, round(duration, 3)))
            return 0
        for r in records:
            took = r.duration_s if r.duration_s is not None else duration
            self.add_run(
                RunEntry(r.plan, trigger, r.result, stamp, round(took, 3), r.proposal, list(r.errors))
            )
        return sum(1 for r in records if r.result.startswith("failed"))

    def to_json(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "repository": self.repository,
            "pid": self.pid,
            "started": self.started,
            "running": self.running,
            "heartbeat": self.heartbeat,
            "stopped": self.stopped,
            "phase": self.phase,
            "last_runs": [asdict(r) for r in reversed(self.last_runs)],
            "pending": [asdict(p) for plan in sorted(self.pending) for p in self.pending[plan]],
            "errors": [asdict(e) for e in reversed(self.errors)],
            "counters": dict(sorted(self.counters.items())),
            "next_jobs": dict(sorted(self.next_jobs.items())),
        }


class StateStore:
    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / STATE_NAME

    def write(self, state: DaemonState) -> None:
        atomic.write_json_atomic(self.path, state.to_json(), sort_keys=False, ensure_ascii=True)

    def read(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None


# --- status -----------------------------------------------------------------------------------------

_EMPTY: dict[str, Any] = {
    "version": STATE_VERSION,
    "running": False,
    "pid": None,
    "started": None,
    "heartbeat": None,
    "stopped": None,
    "last_seen": None,
    "phase": None,
    "last_runs": [],
    "pending": [],
    "errors": [],
    "counters": {},
    "next_jobs": {},
}


def read_status(state_dir: Path) -> dict[str, Any]:
    """The daemon part of ``plansmith status --json`` for the repository whose state dir this is.

    ``running`` is true only if a live process holds the lock (the state file alone may be stale:
    a killed daemon cannot mark itself stopped). ``last_seen`` is the newest of heartbeat/stopped.
    """
    data = StateStore(state_dir).read() or {}
    out = dict(_EMPTY)
    for key in _EMPTY:
        if key in data:
            out[key] = data[key]
    holder = lock_holder(state_dir)
    out["running"] = holder is not None
    if holder is not None and holder > 0:
        out["pid"] = holder
    stamps = [s for s in (data.get("heartbeat"), data.get("stopped")) if isinstance(s, str)]
    out["last_seen"] = max(stamps) if stamps else None
    if not out["running"]:
        out["phase"] = "stopped"
    return out


def _ago(stamp: str | None, now: datetime | None = None) -> str:
    if not stamp:
        return "never"
    try:
        then = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    seconds = int(((now or datetime.now(UTC)) - then).total_seconds())
    if seconds < 0:
        return stamp
    if seconds < 120:
        unit = f"{seconds} s"
    elif seconds < 7200:
        unit = f"{seconds // 60} min"
    elif seconds < 172800:
        unit = f"{seconds // 3600} h"
    else:
        unit = f"{seconds // 86400} days"
    return f"{stamp} ({unit} ago)"


def format_status(status: Mapping[str, Any], *, now: datetime | None = None) -> str:
    """A few lines for people: running or not, pending analyses, last runs, recent errors."""
    lines: list[str] = []
    if status.get("running"):
        lines.append(
            f"daemon: running (pid {status.get('pid')}, since {status.get('started')}, "
            f"heartbeat {_ago(status.get('heartbeat'), now)})"
        )
    elif status.get("last_seen"):
        lines.append(f"daemon: not running (last seen {_ago(status.get('last_seen'), now)})")
    else:
        lines.append("daemon: not running")
    pending = status.get("pending") or []
    if pending:
        lines.append("uncommitted changes analysed:")
        for p in pending:
            lines.append(f"  {p.get('plan')}: {p.get('message')}")
    runs = status.get("last_runs") or []
    if runs:
        lines.append("last runs:")
        for r in runs[:10]:
            what = r.get("result")
            if r.get("proposal"):
                what = f"{what} -> {r['proposal']}"
            plan = r.get("plan") or "(all plans)"
            lines.append(f"  {r.get('time')}  {plan}  {r.get('trigger')}: {what} ({r.get('duration_s')} s)")
            lines.extend(f"    error: {e}" for e in r.get("errors") or [])
    errors = status.get("errors") or []
    if errors:
        lines.append("recent errors:")
        for e in errors[:5]:
            lines.append(f"  {e.get('time')}  {e.get('where')}: {e.get('message')}")
    return "\n".join(lines)
