"""A small generic parallel runner: timeouts, retries with growing timeouts, fallback, partial failure.

Each operation is a callable ``op(ctx: AttemptContext) -> OpOutcome`` with an id. Up to ``max_parallel``
attempts run at once on threads (the heavy work of plansmith operations is in subprocesses: git and
agent programs). A failed attempt is retried with ``timeout * factor`` and ``ctx.fallback = True`` (agents
switch to their reduced toolset) up to ``max_attempts``; an operation that raises is a failure with the
exception recorded, never a crash of the run.

Timeouts, honestly: Python cannot kill a thread. A timeout therefore works at two levels.

1. The operation is told its budget (``ctx.timeout_s``, ``ctx.deadline``, ``ctx.remaining()``) and must
   pass it down to whatever it waits for (``run_program(timeout_s=ctx.remaining())`` stops the program and
   its whole process group). This is what actually stops work.
2. The runner stops waiting at ``deadline + overrun_grace_s`` (the grace lets a subprocess be stopped
   and reported properly), records the attempt as timed out, sets ``ctx.cancelled`` and moves on. The
   thread of an operation that ignores its deadline keeps running in the background until it returns;
   its late result is discarded, and it no longer counts against ``max_parallel``. Such an operation
   should check ``ctx.cancelled`` and must not touch shared state after its deadline.

Progress: with a ``progress`` sink the runner reports every operation as ``queued`` at the start,
``running`` at each attempt (attempt n of m, its timeout), ``retrying`` with the reason, and finally
``done``/``failed``/``skipped``; :meth:`RunResult.summary` gives the wall time against the sum of the
operations' own durations. The coordinating thread sleeps until an attempt ends or a give-up time comes
(a queue wait, never a polling interval), so a finished operation is settled, and the next one started,
at once. This module must not print, touch git or know what an operation does.
"""

from __future__ import annotations

import queue
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from plansmith.engine.progress import ProgressEvent, ProgressSink, RunSummary
from plansmith.errors import PlanError, PlansmithError

OpStatus = Literal["success", "failed", "skipped"]
Decision = Literal["retry", "skip", "abort"]


@dataclass(frozen=True)
class AttemptContext:
    op_id: str
    attempt: int  # 1-based
    max_attempts: int
    timeout_s: float | None  # this attempt's budget; None: no limit
    deadline: float | None  # time.monotonic() value; None: no limit
    fallback: bool  # a retry: use the reduced toolset
    cancelled: threading.Event = field(default_factory=threading.Event, compare=False, repr=False)

    def remaining(self) -> float | None:
        """Seconds left before the deadline (never negative), ``None`` without a limit."""
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - time.monotonic())


@dataclass(frozen=True)
class AttemptInfo:
    number: int
    timeout_s: float | None
    fallback: bool
    status: OpStatus
    duration_s: float
    error: str | None = None
    timed_out: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "number": self.number,
            "timeout_s": self.timeout_s,
            "fallback": self.fallback,
            "status": self.status,
            "duration_s": round(self.duration_s, 3),
            "error": self.error,
            "timed_out": self.timed_out,
        }


@dataclass(frozen=True)
class OpOutcome:
    """What an attempt returns, and (filled in by the runner) what became of the operation.

    An operation returns ``OpOutcome.ok(value)`` or ``OpOutcome.fail("why", retryable=...)``; the runner
    sets ``op_id``, ``attempts`` and ``duration_s`` on the final outcome.
    """

    status: OpStatus
    value: object = None
    error: str | None = None
    warnings: tuple[str, ...] = ()
    retryable: bool = True
    timed_out: bool = False
    op_id: str = ""
    attempts: tuple[AttemptInfo, ...] = ()
    duration_s: float = 0.0

    @classmethod
    def ok(cls, value: object = None, warnings: Iterable[str] = ()) -> OpOutcome:
        return cls(status="success", value=value, warnings=tuple(warnings))

    @classmethod
    def fail(
        cls, error: str, *, retryable: bool = True, timed_out: bool = False, value: object = None
    ) -> OpOutcome:
        return cls(status="failed", error=error, retryable=retryable, timed_out=timed_out, value=value)

    @classmethod
    def skip(cls, reason: str) -> OpOutcome:
        return cls(status="skipped", error=reason, retryable=False)


OpFunc = Callable[[AttemptContext], OpOutcome]


@dataclass(frozen=True)
class Operation:
    id: str
    fn: OpFunc
    timeout_s: float | None = None  # None: the runner's timeout_s
    max_attempts: int | None = None  # None: the runner's max_attempts


@dataclass(frozen=True)
class RunResult:
    """``can_continue``: the run was not aborted and at least one operation succeeded (the coordinator
    can apply the successes). ``requires_retry``: some operation failed (a later run should redo it).
    ``outcomes`` are in the order the operations were given."""

    total: int
    successful: int
    failed: int
    skipped: int
    can_continue: bool
    requires_retry: bool
    outcomes: tuple[OpOutcome, ...]
    aborted: bool = False
    duration_s: float = 0.0

    def summary(self) -> RunSummary:
        """Wall time against the sequential estimate (the sum of every operation's own duration)."""
        return RunSummary(
            total=self.total,
            successful=self.successful,
            failed=self.failed,
            wall_s=self.duration_s,
            sequential_s=sum(o.duration_s for o in self.outcomes),
        )

    def outcome(self, op_id: str) -> OpOutcome:
        for o in self.outcomes:
            if o.op_id == op_id:
                return o
        raise KeyError(op_id)


@dataclass
class _PendingAttempt:
    op: Operation
    attempt: int
    timeout_s: float | None
    history: list[AttemptInfo]
    started_first: float | None = None


@dataclass
class _Active:
    pending: _PendingAttempt
    ctx: AttemptContext
    started: float
    give_up_at: float | None


@dataclass(frozen=True)
class _Limits:
    max_parallel: int
    timeout_s: float | None
    factor: float
    max_attempts: int
    overrun_grace_s: float


def _call(op: Operation, ctx: AttemptContext) -> OpOutcome:
    try:
        result = op.fn(ctx)
    except PlansmithError as exc:
        # A problem the user can fix says so in its own words: no class name, no source line, the path
        # once (plan messages often start with it already). Plan text fails the same way again: no retry.
        said = exc.message if exc.path and exc.message.startswith(f"{exc.path}:") else exc.located()
        return OpOutcome.fail(said, retryable=not isinstance(exc, PlanError))
    except Exception as exc:
        last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
        where = f" (at {last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno})" if last else ""
        return OpOutcome.fail(f"{type(exc).__name__}: {exc}{where}")
    if not isinstance(result, OpOutcome):
        return OpOutcome.fail(
            f"operation returned {type(result).__name__}, not an OpOutcome", retryable=False
        )
    return result


class _OperationsRun:
    """The state of one :func:`run_operations` call, changed only by the coordinating thread."""

    def __init__(
        self,
        operations: Sequence[Operation],
        limits: _Limits,
        decide_on_failure: Callable[[OpOutcome], Decision] | None,
        on_event: Callable[[str, OpOutcome | AttemptContext], None] | None,
        progress: ProgressSink | None,
    ) -> None:
        self.limits = limits
        self.decide_on_failure = decide_on_failure
        self.on_event = on_event
        self.progress = progress
        self.waiting: deque[_PendingAttempt] = deque(
            _PendingAttempt(op, 1, op.timeout_s if op.timeout_s is not None else limits.timeout_s, [])
            for op in operations
        )
        self.active: dict[int, _Active] = {}
        self.results: dict[str, OpOutcome] = {}
        self.done_q: queue.Queue[tuple[int, OpOutcome, float]] = queue.Queue()
        self.next_token = 0
        self.aborted = False
        for p in self.waiting:
            self.emit(
                ProgressEvent(p.op.id, "queued", max_attempts=self.limit_of(p.op), timeout_s=p.timeout_s)
            )

    def emit(self, event: ProgressEvent) -> None:
        if self.progress is not None:
            self.progress(event)

    def limit_of(self, op: Operation) -> int:
        return op.max_attempts if op.max_attempts is not None else self.limits.max_attempts

    def start(self, p: _PendingAttempt) -> None:
        now = time.monotonic()
        if p.started_first is None:
            p.started_first = now
        deadline = None if p.timeout_s is None else now + p.timeout_s
        ctx = AttemptContext(
            op_id=p.op.id,
            attempt=p.attempt,
            max_attempts=max(self.limit_of(p.op), p.attempt),
            timeout_s=p.timeout_s,
            deadline=deadline,
            fallback=p.attempt > 1,
        )
        token = self.next_token
        self.next_token += 1
        give_up = None if deadline is None else deadline + self.limits.overrun_grace_s
        self.active[token] = _Active(p, ctx, now, give_up)
        done_q = self.done_q

        def work() -> None:
            outcome = _call(p.op, ctx)
            done_q.put((token, outcome, time.monotonic()))

        self.emit(
            ProgressEvent(
                p.op.id,
                "running",
                attempt=ctx.attempt,
                max_attempts=ctx.max_attempts,
                timeout_s=ctx.timeout_s,
                elapsed_s=now - p.started_first,
            )
        )
        threading.Thread(target=work, name=f"plansmith-op-{p.op.id}", daemon=True).start()
        if self.on_event is not None:
            self.on_event("start", ctx)

    def finish(self, p: _PendingAttempt, outcome: OpOutcome, now: float) -> None:
        final = replace(
            outcome, op_id=p.op.id, attempts=tuple(p.history), duration_s=now - (p.started_first or now)
        )
        self.results[p.op.id] = final
        state = {"success": "done", "failed": "failed", "skipped": "skipped"}[final.status]
        last = p.history[-1] if p.history else None
        self.emit(
            ProgressEvent(
                p.op.id,
                state,  # type: ignore[arg-type]
                attempt=last.number if last else 0,
                max_attempts=max(self.limit_of(p.op), last.number if last else 0),
                timeout_s=last.timeout_s if last else p.timeout_s,
                elapsed_s=final.duration_s,
                reason=final.error if final.status != "success" else None,
            )
        )
        if self.on_event is not None:
            self.on_event("done", final)

    def again(self, a: _Active, outcome: OpOutcome, now: float) -> None:
        """Queue the next attempt of ``a``'s operation (timeout grown, fallback on) and say so."""
        p = a.pending
        grown = None if p.timeout_s is None else p.timeout_s * self.limits.factor
        self.waiting.appendleft(_PendingAttempt(p.op, p.attempt + 1, grown, p.history, p.started_first))
        self.emit(
            ProgressEvent(
                p.op.id,
                "retrying",
                attempt=p.attempt,
                max_attempts=max(self.limit_of(p.op), p.attempt + 1),
                timeout_s=grown,
                elapsed_s=now - (p.started_first or now),
                reason=outcome.error,
            )
        )

    def settle(self, a: _Active, outcome: OpOutcome, now: float) -> None:
        """An attempt ended (returned, raised, or overran): retry, ask, or record the outcome."""
        p = a.pending
        p.history.append(
            AttemptInfo(
                number=p.attempt,
                timeout_s=p.timeout_s,
                fallback=a.ctx.fallback,
                status=outcome.status,
                duration_s=now - a.started,
                error=outcome.error,
                timed_out=outcome.timed_out,
            )
        )
        if outcome.status != "failed":
            self.finish(p, outcome, now)
            return
        if outcome.retryable and p.attempt < self.limit_of(p.op) and not self.aborted:
            self.again(a, outcome, now)
            return
        decision: Decision | None = None
        if self.decide_on_failure is not None and not self.aborted:
            decision = self.decide_on_failure(replace(outcome, op_id=p.op.id, attempts=tuple(p.history)))
        if decision == "retry":
            self.again(a, outcome, now)
        elif decision == "skip":
            self.finish(p, replace(outcome, status="skipped", retryable=False), now)
        else:
            self.aborted = self.aborted or decision == "abort"
            self.finish(p, outcome, now)

    def fill(self) -> None:
        """Start what may start; after an abort, mark what never started as skipped."""
        while self.waiting and len(self.active) < self.limits.max_parallel and not self.aborted:
            self.start(self.waiting.popleft())
        while self.aborted and self.waiting:
            p = self.waiting.popleft()
            self.finish(p, OpOutcome.skip("not started: the run was aborted"), time.monotonic())

    def wait_once(self) -> None:
        """Sleep until an attempt ends or the earliest give-up time passes, then settle what happened."""
        limits = [a.give_up_at for a in self.active.values() if a.give_up_at is not None]
        wait = None if not limits else max(0.0, min(limits) - time.monotonic())
        try:
            token, outcome, ended = self.done_q.get(timeout=wait)
        except queue.Empty:
            token = -1
        if token >= 0:
            a_done = self.active.pop(token, None)
            if a_done is not None:  # None: a late result of an attempt already given up on
                self.settle(a_done, outcome, ended)
        now = time.monotonic()
        for tok, a in list(self.active.items()):
            if a.give_up_at is not None and now >= a.give_up_at:
                del self.active[tok]
                a.ctx.cancelled.set()
                reason = (
                    f"timed out after {a.pending.timeout_s:g}s "
                    "(the operation did not return; it was abandoned)"
                )
                self.settle(a, OpOutcome.fail(reason, timed_out=True), now)

    def loop(self) -> None:
        try:
            while self.waiting or self.active:
                self.fill()
                if not self.active:
                    continue
                self.wait_once()
        except BaseException:
            for a in self.active.values():
                a.ctx.cancelled.set()
            raise


def run_operations(
    operations: Sequence[Operation],
    *,
    max_parallel: int = 4,
    timeout_s: float | None = None,
    factor: float = 1.5,
    max_attempts: int = 3,
    overrun_grace_s: float = 5.0,
    decide_on_failure: Callable[[OpOutcome], Decision] | None = None,
    on_event: Callable[[str, OpOutcome | AttemptContext], None] | None = None,
    progress: ProgressSink | None = None,
) -> RunResult:
    """Run ``operations`` (``max_parallel=1`` for ``--sequential``) and report every outcome.

    ``decide_on_failure`` is asked once an operation has failed its last attempt: ``"retry"`` gives it one
    more attempt (timeout grown again, fallback on), ``"skip"`` marks it skipped, ``"abort"`` marks it
    failed, starts nothing more (not yet started operations are ``skipped``) and lets the running ones
    finish. Without it, a failure is final. ``on_event("start", ctx)`` / ``on_event("done", outcome)``
    and the ``progress`` sink's events are called from the coordinating thread.
    """
    if max_parallel < 1:
        raise ValueError("max_parallel must be at least 1")
    ids = [op.id for op in operations]
    if len(set(ids)) != len(ids):
        raise ValueError("operation ids must be unique")
    run_start = time.monotonic()
    limits = _Limits(max_parallel, timeout_s, factor, max_attempts, overrun_grace_s)
    run = _OperationsRun(operations, limits, decide_on_failure, on_event, progress)
    run.loop()
    outcomes = tuple(run.results[i] for i in ids)
    successful = sum(o.status == "success" for o in outcomes)
    failed = sum(o.status == "failed" for o in outcomes)
    return RunResult(
        total=len(outcomes),
        successful=successful,
        failed=failed,
        skipped=sum(o.status == "skipped" for o in outcomes),
        can_continue=successful > 0 and not run.aborted,
        requires_retry=failed > 0,
        outcomes=outcomes,
        aborted=run.aborted,
        duration_s=time.monotonic() - run_start,
    )
