"""``plansmith orchestrate "DESCRIPTION"``: run the workflow's waves, keep every step, end in one proposal.

Each wave's steps run in parallel with the parallel runner (within ``max_parallel``); each step's result
is committed (the scratch worktree for plan files; implement steps commit in their own full worktrees
and their commits are combined here, in phase order, with ``git merge-tree``), kept by a checkpoint and
recorded in the run state at once, so a killed run resumes from its last checkpoint and a run with failed
steps redoes only those. The last commit is published as the proposal ``<prefix>NNN_slug``. Like expand,
it never writes the user's working tree, index, HEAD, branches or ``.git/config``, and it never writes
to a person: what it is about to do, each step kept and the end are run events
(:mod:`plansmith.run_events`) in the request's sink; the confirmation is the request's callable.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from plansmith.agents import CommandAgent, agent_from_settings
from plansmith.discovery import committed_texts
from plansmith.engine.coordinator import confirm
from plansmith.engine.items import ProposalRef
from plansmith.engine.orchestrate import combine
from plansmith.engine.orchestrate.record import files_at, record_step
from plansmith.engine.orchestrate.state import (
    BLOCKED,
    OrchestrateOutcome,
    OrchestrateRequest,
    RunState,
    StepOutput,
    load_state,
    save_state,
)
from plansmith.engine.orchestrate.steps import StepContext, operation, role_missing
from plansmith.engine.orchestrate.workflow import (
    PhaseSelection,
    StepSpec,
    implement_waves,
    parse_phases,
    run_key,
    static_steps,
    step_waves,
)
from plansmith.engine.progress import ProgressSink, RunSummary
from plansmith.engine.publish import publish_commit
from plansmith.engine.runner import Operation, OpOutcome, RunResult, run_operations
from plansmith.errors import ConflictError, OrchestrateError, PlansmithError
from plansmith.git_backend import checkpoints, full_worktree, proposals
from plansmith.git_backend.cmd import git
from plansmith.git_backend.repo import current_branch, resolve_commit, rev_parse
from plansmith.git_backend.state_files import file_lock, read_json
from plansmith.plan.layout import find_plans, locate_plan
from plansmith.plan.template import next_plan_number, one_line, plan_name
from plansmith.run_events import (
    AgentWarned,
    NothingChanged,
    OrchestrateFinished,
    OrchestratePlanned,
    ProposalMade,
    StepPlanned,
    StepRecorded,
)
from plansmith.snapshot import plan_from_files

if TYPE_CHECKING:
    from plansmith.agents import Agent
    from plansmith.config import Settings
    from plansmith.git_backend.repo import RepoPaths
    from plansmith.run_events import RunEventSink
    from plansmith.workspace import Workspace


def run_orchestrate(ws: Workspace, request: OrchestrateRequest) -> OrchestrateOutcome:
    description = request.description
    if not one_line(description):
        raise OrchestrateError(
            "the description is empty", hint='say what to build: plansmith orchestrate "add a login page"'
        )
    selection = parse_phases(request.phases)
    repo = ws.require_repo()
    if current_branch(repo) is None:
        raise ConflictError(
            "HEAD is detached: there is no branch to propose to", hint="check out a branch first"
        )
    agent = _agent(ws.settings, request.agent)
    run = run_key(description)
    orch_dir = repo.state_dir / "orchestrate"
    with file_lock(orch_dir / f"{run}.lock", timeout=1.0, what=f"orchestrate run {run}"):
        previous = load_state(orch_dir / f"{run}.json", restart=request.restart)
        resumed = previous is not None and previous.resumable and not request.restart
        state = previous if resumed and previous is not None else _new_state(ws, repo, run, description)
        tell = request.run_events
        tell(_planned(ws.settings, state, static_steps(), agent, resumed, selection))
        if not request.assume_yes and not confirm(
            request.interactive, hint="pass --yes to proceed without the prompt", ask=request.confirm
        ):
            tell(NothingChanged())
            return OrchestrateOutcome(plan=state.plan_path, run=run)
        if not resumed:
            _discard(repo, orch_dir, run)
        else:
            _check_resumable(repo, state)
            state.forget_failures()
        save_state(orch_dir, state)
        outcome = _execute(ws, repo, state, agent, orch_dir, request, selection)
        outcome.resumed = resumed
    p = outcome.proposal
    tell(OrchestrateFinished(outcome.plan, None if p is None else ProposalMade(p.id, p.branch, p.commit)))
    return outcome


def _agent(settings: Settings, name: str | None) -> Agent | None:
    """The configured agent program (``None`` without one: the built-in structural agent writes nothing)."""

    chosen = agent_from_settings(settings, name)
    return chosen if isinstance(chosen, CommandAgent) else None


def _known_plan_names(ws: Workspace, repo: RepoPaths, committed: Mapping[str, str], run: str) -> set[str]:
    """Plan names in use: committed, in the working tree, in open proposals and in other unfinished
    runs (not ``run``, which is being started over)."""

    names = {loc.name for loc in find_plans(committed, ws.plans_dir)}
    names |= {loc.name for loc in find_plans(ws.files()[0], ws.plans_dir)}
    prefix = ws.settings.proposal_prefix
    names |= {proposals.plan_name_of(p.plan) for p in proposals.list_proposals(repo, prefix=prefix) if p.plan}
    folder = repo.state_dir / "orchestrate"
    if folder.is_dir():
        for path in folder.glob("*.json"):
            if path.stem == run:
                continue
            with contextlib.suppress(ValueError, OSError, AttributeError):
                data = read_json(path, {})
                if not data.get("finished", True):
                    names.add(str(data.get("plan_name", "")))
    return names


def _new_state(ws: Workspace, repo: RepoPaths, run: str, description: str) -> RunState:
    base = resolve_commit(repo, "HEAD")
    committed = committed_texts(repo, ws.plans_dir, ws.settings.limits.max_plan_bytes)
    number = next_plan_number(_known_plan_names(ws, repo, committed, run))
    name = plan_name(number, description)
    return RunState(
        run=run,
        description=description,
        base=base,
        plan_name=name,
        plan_number=number,
        date=dt.date.today().isoformat(),
        plan_path=f"{ws.plans_dir.strip('/')}/{name}.md",
        head=base,
    )


def _discard(repo: RepoPaths, orch_dir: Path, run: str) -> None:
    """Forget an earlier run of the same description: its checkpoints, worktrees and folders."""

    prefix = f"refs/plansmith/checkpoints/{run}-"
    for ref in _refs(repo, prefix):
        with contextlib.suppress(PlansmithError):
            checkpoints.delete(repo, ref.removeprefix("refs/plansmith/checkpoints/"))
    run_dir = orch_dir / run
    if run_dir.is_dir():
        for tree in run_dir.glob("impl*"):
            full_worktree.remove(repo, tree)
        shutil.rmtree(run_dir)


def _refs(repo: RepoPaths, prefix: str) -> list[str]:
    out = git(["for-each-ref", "--format=%(refname)", prefix], cwd=repo.worktree).out
    return [line for line in out.splitlines() if line]


def _check_resumable(repo: RepoPaths, state: RunState) -> None:
    """The last checkpoint's commit must still exist (its ref keeps it from ``git gc``)."""

    if rev_parse(repo, f"{state.head}^{{commit}}") != state.head:
        raise OrchestrateError(
            f"cannot resume orchestrate run {state.run}: its last commit {state.head[:10]} is gone",
            hint="start it over with --restart",
        )


def _planned(
    settings: Settings,
    state: RunState,
    steps: list[StepSpec],
    agent: Agent | None,
    resumed: bool,
    selection: PhaseSelection,
) -> OrchestratePlanned:
    """What the run is about to do, before it is confirmed (steps an earlier attempt did stay done)."""
    waves = tuple(
        tuple(
            StepPlanned(
                s.id,
                s.kind,
                s.phase,
                done=state.steps[s.id].status if s.id in state.steps else None,
                missing=role_missing(agent, s.kind) if s.kind != "expand" else None,
            )
            for s in wave
        )
        for wave in step_waves(steps)
    )
    return OrchestratePlanned(
        plan_name=state.plan_name,
        run=state.run,
        agent=agent.name if agent is not None else None,
        resumed=resumed,
        done_steps=tuple(state.steps),
        waves=waves,
        expand_above=settings.thresholds.expand,
        phases=selection.describe(),
        implement_missing=role_missing(agent, "implement"),
    )


@dataclass
class _OrchestrateRun:
    """One orchestrate run in progress (the state is saved after every step)."""

    ws: Workspace
    repo: RepoPaths
    state: RunState
    agent: Agent | None
    orch_dir: Path
    tell: RunEventSink
    progress: ProgressSink | None
    base_files: Mapping[str, str]
    started: float = field(default_factory=time.monotonic)
    results: list[RunResult] = field(default_factory=list)

    @property
    def run_dir(self) -> Path:
        return self.orch_dir / self.state.run


def _execute(
    ws: Workspace,
    repo: RepoPaths,
    state: RunState,
    agent: Agent | None,
    orch_dir: Path,
    request: OrchestrateRequest,
    selection: PhaseSelection,
) -> OrchestrateOutcome:
    run = _OrchestrateRun(
        ws, repo, state, agent, orch_dir, request.run_events, request.progress, files_at(ws, repo, state.base)
    )
    (run.run_dir / "steps").mkdir(parents=True, exist_ok=True)
    for wave in step_waves(static_steps()):
        _run_wave(run, wave)
    for wave in _implement_waves(run, selection):
        _run_wave(run, wave)
    return _finish(run)


def _implement_waves(run: _OrchestrateRun, selection: PhaseSelection) -> list[list[StepSpec]]:
    """The implement steps of the plan as it is now (after the expand step), by the plan's waves."""
    files = files_at(run.ws, run.repo, run.state.head)
    loc = locate_plan(files, run.state.plan_path, run.ws.plans_dir)
    if loc is None:
        return []
    return implement_waves(plan_from_files(files, loc), selection)


def _blocked(state: RunState, step: StepSpec) -> str | None:
    """Why ``step`` cannot run: a step it depends on was run and did not succeed."""
    for dep in step.deps:
        done = state.steps.get(dep)
        if done is not None and done.status == "failed":
            return f"{dep} {BLOCKED}"
    return None


def _run_wave(run: _OrchestrateRun, wave: list[StepSpec]) -> None:
    """The wave's steps not done yet, in parallel; then recorded one by one in wave order."""
    state = run.state
    todo = [s for s in wave if s.id not in state.steps]
    if not todo:
        return
    blocked = {s.id: why for s in todo if (why := _blocked(state, s)) is not None}
    ctx = StepContext(
        run.ws,
        run.repo,
        state,
        files_at(run.ws, run.repo, state.head),
        run.base_files,
        run.agent,
        run.run_dir / "steps",
        run.run_dir,
        run.progress,
    )
    result = run_operations(
        [Operation(s.id, operation(ctx, s)) for s in todo if s.id not in blocked],
        max_parallel=run.ws.settings.max_parallel,
        timeout_s=None,  # agents enforce their own timeouts and retries
        max_attempts=1,
        progress=run.progress,
    )
    run.results.append(result)
    for step in todo:
        if step.id in blocked:
            outcome = OpOutcome.skip(blocked[step.id])
            produced = StepOutput("skipped", error=blocked[step.id])
        else:
            outcome = result.outcome(step.id)
            produced = _produced(outcome)
        if step.kind == "implement" and produced.status == "success" and produced.commit is not None:
            produced = combine.onto(run.repo, state.head, produced, run.ws.settings.commit.author)
        _keep(run, step, produced, ctx.files, outcome)


def _produced(outcome: OpOutcome) -> StepOutput:
    value = outcome.value
    if outcome.status == "success" and isinstance(value, StepOutput):
        return value
    return StepOutput("failed", error=outcome.error or "the step did not run")


def _keep(
    run: _OrchestrateRun, step: StepSpec, produced: StepOutput, before: Mapping[str, str], outcome: OpOutcome
) -> None:
    """Commit and checkpoint the step's result, save the state, say what happened."""
    record = record_step(run.ws, run.repo, run.state, step, produced, before, outcome, run.run_dir)
    run.state.steps[step.id] = record
    save_state(run.orch_dir, run.state)
    for warning in record.warnings:
        run.tell(AgentWarned(step.id, warning))
    run.tell(StepRecorded(record.step, record.status, record.error))


def _finish(run: _OrchestrateRun) -> OrchestrateOutcome:
    """Publish the line as one proposal, forget the checkpoints (the branch keeps the commits)."""

    state, repo = run.state, run.repo
    prefix = run.ws.settings.proposal_prefix
    proposal = publish_commit(repo, state.head, prefix) if state.head != state.base else None
    state.proposal = None if proposal is None else ProposalRef.of(proposal)
    state.finished = True
    save_state(run.orch_dir, state)
    for record in state.steps.values():
        if record.checkpoint is not None:
            with contextlib.suppress(PlansmithError):
                checkpoints.delete(repo, record.checkpoint)
    shutil.rmtree(run.run_dir / "steps", ignore_errors=True)
    static = [s.id for s in static_steps()]
    ordered = [state.steps[i] for i in static if i in state.steps]
    ordered += [r for i, r in state.steps.items() if i not in static]
    summaries = [r.summary() for r in run.results]
    summary = RunSummary(
        total=len(ordered),
        successful=sum(r.status == "success" for r in ordered),
        failed=sum(r.status == "failed" for r in ordered),
        wall_s=time.monotonic() - run.started,
        sequential_s=sum(x.sequential_s for x in summaries),
    )
    return OrchestrateOutcome(
        plan=state.plan_path, run=state.run, proposal=state.proposal, steps=ordered, summary=summary
    )
