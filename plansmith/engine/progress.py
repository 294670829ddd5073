"""The end of a run as the engine reports it, beside the progress events it emits.

The events themselves (:class:`ProgressEvent`, :data:`ProgressSink`, :func:`ignore`) live in
:mod:`plansmith.events`, low enough for agents to import; they are re-exported here for the engine's
modules and the terminal. This module must stay free of any output or terminal code: it only says
what happened, never how it looks.
"""

from __future__ import annotations

from dataclasses import dataclass

from plansmith.events import ProgressEvent, ProgressSink, ProgressState, ignore

__all__ = ["ProgressEvent", "ProgressSink", "ProgressState", "RunSummary", "ignore"]


@dataclass(frozen=True, slots=True)
class RunSummary:
    """The end of a run: wall time, and what the same operations would have taken one after another."""

    total: int
    successful: int
    failed: int
    wall_s: float
    sequential_s: float
