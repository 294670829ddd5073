"""The orchestrate steps: research, plan, expand, and implementing one phase of the plan.

Each step sees the run state before its wave (:class:`StepContext`, read-only) and returns a
:class:`StepOutput`: files to commit in the scratch worktree, or a commit it made itself (implement, in
a full worktree of its own). Agents work in private folders; what they wrote is checked before it is
used. A step must not change the run state, publish anything, or write the user's working tree, index,
HEAD or branches.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plansmith.agents import AgentRequest
from plansmith.engine.coordinator import RunItem, apply_item
from plansmith.engine.elaborate import CONTEXT_LIMIT, write_copy
from plansmith.engine.orchestrate.state import RunState, StepOutput
from plansmith.engine.orchestrate.workflow import (
    NEEDS_AGENT,
    OPERATION,
    RESEARCH_TOPICS,
    StepSpec,
    research_path,
)
from plansmith.engine.progress import ProgressSink
from plansmith.engine.runner import AttemptContext, OpOutcome
from plansmith.errors import PlansmithError
from plansmith.git_backend import full_worktree
from plansmith.git_backend.messages import proposal_subject, proposal_trailers
from plansmith.plan.api import decode_files
from plansmith.plan.complexity import analyze_plan
from plansmith.plan.layout import PlanLocation, build_plan, plan_files
from plansmith.plan.parser import decode
from plansmith.plan.template import one_line, render_plan
from plansmith.plan.validate import new_errors, validate_plan
from plansmith.snapshot import Snapshot, plan_from_files
from plansmith.workspace import read_tree

if TYPE_CHECKING:
    from plansmith.agents import Agent, AgentResult
    from plansmith.config import Role
    from plansmith.git_backend.repo import RepoPaths
    from plansmith.workspace import Workspace

REPORT_MAX_BYTES = 200_000


@dataclass(frozen=True)
class StepContext:
    """What the steps of one wave see: the state before the wave (read-only)."""

    ws: Workspace
    repo: RepoPaths
    state: RunState
    files: Mapping[str, str]  # Markdown files of the run's plan folder at ``state.head``
    base_files: Mapping[str, str]  # the same at the base commit (a private copy for agents)
    agent: Agent | None
    steps_dir: Path
    run_dir: Path
    progress: ProgressSink | None = None

    @cached_property
    def plans(self) -> Snapshot:
        """The plans of ``files`` (read once per wave, whichever steps ask)."""
        return Snapshot.of_files(self.ws, self.files, roots=[self.ws.plans_dir])

    def progress_of(self, step: StepSpec) -> ProgressSink | None:
        """The sink for ``step``'s agent attempts, under the step's name (as the runner reports it)."""
        sink = self.progress
        if sink is None:
            return None
        return lambda event: sink(replace(event, item=step.id))


def role_missing(agent: Agent | None, role: Role) -> str | None:
    """Why a step of ``role`` cannot use the agent (``None``: it can)."""
    if agent is None:
        return NEEDS_AGENT
    if not agent.supports(role):
        return (
            f"needs an agent for the {role} role "
            f"(agent {agent.name!r} does not handle it; see docs/agents.md)"
        )
    return None


def message(state: RunState, step: str, plan_path: str) -> tuple[str, dict[str, Any]]:
    subject = proposal_subject(OPERATION, [step], state.plan_name)
    trailers = proposal_trailers(
        plan=plan_path, operation=OPERATION, items=[step], base=state.base, run=state.run
    )
    return subject, dict(trailers)


def body(state: RunState) -> str:
    return f"Workflow step of: {one_line(state.description, 200)}"


def operation(ctx: StepContext, step: StepSpec) -> Callable[[AttemptContext], OpOutcome]:
    run: Callable[[StepContext, StepSpec], StepOutput] = {
        "research": _research,
        "plan": _plan,
        "expand": _expand,
        "implement": implement_phase,
    }[step.kind]

    def op(_: AttemptContext) -> OpOutcome:
        return OpOutcome.ok(run(ctx, step))

    return op


def _step_dir(ctx: StepContext, step: StepSpec) -> Path:
    # A fresh folder per attempt: an agent left running by a killed run cannot write into the new one.
    return Path(tempfile.mkdtemp(prefix=f"{step.id}-", dir=ctx.steps_dir))


def _agent_failure(result: AgentResult) -> str | None:
    if result.status == "success":
        return None
    return result.error or (result.warnings[-1] if result.warnings else "the agent failed")


def _read_report(path: Path) -> str | None:
    """The text an agent wrote at ``path`` (a regular file, not a link), ``None`` when there is none."""
    if path.is_symlink() or not path.is_file():
        return None
    data = path.read_bytes()[:REPORT_MAX_BYTES]
    text = data.decode("utf-8", "replace").strip()
    return text + "\n" if text else None


def _research(ctx: StepContext, step: StepSpec) -> StepOutput:
    missing = role_missing(ctx.agent, "research")
    if missing is not None or ctx.agent is None:
        return StepOutput("skipped", error=missing)
    folder = _step_dir(ctx, step)
    write_copy(folder, ctx.base_files)
    report = folder / "report.md"
    result = ctx.agent.run(
        AgentRequest(
            role="research",
            progress=ctx.progress_of(step),
            cwd=folder,
            plan=ctx.state.plan_path,
            item=step.id,
            artifact=str(report),
            values={"description": ctx.state.description, "topic": step.topic},
        )
    )
    details: dict[str, Any] = {"agent": result.to_json(), "topic": step.topic}
    failure = _agent_failure(result)
    if failure is not None:
        return StepOutput("failed", error=failure, details=details)
    text = _read_report(report) or (result.stdout_tail.strip() + "\n" if result.stdout_tail.strip() else None)
    if text is None:
        return StepOutput("failed", error="the agent wrote no report", details=details)
    path = research_path(ctx.ws.plans_dir, ctx.state.plan_name, step.id)
    return StepOutput("success", files={**ctx.files, path: text}, created=(path,), details=details)


def _research_notes(ctx: StepContext) -> str:
    notes = []
    for key, topic in RESEARCH_TOPICS:
        text = ctx.files.get(research_path(ctx.ws.plans_dir, ctx.state.plan_name, f"research_{key}"))
        if text:
            notes.append(f"## {topic}\n\n{text.strip()}\n")
    return "\n".join(notes)[:CONTEXT_LIMIT] or "(no research notes)"


def _plan(ctx: StepContext, step: StepSpec) -> StepOutput:
    state = ctx.state
    path = state.plan_path
    loc = PlanLocation(state.plan_name, path, None)
    warnings: list[str] = []
    details: dict[str, Any] = {}
    text: str | None = None
    missing = role_missing(ctx.agent, "plan")
    if missing is None and ctx.agent is not None:
        text, reason, details = _plan_by_agent(ctx, step, ctx.agent, loc)
        if text is None:
            warnings.append(f"{reason}; the template planner wrote the plan")
    else:
        warnings.append(f"{missing}; the template planner wrote the plan")
    details["planner"] = "agent" if text is not None else "template"
    if text is None:
        text = render_plan(state.description, state.plan_number, state.date)
    return StepOutput(
        "success",
        files={**ctx.files, path: text},
        plan_path=path,
        created=(path,),
        warnings=warnings,
        details=details,
    )


def _plan_by_agent(
    ctx: StepContext, step: StepSpec, agent: Agent, loc: PlanLocation
) -> tuple[str | None, str, dict[str, Any]]:
    folder = _step_dir(ctx, step)
    write_copy(folder, ctx.base_files)
    result = agent.run(
        AgentRequest(
            role="plan",
            progress=ctx.progress_of(step),
            cwd=folder,
            plan=loc.main_path,
            item=step.id,
            target=loc.main_path,
            artifact=str(folder / "report.md"),
            values={"description": ctx.state.description, "plan_context": _research_notes(ctx)},
        )
    )
    details: dict[str, Any] = {"agent": result.to_json()}
    failure = _agent_failure(result)
    if failure is not None:
        return None, f"the plan agent failed ({failure})", details
    target = folder / loc.main_path
    if target.is_symlink() or not target.is_file():
        return None, f"the plan agent wrote no plan at {loc.main_path}", details
    try:
        text = decode(loc.main_path, target.read_bytes(), max_bytes=ctx.ws.settings.limits.max_plan_bytes)
        problems = validate_plan(build_plan({loc.main_path: text}, loc))
    except PlansmithError as exc:
        return None, f"the plan agent's plan cannot be read ({exc.message})", details
    if problems:
        details["problems"] = [p.render() for p in problems[:20]]
        return None, f"the plan agent's plan does not validate ({problems[0].render()})", details
    return text, "", details


def _expand(ctx: StepContext, step: StepSpec) -> StepOutput:
    del step
    ref = ctx.plans.ref_at(ctx.state.plan_path)
    if ref is None:
        return StepOutput("failed", error=f"{ctx.state.plan_path}: the plan is missing")
    loc = ref.location
    files = plan_files(ctx.files, loc)
    plan = build_plan(files, loc)
    thresholds = ctx.plans.thresholds
    analysis = analyze_plan(plan, thresholds)
    items = [
        RunItem(i.phase, None) for i in analysis.items if i.recommendation == "expand" and i.stage is None
    ]
    if not items:
        return StepOutput(
            "skipped", error=f"no phase scores above the expand threshold ({thresholds.expand})"
        )
    current, cur_loc = files, loc
    created: set[str] = set()
    modified: set[str] = set()
    for item in items:
        change = apply_item(current, cur_loc, "expand", item)
        current, cur_loc = change.files, change.location
        created |= set(change.created)
        modified |= set(change.modified)
    problems = new_errors(validate_plan(plan), validate_plan(build_plan(current, cur_loc)))
    if problems:
        return StepOutput("failed", error="the result did not validate: " + problems[0].render())
    merged = {p: t for p, t in ctx.files.items() if p not in files}
    merged.update(current)
    return StepOutput(
        "success",
        files=merged,
        plan_path=cur_loc.main_path,
        created=tuple(sorted(created)),
        modified=tuple(sorted(modified - created)),
        details={"expanded": [i.id for i in items]},
    )


def implement_phase(ctx: StepContext, step: StepSpec) -> StepOutput:
    """The agent implements one phase in a full worktree of its own at the wave's start commit; its
    changes are committed on top of that commit (the run combines the wave's commits in phase order)."""

    missing = role_missing(ctx.agent, "implement")
    if missing is not None or ctx.agent is None:
        return StepOutput("skipped", error=missing)
    state = ctx.state
    ref = ctx.plans.ref_at(state.plan_path)
    if ref is None:
        return StepOutput("failed", error=f"{state.plan_path}: the plan is missing")
    loc = ref.location
    plan = plan_from_files(ctx.files, loc)
    phase = next((p for p in plan.phases if str(p.number) == step.phase), None)
    if phase is None:
        what = f"wave {step.phase[5:]}" if step.phase.startswith("wave:") else f"phase {step.phase}"
        return StepOutput("failed", error=f"the plan has no {what} (see plansmith waves)")
    tree = full_worktree.create(ctx.repo, ctx.run_dir / f"impl-{step.phase}", state.head)
    try:
        return _implement_in(ctx, step, loc, phase, tree)
    finally:
        full_worktree.remove(ctx.repo, tree.path)


def _implement_in(ctx: StepContext, step: StepSpec, loc: PlanLocation, phase: Any, tree: Any) -> StepOutput:
    assert ctx.agent is not None
    state = ctx.state
    doc = next(d for d in plan_from_files(ctx.files, loc).documents if d.path == phase.content_path)
    item_text = "".join(doc.lines[phase.content.start : phase.content.end])
    report = _step_dir(ctx, step) / "report.md"
    result = ctx.agent.run(
        AgentRequest(
            role="implement",
            progress=ctx.progress_of(step),
            cwd=tree.path,
            plan=loc.main_path,
            item=phase.id,
            target=phase.content_path,
            artifact=str(report),
            values={
                "description": state.description,
                "item_text": item_text,
                "item_title": phase.title,
                "plan_context": ctx.files[loc.main_path][:CONTEXT_LIMIT],
            },
        )
    )
    details: dict[str, Any] = {"agent": result.to_json(), "phase": step.phase}
    text = _read_report(report)
    if text is not None:
        details["report"] = text[:4000]
    failure = _agent_failure(result)
    if failure is not None:
        return StepOutput("failed", error=failure, details=details)
    changed = tree.changed_paths()
    if not changed:
        return StepOutput("skipped", error="the agent changed nothing", details=details)
    broken = plan_problems_after(ctx, tree.path, loc)
    if broken is not None:
        return StepOutput("failed", error=f"the agent's changes break the plan: {broken}", details=details)
    subject, trailers = message(state, step.id, loc.main_path)
    commit = tree.commit(
        f"{subject}\n\n{body(state)}", ctx.ws.settings.commit.author, trailers, parent=state.head
    )
    return StepOutput("success", commit=commit, modified=tuple(changed), details=details)


def plan_problems_after(ctx: StepContext, root: Path, loc: PlanLocation) -> str | None:
    """The first new validation problem of the plan as the implement agent left it (``None``: fine)."""

    raw, read_problems = read_tree(root, ctx.ws.plans_dir)
    files, problems = decode_files(raw, max_bytes=ctx.ws.settings.limits.max_plan_bytes)
    problems += read_problems
    mine = [
        p for p in problems if p.path == loc.main_path or p.path.startswith(f"{loc.folder or loc.main_path}/")
    ]
    if mine:
        return mine[0].render()
    if loc.main_path not in files:
        return f"{loc.main_path} is gone"
    now = Snapshot.of_files(ctx.ws, files, roots=[ctx.ws.plans_dir]).ref_at(loc.main_path)
    # A main file left without phases is no plan to the snapshot; validating it says why (no-phases).
    after = plan_from_files(files, now.location if now is not None else loc)
    before = validate_plan(plan_from_files(ctx.files, loc))
    new = new_errors(before, validate_plan(after))
    return new[0].render() if new else None
