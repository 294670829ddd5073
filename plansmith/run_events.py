"""Run events: what an expand/collapse or orchestrate run tells the person who started it, as values.

The engine emits these into the request's :data:`RunEventSink` instead of writing prose: which items
it left alone, the analysis and the items it is about to run, what a dry run would change, a second
round, an agent's warning, each orchestrate step as it is kept, and the end of the run with its
proposal. ``plansmith/render/run_prose.py`` turns each into the text a person reads and
``plansmith/terminal/reporting.py`` shows it (ending the live progress view at :func:`ends_a_round`);
the daemon, CI, MCP and ``--json`` pass :func:`ignore`. The questions a run asks (go ahead? retry,
skip or abort a failed operation?) are callables of the same shell: :data:`Confirm`, :data:`Decide`.

It sits low (the standard library at runtime) so the engine, render and terminal can all import it.
The events are named tuples, not frozen dataclasses: as immutable, and the module imports in about
2 ms instead of 6.4 ms (`python -X importtime`; every command that runs the engine imports it).
It must stay free of output code and of decisions: it only says what happened, never how it looks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, NamedTuple

if TYPE_CHECKING:
    from plansmith.plan.complexity import Analysis

FailureChoice = Literal["retry", "skip", "abort"]


class OperationFailed(NamedTuple):
    """The question's subject when an operation failed all its attempts: which one, and why."""

    item: str
    error: str | None


Confirm = Callable[[], bool]  # "Proceed?": True to go ahead
Decide = Callable[[OperationFailed], FailureChoice]  # what to do with an operation that failed


class LeftAlone(NamedTuple):
    """A recommended item not run because a person decided otherwise (``reason`` says which and why)."""

    reason: str


class NothingToDo(NamedTuple):
    operation: str
    plan: str


class SkippedRejected(NamedTuple):
    """An automatic run skipped: the same content was proposed before and rejected."""

    plan: str
    reason: str


class UncommittedLeftOut(NamedTuple):
    """A warning: the plan has uncommitted changes, and the proposal is made from the committed plan."""

    paths: tuple[str, ...]


class AnalysisReady(NamedTuple):
    """The committed plan's analysis, shown before the run is confirmed."""

    analysis: Analysis


class Planned(NamedTuple):
    """The items the run is about to expand or collapse, in the order it applies them."""

    operation: str
    items: tuple[str, ...]


class WouldChange(NamedTuple):
    """A dry run's file change: ``kind`` is ``created``, ``modified`` or ``deleted``."""

    kind: str
    path: str


class NothingChanged(NamedTuple):
    """The run wrote nothing: the person said no, or (``dry_run``) it only looked."""

    dry_run: bool = False


class SecondRoundStarted(NamedTuple):
    """The first round ended; a second one expands these stages (``--auto-analysis``'s review)."""

    items: tuple[str, ...]


class AgentWarned(NamedTuple):
    """A warning of the agent's about one item or step (the run kept going)."""

    item: str
    warning: str


class ItemReported(NamedTuple):
    """One item of a finished run: ``status`` is ``success``, ``failed`` or ``skipped``."""

    item: str
    operation: str
    status: str
    error: str | None = None


class ProposalMade(NamedTuple):
    id: str
    branch: str
    commit: str


class RunFinished(NamedTuple):
    """The end of an expand/collapse run: each item, the proposal (``None``: none was made), the files
    it moved items to, and whether ``--merge`` merged it."""

    items: tuple[ItemReported, ...]
    proposal: ProposalMade | None
    moves: tuple[str, ...] = ()
    merged: bool = False


class StepPlanned(NamedTuple):
    """One orchestrate step as the run means to do it: ``done`` is the status of a step an earlier
    attempt finished, ``missing`` why the agent cannot take it (``None``: it can)."""

    step: str
    kind: str
    phase: str = ""
    done: str | None = None
    missing: str | None = None


class OrchestratePlanned(NamedTuple):
    """What an orchestrate run is about to do, before it is confirmed: its waves of steps, then the
    implement steps of ``phases`` (``implement_missing``: why they will be skipped)."""

    plan_name: str
    run: str
    agent: str | None
    resumed: bool
    done_steps: tuple[str, ...]
    waves: tuple[tuple[StepPlanned, ...], ...]
    expand_above: float
    phases: str
    implement_missing: str | None


class StepRecorded(NamedTuple):
    """An orchestrate step, committed and saved in the run state."""

    step: str
    status: str
    error: str | None = None


class OrchestrateFinished(NamedTuple):
    """The end of an orchestrate run: the plan it wrote and its proposal (``None``: none was made)."""

    plan: str
    proposal: ProposalMade | None


RunEvent = (
    LeftAlone
    | NothingToDo
    | SkippedRejected
    | UncommittedLeftOut
    | AnalysisReady
    | Planned
    | WouldChange
    | NothingChanged
    | SecondRoundStarted
    | AgentWarned
    | RunFinished
    | OrchestratePlanned
    | StepRecorded
    | OrchestrateFinished
)
RunEventSink = Callable[[RunEvent], None]


def ignore(_event: RunEvent) -> None:
    """The sink of runs nobody reads (the daemon, CI, MCP, ``--json``)."""


def ends_a_round(event: RunEvent) -> bool:
    """Whether every operation started so far has ended when ``event`` comes: a second round begins, or
    the run is over. A live view of the operations ends here, not at the next line written."""
    return isinstance(event, SecondRoundStarted | RunFinished | OrchestrateFinished)


def is_warning(event: RunEvent) -> bool:
    """A warning (shown on standard error, also when the rest of the report is not shown)."""
    return isinstance(event, UncommittedLeftOut | AgentWarned)
