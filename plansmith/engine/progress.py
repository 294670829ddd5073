"""Progress events: what long work reports while it runs, for whoever shows it to a person.

The runner, the coordinator, orchestrate, the daemon and ``plansmith ci`` emit :class:`ProgressEvent`
values into a :data:`ProgressSink`; the terminal layer renders them (live lines on a TTY), tests record
them, and everything else passes :func:`ignore`. This module must stay free of any output or terminal
code: it only says what happened, never how it looks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

ProgressState = Literal["queued", "running", "retrying", "done", "failed", "skipped"]


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """One change of one operation's state.

    ``item`` names the operation the way the run reports it (``phase_3``, ``research:api``);
    ``attempt``/``max_attempts`` and ``timeout_s`` describe the attempt that is running or just ended;
    ``elapsed_s`` counts from the operation's first start; ``reason`` says why it failed or is retried.
    """

    item: str
    state: ProgressState
    attempt: int = 0
    max_attempts: int = 0
    timeout_s: float | None = None
    elapsed_s: float = 0.0
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class RunSummary:
    """The end of a run: wall time, and what the same operations would have taken one after another."""

    total: int
    successful: int
    failed: int
    wall_s: float
    sequential_s: float


ProgressSink = Callable[[ProgressEvent], None]


def ignore(_event: ProgressEvent) -> None:
    """The sink for runs nobody watches."""


RunnerListener = Callable[[str, object], None]


def runner_listener(sink: ProgressSink) -> RunnerListener:
    """Turn the runner's ``on_event("start", ctx)`` / ``on_event("done", outcome)`` calls into events.

    ``running`` at each attempt (attempt n of m, its timeout, the time since the first attempt began),
    ``retrying`` before a later attempt, then ``done``, ``failed`` or ``skipped`` with the reason. Runs
    call :func:`queued` for their operations first. The values are read by name, so this module does
    not import the runner.
    """
    first_start: dict[str, float] = {}

    def listen(kind: str, what: object) -> None:
        op_id = str(getattr(what, "op_id", ""))
        now = time.monotonic()
        if kind == "start":
            attempt, limit = int(getattr(what, "attempt", 1)), int(getattr(what, "max_attempts", 0))
            elapsed = now - first_start.setdefault(op_id, now)
            timeout = getattr(what, "timeout_s", None)
            states: tuple[ProgressState, ...] = ("retrying", "running") if attempt > 1 else ("running",)
            for now_state in states:
                sink(ProgressEvent(op_id, now_state, attempt, limit, timeout, elapsed))
        elif kind == "done":
            status = str(getattr(what, "status", "failed"))
            state: ProgressState = (
                "done" if status == "success" else "skipped" if status == "skipped" else "failed"
            )
            attempts = getattr(what, "attempts", ())
            sink(
                ProgressEvent(
                    op_id,
                    state,
                    attempt=len(attempts),
                    elapsed_s=float(getattr(what, "duration_s", 0.0)),
                    reason=getattr(what, "error", None),
                )
            )

    return listen


def queued(sink: ProgressSink | None, items: Iterable[str]) -> None:
    """A ``queued`` event for each operation a run is about to start."""
    if sink is not None:
        for item in items:
            sink(ProgressEvent(item, "queued"))
