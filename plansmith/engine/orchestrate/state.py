"""The orchestrate run's records: request, per-step results, the saved run state, the outcome.

The run state (``<common git dir>/plansmith/orchestrate/<run>.json``, written atomically after every
step) names the steps done and their commits, so a killed run continues from its last checkpoint and a
run that finished with failed steps redoes only those. This module reads and writes only that state
file; it must not touch git or print.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from plansmith.engine import artifacts
from plansmith.engine.items import ProposalRef
from plansmith.engine.orchestrate.workflow import SCHEMA
from plansmith.engine.progress import ProgressSink, RunSummary
from plansmith.errors import OrchestrateError
from plansmith.git_backend.state_files import read_json, write_json_atomic
from plansmith.run_events import Confirm, RunEventSink, ignore

Status = Literal["success", "failed", "skipped"]
BLOCKED = "failed (run again to redo it first)"  # ends the reason of a step skipped for a failed dependency


@dataclass(frozen=True)
class OrchestrateRequest:
    description: str
    agent: str | None = None
    assume_yes: bool = False
    interactive: bool = False
    restart: bool = False
    phases: str | None = None  # --phases: all | N,M | wave:K; None: the first phase
    progress: ProgressSink | None = field(default=None, compare=False)  # live events; None: nobody
    run_events: RunEventSink = field(default=ignore, compare=False)  # what happened, for the report
    confirm: Confirm | None = field(default=None, compare=False)  # "Proceed?" (None: nobody to ask)


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
    proposal: ProposalRef | None = None

    @property
    def resumable(self) -> bool:
        """Killed before the end, or finished with failed steps (a new run redoes only those)."""
        return not self.finished or any(s.status == "failed" for s in self.steps.values())

    def forget_failures(self) -> list[str]:
        """Drop the failed steps (and those skipped for them) so that this run does them again; their ids."""
        failed = [
            k
            for k, s in self.steps.items()
            if s.status == "failed" or (s.status == "skipped" and (s.error or "").endswith(BLOCKED))
        ]
        for key in failed:
            del self.steps[key]
        self.finished = False
        return failed

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
            "proposal": None if self.proposal is None else self.proposal.as_json(),
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
            proposal=ProposalRef.from_json(data.get("proposal")),
        )


@dataclass
class OrchestrateOutcome:
    plan: str
    run: str
    proposal: ProposalRef | None = None
    steps: list[StepResult] = field(default_factory=list)
    resumed: bool = False
    summary: RunSummary | None = None  # wall time against the sequential estimate of the steps run

    def count(self, status: Status) -> int:
        return sum(1 for s in self.steps if s.status == status)

    @property
    def exit_code(self) -> int:
        return 1 if self.count("failed") else 0

    def as_json(self) -> dict[str, object]:
        return {
            "plan": self.plan,
            "proposal": None if self.proposal is None else self.proposal.as_json(),
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


def load_state(path: Path, *, restart: bool) -> RunState | None:
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


def save_state(orch_dir: Path, state: RunState) -> None:
    write_json_atomic(orch_dir / f"{state.run}.json", state.to_json())
