"""The daemon's main loop: events in, decisions by the tracker, work from the queue, handler calls out.

It must not decide by itself what changed (that is :mod:`~plansmith.daemon.tracker`, pure), nor run
two handler calls at once, nor write the user's working tree, index, HEAD or branches.

Theory of operation
-------------------

Threads. watchdog's observer (:mod:`~plansmith.daemon.watcher`) and APScheduler's scheduler
(:mod:`~plansmith.daemon.scheduler`) only post items into the :class:`~plansmith.daemon.inbox.Inbox`.
Everything else happens on the main thread, one step at a time: the loop blocks in ``select`` on the
inbox's pipe until an item, a signal (:mod:`~plansmith.daemon.signals` routes them to the same pipe),
the next debounce deadline, the end of a backoff or the systemd watchdog ping. An idle daemon does not
wake up beyond those.

One step:

1. *Absorb* the inbox. A file event below a plan root feeds the edit debouncer; a ref event (HEAD,
   a branch, ``packed-refs``) marks the refs as moved; a rescan request or a queue overflow asks for a
   full rescan; a job request joins the work queue (the same job waiting twice is coalesced).
2. *Refs first, at once.* A ref change is atomic (``git commit``, ``checkout`` and the end of a
   ``rebase`` move HEAD last, after the objects and the working tree are written), so it needs no
   debounce: in the same step the committed plans of HEAD are read through the long-lived git session
   and the working tree is hashed again; the tracker says which plans have new committed content
   (``handle_committed``) and which plans match it on disk (settled). A plan whose disk differs from
   HEAD, or that has edit events inside their window, is left to step 3 (an edit window starts for it):
   deciding by content when the window closes, not by the order of the events, tells a checkout or a
   commit from an edit. When HEAD names the same commit of the same branch as before, nothing is read.
3. *Edits, debounced.* A plan whose last write is ``debounce_ms`` old (or whose first write of the
   window is ``max_wait_factor`` times that old) is hashed; if its content moved and differs from HEAD
   it is queued for ``analyse_uncommitted``; editors' temp files never reach a plan.
4. *Run* what the work queue holds, unless backing off: analyses, then committed plans, then jobs (the
   table built by :func:`~plansmith.daemon.jobs.job_table`). A failing call is recorded in the state
   file, its work is put back and retried after a backoff; the git session is closed and reopened on
   next use. The state file is rewritten after each step that ran something.

Lifetime (entry points: :mod:`plansmith.daemon.entry`): ``run`` takes the lock
(``.git/plansmith/daemon.lock``), recovers (scratch worktree), starts the watches, rescans, starts the
jobs, then loops until SIGTERM/SIGINT; SIGHUP reloads the settings. Stopping cancels the run in flight
(the handler polls ``ctx.is_cancelled()``), closes the git session (its ``cat-file`` children end),
writes ``phase: stopped`` and releases the lock.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from plansmith.daemon.checks import ContentChecks
from plansmith.daemon.debounce import Debouncer
from plansmith.daemon.handler import DaemonHandler, DaemonOptions, PendingAnalysis, RunContext, RunRecord
from plansmith.daemon.inbox import FileEvent, Inbox, InboxItem, RefsEvent, RescanRequest
from plansmith.daemon.jobs import Job, JobIntervals, job_table
from plansmith.daemon.repo import RepoPaths, repository_gone
from plansmith.daemon.scheduler import JobScheduler
from plansmith.daemon.sdnotify import Notifier, WatchdogPacer
from plansmith.daemon.signals import StopSignals
from plansmith.daemon.state import DaemonLock, DaemonState, RunEntry, StateStore, now_iso
from plansmith.daemon.tracker import ChangeTracker
from plansmith.daemon.watcher import Watcher
from plansmith.daemon.work_queue import Clock, WorkQueue
from plansmith.git_backend import session as git_session
from plansmith.plan.roots import DEFAULT_ROOTS, as_patterns

__all__ = ["Daemon", "DaemonHandler", "DaemonOptions", "PendingAnalysis", "RunContext", "RunRecord"]

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130
_REFS_KEY = "HEAD"

T = TypeVar("T")


class Daemon:
    """The imperative shell around the tracker and the queue (see the module doc for one step)."""

    def __init__(
        self,
        repo: RepoPaths,
        handler: DaemonHandler,
        *,
        roots: str | Sequence[str] = DEFAULT_ROOTS,
        options: DaemonOptions,
        notifier: Notifier | None = None,
        exit_when_overdue: bool = True,
        clock: Clock = time.monotonic,
    ) -> None:
        self.repo = repo
        self.handler = handler
        self.roots = as_patterns(roots)
        self.options = options
        self.exit_when_overdue = exit_when_overdue
        """After SIGTERM, leave the process (os._exit) if the run in flight ignores cancellation."""
        self.clock = clock
        self.notifier = notifier or Notifier()
        self.inbox = Inbox()
        self.lock = DaemonLock(repo.state_dir)
        self.store = StateStore(repo.state_dir)
        self.state = DaemonState(repository=str(repo.root))
        self.plans = Debouncer(self.roots, *options.edit_timing())
        self.refs = Debouncer(self.roots, 0.0, 0.0)  # ref changes are atomic: due at once
        self.tracker = ChangeTracker()
        self.queue = WorkQueue(clock)
        self.checks = ContentChecks(
            repo, self.roots, self.tracker, self.queue, self.state, options.proposal_prefix
        )
        self.signals = StopSignals(options.stop_timeout_s, self._stop_overdue)
        self.jobs: dict[str, Job] = self._job_table(options.intervals)
        self.watcher: Watcher | None = None
        self.scheduler: JobScheduler | None = None
        self.run_errors = 0
        self.pacer = WatchdogPacer(self.notifier)
        self.gone: str | None = None  # why the repository can no longer be watched (deleted, moved)

    # -- flags other threads and tests look at ------------------------------------------------------
    @property
    def reload_requested(self) -> bool:
        return self.signals.reload_requested

    @reload_requested.setter
    def reload_requested(self, value: bool) -> None:
        self.signals.reload_requested = value

    @property
    def stop_signal(self) -> int | None:
        return self.signals.stop_signal

    def _has_work(self) -> bool:
        return self.queue.has_work()

    def request_stop(self, signum: int = signal.SIGTERM) -> None:
        """What SIGTERM does, callable from any thread (embedding, tests)."""
        self.signals.request_stop(signum)
        self.inbox.wake()

    def _stop_overdue(self) -> None:
        log.error("the run in flight did not stop within %.0f s; exiting anyway", self.options.stop_timeout_s)
        with contextlib.suppress(Exception):
            self._mark_stopped()
            self.state.add_error("shutdown", "run in flight did not stop in time; exited anyway")
            self.store.write(self.state)
        if self.exit_when_overdue:
            os._exit(EXIT_FAILED)

    # -- helpers ------------------------------------------------------------------------------------
    def _job_table(self, intervals: JobIntervals) -> dict[str, Job]:
        def call(name: str, fn: Callable[[RunContext], object]) -> Callable[[], None]:
            def run() -> None:
                self._call(name, None, lambda: fn(self._ctx(name)))

            return run

        return job_table(
            intervals,
            {
                "reconcile": self._reconcile,
                "refresh": self._refresh,
                "cleanup": call("cleanup", self.handler.cleanup),
                "prune": call("prune", self.handler.prune),
                "heartbeat": lambda: None,  # the state file is rewritten after every step anyway
            },
        )

    def _ctx(self, trigger: str) -> RunContext:
        return RunContext(trigger, self.signals.cancelled, self.pacer.progress)

    def _save(self) -> None:
        if self.gone or repository_gone(self.repo):  # checked again: it can go during a step, and a
            return  # write would recreate the deleted repository's folders
        self.state.heartbeat = now_iso()
        if self.scheduler is not None:
            with contextlib.suppress(Exception):
                self.state.next_jobs = self.scheduler.next_runs()
        try:
            self.store.write(self.state)
        except OSError as exc:
            log.warning("could not write %s: %s", self.store.path, exc)

    def _mark_stopped(self) -> None:
        self.state.running, self.state.stopped, self.state.phase = False, now_iso(), "stopped"

    def _call(
        self, where: str, plans: Sequence[str] | None, fn: Callable[[], T]
    ) -> tuple[bool, T | None, float]:
        """Run one handler call; errors are logged, recorded and start the backoff."""
        started = self.clock()
        try:
            result = fn()
        except Exception as exc:
            duration = self.clock() - started
            self.run_errors += 1
            delay = self.queue.failed()
            self.state.count("handler_errors")
            self.state.add_error(where, f"{type(exc).__name__}: {exc}", plans)
            log.exception(
                "%s failed (%d in a row); next attempt in %.0f s", where, self.queue.failures, delay
            )
            git_session.close(self.repo)  # after an error, the next git question starts a fresh session
            return False, None, duration
        self.queue.succeeded()
        self.state.count("handler_calls")
        return True, result, self.clock() - started

    def full_rescan(self, reason: str, trigger: str = "rescan") -> None:
        quiet = reason in ("start", "periodic reconciliation")
        log.log(logging.DEBUG if quiet else logging.INFO, "rescan (%s)", reason)
        self.state.count("rescans")
        if self.watcher is not None:
            self.watcher.ensure_watches()
        self.checks.everything()
        self.queue.check_all(trigger)

    # -- running the handler --------------------------------------------------------------------------
    def run_pending(self, trigger: str = "edit") -> bool:
        """Hand waiting work to the handler (unless backing off or stopping). True if anything ran."""
        ready = self.queue.has_work() and not self.signals.cancelled.is_set()
        if not ready or self.queue.backing_off():
            return False
        if self.queue.analyse:
            self._run_analyse(trigger)
        can_go_on = not self.signals.cancelled.is_set() and not self.queue.backing_off()
        if can_go_on and (self.queue.committed_all or self.queue.committed):
            self._run_committed()
        while not self.signals.cancelled.is_set() and not self.queue.backing_off():
            job = self.queue.next_job()
            if job is None:
                break
            try:
                self._run_job(job.name)
            finally:
                job.done.set()
        self._save()
        return True

    def _run_analyse(self, trigger: str) -> None:
        keys = self.queue.take_analyses()
        content = self.tracker.content_of(keys)
        ok, result, duration = self._call(
            "analyse_uncommitted", keys, lambda: self.handler.analyse_uncommitted(keys, self._ctx(trigger))
        )
        if not ok:
            self.queue.add_analyses(keys)
            self.state.add_run(RunEntry(None, trigger, "failed", now_iso(), round(duration, 3), None, []))
            return
        self.tracker.analysed_as(content)
        self.state.record_analysis(keys, result or (), trigger, duration)

    def _run_committed(self, trigger: str | None = None) -> None:
        keys, queued_trigger, taken = self.queue.take_committed()
        trigger = trigger or queued_trigger
        ok, result, duration = self._call(
            "handle_committed", keys, lambda: self.handler.handle_committed(keys, self._ctx(trigger))
        )
        if not ok:
            self.queue.put_back_committed(taken)
            self.state.add_run(RunEntry(None, trigger, "failed", now_iso(), round(duration, 3), None, []))
            return
        self.run_errors += self.state.record_runs(result, keys, trigger, duration)  # plans that failed
        self.state.count("committed_runs")

    def _run_job(self, name: str) -> None:
        self.state.count(f"job_{name}")
        job = self.jobs.get(name)
        if job is None:
            log.warning("unknown job %r", name)
            return
        job.run()

    def _reconcile(self) -> None:
        self.full_rescan("periodic reconciliation")
        if self.queue.analyse:
            self._run_analyse("reconcile")
        self._run_committed("reconcile")

    def _refresh(self) -> None:
        ok, result, duration = self._call(
            "refresh_stale", None, lambda: self.handler.refresh_stale(self._ctx("refresh"))
        )
        if ok and result:
            self.state.record_runs(result, None, "refresh", duration)

    def _reload(self) -> None:
        self.signals.reload_requested = False
        log.info("SIGHUP: reloading settings")
        self.notifier.reloading()
        ok, options, _ = self._call("reload_settings", None, self.handler.reload_settings)
        self.state.count("reloads")
        if ok and options is not None:
            self.options = options
            self.plans.set_timing(*options.edit_timing())
            self.checks.radar.skip_prefix = options.proposal_prefix
            self.jobs = self._job_table(options.intervals)
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
            d
            for d in (
                self.plans.next_due(),
                self.refs.next_due(),
                self.pacer.next_ping,
                self.queue.deadline(),
            )
            if d is not None
        ]
        return max(0.0, min(deadlines) - now) if deadlines else None

    def _absorb(self, items: list[InboxItem]) -> None:
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
            elif item.name == "heartbeat":  # the daemon's own job: never waits behind a backoff
                self.state.count("job_heartbeat")
                self._save()
                item.done.set()
            else:
                self.queue.add_job(item)
        if rescan is not None:
            self.full_rescan(rescan)

    def loop(self) -> None:
        while not self.signals.stopping:
            self.pacer.ping_if_due()
            self.inbox.wait(self._timeout(self.clock()))
            self.state.count("wakeups")
            self.gone = repository_gone(self.repo)
            if self.signals.stopping or self.gone:
                break
            try:
                self._step(self.clock())
            except Exception as exc:
                # The daemon's own work (hashing, git queries) failed: record it, back off, go on.
                delay = self.queue.failed()
                self.queue.rescan_after_backoff = True
                self.state.add_error("daemon", f"{type(exc).__name__}: {exc}")
                log.exception("internal error; full rescan in %.0f s", delay)
                git_session.close(self.repo)

    def _step(self, now: float) -> None:
        self._absorb(self.inbox.drain())
        if self.queue.rescan_after_backoff and not self.queue.backing_off():
            self.queue.rescan_after_backoff = False
            self.full_rescan("after an internal error")
        if self.signals.reload_requested:
            self._reload()
        if self.refs.due(now):  # at once; plans that look edited are judged after an edit window
            for key in self.checks.refs(self.plans.pending_keys()):
                self.plans.touch(key, now)
        due = self.plans.due(now)
        if due:
            self.checks.worktree(set(due))
        self.run_pending()

    def start(self, *, once: bool) -> None:
        """Recover, start the watches, scan the current state, start the jobs (the lock is held)."""
        self.state.phase = "starting"
        self._save()
        self.signals.install(self.inbox.write_fd)
        ok, _, _ = self._call("recover", None, lambda: self.handler.recover(self._ctx("start")))
        if not ok:
            self.queue.succeeded()  # recovery failing must not delay the first run
        if not once:
            self.watcher = Watcher(self.repo, self.roots, self.inbox)
            self.watcher.start()
        # Start from the current state: what is on disk and what is committed (after the watches are
        # in place, so nothing that happens meanwhile is missed).
        self.full_rescan("start", trigger="once" if once else "start")
        if not once:
            self.scheduler = JobScheduler(self.inbox, self.options.intervals)
            self.scheduler.start()

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
            self.pacer.start()
            log.info(
                "plansmith daemon watching %s in %s (pid %d)", self._where(), self.repo.root, os.getpid()
            )
            self.loop()
            signum = self.signals.stop_signal
            why = self.gone or (signal.Signals(signum).name if signum else "done")  # gone: said once, failing
            log.log(logging.ERROR if self.gone else logging.INFO, "stopping (%s)", why)
            return EXIT_FAILED if self.gone else EXIT_INTERRUPTED if signum == signal.SIGINT else EXIT_OK
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        self.notifier.stopping(self.gone or "stopping")
        self.inbox.close()  # releases the jobs still in the inbox
        self.queue.release_jobs()
        if self.scheduler is not None:
            self.scheduler.shutdown()
        if self.watcher is not None:
            self.watcher.stop()
        self._mark_stopped()
        self._save()
        self.signals.restore()
        git_session.close(self.repo)  # its cat-file children end with the daemon's run, not at exit
        self.lock.release()
        self.inbox.release_fds()
        self.notifier.close()
