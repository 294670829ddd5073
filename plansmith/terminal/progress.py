"""Live progress of long work: one line per operation while it runs, then "Completed in 45.2s (vs 135.0s
sequential)".

:class:`ProgressBoard` is the pure part: it folds :class:`~plansmith.engine.progress.ProgressEvent`
values into one view per operation (queued, running with elapsed time, attempt and timeout, retried,
done, failed with the reason) and makes the lines and the summary, for a clock it is given.
:class:`LiveProgress` draws a board with ``rich`` (imported only here, only for a terminal) and is the
:data:`~plansmith.engine.progress.ProgressSink` handed to the engine. :func:`progress_for` is what a
command calls (expand, collapse, orchestrate, ``daemon --once``, ``ci``): on a terminal the live view,
anywhere else today's plain output and a sink that ignores every event.

This module never decides what runs and never touches the repository.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO, cast

from plansmith.engine.progress import ProgressEvent, ProgressSink, ProgressState, RunSummary, ignore

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.live import Live

    from plansmith.terminal.display import Display

Clock = Callable[[], float]
TERMINAL: frozenset[ProgressState] = frozenset({"done", "failed", "skipped"})
SYMBOL: dict[ProgressState, str] = {
    "queued": "·",
    "running": "▶",
    "retrying": "↻",
    "done": "✓",
    "failed": "✗",
    "skipped": "–",
}
STYLE: dict[ProgressState, str] = {
    "queued": "dim",
    "running": "bold",
    "retrying": "yellow",
    "done": "green",
    "failed": "bold red",
    "skipped": "dim",
}


@dataclass
class OperationView:
    """What a person should know about one operation now."""

    item: str
    state: ProgressState = "queued"
    attempt: int = 0
    max_attempts: int = 0
    timeout_s: float | None = None
    elapsed_s: float = 0.0  # as reported by the last event
    seen_at: float = 0.0  # clock time of the last event
    reason: str | None = None
    retries: int = 0
    earlier_s: float = 0.0  # time of earlier rounds of the same item (structural, then the agent)

    def elapsed(self, now: float) -> float:
        """Seconds since the operation started; ticking while it runs."""
        if self.state in ("running", "retrying"):
            return self.elapsed_s + max(0.0, now - self.seen_at)
        return self.elapsed_s

    def status_text(self, now: float) -> str:
        """``running 12.3s (attempt 1 of 3, timeout 120s)``, ``done in 45.0s``, ``failed after 3.0s: why``."""
        # "attempt 1 of 1" says nothing (agents retry inside their one attempt): only when there can be more.
        tries = f"attempt {self.attempt} of {self.max_attempts}" if self.max_attempts > 1 else ""
        if self.state == "queued":
            return "queued"
        if self.state == "running":
            detail = ", ".join(filter(None, [tries, _timeout(self.timeout_s)]))
            text = f"running {self.elapsed(now):.1f}s" + (f" ({detail})" if detail else "")
            return text + (f"; retried after: {self.reason}" if self.retries and self.reason else "")
        if self.state == "retrying":
            return f"retrying after {self.elapsed(now):.1f}s: {self.reason or 'the attempt failed'}"
        if self.state == "done":
            return f"done in {self.elapsed_s:.1f}s" + (f" ({tries})" if self.attempt > 1 and tries else "")
        if self.state == "failed":
            return f"failed after {self.elapsed_s:.1f}s: {self.reason or 'no reason given'}"
        return f"skipped: {self.reason}" if self.reason else "skipped"


def _timeout(timeout_s: float | None) -> str:
    return "" if timeout_s is None else f"timeout {timeout_s:g}s"


@dataclass(frozen=True)
class Totals:
    wall_s: float
    sequential_s: float
    done: int
    failed: int
    skipped: int


@dataclass
class ProgressBoard:
    """Every operation of one run, in the order they were first seen."""

    clock: Clock = time.monotonic
    views: dict[str, OperationView] = field(default_factory=dict)
    started_at: float | None = None
    ended_at: float | None = None
    summary: RunSummary | None = None  # the engine's own numbers, when it reports them

    def apply(self, event: ProgressEvent) -> None:
        now = self.clock()
        if self.started_at is None:
            self.started_at = now
        view = self.views.get(event.item)
        if view is None:
            view = self.views[event.item] = OperationView(event.item)
        elif view.state in TERMINAL and event.state not in TERMINAL:
            # The same item in a later round (the structural change, then the agent's): a new lap.
            view.earlier_s += view.elapsed_s
            view.retries, view.reason = 0, None
        if event.state == "retrying":
            view.retries += 1
        view.state = event.state
        view.attempt = event.attempt or view.attempt
        view.max_attempts = event.max_attempts or view.max_attempts
        view.timeout_s = event.timeout_s if event.state != "queued" else view.timeout_s
        view.elapsed_s, view.seen_at = event.elapsed_s, now
        view.reason = event.reason if event.reason is not None else view.reason
        self.ended_at = now if self.finished else None

    @property
    def finished(self) -> bool:
        return bool(self.views) and all(v.state in TERMINAL for v in self.views.values())

    def lines(self, now: float | None = None) -> list[tuple[ProgressState, str, str]]:
        """``(state, item, status text)`` per operation."""
        at = self.clock() if now is None else now
        return [(v.state, v.item, v.status_text(at)) for v in self.views.values()]

    def plain_lines(self, now: float | None = None) -> list[str]:
        rows = self.lines(now)
        width = max((len(item) for _, item, _ in rows), default=0)
        return [f"  {SYMBOL[state]} {item:<{width}}  {text}" for state, item, text in rows]

    def totals(self, now: float | None = None) -> Totals:
        at = self.clock() if now is None else now
        views = list(self.views.values())
        states = [v.state for v in views]
        if self.summary is not None:
            wall, sequential = self.summary.wall_s, self.summary.sequential_s
        else:
            end = self.ended_at if self.ended_at is not None else at
            wall = max(0.0, end - (self.started_at if self.started_at is not None else end))
            sequential = sum(v.earlier_s + v.elapsed(at) for v in views)
        return Totals(wall, sequential, states.count("done"), states.count("failed"), states.count("skipped"))

    def summary_line(self, now: float | None = None) -> str:
        """``Completed in 45.2s (vs 135.0s sequential)``, and what failed or was skipped, if anything."""
        t = self.totals(now)
        line = f"Completed in {t.wall_s:.1f}s (vs {t.sequential_s:.1f}s sequential)"
        if t.failed or t.skipped:
            counts = [f"{t.done} done", f"{t.failed} failed"] + (
                [f"{t.skipped} skipped"] if t.skipped else []
            )
            line += ": " + ", ".join(counts)
        return line


class LiveProgress:
    """A :data:`ProgressSink` that draws its board live on a ``rich`` console, from any thread.

    The live view starts at the first event and ends at :meth:`stop`: the command's
    :class:`~plansmith.terminal.reporting.RunReporter` calls it when the engine says a round or the
    run ended (:func:`~plansmith.run_events.ends_a_round`), leaving the final lines and the summary on
    the screen; a later round starts a new view. Lines written through :attr:`out` while the view is
    on appear above it, whatever state the operations are in: a line never ends the view.

    Two locks, always taken in this order: ``_io`` around everything that calls into ``rich``, and
    ``_state`` only around the board. ``rich``'s refresh thread holds its own lock while it asks for the
    picture, which takes ``_state`` alone, so the two can never wait for each other.
    """

    def __init__(
        self, console: Console, *, clock: Clock = time.monotonic, refresh_per_second: float = 8
    ) -> None:
        self.console = console
        self.clock = clock
        self.refresh_per_second = refresh_per_second
        self.board = ProgressBoard(clock)
        self._live: Live | None = None
        self._io = threading.RLock()
        self._state = threading.Lock()
        self.out = self.writer(cast("TextIO", console.file))

    def writer(self, stream: TextIO) -> TextIO:
        """A stream for lines meant for ``stream`` (stdout, or stderr for log lines): while the view is
        on the screen they appear above it; a stream that is not the terminal gets them directly."""
        return cast("TextIO", _LineWriter(self, stream))

    def __call__(self, event: ProgressEvent) -> None:
        with self._io:
            with self._state:
                if self._live is None and self.board.finished:
                    self.board = ProgressBoard(self.clock)  # a new round after a finished one
                self.board.apply(event)
            if self._live is None:
                self._start()
            else:
                self._live.refresh()

    def report(self, summary: RunSummary) -> None:
        """The engine's own wall time and sequential estimate, preferred to the board's."""
        with self._state:
            self.board.summary = summary

    def _start(self) -> None:
        from rich.live import Live

        self._live = Live(
            get_renderable=self._render,
            console=self.console,
            refresh_per_second=self.refresh_per_second,
            transient=False,
            redirect_stdout=False,  # the report is written through self.out; input() prompts stay visible
            redirect_stderr=True,  # warnings appear above the view instead of tearing it
        )
        self._live.start()

    def _render(self) -> RenderableType:
        from rich.spinner import Spinner
        from rich.table import Table
        from rich.text import Text

        with self._state:
            rows = self.board.lines()
        table = Table.grid(padding=(0, 1))
        for _ in range(4):
            table.add_column(no_wrap=True)
        table.columns[-1].no_wrap, table.columns[-1].overflow = False, "fold"
        for state, item, text in rows:
            mark = (
                Spinner("dots", style="cyan")
                if state == "running"
                else Text(SYMBOL[state], style=STYLE[state])
            )
            table.add_row(Text(" "), mark, Text(item, style="bold"), Text(text, style=STYLE[state]))
        return table

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Hold the view still (its last frame stays) while a question is asked on the terminal, then
        carry on below the answer with the same operations."""
        with self._io:
            live, self._live = self._live, None
            if live is not None:
                live.stop()
        try:
            yield
        finally:
            with self._io:
                if live is not None and self._live is None:
                    self._start()

    def stop(self) -> None:
        """End the live view (final lines stay) and print the summary line; idempotent."""
        with self._io:
            if self._live is None:
                return
            live, self._live = self._live, None
            live.stop()
            with self._state:
                line = self.board.summary_line()
            self.console.print(line, style="bold", highlight=False, markup=False)

    def write(self, stream: TextIO, lines: list[str], rest: str) -> None:
        """Complete ``lines`` (and the unfinished ``rest``, when the view is off) for ``stream``."""
        with self._io:
            if self._live is None:
                stream.write("".join(line + "\n" for line in lines) + rest)
                stream.flush()
                return
            for line in lines:
                self.console.print(line, highlight=False, markup=False, soft_wrap=True)

    @property
    def active(self) -> bool:
        return self._live is not None


class _LineWriter(io.TextIOBase):
    """A stream whose lines go above a live view while there is one (see :meth:`LiveProgress.writer`)."""

    def __init__(self, progress: LiveProgress, stream: TextIO) -> None:
        self._progress = progress
        self._stream = stream
        self._screen = stream is progress.console.file or _is_terminal(stream)
        self._pending = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not self._screen:
            self._stream.write(text)
            return len(text)
        *lines, self._pending = (self._pending + text).split("\n")
        if self._progress.active:
            self._progress.write(self._stream, lines, "")
        else:  # nothing on the screen to protect: pass everything on as it comes (prompts too)
            self._progress.write(self._stream, lines, self._pending)
            self._pending = ""
        return len(text)

    def flush(self) -> None:
        self._stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass(frozen=True)
class RunView:
    """What a command hands the engine: where progress events go, where the report of the run is written
    (``out``, for a :class:`~plansmith.terminal.reporting.RunReporter`), and the live view if there is one."""

    sink: ProgressSink
    out: TextIO
    live: LiveProgress | None = None


@contextmanager
def progress_for(display: Display) -> Iterator[RunView]:
    """The progress view of one command: live on a terminal, else events ignored and lines on stdout.

    The live view ends (with its summary line) when the block does, also on an error or Ctrl-C.
    """
    if not display.rich:
        yield RunView(ignore, display.out)
        return
    live = LiveProgress(display.console())
    try:
        yield RunView(live, live.out, live)
    finally:
        live.stop()
