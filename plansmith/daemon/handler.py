"""The contract between the daemon's loop and whatever does the work: what the loop calls and with what.

Only types live here (the handler protocol, the context of one call, the records a call hands back, the
timing options); no I/O and no threads. :mod:`plansmith.daemon.engine_handler` is the real handler;
tests pass recording ones. It must not import the engine (the loop stays testable without it).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from plansmith.daemon.debounce import PlanKey
from plansmith.daemon.jobs import JobIntervals


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


class PlanBackoff:
    """Per plan: after an unexpected failure, wait before trying that plan again (30 s, doubling up to
    an hour), so one poison plan neither stops the others nor is retried in a tight loop."""

    BASE_S = 30.0
    MAX_S = 3600.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._failures: dict[str, tuple[int, float]] = {}  # plan -> (failures in a row, retry time)

    def waiting(self, plan: str) -> bool:
        entry = self._failures.get(plan)
        return entry is not None and self.clock() < entry[1]

    def failed(self, plan: str) -> float:
        """Record a failure of ``plan``; the delay before its next attempt, in seconds."""
        count = self._failures.get(plan, (0, 0.0))[0] + 1
        delay = min(self.MAX_S, self.BASE_S * 2.0 ** min(count - 1, 20))
        self._failures[plan] = (count, self.clock() + delay)
        return delay

    def succeeded(self, plan: str) -> None:
        self._failures.pop(plan, None)


@dataclass(frozen=True, slots=True)
class DaemonOptions:
    """Timing settings; :meth:`DaemonHandler.reload_settings` may return new ones (SIGHUP)."""

    debounce_ms: int = 500
    """Working-tree edits only: a plan is looked at this long after its last write. Ref changes
    (commit, checkout, the end of a rebase) are atomic and are looked at at once."""
    max_wait_factor: float = 5.0
    """A storm that never pauses is still handled every ``debounce_ms * max_wait_factor``."""
    intervals: JobIntervals = field(default_factory=JobIntervals)
    stop_timeout_s: float = 10.0
    proposal_prefix: str = "plansmith/"
    """Branches the radar leaves out: plansmith's own proposals (the ``proposal_prefix`` setting)."""

    def edit_timing(self) -> tuple[float, float]:
        """(debounce, max wait) in seconds for working-tree edits."""
        debounce_s = max(0, self.debounce_ms) / 1000
        return debounce_s, max(debounce_s, debounce_s * max(1.0, self.max_wait_factor))


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
