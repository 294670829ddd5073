"""Progress events: what long work reports while it runs, for whoever shows it to a person.

Agents, the runner, the coordinator, orchestrate, the daemon and ``plansmith ci`` emit
:class:`ProgressEvent` values into a :data:`ProgressSink`; the terminal layer renders them (live lines
on a TTY), tests record them, and everything else passes :func:`ignore`. It sits low (stdlib only) so
that agents can report attempts without importing the engine. This module must stay free of any
output or terminal code: it only says what happened, never how it looks. What a run tells a person
beyond each operation's state (the analysis, the end of the run, its proposal) are the run events of
:mod:`plansmith.run_events`.
"""

from __future__ import annotations

from collections.abc import Callable
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


ProgressSink = Callable[[ProgressEvent], None]


def ignore(_event: ProgressEvent) -> None:
    """The sink for runs nobody watches."""
