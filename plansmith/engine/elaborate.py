"""Agent elaboration of freshly expanded files, in parallel, each in a folder of its own.

plansmith has already done the structural part (moving text, metadata). An agent may rewrite the
one new file into a more detailed one. Each operation gets a private copy of the plan's files, so
agents running side by side cannot see or disturb each other's work, and "no other file changed"
is a check about that one agent. What the agent wrote is accepted only if it passes the agent
protocol's checks; otherwise the structural result stays, with a warning (or the item fails when
the agent is required).
It must not write the user's working tree, index or branches.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from plansmith.agents import AgentRequest, agent_from_settings
from plansmith.engine.progress import ProgressSink
from plansmith.engine.runner import AttemptContext, Operation, OpOutcome, RunResult, run_operations
from plansmith.plan.api import same_item, tasks_of

if TYPE_CHECKING:
    from plansmith.agents import AgentResult
    from plansmith.config import Settings

CONTEXT_LIMIT = 20_000  # characters of the main plan given to the agent as context


@dataclass(frozen=True)
class Elaboration:
    item: str
    target: str  # repository path of the expanded file
    title: str


@dataclass
class ElaborationResult:
    text: str | None = None  # the accepted rewrite; None: keep the structural file
    failed: str | None = None  # set when the agent was required and did not succeed
    warnings: list[str] = field(default_factory=list)
    details: dict[str, object] = field(default_factory=dict)


def write_copy(root: Path, files: Mapping[str, str]) -> None:
    """Write ``files`` ({repository path: text}) under ``root``: a private copy for one agent."""
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))


def elaborate_all(
    settings: Settings,
    agent_name: str,
    required: bool,
    plan_path: str,
    files: Mapping[str, str],
    jobs: list[Elaboration],
    work_dir: Path,
    *,
    progress: ProgressSink | None = None,
) -> tuple[dict[str, ElaborationResult], RunResult]:
    """Run the agent on every job at once (up to ``max_parallel``); results by item id, and the run."""

    context = files.get(plan_path, "")[:CONTEXT_LIMIT]

    def make(job: Elaboration) -> Operation:
        def op(ctx: AttemptContext) -> OpOutcome:
            agent = agent_from_settings(
                settings, agent_name, same_item=same_item(job.target), tasks_of=tasks_of(job.target)
            )
            root = work_dir / job.item
            write_copy(root, files)
            request = AgentRequest(
                role="elaborate",
                cwd=root,
                plan=plan_path,
                item=job.item,
                target=job.target,
                artifact=str(work_dir / f"{job.item}.report.md"),
                values={
                    "item_text": files[job.target],
                    "item_title": job.title,
                    "plan_context": context,
                },
                required=required,
                progress=progress,
            )
            return OpOutcome.ok(_result(agent.run(request), root / job.target))

        return Operation(job.item, op)

    # The agent enforces its own timeouts and retries (1.5x, reduced toolset): one runner attempt each.
    run = run_operations(
        [make(j) for j in jobs],
        max_parallel=settings.max_parallel,
        timeout_s=None,
        max_attempts=1,
        progress=progress,
    )
    results: dict[str, ElaborationResult] = {}
    for job in jobs:
        outcome = run.outcome(job.item)
        if outcome.status == "success" and isinstance(outcome.value, ElaborationResult):
            results[job.item] = outcome.value
        else:
            results[job.item] = ElaborationResult(failed=outcome.error or "the agent did not run")
    return results, run


def _result(agent_result: AgentResult, target: Path) -> ElaborationResult:
    details: dict[str, object] = {"agent": agent_result.to_json()}
    warnings = list(agent_result.warnings)
    if agent_result.status == "failed":
        return ElaborationResult(
            failed=agent_result.error or "the agent failed", warnings=warnings, details=details
        )
    if agent_result.status == "success" and agent_result.elaborated:
        text = target.read_bytes().decode("utf-8")
        return ElaborationResult(text=text, warnings=warnings, details=details)
    return ElaborationResult(warnings=warnings, details=details)


def created_child(created: tuple[str, ...], *, stage: bool) -> str | None:
    """The phase or stage file an expansion created (not a main plan or phase file it moved)."""
    prefix = "stage_" if stage else "phase_"
    for path in created:
        if posixpath.basename(path).startswith(prefix):
            return path
    return None
