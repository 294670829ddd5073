"""The parallel runner: real parallelism, partial failure, exceptions, retries with growing timeouts."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest

from plansmith.agents.process import run_program
from plansmith.engine.runner import AttemptContext, Operation, OpOutcome, RunResult, run_operations
from plansmith.errors import PlanError


def test_parallelism_really_happens() -> None:
    ops = [Operation(f"op{i}", lambda ctx: (time.sleep(0.5), OpOutcome.ok())[1]) for i in range(6)]
    start = time.monotonic()
    result = run_operations(ops, max_parallel=6)
    elapsed = time.monotonic() - start
    assert result.successful == 6 and result.failed == 0
    assert elapsed < 2.0, elapsed  # sequentially it would take 3 s


def test_max_parallel_is_respected() -> None:
    lock = threading.Lock()
    running = 0
    peak = 0

    def op(ctx: AttemptContext) -> OpOutcome:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.1)
        with lock:
            running -= 1
        return OpOutcome.ok()

    result = run_operations([Operation(f"o{i}", op) for i in range(8)], max_parallel=3)
    assert result.successful == 8 and peak == 3
    seq_peak = peak
    peak = 0
    run_operations([Operation(f"o{i}", op) for i in range(3)], max_parallel=1)
    assert peak == 1 and seq_peak == 3


def test_partial_failure_and_exception_capture() -> None:
    def boom(ctx: AttemptContext) -> OpOutcome:
        raise RuntimeError("disk on fire")

    ops = [
        Operation("good1", lambda ctx: OpOutcome.ok("a")),
        Operation("bad", lambda ctx: OpOutcome.fail("nope", retryable=False)),
        Operation("raises", boom),
        Operation("good2", lambda ctx: OpOutcome.ok("b", warnings=["kept structural result"])),
        Operation("wrong", lambda ctx: "not an outcome"),  # type: ignore[arg-type,return-value]
    ]
    result = run_operations(ops, max_parallel=2, max_attempts=2)
    assert (result.total, result.successful, result.failed, result.skipped) == (5, 2, 3, 0)
    assert result.can_continue and result.requires_retry and not result.aborted
    assert [o.op_id for o in result.outcomes] == ["good1", "bad", "raises", "good2", "wrong"]
    raised = result.outcome("raises")
    assert raised.error is not None and raised.error.startswith("RuntimeError: disk on fire")
    assert len(raised.attempts) == 2  # exceptions are retried
    assert len(result.outcome("bad").attempts) == 1  # not retryable
    assert result.outcome("good2").warnings == ("kept structural result",)
    assert result.outcome("good1").value == "a"


def test_all_failed_cannot_continue() -> None:
    result = run_operations([Operation("x", lambda ctx: OpOutcome.fail("no"))], max_attempts=1)
    assert not result.can_continue and result.requires_retry and result.failed == 1


def test_empty_run() -> None:
    result = run_operations([])
    assert result == RunResult(0, 0, 0, 0, False, False, (), duration_s=result.duration_s)


def test_retry_timeouts_grow_and_fallback_from_second_attempt() -> None:
    seen: list[tuple[int, float | None, bool]] = []

    def op(ctx: AttemptContext) -> OpOutcome:
        seen.append((ctx.attempt, ctx.timeout_s, ctx.fallback))
        return OpOutcome.fail("still failing") if ctx.attempt < 3 else OpOutcome.ok()

    result = run_operations([Operation("x", op)], timeout_s=0.3, factor=1.5, max_attempts=3)
    assert result.successful == 1
    assert [s[0] for s in seen] == [1, 2, 3]
    assert [s[1] for s in seen] == pytest.approx([0.3, 0.45, 0.675])
    assert [s[2] for s in seen] == [False, True, True]
    assert [a.status for a in result.outcomes[0].attempts] == ["failed", "failed", "success"]


def test_cooperative_timeout_with_subprocess(tmp_path: Path) -> None:
    """The operation passes its budget to the program; it is stopped and retried with more time."""

    def op(ctx: AttemptContext) -> OpOutcome:
        res = run_program(
            [sys.executable, "-c", "import time; time.sleep(0.5)"],
            cwd=tmp_path,
            timeout_s=ctx.remaining() or 0,
            grace_s=0.2,
        )
        return OpOutcome.ok() if res.ok else OpOutcome.fail(res.describe(), timed_out=res.timed_out)

    start = time.monotonic()
    result = run_operations([Operation("p", op)], timeout_s=0.2, factor=2.0, max_attempts=3)
    assert result.successful == 1
    attempts = result.outcomes[0].attempts
    assert [a.timeout_s for a in attempts] == pytest.approx([0.2, 0.4, 0.8])
    assert [a.timed_out for a in attempts] == [True, True, False]
    assert time.monotonic() - start < 4


def test_uncooperative_operation_is_abandoned_at_its_deadline() -> None:
    release = threading.Event()
    cancelled: list[bool] = []

    def stuck(ctx: AttemptContext) -> OpOutcome:
        release.wait(10)
        cancelled.append(ctx.cancelled.is_set())
        return OpOutcome.ok()

    start = time.monotonic()
    result = run_operations(
        [Operation("stuck", stuck), Operation("fine", lambda ctx: OpOutcome.ok())],
        timeout_s=0.2,
        max_attempts=1,
        overrun_grace_s=0.1,
    )
    elapsed = time.monotonic() - start
    release.set()
    assert elapsed < 1.5
    stuck_out = result.outcome("stuck")
    assert stuck_out.status == "failed" and stuck_out.timed_out
    assert stuck_out.error is not None and "abandoned" in stuck_out.error
    assert result.outcome("fine").status == "success"
    time.sleep(0.1)
    assert cancelled == [True]  # the abandoned thread was told


def test_decide_on_failure_retry_then_skip() -> None:
    calls = {"n": 0}
    asked: list[str] = []

    def op(ctx: AttemptContext) -> OpOutcome:
        calls["n"] += 1
        return OpOutcome.fail(f"fail {ctx.attempt}")

    def decide(outcome: OpOutcome) -> str:
        asked.append(outcome.error or "")
        return "retry" if len(asked) == 1 else "skip"

    result = run_operations([Operation("x", op)], max_attempts=2, decide_on_failure=decide)  # type: ignore[arg-type]
    assert asked == ["fail 2", "fail 3"]
    assert calls["n"] == 3
    assert result.skipped == 1 and result.failed == 0 and result.outcomes[0].status == "skipped"


def test_decide_on_failure_abort_skips_the_rest() -> None:
    ops = [Operation("bad", lambda ctx: OpOutcome.fail("x", retryable=False))]
    ops += [Operation(f"later{i}", lambda ctx: OpOutcome.ok()) for i in range(3)]
    result = run_operations(ops, max_parallel=1, decide_on_failure=lambda o: "abort")
    assert result.aborted and not result.can_continue
    assert (result.failed, result.skipped, result.successful) == (1, 3, 0)
    assert all("aborted" in (o.error or "") for o in result.outcomes[1:])


def test_per_operation_limits_and_events() -> None:
    events: list[str] = []
    ops = [
        Operation("a", lambda ctx: OpOutcome.fail("x"), max_attempts=4, timeout_s=1.0),
        Operation("b", lambda ctx: OpOutcome.ok()),
    ]
    result = run_operations(ops, max_attempts=1, on_event=lambda kind, obj: events.append(kind))
    assert len(result.outcome("a").attempts) == 4
    assert [a.timeout_s for a in result.outcome("a").attempts] == pytest.approx([1.0, 1.5, 2.25, 3.375])
    assert events.count("start") == 5 and events.count("done") == 2


def test_duplicate_ids_rejected() -> None:
    with pytest.raises(ValueError):
        run_operations([Operation("a", lambda ctx: OpOutcome.ok())] * 2)


def test_a_plansmith_error_fails_in_its_own_words_once() -> None:
    def plan_problem(ctx: AttemptContext) -> OpOutcome:
        raise PlanError("specs/plans/x.md: phase 4 is not expanded", path="specs/plans/x.md")

    result = run_operations([Operation("p", plan_problem)], max_attempts=3)
    outcome = result.outcome("p")
    assert outcome.error == "specs/plans/x.md: phase 4 is not expanded"  # no class, no source line, path once
    assert len(outcome.attempts) == 1  # the same plan text fails the same way: not retried
