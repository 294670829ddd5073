"""The agent protocol: a request for one role on one item, and the result with every attempt recorded."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from plansmith.config import Role
from plansmith.errors import AgentError
from plansmith.events import ProgressSink

ResultStatus = Literal["success", "fallback", "failed"]


@dataclass(frozen=True, slots=True)
class AgentRequest:
    """What an agent is asked to do.

    ``plan``, ``target`` and ``artifact`` are paths relative to ``cwd`` (``artifact`` may be absolute:
    reports usually go to the run folder outside the worktree). ``values`` fill the prompt template
    (``item_text``, ``plan_context``, ``item_title``, ``description``...); ``role``, ``plan``, ``item``,
    ``target``, ``artifact`` and ``tools`` are added to them automatically.
    ``deadline`` (``time.monotonic()`` based) caps every attempt, so a caller with its own time budget
    (the parallel runner) is never overrun. ``required``: failure after the last attempt is a failure,
    not a fallback to the structural result. ``progress``: told of each attempt (``running`` n of m with
    its timeout, ``retrying`` with the reason) under the name ``item``.
    """

    role: Role
    cwd: Path
    plan: str = ""
    item: str = ""
    target: str = ""
    artifact: str = ""
    values: Mapping[str, str] = field(default_factory=dict)
    required: bool = False
    deadline: float | None = None
    progress: ProgressSink | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    number: int  # 1-based
    timeout_s: float
    tools: tuple[str, ...]
    exit_code: int | None
    duration_s: float
    ok: bool
    reason: str  # why the attempt failed; "" when it succeeded

    def to_json(self) -> dict[str, object]:
        return {
            "number": self.number,
            "timeout_s": round(self.timeout_s, 6),
            "tools": list(self.tools),
            "exit_code": self.exit_code,
            "duration_s": round(self.duration_s, 3),
            "ok": self.ok,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Estimate:
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AgentResult:
    """The outcome of one request.

    ``status``:
    - ``success``: the agent did its part (for ``elaborate``: the target was rewritten and accepted);
    - ``fallback``: no agent output is used; keep the structural result and show ``warnings``;
    - ``failed``: the agent was required and did not succeed (the operation fails).
    ``elaborated`` tells whether the worktree holds the agent's rewrite. ``estimate`` is set for a
    successful ``estimate`` request, ``None`` otherwise (use the built-in estimator).
    """

    agent: str
    role: Role
    status: ResultStatus
    attempts: tuple[AttemptRecord, ...] = ()
    warnings: tuple[str, ...] = ()
    error: str | None = None
    elaborated: bool = False
    estimate: Estimate | None = None
    stdout_tail: str = ""
    stderr_tail: str = ""

    @property
    def ok(self) -> bool:
        return self.status != "failed"

    def raise_for_status(self) -> None:
        if self.status == "failed":
            raise AgentError(
                f"agent {self.agent!r} failed the {self.role} step: {self.error or 'no reason given'}",
                hint="see the operation's artifact for every attempt; run without --agent-required "
                "to keep the structural result instead",
            )

    def to_json(self) -> dict[str, object]:
        return {
            "agent": self.agent,
            "role": self.role,
            "status": self.status,
            "attempts": [a.to_json() for a in self.attempts],
            "warnings": list(self.warnings),
            "error": self.error,
            "elaborated": self.elaborated,
            "estimate": None
            if self.estimate is None
            else {"score": self.estimate.score, "reasons": list(self.estimate.reasons)},
            "stdout_tail": self.stdout_tail,
            "stderr_tail": self.stderr_tail,
        }


@runtime_checkable
class Agent(Protocol):
    """Anything that can do the creative part of a role. plansmith does the structural part itself."""

    @property
    def name(self) -> str: ...

    def supports(self, role: Role) -> bool: ...

    def run(self, request: AgentRequest) -> AgentResult: ...
