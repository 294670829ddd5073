"""``plansmith orchestrate "DESCRIPTION"``: a workflow of agent steps that ends in a proposal branch.

Steps form a small graph, run in waves by the parallel runner:

1. ``research_<topic>`` (three topics, in parallel): an agent (role ``research``) writes a report in a
   folder of its own; it is committed as ``<plans_dir>/research/<plan name>/<topic>.md``;
2. ``plan``: an agent (role ``plan``) writes ``<plans_dir>/NNN_slug.md`` with the reports as context.
   The plan must validate; without an agent, or when its plan does not validate, the built-in template
   planner (:mod:`plansmith.plan.template`) writes it, with a warning;
3. ``expand``: the phases that score above the expand threshold are expanded (the usual transforms);
4. ``implement``: an agent (role ``implement``) works on the first phase in a full worktree of its own
   (:mod:`plansmith.git_backend.full_worktree`); its changes are committed on top.

Steps that need an agent are ``skipped`` with a reason when there is none. Each step leaves an artifact
record and, when it changed something, a commit made in the scratch worktree (the implement step: in its
own worktree), kept by a checkpoint. The run's state (``<common git dir>/plansmith/orchestrate/<run>.json``,
written atomically after every step) names the steps done and their commits, so a run that was killed
continues from its last checkpoint when it is started again with the same description (``restart``
starts over). The last commit is published as the proposal branch ``<prefix>NNN_slug``.

Like expand, it never writes the user's working tree, index, HEAD, branches or ``.git/config``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import shutil
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO

from plansmith.engine import artifacts
from plansmith.engine.coordinator import (
    Item,
    _publish,
    _write_changes,
    apply_item,
    committed_files,
    confirm,
)
from plansmith.engine.elaborate import CONTEXT_LIMIT, write_copy
from plansmith.engine.progress import ProgressSink, queued, runner_listener
from plansmith.engine.runner import AttemptContext, Operation, OpOutcome, run_operations
from plansmith.errors import ConflictError, OrchestrateError, PlansmithError
from plansmith.plan.api import decode_files
from plansmith.plan.complexity import Thresholds, analyze_plan
from plansmith.plan.layout import PlanLocation, build_plan, find_plans, locate_plan, plan_files
from plansmith.plan.template import next_plan_number, one_line, plan_name, render_plan
from plansmith.plan.validate import validate_plan
from plansmith.plan.waves import compute_waves

if TYPE_CHECKING:
    from plansmith.agents import Agent, AgentResult
    from plansmith.config import Role, Settings
    from plansmith.git_backend.repo import RepoPaths
    from plansmith.workspace import Workspace

StepKind = Literal["research", "plan", "expand", "implement"]
Status = Literal["success", "failed", "skipped"]

SCHEMA = "plansmith.orchestrate/1"
OPERATION = "orchestrate"
NEEDS_AGENT = "needs an agent (configure one: see docs/agents.md)"
REPORT_MAX_BYTES = 200_000
RESEARCH_TOPICS: tuple[tuple[str, str], ...] = (
    ("prior_art", "prior art: existing code, libraries and tools this change can reuse"),
    ("risks", "risks: what can go wrong, what the change could break, security and data concerns"),
    ("testing", "testing approach: how to show that the change works and keeps working"),
)


# --- the workflow -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepSpec:
    id: str
    kind: StepKind
    deps: tuple[str, ...] = ()
    topic: str = ""


def workflow_steps() -> list[StepSpec]:
    research = [StepSpec(f"research_{key}", "research", topic=text) for key, text in RESEARCH_TOPICS]
    return [
        *research,
        StepSpec("plan", "plan", tuple(s.id for s in research)),
        StepSpec("expand", "expand", ("plan",)),
        StepSpec("implement", "implement", ("expand",)),
    ]


def step_waves(steps: list[StepSpec]) -> list[list[StepSpec]]:
    """The steps layered by their dependencies (a step runs once every step it needs is done)."""
    index = {s.id: n for n, s in enumerate(steps)}
    waves = compute_waves({n: [index[d] for d in s.deps] for n, s in enumerate(steps)})
    if waves.waves is None:  # the workflow is fixed; a cycle is a programming error
        raise ValueError(f"the workflow has a cycle: {waves.cycle}")
    return [[steps[n] for n in wave] for wave in waves.waves]


def run_key(description: str) -> str:
    """The run id of a description: the same description (white space aside) is the same run."""
    return "o" + hashlib.sha256(one_line(description).encode("utf-8")).hexdigest()[:12]


def research_path(plans_dir: str, name: str, step: str) -> str:
    return f"{plans_dir.strip('/')}/research/{name}/{step.removeprefix('research_')}.md"


# --- requests, results, state -----------------------------------------------------------------------


@dataclass(frozen=True)
class OrchestrateRequest:
    description: str
    agent: str | None = None
    assume_yes: bool = False
    interactive: bool = False
    restart: bool = False


@dataclass
class StepResult:
    step: str
    status: Status
    artifact: str | None = None
    error: str | None = None
    commit: str | None = None
    checkpoint: str | None = None
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {"step": self.step, "status": self.status, "artifact": self.artifact, "error": self.error}

    def to_state(self) -> dict[str, object]:
        return {
            **self.as_json(),
            "commit": self.commit,
            "checkpoint": self.checkpoint,
            "warnings": self.warnings,
        }

    @classmethod
    def from_state(cls, data: Mapping[str, Any]) -> StepResult:
        status = data["status"]
        if status not in artifacts.STATUSES:
            raise ValueError(f"unknown step status {status!r}")
        return cls(
            step=str(data["step"]),
            status=status,
            artifact=data.get("artifact"),
            error=data.get("error"),
            commit=data.get("commit"),
            checkpoint=data.get("checkpoint"),
            warnings=[str(w) for w in data.get("warnings", [])],
        )


@dataclass
class RunState:
    run: str
    description: str
    base: str
    plan_name: str
    plan_number: int
    date: str
    plan_path: str  # the plan's main file now (it moves into a folder when a phase is expanded)
    head: str  # the last checkpoint's commit (``base`` before the first)
    steps: dict[str, StepResult] = field(default_factory=dict)
    finished: bool = False
    proposal: dict[str, str] | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "schema": SCHEMA,
            "run": self.run,
            "description": self.description,
            "base": self.base,
            "plan_name": self.plan_name,
            "plan_number": self.plan_number,
            "date": self.date,
            "plan_path": self.plan_path,
            "head": self.head,
            "steps": [s.to_state() for s in self.steps.values()],
            "finished": self.finished,
            "proposal": self.proposal,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunState:
        if data.get("schema") != SCHEMA:
            raise ValueError(f"unknown state schema {data.get('schema')!r}")
        steps = [StepResult.from_state(s) for s in data["steps"]]
        return cls(
            run=str(data["run"]),
            description=str(data["description"]),
            base=str(data["base"]),
            plan_name=str(data["plan_name"]),
            plan_number=int(data["plan_number"]),
            date=str(data["date"]),
            plan_path=str(data["plan_path"]),
            head=str(data["head"]),
            steps={s.step: s for s in steps},
            finished=bool(data.get("finished", False)),
            proposal=data.get("proposal"),
        )


@dataclass
class OrchestrateOutcome:
    plan: str
    run: str
    proposal: dict[str, str] | None = None
    steps: list[StepResult] = field(default_factory=list)
    resumed: bool = False

    def count(self, status: Status) -> int:
        return sum(1 for s in self.steps if s.status == status)

    @property
    def exit_code(self) -> int:
        return 1 if self.count("failed") else 0

    def as_json(self) -> dict[str, object]:
        return {
            "plan": self.plan,
            "proposal": self.proposal,
            "steps": [s.as_json() for s in self.steps],
            "summary": {
                "total": len(self.steps),
                "successful": self.count("success"),
                "failed": self.count("failed"),
                "skipped": self.count("skipped"),
            },
            "run": self.run,
            "resumed": self.resumed,
        }


@dataclass
class StepOutput:
    """What a step produced. ``files`` (the plans folder's Markdown files after the step) is committed in
    the scratch worktree; ``commit`` is a commit the step made itself (implement)."""

    status: Status
    error: str | None = None
    files: dict[str, str] | None = None
    commit: str | None = None
    plan_path: str | None = None
    created: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()
    warnings: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StepContext:
    """What the steps of one wave see: the state before the wave (read-only)."""

    ws: Workspace
    repo: RepoPaths
    state: RunState
    files: Mapping[str, str]  # Markdown files of the plans folder at ``state.head``
    base_files: Mapping[str, str]  # the same at the base commit (a private copy for agents)
    agent: Agent | None
    steps_dir: Path
    run_dir: Path


# --- the run ------------------------------------------------------------------------------------------


def run_orchestrate(
    ws: Workspace, request: OrchestrateRequest, *, out: TextIO | None, progress: ProgressSink | None = None
) -> OrchestrateOutcome:
    from plansmith.git_backend._fs import file_lock
    from plansmith.git_backend.repo import current_branch

    description = request.description
    if not one_line(description):
        raise OrchestrateError(
            "the description is empty", hint='say what to build: plansmith orchestrate "add a login page"'
        )
    repo = ws.require_repo()
    if current_branch(repo) is None:
        raise ConflictError(
            "HEAD is detached: there is no branch to propose to", hint="check out a branch first"
        )
    agent = _agent(ws.settings, request.agent)
    run = run_key(description)
    orch_dir = repo.state_dir / "orchestrate"
    with file_lock(orch_dir / f"{run}.lock", timeout=1.0, what=f"orchestrate run {run}"):
        previous = _load_state(orch_dir / f"{run}.json", restart=request.restart)
        resumed = previous is not None and not previous.finished and not request.restart
        state = previous if resumed and previous is not None else _new_state(ws, repo, run, description)
        steps = workflow_steps()
        if out is not None:
            out.write(_describe(ws.settings, state, steps, agent, resumed) + "\n")
        if not request.assume_yes and not confirm(
            request.interactive, hint="pass --yes to proceed without the prompt"
        ):
            _say(out, "nothing changed")
            return OrchestrateOutcome(plan=state.plan_path, run=run)
        if not resumed:
            _discard(repo, orch_dir, run)
        else:
            _check_resumable(repo, state)
        _save(orch_dir, state)
        outcome = _execute(ws, repo, state, steps, agent, orch_dir, out, progress)
        outcome.resumed = resumed
    _report(out, outcome)
    return outcome


def _say(out: TextIO | None, text: str) -> None:
    if out is not None:
        out.write(text + "\n")


def _warn(step: str, warning: str) -> None:
    print(f"plansmith: warning: {step}: {warning}", file=sys.stderr)


def _agent(settings: Settings, name: str | None) -> Agent | None:
    """The configured agent program (``None`` without one: the built-in structural agent writes nothing)."""
    from plansmith.agents import CommandAgent, agent_from_settings

    chosen = agent_from_settings(settings, name)
    return chosen if isinstance(chosen, CommandAgent) else None


def _role_missing(agent: Agent | None, role: Role) -> str | None:
    """Why a step of ``role`` cannot use the agent (``None``: it can)."""
    if agent is None:
        return NEEDS_AGENT
    if not agent.supports(role):
        return (
            f"needs an agent for the {role} role "
            f"(agent {agent.name!r} does not handle it; see docs/agents.md)"
        )
    return None


def _load_state(path: Path, *, restart: bool) -> RunState | None:
    from plansmith.git_backend._fs import read_json

    try:
        data = read_json(path, None)
        return None if data is None else RunState.from_json(data)
    except (ValueError, KeyError, TypeError, OSError) as exc:
        if restart:
            return None
        raise OrchestrateError(
            f"the state of this orchestrate run is damaged ({exc})",
            hint="start it over with --restart",
        ) from exc


def _save(orch_dir: Path, state: RunState) -> None:
    from plansmith.git_backend._fs import write_json_atomic

    write_json_atomic(orch_dir / f"{state.run}.json", state.to_json())


def _known_plan_names(ws: Workspace, repo: RepoPaths, committed: Mapping[str, str], run: str) -> set[str]:
    """Plan names in use: committed, in the working tree, in open proposals and in other unfinished
    runs (not ``run``, which is being started over)."""
    from plansmith.git_backend import proposals
    from plansmith.git_backend._fs import read_json

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
    from plansmith.git_backend.repo import resolve_commit

    base = resolve_commit(repo, "HEAD")
    committed = committed_files(repo, ws.plans_dir, ws.settings.limits.max_plan_bytes)
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


def _checkpoint_id(run: str, step: str) -> str:
    return f"{run}-{step}"


def _discard(repo: RepoPaths, orch_dir: Path, run: str) -> None:
    """Forget an earlier run of the same description: its checkpoints, worktree and folders."""
    from plansmith.git_backend import checkpoints, full_worktree

    for step in workflow_steps():
        with contextlib.suppress(PlansmithError):
            checkpoints.delete(repo, _checkpoint_id(run, step.id))
    run_dir = orch_dir / run
    full_worktree.remove(repo, run_dir / "impl")
    if run_dir.exists():
        shutil.rmtree(run_dir)


def _check_resumable(repo: RepoPaths, state: RunState) -> None:
    """The last checkpoint's commit must still exist (its ref keeps it from ``git gc``)."""
    from plansmith.git_backend.repo import rev_parse

    if rev_parse(repo, f"{state.head}^{{commit}}") != state.head:
        raise OrchestrateError(
            f"cannot resume orchestrate run {state.run}: its last commit {state.head[:10]} is gone",
            hint="start it over with --restart",
        )


def _describe(
    settings: Settings, state: RunState, steps: list[StepSpec], agent: Agent | None, resumed: bool
) -> str:
    who = f"agent {agent.name!r}" if agent is not None else "no agent"
    lines = [f"orchestrate {state.plan_name} (run {state.run}, {who})"]
    if resumed:
        done = ", ".join(state.steps) or "none"
        lines.append(f"resuming from the last checkpoint; steps done: {done}")
    for n, wave in enumerate(step_waves(steps), 1):
        notes = [
            f"done ({state.steps[s.id].status})" if s.id in state.steps else _plan_of(settings, s, agent)
            for s in wave
        ]
        if len(set(notes)) == 1:
            lines.append(f"  wave {n}: {', '.join(s.id for s in wave)}: {notes[0]}")
        else:
            lines.append(
                f"  wave {n}: " + ", ".join(f"{s.id} ({note})" for s, note in zip(wave, notes, strict=True))
            )
    return "\n".join(lines)


def _plan_of(settings: Settings, step: StepSpec, agent: Agent | None) -> str:
    missing = _role_missing(agent, step.kind) if step.kind != "expand" else None
    if step.kind == "expand":
        return f"expand the phases scoring above {settings.thresholds.expand}"
    if step.kind == "plan":
        return "the template planner" if missing else "the agent, else the template planner"
    if missing:
        return "skipped: " + missing
    if step.kind == "implement":
        return "the agent on phase 1, in a worktree of its own"
    return "the agent"


def _execute(
    ws: Workspace,
    repo: RepoPaths,
    state: RunState,
    steps: list[StepSpec],
    agent: Agent | None,
    orch_dir: Path,
    out: TextIO | None,
    progress: ProgressSink | None = None,
) -> OrchestrateOutcome:
    from plansmith.git_backend import checkpoints

    settings = ws.settings
    run_dir = orch_dir / state.run
    steps_dir = run_dir / "steps"
    steps_dir.mkdir(parents=True, exist_ok=True)
    base_files = _files_at(ws, repo, state.base)
    for wave in step_waves(steps):
        todo = [s for s in wave if s.id not in state.steps]
        if not todo:
            continue
        ctx = StepContext(
            ws, repo, state, _files_at(ws, repo, state.head), base_files, agent, steps_dir, run_dir
        )
        queued(progress, [s.id for s in todo])
        result = run_operations(
            [Operation(s.id, _operation(ctx, s)) for s in todo],
            max_parallel=settings.max_parallel,
            timeout_s=None,  # agents enforce their own timeouts and retries
            max_attempts=1,
            on_event=runner_listener(progress) if progress is not None else None,
        )
        for step in todo:
            outcome = result.outcome(step.id)
            value = outcome.value
            produced = (
                value
                if outcome.status == "success" and isinstance(value, StepOutput)
                else StepOutput("failed", error=outcome.error or "the step did not run")
            )
            record = _record(ws, repo, state, step, produced, ctx.files, outcome, run_dir)
            state.steps[step.id] = record
            _save(orch_dir, state)
            for warning in record.warnings:
                _warn(step.id, warning)
            if out is not None:
                out.write(_line(record) + "\n")
                out.flush()
    proposal = _publish(repo, state.head, settings.proposal_prefix) if state.head != state.base else None
    state.proposal = (
        None
        if proposal is None
        else {"id": proposal.id, "branch": proposal.branch, "commit": proposal.commit, "base": proposal.base}
    )
    state.finished = True
    _save(orch_dir, state)
    for record in state.steps.values():
        if record.checkpoint is not None:  # the proposal branch keeps the commits now
            with contextlib.suppress(PlansmithError):
                checkpoints.delete(repo, record.checkpoint)
    shutil.rmtree(steps_dir, ignore_errors=True)
    ordered = [state.steps[s.id] for s in steps if s.id in state.steps]
    return OrchestrateOutcome(plan=state.plan_path, run=state.run, proposal=state.proposal, steps=ordered)


def _files_at(ws: Workspace, repo: RepoPaths, commit: str) -> dict[str, str]:
    from plansmith.git_backend.repo import read_tree_files

    texts, _ = decode_files(
        read_tree_files(repo, commit, ws.plans_dir), max_bytes=ws.settings.limits.max_plan_bytes
    )
    return texts


def _record(
    ws: Workspace,
    repo: RepoPaths,
    state: RunState,
    step: StepSpec,
    produced: StepOutput,
    before: Mapping[str, str],
    outcome: OpOutcome,
    run_dir: Path,
) -> StepResult:
    """Commit what the step produced (a checkpoint), write its artifact, move the state on."""
    from plansmith.git_backend import checkpoints

    commit: str | None = produced.commit
    if produced.status == "success" and produced.files is not None:
        plan = produced.plan_path or state.plan_path
        commit = _commit_files(ws, repo, state, step.id, plan, before, produced.files)
        if commit == state.head:
            commit = None  # nothing changed
    checkpoint_id: str | None = None
    if commit is not None:
        checkpoint_id = _checkpoint_id(state.run, step.id)
        with contextlib.suppress(PlansmithError):  # left by a killed run before its state was saved
            checkpoints.delete(repo, checkpoint_id)
        checkpoints.create(
            repo,
            commit,
            plan=state.plan_name,
            operation=OPERATION,
            items=[step.id],
            base=state.base,
            checkpoint_id=checkpoint_id,
        )
        state.head = commit
    if produced.plan_path is not None:
        state.plan_path = produced.plan_path
    record = artifacts.ArtifactRecord(
        operation=OPERATION,
        item=step.id,
        status=produced.status,
        files_created=produced.created,
        files_modified=produced.modified,
        error=produced.error if produced.status != "success" else None,
        duration_s=outcome.duration_s,
        attempts=tuple(a.to_json() for a in outcome.attempts),
        warnings=tuple(produced.warnings),
        details={**produced.details, "commit": commit},
    )
    path = artifacts.write_artifact(run_dir / "artifacts", record)
    return StepResult(
        step=step.id,
        status=produced.status,
        artifact=str(path),
        error=record.error,
        commit=commit,
        checkpoint=checkpoint_id,
        warnings=list(produced.warnings),
    )


def _commit_files(
    ws: Workspace,
    repo: RepoPaths,
    state: RunState,
    step: str,
    plan_path: str,
    before: Mapping[str, str],
    after: Mapping[str, str],
) -> str:
    from plansmith.git_backend.worktree import ScratchWorktree

    scratch = ScratchWorktree.ensure(repo, ws.plan_roots)
    with scratch.session():  # held only for the commit: a long agent step never blocks the daemon
        scratch.reset_to(state.head)
        _write_changes(scratch.path, before, after)
        subject, trailers = _message(state, step, plan_path)
        return scratch.commit(f"{subject}\n\n{_body(state)}", ws.settings.commit.author, trailers)


def _message(state: RunState, step: str, plan_path: str) -> tuple[str, dict[str, Any]]:
    from plansmith.git_backend.messages import proposal_subject, proposal_trailers

    subject = proposal_subject(OPERATION, [step], state.plan_name)
    trailers = proposal_trailers(
        plan=plan_path, operation=OPERATION, items=[step], base=state.base, run=state.run
    )
    return subject, dict(trailers)


def _body(state: RunState) -> str:
    return f"Workflow step of: {one_line(state.description, 200)}"


# --- the steps ----------------------------------------------------------------------------------------


def _operation(ctx: StepContext, step: StepSpec) -> Callable[[AttemptContext], OpOutcome]:
    run: Callable[[StepContext, StepSpec], StepOutput] = {
        "research": _research,
        "plan": _plan,
        "expand": _expand,
        "implement": _implement,
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
    from plansmith.agents import AgentRequest

    missing = _role_missing(ctx.agent, "research")
    if missing is not None or ctx.agent is None:
        return StepOutput("skipped", error=missing)
    folder = _step_dir(ctx, step)
    write_copy(folder, ctx.base_files)
    report = folder / "report.md"
    result = ctx.agent.run(
        AgentRequest(
            role="research",
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
    missing = _role_missing(ctx.agent, "plan")
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
    from plansmith.agents import AgentRequest
    from plansmith.plan.parser import decode

    folder = _step_dir(ctx, step)
    write_copy(folder, ctx.base_files)
    result = agent.run(
        AgentRequest(
            role="plan",
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
    settings = ctx.ws.settings
    loc = locate_plan(ctx.files, ctx.state.plan_path, ctx.ws.plans_dir)
    if loc is None:
        return StepOutput("failed", error=f"{ctx.state.plan_path}: the plan is missing")
    files = plan_files(ctx.files, loc)
    plan = build_plan(files, loc)
    thresholds = Thresholds(settings.thresholds.expand, settings.thresholds.collapse)
    analysis = analyze_plan(plan, thresholds)
    items = [Item(i.phase, None) for i in analysis.items if i.recommendation == "expand" and i.stage is None]
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
    problems = validate_plan(build_plan(current, cur_loc))
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


def _implement(ctx: StepContext, step: StepSpec) -> StepOutput:
    from plansmith.agents import AgentRequest
    from plansmith.git_backend import full_worktree

    missing = _role_missing(ctx.agent, "implement")
    if missing is not None or ctx.agent is None:
        return StepOutput("skipped", error=missing)
    state = ctx.state
    loc = locate_plan(ctx.files, state.plan_path, ctx.ws.plans_dir)
    if loc is None:
        return StepOutput("failed", error=f"{state.plan_path}: the plan is missing")
    plan = build_plan(plan_files(ctx.files, loc), loc)
    phase = plan.phases[0]
    doc = next(d for d in plan.documents if d.path == phase.content_path)
    section = phase.content
    item_text = "".join(doc.lines[section.start : section.end])
    folder = _step_dir(ctx, step)
    tree = full_worktree.create(ctx.repo, ctx.run_dir / "impl", state.head)
    try:
        report = folder / "report.md"
        result = ctx.agent.run(
            AgentRequest(
                role="implement",
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
        details: dict[str, Any] = {"agent": result.to_json(), "phase": phase.number.as_json()}
        text = _read_report(report)
        if text is not None:
            details["report"] = text[:4000]
        failure = _agent_failure(result)
        if failure is not None:
            return StepOutput("failed", error=failure, details=details)
        changed = tree.changed_paths()
        if not changed:
            return StepOutput("skipped", error="the agent changed nothing", details=details)
        broken = _plan_problems_after(ctx, tree.path, loc)
        if broken is not None:
            return StepOutput(
                "failed", error=f"the agent's changes break the plan: {broken}", details=details
            )
        subject, trailers = _message(state, step.id, loc.main_path)
        commit = tree.commit(
            f"{subject}\n\n{_body(state)}", ctx.ws.settings.commit.author, trailers, parent=state.head
        )
        return StepOutput("success", commit=commit, modified=tuple(changed), details=details)
    finally:
        full_worktree.remove(ctx.repo, tree.path)


def _plan_problems_after(ctx: StepContext, root: Path, loc: PlanLocation) -> str | None:
    """The first new validation problem of the plan as the implement agent left it (``None``: fine)."""
    from plansmith.workspace import read_tree

    raw, read_problems = read_tree(root, ctx.ws.plans_dir)
    files, problems = decode_files(raw, max_bytes=ctx.ws.settings.limits.max_plan_bytes)
    problems += read_problems
    mine = [
        p for p in problems if p.path == loc.main_path or p.path.startswith(f"{loc.folder or loc.main_path}/")
    ]
    if mine:
        return mine[0].render()
    now = locate_plan(files, loc.main_path, ctx.ws.plans_dir)
    if now is None:
        return f"{loc.main_path} is gone"
    before = {p.code for p in validate_plan(build_plan(plan_files(ctx.files, loc), loc))}
    new = [p for p in validate_plan(build_plan(plan_files(files, now), now)) if p.code not in before]
    return new[0].render() if new else None


# --- output -------------------------------------------------------------------------------------------


def _line(record: StepResult) -> str:
    mark = {"success": "ok", "failed": "FAILED", "skipped": "skipped"}[record.status]
    return f"  {mark:<7} {record.step}" + (f": {record.error}" if record.error else "")


def _report(out: TextIO | None, outcome: OrchestrateOutcome) -> None:
    if out is None:
        return
    out.write(f"\nplan: {outcome.plan}\n")
    if outcome.proposal is None:
        out.write("no proposal was made\n")
        return
    p = outcome.proposal
    out.write(f"proposal {p['id']} on branch {p['branch']} ({p['commit'][:10]})\n")
    out.write(f"  approve: plansmith proposals approve {p['id']}   (or: git merge {p['branch']})\n")
    out.write(f"  reject:  plansmith proposals reject {p['id']}    (or: git branch -D {p['branch']})\n")
