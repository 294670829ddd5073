"""The progress board (pure, with a clock of its own) and the live view fed with events by hand."""

from __future__ import annotations

import io
import re

from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from plansmith.engine.progress import ProgressEvent, RunSummary
from plansmith.engine.runner import Operation, OpOutcome, run_operations
from plansmith.run_events import ItemReported, OperationFailed, ProposalMade, RunFinished, SecondRoundStarted
from plansmith.terminal.progress import LiveProgress, ProgressBoard
from plansmith.terminal.reporting import RunReporter, ask_on_failure, failure_asker


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_running_operation_ticks_and_shows_attempt_and_timeout() -> None:
    clock = Clock()
    board = ProgressBoard(clock)
    board.apply(ProgressEvent("phase_1", "queued"))
    assert board.plain_lines() == ["  · phase_1  queued"]
    board.apply(ProgressEvent("phase_1", "running", attempt=1, max_attempts=3, timeout_s=120.0))
    clock.now += 12.34
    assert board.lines()[0][2] == "running 12.3s (attempt 1 of 3, timeout 120s)"
    clock.now += 10
    assert board.lines()[0][2].startswith("running 22.3s")


def test_retried_done_and_failed_lines_say_why() -> None:
    clock = Clock()
    board = ProgressBoard(clock)
    board.apply(ProgressEvent("a", "running", 1, 3, 120.0))
    board.apply(ProgressEvent("a", "retrying", 1, 3, 120.0, 120.5, reason="timed out after 120s"))
    assert board.lines()[0][2] == "retrying after 120.5s: timed out after 120s"
    board.apply(ProgressEvent("a", "running", 2, 3, 180.0, 120.6))
    assert board.lines()[0][2] == (
        "running 120.6s (attempt 2 of 3, timeout 180s); retried after: timed out after 120s"
    )
    board.apply(ProgressEvent("a", "done", 2, 3, elapsed_s=150.0))
    assert board.lines()[0][2] == "done in 150.0s (attempt 2 of 3)"
    board.apply(ProgressEvent("b", "failed", 1, 1, elapsed_s=3.0, reason="agent exited with 3"))
    board.apply(ProgressEvent("c", "skipped", reason="not started: the run was aborted"))
    assert [state for state, _, _ in board.lines()] == ["done", "failed", "skipped"]
    assert board.plain_lines()[1] == "  ✗ b  failed after 3.0s: agent exited with 3"
    assert board.plain_lines()[2] == "  – c  skipped: not started: the run was aborted"


def test_one_attempt_of_one_is_not_worth_saying() -> None:
    board = ProgressBoard(Clock())
    board.apply(ProgressEvent("a", "running", 1, 1, None))
    assert board.lines()[0][2] == "running 0.0s"


def test_summary_is_wall_time_against_the_sum_of_the_operations() -> None:
    clock = Clock()
    board = ProgressBoard(clock)
    for item in ("p1", "p2", "p3"):
        board.apply(ProgressEvent(item, "queued"))
    clock.now += 45.2
    for item in ("p1", "p2", "p3"):
        board.apply(ProgressEvent(item, "done", elapsed_s=45.0))
    assert board.finished
    clock.now += 30  # later output does not count as run time
    assert board.summary_line() == "Completed in 45.2s (vs 135.0s sequential)"


def test_the_engines_own_summary_wins_and_failures_are_counted() -> None:
    board = ProgressBoard(Clock())
    board.apply(ProgressEvent("p1", "done", elapsed_s=1.0))
    board.apply(ProgressEvent("p2", "failed", elapsed_s=2.0, reason="x"))
    board.summary = RunSummary(total=2, successful=1, failed=1, wall_s=2.5, sequential_s=3.0)
    assert board.summary_line() == "Completed in 2.5s (vs 3.0s sequential): 1 done, 1 failed"


def test_an_item_seen_again_in_a_later_round_adds_a_lap() -> None:
    clock = Clock()
    board = ProgressBoard(clock)
    board.apply(ProgressEvent("phase_1", "done", elapsed_s=0.5))  # the structural change
    board.apply(ProgressEvent("phase_1", "queued"))  # then the agent's elaboration of it
    assert not board.finished and board.lines()[0][2] == "queued"
    board.apply(ProgressEvent("phase_1", "done", elapsed_s=2.0))
    assert board.totals().sequential_s == 2.5


states = st.sampled_from(["queued", "running", "retrying", "done", "failed", "skipped"])
events = st.builds(
    ProgressEvent,
    item=st.sampled_from(["phase_1", "phase_2", "research:api", "x" * 40]),
    state=states,
    attempt=st.integers(0, 5),
    max_attempts=st.integers(0, 5),
    timeout_s=st.none() | st.floats(0.1, 1000),
    elapsed_s=st.floats(0, 10_000),
    reason=st.none() | st.text(max_size=40),
)


@given(st.lists(st.tuples(events, st.floats(0, 100)), max_size=30))
def test_any_sequence_of_events_gives_one_line_per_item_and_a_sane_summary(
    steps: list[tuple[ProgressEvent, float]],
) -> None:
    clock = Clock()
    board = ProgressBoard(clock)
    for event, pause in steps:
        clock.now += pause
        board.apply(event)
    items = {event.item for event, _ in steps}
    assert [item for _, item, _ in board.lines()] == list(dict.fromkeys(e.item for e, _ in steps))
    assert len(board.plain_lines()) == len(items)
    totals = board.totals()
    assert totals.wall_s >= 0 and totals.sequential_s >= 0
    assert re.fullmatch(r"Completed in \d+\.\ds \(vs \d+\.\ds sequential\)(: .*)?", board.summary_line())


def console(width: int = 80) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=True, width=width, color_system="standard"), buffer


def plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text).replace("\r", "")


def test_the_live_view_draws_events_and_ends_with_the_summary() -> None:
    screen, buffer = console()
    clock = Clock()
    live = LiveProgress(screen, clock=clock, refresh_per_second=50)
    report = RunReporter(live.out, live=live)
    live(ProgressEvent("phase_1", "queued"))
    live(ProgressEvent("phase_1", "running", 1, 2, 60.0))
    clock.now += 1.5
    live(ProgressEvent("phase_2", "running", 1, 2, 60.0))
    drawn = plain(buffer.getvalue())
    assert "phase_1 running 1.5s (attempt 1 of 2, timeout 60s)" in drawn
    live.out.write("a line from the engine\n")  # while running: above the view
    assert "a line from the engine" in plain(buffer.getvalue())
    live(ProgressEvent("phase_1", "done", 1, 2, elapsed_s=2.0))
    live(ProgressEvent("phase_2", "done", 1, 2, elapsed_s=1.0))
    clock.now += 0.5
    report(RunFinished((), ProposalMade("001", "plansmith/001", "0123456789abc")))  # the run's end stops it
    assert not live.active
    text = plain(buffer.getvalue())
    summary = text.index("Completed in 1.5s (vs 3.0s sequential)")
    assert text.rindex("✓") < summary < text.index("proposal 001 on branch")
    live.stop()  # idempotent
    assert plain(buffer.getvalue()).count("Completed in") == 1


def test_a_later_round_starts_a_new_view_with_its_own_summary() -> None:
    screen, buffer = console()
    live = LiveProgress(screen, clock=Clock())
    report = RunReporter(live.out, live=live)
    live(ProgressEvent("phase_1", "done", elapsed_s=1.0))
    report(SecondRoundStarted(("phase_1_stage_1",)))
    live(ProgressEvent("phase_1_stage_1", "done", elapsed_s=2.0))
    live.stop()
    text = plain(buffer.getvalue())
    assert text.count("Completed in") == 2
    assert "vs 2.0s sequential" in text.split("second round")[1]


def test_the_view_ends_on_the_end_event_not_on_a_line_written() -> None:
    """Every operation has ended and a line is written: the view stays (more may come); the end event,
    with no line before it, ends it and leaves the summary above the report."""
    screen, buffer = console()
    live = LiveProgress(screen, clock=Clock())
    report = RunReporter(live.out, live=live)
    live(ProgressEvent("phase_1", "done", elapsed_s=1.0))
    live.out.write("a line after every operation ended\n")
    assert live.active and "Completed in" not in plain(buffer.getvalue())
    report(RunFinished((ItemReported("phase_1", "expand", "success"),), None))
    assert not live.active
    text = plain(buffer.getvalue())
    assert text.count("Completed in") == 1
    assert (
        text.index("Completed in") < text.index("ok      expand phase_1") < text.index("no proposal was made")
    )


def test_a_line_while_a_later_rounds_operations_are_queued_does_not_stop_the_view() -> None:
    screen, buffer = console()
    live = LiveProgress(screen, clock=Clock())
    report = RunReporter(live.out, live=live)
    live(ProgressEvent("phase_1", "done", elapsed_s=1.0))
    report(SecondRoundStarted(("phase_1_stage_1", "phase_1_stage_2")))
    live(ProgressEvent("phase_1_stage_1", "queued"))
    live(ProgressEvent("phase_1_stage_2", "queued"))
    live.out.write("plansmith: something to say\n")
    assert live.active
    live(ProgressEvent("phase_1_stage_1", "done", elapsed_s=1.0))
    live(ProgressEvent("phase_1_stage_2", "done", elapsed_s=1.0))
    report(RunFinished((), None))
    assert not live.active and plain(buffer.getvalue()).count("Completed in") == 2


def test_prompts_pass_through_when_nothing_is_live() -> None:
    screen, buffer = console()
    live = LiveProgress(screen, clock=Clock())
    live.out.write("Proceed? [y/N] ")  # no newline: it must show at once
    assert buffer.getvalue() == "Proceed? [y/N] "


def test_log_lines_for_a_stream_that_is_not_the_terminal_go_straight_there() -> None:
    screen, _ = console()
    live = LiveProgress(screen, clock=Clock())
    log = io.StringIO()
    writer = live.writer(log)
    live(ProgressEvent("a", "running", 1, 1))
    writer.write("INFO something\n")
    live.stop()
    assert log.getvalue() == "INFO something\n"


def test_the_runners_own_events_make_the_board() -> None:
    """The engine's runner is the source of the events: its retry shows, and the end reads 'done'."""
    board = ProgressBoard()
    attempts = iter([OpOutcome.fail("boom"), OpOutcome.ok("fine")])
    ops = [Operation("flaky", lambda ctx: next(attempts)), Operation("steady", lambda ctx: OpOutcome.ok())]
    seen: list[ProgressEvent] = []

    def sink(event: ProgressEvent) -> None:
        seen.append(event)
        board.apply(event)

    run_operations(ops, timeout_s=30, max_attempts=3, progress=sink, max_parallel=1)
    flaky = [(e.state, e.attempt) for e in seen if e.item == "flaky"]
    assert flaky[0] == ("queued", 0) and ("retrying", 1) in flaky and flaky[-1] == ("done", 2)
    assert board.finished
    lines = dict((item, text) for _, item, text in board.lines())
    assert lines["flaky"].startswith("done in ") and lines["flaky"].endswith("(attempt 2 of 3)")
    assert re.fullmatch(r"Completed in \d+\.\ds \(vs \d+\.\ds sequential\)", board.summary_line())


def test_a_question_pauses_the_view_and_the_run_carries_on_below_the_answer() -> None:
    screen, buffer = console()
    live = LiveProgress(screen, clock=Clock())
    live(ProgressEvent("a", "running", 1, 3))
    live(ProgressEvent("b", "running", 1, 3))
    with live.paused():
        assert not live.active
        before = buffer.getvalue()
        screen.file.write("[r]etry, [s]kip it, or [a]bort the run? ")  # nothing redraws over it
        assert buffer.getvalue() == before + "[r]etry, [s]kip it, or [a]bort the run? "
    assert live.active  # the same operations, drawn again below
    live(ProgressEvent("a", "done", elapsed_s=1.0))
    live(ProgressEvent("b", "done", elapsed_s=1.0))
    live.stop()
    text = plain(buffer.getvalue())
    assert text.count("Completed in") == 1 and text.rindex("✓ b") < text.index("Completed in")


def test_the_failure_question_pauses_a_live_view_while_it_asks(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    screen, _ = console()
    live = LiveProgress(screen, clock=Clock())
    assert failure_asker(None) is ask_on_failure
    live(ProgressEvent("a", "failed", reason="boom"))
    seen: list[bool] = []

    def answer(prompt: str = "") -> str:
        seen.append(live.active)
        return "s"

    monkeypatch.setattr("builtins.input", answer)
    assert failure_asker(live)(OperationFailed("a", "boom")) == "skip"
    assert seen == [False] and live.active  # held still while asking, drawn again after
    live.stop()
