"""The runner's progress events: queued, running (attempt n of m, timeout), retrying, done/failed/skipped."""

from __future__ import annotations

import time

from plansmith.engine.progress import ProgressEvent
from plansmith.engine.runner import AttemptContext, Operation, OpOutcome, run_operations


def _states(events: list[ProgressEvent], item: str) -> list[str]:
    return [e.state for e in events if e.item == item]


def test_success_is_queued_running_done() -> None:
    events: list[ProgressEvent] = []
    result = run_operations([Operation("a", lambda ctx: OpOutcome.ok())], timeout_s=5, progress=events.append)
    assert _states(events, "a") == ["queued", "running", "done"]
    running = events[1]
    assert (running.attempt, running.max_attempts, running.timeout_s) == (1, 3, 5)
    assert events[-1].reason is None
    summary = result.summary()
    assert (summary.total, summary.successful, summary.failed) == (1, 1, 0)


def test_every_operation_is_queued_before_any_runs() -> None:
    events: list[ProgressEvent] = []
    ops = [Operation(f"o{i}", lambda ctx: OpOutcome.ok()) for i in range(4)]
    run_operations(ops, max_parallel=2, progress=events.append)
    assert [e.state for e in events[:4]] == ["queued"] * 4
    assert {e.item for e in events[:4]} == {"o0", "o1", "o2", "o3"}


def test_retry_reports_attempt_two_of_three_with_grown_timeout() -> None:
    events: list[ProgressEvent] = []

    def op(ctx: AttemptContext) -> OpOutcome:
        return OpOutcome.fail("flaky") if ctx.attempt == 1 else OpOutcome.ok()

    run_operations([Operation("r", op)], timeout_s=2.0, factor=1.5, max_attempts=3, progress=events.append)
    assert _states(events, "r") == ["queued", "running", "retrying", "running", "done"]
    retrying = events[2]
    assert retrying.reason == "flaky" and retrying.timeout_s == 3.0
    second = events[3]
    assert (second.attempt, second.max_attempts, second.timeout_s) == (2, 3, 3.0)


def test_failure_reports_reason_after_the_last_attempt() -> None:
    events: list[ProgressEvent] = []
    run_operations(
        [Operation("f", lambda ctx: OpOutcome.fail("broken", retryable=False))], progress=events.append
    )
    assert _states(events, "f") == ["queued", "running", "failed"]
    assert events[-1].reason == "broken" and events[-1].attempt == 1


def test_skip_and_abort_report_skipped() -> None:
    events: list[ProgressEvent] = []
    ops = [
        Operation("first", lambda ctx: OpOutcome.fail("no", retryable=False)),
        Operation("second", lambda ctx: OpOutcome.ok()),
    ]
    run_operations(ops, max_parallel=1, decide_on_failure=lambda o: "abort", progress=events.append)
    assert _states(events, "first")[-1] == "failed"
    assert _states(events, "second") == ["queued", "skipped"]
    events.clear()
    run_operations([Operation("s", lambda ctx: OpOutcome.skip("not needed"))], progress=events.append)
    assert _states(events, "s") == ["queued", "running", "skipped"]
    assert events[-1].reason == "not needed"


def test_summary_sums_the_operations_own_durations() -> None:
    ops = [Operation(f"s{i}", lambda ctx: (time.sleep(0.2), OpOutcome.ok())[1]) for i in range(4)]
    summary = run_operations(ops, max_parallel=4).summary()
    assert summary.sequential_s >= 0.8
    assert summary.wall_s < summary.sequential_s / 2


def test_a_finished_operation_frees_its_slot_at_once() -> None:
    """The runner wakes on completion: the next operation starts within milliseconds, not a poll tick."""
    starts: dict[str, float] = {}

    def op(ctx: AttemptContext) -> OpOutcome:
        starts[ctx.op_id] = time.monotonic()
        time.sleep(0.05)
        return OpOutcome.ok()

    ops = [Operation(f"q{i}", op) for i in range(10)]
    started = time.monotonic()
    run_operations(ops, max_parallel=1)
    elapsed = time.monotonic() - started
    assert elapsed < 0.5 + 0.25, elapsed  # 10 x 50 ms, plus a little per hand-over
