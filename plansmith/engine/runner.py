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

    def outcome(self, op_id: str) -> OpOutcome:
        for o in self.outcomes:
            if o.op_id == op_id:
                return o
        raise KeyError(op_id)


@dataclass
class _Pending:
    op: Operation
    attempt: int
    timeout_s: float | None
    history: list[AttemptInfo]
    started_first: float | None = None


@dataclass
class _Active:
    pending: _Pending
    ctx: AttemptContext
    started: float
    give_up_at: float | None


def _call(op: Operation, ctx: AttemptContext) -> OpOutcome:
    try:
        result = op.fn(ctx)
    except Exception as exc:
        last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
        where = f" (at {last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno})" if last else ""
        return OpOutcome.fail(f"{type(exc).__name__}: {exc}{where}")
    if not isinstance(result, OpOutcome):
        return OpOutcome.fail(
            f"operation returned {type(result).__name__}, not an OpOutcome", retryable=False
        )
    return result


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
) -> RunResult:
    """Run ``operations`` (``max_parallel=1`` for ``--sequential``) and report every outcome.

    ``decide_on_failure`` is asked once an operation has failed its last attempt: ``"retry"`` gives it one
    more attempt (timeout grown again, fallback on), ``"skip"`` marks it skipped, ``"abort"`` marks it
    failed, starts nothing more (not yet started operations are ``skipped``) and lets the running ones
    finish. Without it, a failure is final. ``on_event("start", ctx)`` / ``on_event("done", outcome)``
    report progress (called from the coordinating thread).
    """
    if max_parallel < 1:
        raise ValueError("max_parallel must be at least 1")
    ids = [op.id for op in operations]
    if len(set(ids)) != len(ids):
        raise ValueError("operation ids must be unique")
    run_start = time.monotonic()
    waiting: deque[_Pending] = deque(
        _Pending(op, 1, op.timeout_s if op.timeout_s is not None else timeout_s, []) for op in operations
    )
    active: dict[int, _Active] = {}
    results: dict[str, OpOutcome] = {}
    done_q: queue.Queue[tuple[int, OpOutcome, float]] = queue.Queue()
    next_token = 0
    aborted = False

    def limit_of(op: Operation) -> int:
        return op.max_attempts if op.max_attempts is not None else max_attempts

    def start(p: _Pending) -> None:
        nonlocal next_token
        now = time.monotonic()
        if p.started_first is None:
            p.started_first = now
        deadline = None if p.timeout_s is None else now + p.timeout_s
        ctx = AttemptContext(
            op_id=p.op.id,
            attempt=p.attempt,
            max_attempts=max(limit_of(p.op), p.attempt),
            timeout_s=p.timeout_s,
            deadline=deadline,
            fallback=p.attempt > 1,
        )
        token = next_token
        next_token += 1
        give_up = None if deadline is None else deadline + overrun_grace_s
        active[token] = _Active(p, ctx, now, give_up)

        def work() -> None:
            outcome = _call(p.op, ctx)
            done_q.put((token, outcome, time.monotonic()))

        threading.Thread(target=work, name=f"plansmith-op-{p.op.id}", daemon=True).start()
        if on_event is not None:
            on_event("start", ctx)

    def finish(p: _Pending, outcome: OpOutcome, now: float) -> None:
        final = replace(
            outcome,
            op_id=p.op.id,
            attempts=tuple(p.history),
            duration_s=now - (p.started_first or now),
        )
        results[p.op.id] = final
        if on_event is not None:
            on_event("done", final)

    def settle(a: _Active, outcome: OpOutcome, now: float) -> None:
        """An attempt ended (returned, raised, or overran): retry, ask, or record the outcome."""
        nonlocal aborted
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
            finish(p, outcome, now)
            return
        grown = None if p.timeout_s is None else p.timeout_s * factor
        if outcome.retryable and p.attempt < limit_of(p.op) and not aborted:
            waiting.appendleft(_Pending(p.op, p.attempt + 1, grown, p.history, p.started_first))
            return
        decision: Decision | None = None
        if decide_on_failure is not None and not aborted:
            provisional = replace(outcome, op_id=p.op.id, attempts=tuple(p.history))
            decision = decide_on_failure(provisional)
        if decision == "retry":
            waiting.appendleft(_Pending(p.op, p.attempt + 1, grown, p.history, p.started_first))
        elif decision == "skip":
            finish(p, replace(outcome, status="skipped", retryable=False), now)
        else:
            if decision == "abort":
                aborted = True
            finish(p, outcome, now)

    try:
        while waiting or active:
            while waiting and len(active) < max_parallel and not aborted:
                start(waiting.popleft())
            if aborted:
                while waiting:
                    p = waiting.popleft()
                    finish(p, OpOutcome.skip("not started: the run was aborted"), time.monotonic())
                if not active:
                    break
            now = time.monotonic()
            limits = [a.give_up_at for a in active.values() if a.give_up_at is not None]
            wait = None if not limits else max(0.0, min(limits) - now)
            try:
                token, outcome, ended = done_q.get(timeout=wait)
            except queue.Empty:
                token = -1
            if token >= 0:
                a_done = active.pop(token, None)
                if a_done is not None:  # None: a late result of an attempt already given up on
                    settle(a_done, outcome, ended)
            now = time.monotonic()
            for tok, a in list(active.items()):
                if a.give_up_at is not None and now >= a.give_up_at:
                    del active[tok]
                    a.ctx.cancelled.set()
                    settle(
                        a,
                        OpOutcome.fail(
                            f"timed out after {a.pending.timeout_s:g}s "
                            "(the operation did not return; it was abandoned)",
                            timed_out=True,
                        ),
                        now,
                    )
    except BaseException:
        for a in active.values():
            a.ctx.cancelled.set()
        raise

    outcomes = tuple(results[i] for i in ids)
    successful = sum(o.status == "success" for o in outcomes)
    failed = sum(o.status == "failed" for o in outcomes)
    skipped = sum(o.status == "skipped" for o in outcomes)
    return RunResult(
        total=len(outcomes),
        successful=successful,
        failed=failed,
        skipped=skipped,
        can_continue=successful > 0 and not aborted,
        requires_retry=failed > 0,
        outcomes=outcomes,
        aborted=aborted,
        duration_s=time.monotonic() - run_start,
    )
