"""The prose of a run: what a person reads for each run event of expand, collapse and orchestrate.

The engine emits :mod:`plansmith.run_events` values; :func:`run_event_text` turns one into its lines
(each ending in a newline), the very text the engine used to write itself: scripts and tests read it,
so it changes only on purpose. The terminal decides where it goes (warnings to standard error) and
when (the end of a round ends the live view first). Values in, text out: it must not write anywhere,
import ``rich``, run git or decide anything about the run.
"""

from __future__ import annotations

from plansmith.render.analysis_table import analysis_text
from plansmith.run_events import (
    AgentWarned,
    AnalysisReady,
    ItemReported,
    LeftAlone,
    NothingChanged,
    NothingToDo,
    OrchestrateFinished,
    OrchestratePlanned,
    Planned,
    ProposalMade,
    RunEvent,
    RunFinished,
    SecondRoundStarted,
    SkippedRejected,
    StepPlanned,
    StepRecorded,
    UncommittedLeftOut,
    WouldChange,
)

MARKS = {"success": "ok", "failed": "FAILED", "skipped": "skipped"}


def run_event_text(event: RunEvent) -> str:
    """The lines ``event`` reads as, each with its newline (a warning's line included)."""
    match event:
        case LeftAlone(reason):
            return f"left alone: {reason}\n"
        case NothingToDo(operation, plan):
            return f"nothing to {operation} in {plan}\n"
        case SkippedRejected(plan, reason):
            return f"skipped {plan}: {reason}\n"
        case UncommittedLeftOut(paths):
            return (
                f"plansmith: warning: uncommitted changes in {', '.join(paths[:3])} are not included; "
                "the proposal is made from the committed plan\n"
            )
        case AnalysisReady(analysis):
            return analysis_text(analysis) + "\n"
        case Planned(operation, items):
            return f"\n{operation}: {', '.join(items)}\n"
        case WouldChange(kind, path):
            return f"  would be {kind}: {path}\n"
        case NothingChanged(dry_run):
            return "dry run: nothing was changed\n" if dry_run else "nothing changed\n"
        case SecondRoundStarted(items):
            return f"second round: {', '.join(items)}\n"
        case AgentWarned(item, warning):
            return f"plansmith: warning: {item}: {warning}\n"
        case RunFinished():
            return run_report(event)
        case OrchestratePlanned():
            return orchestrate_plan(event) + "\n"
        case StepRecorded(step, status, error):
            return f"  {MARKS[status]:<7} {step}" + (f": {error}" if error else "") + "\n"
        case OrchestrateFinished(plan, proposal):
            return f"\nplan: {plan}\n" + ("no proposal was made\n" if proposal is None else _made(proposal))


def _item_line(item: ItemReported) -> str:
    line = f"  {MARKS[item.status]:<7} {item.operation} {item.item}"
    return line + (f": {item.error}" if item.error else "") + "\n"


def _next_steps(p: ProposalMade) -> str:
    return (
        f"  approve: plansmith proposals approve {p.id}   (or: git merge {p.branch})\n"
        f"  reject:  plansmith proposals reject {p.id}    (or: git branch -D {p.branch})\n"
    )


def _made(p: ProposalMade) -> str:
    return f"proposal {p.id} on branch {p.branch} ({p.commit[:10]})\n" + _next_steps(p)


def run_report(finished: RunFinished) -> str:
    """Each item's result, then the proposal with how to approve or reject it (or that none was made)."""
    text = "".join(_item_line(item) for item in finished.items)
    p = finished.proposal
    if p is None:
        return text + "no proposal was made\n"
    text += f"\nproposal {p.id} on branch {p.branch} ({p.commit[:10]})\n"
    text += "".join(f"  {move}\n" for move in finished.moves)
    return text + ("merged into the current branch\n" if finished.merged else _next_steps(p))


def orchestrate_plan(planned: OrchestratePlanned) -> str:
    """What an orchestrate run is about to do, wave by wave (no newline at the end)."""
    who = f"agent {planned.agent!r}" if planned.agent is not None else "no agent"
    lines = [f"orchestrate {planned.plan_name} (run {planned.run}, {who})"]
    if planned.resumed:
        lines.append(
            f"resuming from the last checkpoint; steps done: {', '.join(planned.done_steps) or 'none'}"
        )
    for n, wave in enumerate(planned.waves, 1):
        notes = [_step_note(step, planned.expand_above) for step in wave]
        if len(set(notes)) == 1:
            lines.append(f"  wave {n}: {', '.join(s.step for s in wave)}: {notes[0]}")
        else:
            pairs = zip(wave, notes, strict=True)
            lines.append(f"  wave {n}: " + ", ".join(f"{s.step} ({note})" for s, note in pairs))
    missing = planned.implement_missing
    how = f"skipped: {missing}" if missing else "the agent, each phase in a worktree of its own"
    lines.append(f"  then implement {planned.phases}, wave by wave of the plan: {how}")
    return "\n".join(lines)


def _step_note(step: StepPlanned, expand_above: float) -> str:
    if step.done is not None:
        return f"done ({step.done})"
    if step.kind == "expand":
        return f"expand the phases scoring above {expand_above}"
    if step.kind == "plan":
        return "the template planner" if step.missing else "the agent, else the template planner"
    if step.missing:
        return "skipped: " + step.missing
    if step.kind == "implement":
        return f"the agent on phase {step.phase}, in a worktree of its own"
    return "the agent"
