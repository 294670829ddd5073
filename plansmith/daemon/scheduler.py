"""Timed jobs (APScheduler 3.11 ``BackgroundScheduler``): when each job of the table is due.

It must not run a job itself: it only posts a request into the loop's inbox (see below).

Every job only asks the main loop to call a handler method and waits until the loop has done it, so all
handler calls run one at a time on the main thread (the engine never sees two runs at once), and
``max_instances=1`` + ``coalesce=True`` mean a slow job is never queued twice: runs missed while one was
in flight collapse into one. ``misfire_grace_time`` is one interval: a job that is late by less (the
process was busy or the machine slept) still runs once; later than that, it waits for its next slot.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from plansmith.daemon.inbox import Inbox, JobRequest
from plansmith.daemon.jobs import JOBS, JobIntervals

__all__ = ["JOBS", "JobIntervals", "JobScheduler"]

log = logging.getLogger(__name__)


def _job_kwargs(interval_s: float) -> dict[str, Any]:
    return {
        "trigger": "interval",
        "seconds": interval_s,
        "coalesce": True,
        "max_instances": 1,
        "misfire_grace_time": max(1, int(interval_s)),
        "replace_existing": True,
    }


class JobScheduler:
    """The BackgroundScheduler with plansmith's jobs; each job posts a :class:`JobRequest` and waits."""

    def __init__(self, inbox: Inbox, intervals: JobIntervals) -> None:
        self.inbox = inbox
        self.intervals = intervals
        self.scheduler = BackgroundScheduler(timezone=UTC, daemon=True)
        self._configure(intervals)

    def _runner(self, name: str) -> Callable[[], None]:
        def run() -> None:
            request = JobRequest(name)
            if self.inbox.put(request):
                request.done.wait()

        run.__name__ = f"plansmith_{name}"
        return run

    def _configure(self, intervals: JobIntervals) -> None:
        for name in JOBS:
            seconds = intervals.seconds(name)
            if self.scheduler.get_job(name) is not None:
                self.scheduler.remove_job(name)
            if seconds > 0:
                self.scheduler.add_job(self._runner(name), id=name, name=name, **_job_kwargs(seconds))

    def start(self) -> None:
        self.scheduler.start()

    def reschedule(self, intervals: JobIntervals) -> None:
        if intervals != self.intervals:
            self.intervals = intervals
            self._configure(intervals)
            log.info("rescheduled jobs: %s", intervals)

    def next_runs(self) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for job in self.scheduler.get_jobs():
            when = getattr(job, "next_run_time", None)
            out[job.id] = when.isoformat(timespec="seconds") if when is not None else None
        return out

    def shutdown(self) -> None:
        if self.scheduler.running:
            # Waiting jobs are released by Inbox.close(); do not block on them here.
            self.scheduler.shutdown(wait=False)
