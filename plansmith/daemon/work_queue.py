"""The daemon's work queue: what is waiting to be handed to the handler, and the backoff after errors.

Time is injected (``clock``: monotonic seconds), so the queue is tested without sleeping. It must not
call the handler, touch git or the file system: the loop takes work out, runs it and reports back with
:meth:`WorkQueue.succeeded` / :meth:`WorkQueue.failed`. Work that failed is put back and retried after
an exponential backoff (2 s, 4 s, ... 5 min).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from plansmith.daemon.debounce import PlanKey, backoff_delay
from plansmith.daemon.inbox import JobRequest

Clock = Callable[[], float]


@dataclass(slots=True)
class WorkQueue:
    clock: Clock = time.monotonic
    analyse: set[PlanKey] = field(default_factory=set)
    """Plans with an uncommitted edit to analyse."""
    committed: set[PlanKey] = field(default_factory=set)
    """Plans whose committed content changed."""
    committed_all: str | None = None
    """Set to the trigger when every plan is to be checked (``handle_committed(None)``)."""
    jobs: list[JobRequest] = field(default_factory=list)
    rescan_after_backoff: bool = False
    """The daemon's own work failed: rescan everything once the backoff is over."""
    failures: int = 0
    """Consecutive failures (handler calls or the daemon's own work)."""
    backoff_until: float = 0.0

    # -- state --------------------------------------------------------------------------------------
    def has_work(self) -> bool:
        return bool(
            self.analyse or self.committed or self.committed_all or self.jobs or self.rescan_after_backoff
        )

    def backing_off(self) -> bool:
        return self.clock() < self.backoff_until

    def deadline(self) -> float | None:
        """When the loop should next wake up for this queue: now if work can run, the backoff's end if
        work waits behind it, None if there is no work."""
        if not self.has_work():
            return None
        return max(self.clock(), self.backoff_until)

    # -- outcomes -----------------------------------------------------------------------------------
    def failed(self) -> float:
        """Count a failure and start (or lengthen) the backoff; returns its length in seconds."""
        self.failures += 1
        delay = backoff_delay(self.failures)
        self.backoff_until = self.clock() + delay
        return delay

    def succeeded(self) -> None:
        self.failures = 0
        self.backoff_until = 0.0

    # -- analyses -----------------------------------------------------------------------------------
    def add_analyses(self, keys: Iterable[PlanKey]) -> None:
        self.analyse.update(keys)

    def drop_analyses(self, keys: Iterable[PlanKey]) -> None:
        self.analyse.difference_update(keys)

    def take_analyses(self) -> list[PlanKey]:
        keys = sorted(self.analyse)
        self.analyse.clear()
        return keys

    # -- committed content --------------------------------------------------------------------------
    def add_committed(self, keys: Iterable[PlanKey]) -> None:
        self.committed.update(keys)

    def check_all(self, trigger: str) -> None:
        """Every plan is to be checked; the first trigger asked for is the one reported."""
        self.committed_all = self.committed_all or trigger

    def take_committed(self) -> tuple[list[PlanKey] | None, str, tuple[str | None, set[PlanKey]]]:
        """(plans or None for all, trigger, what to :meth:`put_back_committed` if the run fails)."""
        taken = (self.committed_all, set(self.committed))
        keys = None if self.committed_all else sorted(self.committed)
        trigger = self.committed_all or "commit"
        self.committed_all = None
        self.committed.clear()
        return keys, trigger, taken

    def put_back_committed(self, taken: tuple[str | None, set[PlanKey]]) -> None:
        self.committed_all = self.committed_all or taken[0]
        self.committed |= taken[1]

    # -- jobs ---------------------------------------------------------------------------------------
    def add_job(self, job: JobRequest) -> bool:
        """Queue a job unless the same one is already waiting (then it is released: coalesced)."""
        if any(j.name == job.name for j in self.jobs):
            job.done.set()
            return False
        self.jobs.append(job)
        return True

    def next_job(self) -> JobRequest | None:
        return self.jobs.pop(0) if self.jobs else None

    def release_jobs(self) -> None:
        """On stop: nobody waits for a job that will not run."""
        for job in self.jobs:
            job.done.set()
        self.jobs.clear()
