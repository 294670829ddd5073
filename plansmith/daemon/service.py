"""The daemon's main loop: events in, debounced and hash-checked decisions, handler calls out.

Threads: watchdog's observer and APScheduler's scheduler only post items into the :class:`Inbox`; every
handler call happens on the main thread, one at a time. The loop blocks in ``select`` until an item, a
signal, the debouncer's next due time, a backoff deadline or the systemd watchdog ping, so an idle
daemon does not wake up on its own beyond those.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, Protocol, TypeVar

from plansmith.daemon.debounce import (
    Debouncer,
    FileHashes,
    PlanKey,
    backoff_delay,
    changed,
    changed_keys,
)
from plansmith.daemon.inbox import FileEvent, Inbox, JobRequest, RefsEvent, RescanRequest
from plansmith.daemon.repo import (
    RepoPaths,
    Snapshot,
    committed_snapshot,
    discover,
    head_branch,
    worktree_snapshot,
)
from plansmith.daemon.scheduler import JobIntervals, JobScheduler
from plansmith.daemon.sdnotify import Notifier
from plansmith.daemon.state import (
    DaemonLock,
    DaemonState,
    PendingEntry,
    RunEntry,
    StateStore,
    now_iso,
    read_status,
)
from plansmith.daemon.watcher import Watcher
from plansmith.plan.roots import DEFAULT_ROOTS, as_patterns

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130
_MAX_BRANCHES = 16
_REFS_KEY = "HEAD"


# --- what the engine hands back ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PendingAnalysis:
    """An uncommitted edit's analysis result, shown by ``plansmith status``."""

    plan: PlanKey
    item: str | None
    score: float | None
    message: str
    """e.g. "phase 3 scores 9.1: a proposal follows once it is committed"."""


@dataclass(frozen=True, slots=True)
class RunRecord:
    """The outcome of handling one plan's committed content (or a job)."""

    plan: PlanKey | None
    result: str
    """e.g. ``proposal``, ``nothing-to-do``, ``rejected-before``, ``edited``, ``failed``."""
    proposal: str | None = None
    """The proposal branch, when one was published or updated."""
    duration_s: float | None = None
    errors: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class DaemonOptions:
    """Timing settings; :meth:`DaemonHandler.reload_settings` may return new ones (SIGHUP)."""

    debounce_ms: int = 500
    max_wait_factor: float = 5.0
    """A storm that never pauses is still handled every ``debounce_ms * max_wait_factor``."""
    intervals: JobIntervals = field(default_factory=JobIntervals)
    stop_timeout_s: float = 10.0


class RunContext:
    """Given to every handler call: the cancellation flag and a progress callback."""

    def __init__(self, trigger: str, cancelled: threading.Event, on_progress: Callable[[str | None], None]):
        self.trigger = trigger
        """What caused the call: start, once, edit, commit, rescan, reconcile, refresh, cleanup, prune."""
        self.cancelled = cancelled
        self._on_progress = on_progress

    def is_cancelled(self) -> bool:
        """True once SIGTERM/SIGINT arrived: finish or roll back the run in flight, then return."""
        return self.cancelled.is_set()

    def progress(self, status: str | None = None) -> None:
        """Call during long runs: keeps the systemd watchdog fed and (optionally) sets STATUS=."""
        self._on_progress(status)


class DaemonHandler(Protocol):
    """What the daemon calls. All calls come from the daemon's main thread, one at a time."""

    def recover(self, ctx: RunContext) -> None:
        """On start: reset the scratch worktree, remove stale locks left by a killed run."""

    def analyse_uncommitted(
        self, plans: Sequence[PlanKey], ctx: RunContext
    ) -> Sequence[PendingAnalysis] | None:
        """Working-tree edits not committed yet: analyse and report, never make a proposal.

        Return the items to show in ``plansmith status`` for these plans (none: nothing pending).
        """

    def handle_committed(
        self, plans: Sequence[PlanKey] | None, ctx: RunContext
    ) -> Sequence[RunRecord] | None:
        """Compute/publish proposals for plans whose committed content changed.

        ``None`` means "check every plan" (start, ``--once``, rescans, reconciliation): must be cheap
        and idempotent when nothing changed since the handler last looked.
        """

    def refresh_stale(self, ctx: RunContext) -> Sequence[RunRecord] | None:
        """Recompute proposals whose base moved."""

    def cleanup(self, ctx: RunContext) -> None:
        """Remove old artifacts and checkpoints."""

    def prune(self, ctx: RunContext) -> None:
        """Prune orphaned worktrees."""

    def reload_settings(self) -> DaemonOptions | None:
        """SIGHUP: re-read settings; return new timing options to apply them to the daemon too."""


# --- the loop ----------------------------------------------------------------------------------------

T = TypeVar("T")


class Daemon:
    def __init__(
        self,
        repo: RepoPaths,
        handler: DaemonHandler,
        *,
        roots: str | Sequence[str] = DEFAULT_ROOTS,
        options: DaemonOptions,
        notifier: Notifier | None = None,
        exit_when_overdue: bool = True,
    ) -> None:
        self.repo = repo
        self.exit_when_overdue = exit_when_overdue
        """After SIGTERM, leave the process (os._exit) if the run in flight ignores cancellation."""
        self.handler = handler
        self.roots = as_patterns(roots)
        self.options = options
        self.notifier = notifier or Notifier()
        self.inbox = Inbox()
        self.lock = DaemonLock(repo.state_dir)
        self.store = StateStore(repo.state_dir)
        self.state = DaemonState(repository=str(repo.root))
        debounce_s, max_wait_s = self._timing(options)
        self.plans = Debouncer(self.roots, debounce_s, max_wait_s)
        self.refs = Debouncer(self.roots, debounce_s, max_wait_s)
        self.cancelled = threading.Event()
        self.stop_signal: int | None = None
        self.reload_requested = False
        self.watcher: Watcher | None = None
        self.scheduler: JobScheduler | None = None
        # What was seen / handled, for the content-hash checks.
        self.worktree: Snapshot = {}
        self.analysed: dict[PlanKey, FileHashes] = {}
        self.committed: OrderedDict[str, Snapshot] = OrderedDict()
        # Work waiting to be handed to the handler.
        self.todo_analyse: set[PlanKey] = set()
        self.todo_committed: set[PlanKey] = set()
        self.todo_committed_all: str | None = None
        """Set to the trigger when every plan is to be checked (handle_committed(None))."""
        self.todo_jobs: list[JobRequest] = []
        self.failures = 0
        self.backoff_until = 0.0
        self.run_errors = 0
        self.rescan_after_backoff = False
        self.next_ping: float | None = None
        self._last_ping = 0.0
        self._old_handlers: dict[int, Any] = {}
        self._old_wakeup_fd: int | None = None
        self._stop_timer: threading.Timer | None = None

    @staticmethod
    def _timing(options: DaemonOptions) -> tuple[float, float]:
        debounce_s = max(0, options.debounce_ms) / 1000
        return debounce_s, max(debounce_s, debounce_s * max(1.0, options.max_wait_factor))

    # -- signals ------------------------------------------------------------------------------------
    def _on_stop_signal(self, signum: int, _frame: FrameType | None) -> None:
        if self.stop_signal is not None:
            return
        self.stop_signal = signum
        self.cancelled.set()
        timer = threading.Timer(self.options.stop_timeout_s - 0.5, self._stop_overdue)
        timer.daemon = True
        timer.start()
        self._stop_timer = timer

    def _stop_overdue(self) -> None:
        log.error("the run in flight did not stop within %.0f s; exiting anyway", self.options.stop_timeout_s)
        with contextlib.suppress(Exception):
            self.state.running = False
            self.state.stopped = now_iso()
            self.state.phase = "stopped"
            self.state.add_error("shutdown", "run in flight did not stop in time; exited anyway")
            self.store.write(self.state)
        if self.exit_when_overdue:
            os._exit(EXIT_FAILED)

    def _on_hup(self, _signum: int, _frame: FrameType | None) -> None:
        self.reload_requested = True

    def _install_signals(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            log.debug("not on the main thread: signals are not handled")
            return
        self._old_wakeup_fd = signal.set_wakeup_fd(self.inbox.write_fd, warn_on_full_buffer=False)
        for sig, fn in ((signal.SIGTERM, self._on_stop_signal), (signal.SIGINT, self._on_stop_signal)):
            self._old_handlers[sig] = signal.signal(sig, fn)
        self._old_handlers[signal.SIGHUP] = signal.signal(signal.SIGHUP, self._on_hup)

    def _restore_signals(self) -> None:
        for sig, old in self._old_handlers.items():
            with contextlib.suppress(Exception):
                signal.signal(sig, old)
        self._old_handlers.clear()
        if self._old_wakeup_fd is not None:
            with contextlib.suppress(Exception):
                signal.set_wakeup_fd(self._old_wakeup_fd)
            self._old_wakeup_fd = None

    # -- helpers ------------------------------------------------------------------------------------
    def _progress(self, status: str | None) -> None:
        now = time.monotonic()
        interval = self.notifier.watchdog_interval_s
        if interval is not None and now - self._last_ping >= min(interval, 1.0):
            self.notifier.watchdog()
            self._last_ping = now
            self.next_ping = now + interval
        if status:
            self.notifier.status(status)

    def _ctx(self, trigger: str) -> RunContext:
        return RunContext(trigger, self.cancelled, self._progress)

    def _save(self) -> None:
        self.state.heartbeat = now_iso()
        if self.scheduler is not None:
            with contextlib.suppress(Exception):
                self.state.next_jobs = self.scheduler.next_runs()
        try:
            self.store.write(self.state)
        except OSError as exc:
            log.warning("could not write %s: %s", self.store.path, exc)

    def _call(
        self, where: str, plans: Sequence[str] | None, fn: Callable[[], T]
    ) -> tuple[bool, T | None, float]:
        """Run one handler call; errors are logged, recorded and start the backoff."""
        started = time.monotonic()
        try:
            result = fn()
        except Exception as exc:
            duration = time.monotonic() - started
            self.failures += 1
            self.run_errors += 1
            delay = backoff_delay(self.failures)
            self.backoff_until = time.monotonic() + delay
            self.state.count("handler_errors")
            self.state.add_error(where, f"{type(exc).__name__}: {exc}", plans)
            log.exception("%s failed (%d in a row); next attempt in %.0f s", where, self.failures, delay)
            return False, None, duration
        self.failures = 0
        self.backoff_until = 0.0
        self.state.count("handler_calls")
        return True, result, time.monotonic() - started

    # -- content checks -----------------------------------------------------------------------------
    def _reconsider(self, keys: set[PlanKey], head: Snapshot) -> None:
        """Decide, for plans whose working tree or HEAD content moved, whether an analysis is due."""
        for key in keys:
            wt = self.worktree.get(key)
            if wt is None or wt == head.get(key):
                # Not an uncommitted edit (any more): nothing to analyse, nothing pending.
                self.analysed.pop(key, None)
                self.todo_analyse.discard(key)
                self.state.set_pending(key, [])
                continue
            if changed(self.analysed.get(key), wt):
                self.todo_analyse.add(key)

    def check_worktree(self, keys: set[PlanKey] | None) -> set[PlanKey]:
        """Hash the plans on disk; keys whose content changed since last seen are reconsidered."""
        current = worktree_snapshot(self.repo, self.roots, keys)
        candidates = set(current) | set(self.worktree) if keys is None else keys
        moved = {k for k in candidates if changed(self.worktree.get(k), current.get(k, {}))}
        # An absent plan and an empty one are the same thing here.
        moved = {k for k in moved if self.worktree.get(k) or current.get(k)}
        self.state.count("skipped_unchanged", len(candidates) - len(moved))
        if not moved:
            return moved
        for key in moved:
            if current.get(key):
                self.worktree[key] = current[key]
            else:
                self.worktree.pop(key, None)
        self._reconsider(moved, committed_snapshot(self.repo, self.roots))
        return moved

    def check_refs(self) -> set[PlanKey]:
        """HEAD or refs moved: find plans whose committed content changed on the current branch."""
        branch = head_branch(self.repo)
        if branch is None:
            log.debug("HEAD is detached (rebase or bisect in progress?): waiting for a branch")
            return set()
        head = committed_snapshot(self.repo, self.roots)
        previous = self.committed.get(branch)
        keys = set(head) if previous is None else changed_keys(previous, head)
        self.committed[branch] = head
        self.committed.move_to_end(branch)
        while len(self.committed) > _MAX_BRANCHES:
            self.committed.popitem(last=False)
        if keys:
            self.todo_committed |= keys
        else:
            self.state.count("skipped_unchanged")
        self._reconsider(set(self.worktree) | set(head) | set(self.analysed), head)
        return keys

    def full_rescan(self, reason: str, trigger: str = "rescan") -> None:
        quiet = reason in ("start", "periodic reconciliation")
        log.log(logging.DEBUG if quiet else logging.INFO, "rescan (%s)", reason)
        self.state.count("rescans")
        if self.watcher is not None:
            self.watcher.ensure_watches()
        self.check_worktree(None)
        self.check_refs()
        self.todo_committed_all = self.todo_committed_all or trigger

    # -- running the handler --------------------------------------------------------------------------
    def _has_work(self) -> bool:
        return bool(
            self.todo_analyse
            or self.todo_committed
            or self.todo_committed_all
            or self.todo_jobs
            or self.rescan_after_backoff
        )

    def run_pending(self, trigger: str = "edit") -> bool:
        """Hand waiting work to the handler (unless backing off or stopping). True if anything ran."""
        if not self._has_work() or self.cancelled.is_set() or time.monotonic() < self.backoff_until:
            return False
        if self.todo_analyse:
            self._run_analyse(sorted(self.todo_analyse), trigger)
        if not self.cancelled.is_set() and time.monotonic() >= self.backoff_until:
            if self.todo_committed_all:
                self._run_committed(None, self.todo_committed_all)
            elif self.todo_committed:
                self._run_committed(sorted(self.todo_committed), "commit")
        while self.todo_jobs and not self.cancelled.is_set() and time.monotonic() >= self.backoff_until:
            job = self.todo_jobs.pop(0)
            try:
                self._run_job(job.name)
            finally:
                job.done.set()
        self._save()
        return True

    def _run_analyse(self, keys: list[PlanKey], trigger: str) -> None:
        snapshot = {k: self.worktree.get(k, {}) for k in keys}
        self.todo_analyse.difference_update(keys)
        ok, result, duration = self._call(
            "analyse_uncommitted", keys, lambda: self.handler.analyse_uncommitted(keys, self._ctx(trigger))
        )
        if not ok:
            self.todo_analyse.update(keys)
            self.state.add_run(RunEntry(None, trigger, "failed", now_iso(), round(duration, 3), None, []))
            return
        by_plan: dict[str, list[PendingEntry]] = {k: [] for k in keys}
        stamp = now_iso()
        for item in result or ():
            by_plan.setdefault(item.plan, []).append(
                PendingEntry(item.plan, item.item, item.score, item.message, stamp)
            )
        for key, entries in by_plan.items():
            self.state.set_pending(key, entries)
        for key in keys:
            self.analysed[key] = snapshot[key]
            self.state.add_run(RunEntry(key, trigger, "analysed", stamp, round(duration, 3), None, []))
        self.state.count("analyses", len(keys))

    def _run_committed(self, keys: list[PlanKey] | None, trigger: str) -> None:
        was_all, was_keys = self.todo_committed_all, set(self.todo_committed)
        self.todo_committed_all = None
        self.todo_committed.clear()
        ok, result, duration = self._call(
            "handle_committed", keys, lambda: self.handler.handle_committed(keys, self._ctx(trigger))
        )
        if not ok:
            self.todo_committed_all = was_all
            self.todo_committed |= was_keys
            self.state.add_run(RunEntry(None, trigger, "failed", now_iso(), round(duration, 3), None, []))
            return
        self._record(result, keys, trigger, duration)
        self.state.count("committed_runs")

    def _record(
        self, records: Sequence[RunRecord] | None, keys: Sequence[str] | None, trigger: str, duration: float
    ) -> None:
        stamp = now_iso()
        if not records:
            for key in keys if keys is not None else [None]:
                self.state.add_run(RunEntry(key, trigger, "done", stamp, round(duration, 3)))
            return
        for r in records:
            self.state.add_run(
                RunEntry(
                    r.plan,
                    trigger,
                    r.result,
                    stamp,
                    round(r.duration_s if r.duration_s is not None else duration, 3),
                    r.proposal,
                    list(r.errors),
                )
            )

    def _run_job(self, name: str) -> None:
        self.state.count(f"job_{name}")
        if name == "heartbeat":
            return
        if name == "reconcile":
            self.full_rescan("periodic reconciliation")
            if self.todo_analyse:
                self._run_analyse(sorted(self.todo_analyse), "reconcile")
            self._run_committed(None, "reconcile")
            return
        if name == "refresh":
            ok, result, duration = self._call(
                "refresh_stale", None, lambda: self.handler.refresh_stale(self._ctx(name))
            )
            if ok and result:
                self._record(result, None, name, duration)
            return
        if name == "cleanup":
            self._call("cleanup", None, lambda: self.handler.cleanup(self._ctx(name)))
            return
        if name == "prune":
            self._call("prune", None, lambda: self.handler.prune(self._ctx(name)))
            return
        log.warning("unknown job %r", name)

    def _reload(self) -> None:
        self.reload_requested = False
        log.info("SIGHUP: reloading settings")
        self.notifier.reloading()
        ok, options, _ = self._call("reload_settings", None, self.handler.reload_settings)
        self.state.count("reloads")
        if ok and options is not None:
            self.options = options
            debounce_s, max_wait_s = self._timing(options)
            self.plans.set_timing(debounce_s, max_wait_s)
            self.refs.set_timing(debounce_s, max_wait_s)
            if self.scheduler is not None:
                self.scheduler.reschedule(options.intervals)
        self.notifier.ready(self._status_line())
        self._save()

    def _status_line(self) -> str:
        pending = len(self.state.pending)
        return f"watching {self._where()}; {pending} plan(s) with uncommitted changes analysed"

    def _where(self) -> str:
        """The plan roots, for people: ``specs/plans, specs/*/plans, ...``."""
        return ", ".join(self.roots)

    # -- the loop -----------------------------------------------------------------------------------
    def _timeout(self, now: float) -> float | None:
        deadlines = [
            d for d in (self.plans.next_due(), self.refs.next_due(), self.next_ping) if d is not None
        ]
        if self._has_work() and self.backoff_until > now:
            deadlines.append(self.backoff_until)
        elif self._has_work():
            deadlines.append(now)
        if not deadlines:
            return None
        return max(0.0, min(deadlines) - now)

    def _absorb(self, items: list[Any], now: float) -> None:
        rescan: str | None = None
        for item in items:
            if isinstance(item, FileEvent):
                self.state.count("events", item.count)
                if item.first is not None:
                    self.plans.feed(item.path, item.kind, item.first)
                if self.plans.feed(item.path, item.kind, item.time) is None:
                    self.state.count("ignored_events", item.count)
            elif isinstance(item, RefsEvent):
                self.state.count("refs_events")
                self.refs.touch(_REFS_KEY, item.time)
            elif isinstance(item, RescanRequest):
                if "overflow" in item.reason or "full" in item.reason:
                    self.state.count("overflows")
                rescan = rescan or item.reason
            elif isinstance(item, JobRequest):
                if item.name == "heartbeat":  # the daemon's own: never waits behind a backoff
                    self.state.count("job_heartbeat")
                    self._save()
                    item.done.set()
                elif any(j.name == item.name for j in self.todo_jobs):
                    item.done.set()  # coalesce: the same job is already waiting
                else:
                    self.todo_jobs.append(item)
        if rescan is not None:
            self.full_rescan(rescan)

    def loop(self) -> None:
        while self.stop_signal is None:
            now = time.monotonic()
            if self.next_ping is not None and now >= self.next_ping:
                self._progress(None)
            self.inbox.wait(self._timeout(time.monotonic()))
            self.state.count("wakeups")
            if self.stop_signal is not None:
                break
            try:
                self._step(time.monotonic())
            except Exception as exc:
                # The daemon's own work (hashing, git queries) failed: record it, back off, go on.
                self.failures += 1
                delay = backoff_delay(self.failures)
                self.backoff_until = time.monotonic() + delay
                self.rescan_after_backoff = True
                self.state.add_error("daemon", f"{type(exc).__name__}: {exc}")
                log.exception("internal error; full rescan in %.0f s", delay)

    def _step(self, now: float) -> None:
        self._absorb(self.inbox.drain(), now)
        if self.rescan_after_backoff and now >= self.backoff_until:
            self.rescan_after_backoff = False
            self.full_rescan("after an internal error")
        if self.reload_requested:
            self._reload()
        due = self.plans.due(now)
        if due:
            self.check_worktree(set(due))
        if self.refs.due(now):
            self.check_refs()
        self.run_pending()

    def start(self, *, once: bool) -> None:
        """Recover, start the watches, scan the current state, start the jobs (the lock is held)."""
        self.state.phase = "starting"
        self._save()
        self._install_signals()
        ok, _, _ = self._call("recover", None, lambda: self.handler.recover(self._ctx("start")))
        if not ok:
            self.failures = 0  # recovery failing must not delay the first run
            self.backoff_until = 0.0
        if not once:
            self.watcher = Watcher(self.repo, self.roots, self.inbox)
            self.watcher.start()
        # Start from the current state: what is on disk and what is committed (after the watches are
        # in place, so nothing that happens meanwhile is missed).
        self.full_rescan("start", trigger="once" if once else "start")
        if not once:
            self.scheduler = JobScheduler(self.inbox, self.options.intervals)
            self.scheduler.start()

    def request_stop(self, signum: int = signal.SIGTERM) -> None:
        """What SIGTERM does, callable from any thread (embedding, tests)."""
        self._on_stop_signal(signum, None)
        self.inbox.wake()

    def run(self, *, once: bool = False) -> int:
        """Take the lock, start, loop until stopped (or handle the current state once); exit code."""
        self.lock.acquire()  # before anything else: a second instance changes nothing
        try:
            self.start(once=once)
            if once:
                self.run_pending("once")
                log.info(
                    "handled the current state of %s in %s (%d error(s))",
                    self._where(),
                    self.repo.root,
                    self.run_errors,
                )
                return EXIT_FAILED if self.run_errors else EXIT_OK
            self.state.phase = "watching"
            self._save()
            self.notifier.ready(self._status_line())
            self.next_ping = time.monotonic() if self.notifier.watchdog_interval_s else None
            log.info(
                "plansmith daemon watching %s in %s (pid %d)", self._where(), self.repo.root, os.getpid()
            )
            self.loop()
            signum = self.stop_signal
            log.info("stopping (%s)", signal.Signals(signum).name if signum else "done")
            return EXIT_INTERRUPTED if signum == signal.SIGINT else EXIT_OK
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        self.notifier.stopping("stopping")
        for job in self.inbox.close():
            if isinstance(job, JobRequest):
                job.done.set()
        for job in self.todo_jobs:
            job.done.set()
        if self.scheduler is not None:
            self.scheduler.shutdown()
        if self.watcher is not None:
            self.watcher.stop()
        self.state.running = False
        self.state.stopped = now_iso()
        self.state.phase = "stopped"
        self._save()
        self._restore_signals()
        if self._stop_timer is not None:
            self._stop_timer.cancel()
        self.lock.release()
        self.inbox.release_fds()
        self.notifier.close()


def run_daemon(
    repo_root: Path,
    handler: DaemonHandler,
    *,
    roots: str | Sequence[str] = DEFAULT_ROOTS,
    debounce_ms: int = 500,
    once: bool = False,
    max_wait_factor: float = 5.0,
    intervals: JobIntervals | None = None,
    stop_timeout_s: float = 10.0,
    notifier: Notifier | None = None,
) -> int:
    """Watch the repository and drive ``handler`` until SIGTERM/SIGINT (or once, with ``once=True``).

    Returns the exit code: 0 after SIGTERM or a clean ``--once``, 130 after SIGINT, 1 when ``--once``
    met a handler error. Raises :class:`~plansmith.daemon.state.DaemonAlreadyRunning` (exit 1 for the
    CLI) when another daemon holds the repository's lock.
    """
    repo = discover(repo_root)
    options = DaemonOptions(
        debounce_ms=debounce_ms,
        max_wait_factor=max_wait_factor,
        intervals=intervals or JobIntervals(),
        stop_timeout_s=stop_timeout_s,
    )
    daemon = Daemon(repo, handler, roots=roots, options=options, notifier=notifier)
    return daemon.run(once=once)


def daemon_status(repo_root: Path) -> dict[str, Any]:
    """The daemon part of ``plansmith status --json`` for the repository containing ``repo_root``."""
    return read_status(discover(repo_root).state_dir)
