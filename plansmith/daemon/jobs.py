"""The daemon's timed jobs as a table: each job's name, how often it runs and what it calls.

Pure data: no scheduler and no threads here (:mod:`plansmith.daemon.scheduler` turns the intervals into
APScheduler jobs; the loop runs the callables on its own thread). Adding a job is one field in
:class:`JobIntervals` and one row in the table the loop builds with :func:`job_table`. It must not
import APScheduler or run anything itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields

JOBS = ("reconcile", "refresh", "cleanup", "prune", "heartbeat")


@dataclass(frozen=True, slots=True)
class JobIntervals:
    """Seconds between runs; 0 disables a job."""

    reconcile_s: float = 300.0
    """Full rescan: plans on disk and committed plans, catching anything the watches missed."""
    refresh_s: float = 900.0
    """Recompute proposals that went stale (their base moved)."""
    cleanup_s: float = 6 * 3600.0
    """Remove old artifacts and checkpoints."""
    prune_s: float = 3600.0
    """Prune orphaned worktrees."""
    heartbeat_s: float = 60.0
    """Write the heartbeat into the state file."""

    def seconds(self, job: str) -> float:
        if job not in JOBS:
            raise KeyError(job)
        return float(getattr(self, f"{job}_s"))


assert tuple(f.name.removesuffix("_s") for f in fields(JobIntervals)) == JOBS


@dataclass(frozen=True, slots=True)
class Job:
    """One row of the table: the job's name, its interval (0: off) and what the loop calls for it."""

    name: str
    interval_s: float
    run: Callable[[], None]


def job_table(intervals: JobIntervals, actions: Mapping[str, Callable[[], None]]) -> dict[str, Job]:
    """The table for ``intervals``; every job in :data:`JOBS` needs an action (and nothing else has one)."""
    if set(actions) != set(JOBS):
        raise ValueError(f"actions must be given for exactly the jobs {JOBS}, not {sorted(actions)}")
    return {name: Job(name, intervals.seconds(name), actions[name]) for name in JOBS}
