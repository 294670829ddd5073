"""Show a run's events to a person, and ask the run's questions: the terminal's side of the engine.

:class:`RunReporter` is the :data:`~plansmith.run_events.RunEventSink` a command hands the engine: each
event's text (:mod:`plansmith.render.run_prose`) goes to the command's output, warnings to standard
error, the analysis as a table fitted to the terminal when the display is rich; at the end of a round
or of the run it ends the live progress view first, so the final board and its summary stay above the
report. :func:`ask_to_proceed` and :func:`failure_asker` are the questions (``input()`` lives here,
never in the engine).

This module decides nothing about the run and never touches the repository.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, TextIO

from plansmith.render.run_prose import run_event_text
from plansmith.run_events import AnalysisReady, ends_a_round, is_warning

if TYPE_CHECKING:
    from plansmith.plan.complexity import Analysis
    from plansmith.run_events import Decide, FailureChoice, OperationFailed, RunEvent
    from plansmith.terminal.progress import LiveProgress


class RunReporter:
    """Writes each run event for a person; ``out=None`` shows the warnings alone (``--json``, MCP)."""

    def __init__(
        self,
        out: TextIO | None,
        *,
        live: LiveProgress | None = None,
        show_analysis: Callable[[Analysis], None] | None = None,
        err: TextIO | None = None,
    ) -> None:
        self.out = out
        self.live = live
        self.show_analysis = show_analysis
        self._err = err  # None: sys.stderr at the time (a live view redirects it above itself)

    def __call__(self, event: RunEvent) -> None:
        if self.live is not None and ends_a_round(event):
            self.live.stop()  # the final board and its summary stay above what follows
        if is_warning(event):
            stream: TextIO | None = self._err if self._err is not None else sys.stderr
        elif isinstance(event, AnalysisReady) and self.show_analysis is not None and self.out is not None:
            self.show_analysis(event.analysis)
            return
        else:
            stream = self.out
        if stream is not None:
            stream.write(run_event_text(event))
            stream.flush()  # orchestrate steps take minutes: each line shows when it happens


def ask_to_proceed() -> bool:
    """``Proceed? [y/N]`` on the terminal: only ``y`` or ``yes`` goes ahead."""
    answer = input("Proceed? [y/N] ").strip().lower()
    return answer in ("y", "yes")


def ask_on_failure(
    failure: OperationFailed, pause: Callable[[], AbstractContextManager[object]] = nullcontext
) -> FailureChoice:
    """Ask what to do with an operation that failed all its attempts. ``pause`` holds a live progress
    view still while the question is on the screen."""
    with pause():
        print(f"{failure.item} failed: {failure.error}", file=sys.stderr)
        while True:
            answer = input("[r]etry, [s]kip it, or [a]bort the run? ").strip().lower()[:1]
            if answer == "r":
                return "retry"
            if answer == "s":
                return "skip"
            if answer == "a":
                return "abort"


def failure_asker(live: LiveProgress | None) -> Decide:
    """:func:`ask_on_failure`, pausing ``live`` (when there is a live view) while it asks."""
    if live is None:
        return ask_on_failure
    pause = live.paused
    return lambda failure: ask_on_failure(failure, pause)
