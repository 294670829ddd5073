"""External agent programs defined in the user's settings (``[agents.NAME]``), with retries and fallback.

Attempt k (1-based) runs with ``timeout_s * factor**(k-1)`` and the ``tools`` list on attempt 1, the
``fallback_tools`` list afterwards, up to ``max_attempts``. Retried: timeouts, crashes, non-zero exits and
rejected elaborations. Not retried: an ``estimate`` answer in the wrong format (the program answered; it
would answer the same way again), an unsupported role. After the last failed attempt the result says
"keep the structural result" (status ``fallback``, with a warning) unless the request is ``required``
(status ``failed``).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from plansmith.agents.acceptance import SameItem, TasksOf, changed_paths, check_elaboration, snapshot_tree
from plansmith.agents.base import AgentRequest, AgentResult, AttemptRecord, Estimate
from plansmith.agents.estimate import parse_estimate
from plansmith.agents.process import DEFAULT_GRACE_S, DEFAULT_MAX_OUTPUT_BYTES, ProcessResult, run_program
from plansmith.agents.prompts import render_prompt
from plansmith.config import AgentSpec, Retry, Role, Settings, user_config_path
from plansmith.errors import AgentError
from plansmith.events import ProgressEvent

TOOLS_PLACEHOLDER = "{tools}"
Restore = Callable[[AgentRequest], None]


@dataclass(frozen=True, slots=True)
class AttemptOutcome:
    """One attempt: its record, and what it produced."""

    record: AttemptRecord
    process: ProcessResult | None
    estimate: Estimate | None = None
    retry: bool = True  # whether another attempt could help
    warnings: tuple[str, ...] = ()


def agent_environment(
    request: AgentRequest,
    *,
    attempt: int,
    tools: tuple[str, ...],
    extra: Mapping[str, str] | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of an agent run: the inherited one without ``GIT_*`` (a git hook's ``GIT_DIR``
    would point the agent's own git commands at the user's repository) and without inherited
    ``PLANSMITH_*``; then ``extra`` (the agent's ``env`` setting); then the protocol variables."""
    source = os.environ if base is None else base
    env = {k: v for k, v in source.items() if not k.startswith(("GIT_", "PLANSMITH_"))}
    if extra:
        env.update(extra)
    env.update(
        {
            "PLANSMITH_ROLE": request.role,
            "PLANSMITH_PLAN": request.plan,
            "PLANSMITH_ITEM": request.item,
            "PLANSMITH_TARGET": request.target,
            "PLANSMITH_ARTIFACT": request.artifact,
            "PLANSMITH_ATTEMPT": str(attempt),
            "PLANSMITH_TOOLS": ",".join(tools),
        }
    )
    return env


def expand_command(command: list[str], tools: tuple[str, ...]) -> list[str]:
    """The argument list with ``{tools}`` replaced by the comma-joined tools, inside one argument."""
    joined = ",".join(tools)
    return [word.replace(TOOLS_PLACEHOLDER, joined) for word in command]


class CommandAgent:
    """An external program run once per attempt (see the module text for the retry rules).

    ``same_item`` and ``tasks_of`` (from the plan parser) are needed for the ``elaborate`` role.
    ``restore`` puts the worktree back after a rejected or failed attempt (the engine passes a reset to
    its checkpoint); without it, the target is rewritten with its original text and files the attempt
    created are deleted, and any other file it modified is reported in a warning.
    """

    def __init__(
        self,
        name: str,
        spec: AgentSpec,
        *,
        retry: Retry | None = None,
        grace_s: float = DEFAULT_GRACE_S,
        max_output_bytes: int = DEFAULT_MAX_OUTPUT_BYTES,
        same_item: SameItem | None = None,
        tasks_of: TasksOf | None = None,
        restore: Restore | None = None,
        template_dir: Path | None = None,
    ) -> None:
        self._name = name
        self.spec = spec
        retry = retry or Retry()  # the settings' [retry] section; the agent's own limits come first
        self.base_timeout_s = spec.timeout_s if spec.timeout_s is not None else retry.base_timeout_s
        self.factor = retry.factor
        self.max_attempts = spec.max_attempts if spec.max_attempts is not None else retry.max_attempts
        self.grace_s = grace_s
        self.max_output_bytes = max_output_bytes
        self.same_item = same_item
        self.tasks_of = tasks_of
        self.restore = restore
        self.template_dir = template_dir

    @classmethod
    def from_settings(cls, name: str, settings: Settings, **kwargs: object) -> CommandAgent:
        spec = settings.agents.get(name)
        if spec is None:
            raise AgentError(
                f"no agent named {name!r} is defined",
                hint=f"add an [agents.{name}] table with a 'command' to {user_config_path()}",
            )
        return cls(
            name,
            spec,
            retry=settings.retry,
            **kwargs,  # type: ignore[arg-type]
        )

    @property
    def name(self) -> str:
        return self._name

    def supports(self, role: Role) -> bool:
        return role in self.spec.roles

    # ------------------------------------------------------------------------------ attempt planning

    def attempt_timeout(self, number: int) -> float:
        return float(self.base_timeout_s * self.factor ** (number - 1))

    def attempt_tools(self, number: int) -> tuple[str, ...]:
        return tuple(self.spec.tools if number == 1 else self.spec.effective_fallback_tools())

    # ------------------------------------------------------------------------------ running

    def run(self, request: AgentRequest) -> AgentResult:
        """All attempts, then success, fallback (structural result stands) or failure (``required``)."""
        if not self.supports(request.role):
            reason = f"agent {self.name!r} does not handle the {request.role} role (see its 'roles' setting)"
            return self._give_up(request, (), reason, ())
        outcomes: list[AttemptOutcome] = []
        warnings: list[str] = []
        # Every attempt is judged against the state before the first one, whatever a restore left.
        baseline = self.baseline(request) if request.role == "elaborate" else None
        started = time.monotonic()
        for number in range(1, self.max_attempts + 1):
            timeout = self.attempt_timeout(number)
            if request.deadline is not None:
                left = request.deadline - time.monotonic()
                if left <= 0:
                    warnings.append(f"no time left for attempt {number} (deadline reached)")
                    break
                timeout = min(timeout, left)
            self._tell(request, "running", number, timeout, started)
            outcome = self.run_attempt(
                request, number, timeout_s=timeout, tools=self.attempt_tools(number), baseline=baseline
            )
            outcomes.append(outcome)
            warnings.extend(outcome.warnings)
            if not outcome.record.ok and outcome.retry and number < self.max_attempts:
                grown = self.attempt_timeout(number + 1)
                self._tell(request, "retrying", number, grown, started, outcome.record.reason)
            if outcome.record.ok:
                proc = outcome.process
                return AgentResult(
                    agent=self.name,
                    role=request.role,
                    status="success",
                    attempts=tuple(o.record for o in outcomes),
                    warnings=tuple(warnings),
                    elaborated=request.role == "elaborate",
                    estimate=outcome.estimate,
                    stdout_tail=proc.out if proc else "",
                    stderr_tail=proc.err if proc else "",
                )
            if not outcome.retry:
                break
        last = outcomes[-1].record.reason if outcomes else "no attempt was made"
        return self._give_up(request, tuple(outcomes), last, tuple(warnings))

    def _tell(
        self,
        request: AgentRequest,
        state: Literal["running", "retrying"],
        number: int,
        timeout_s: float,
        started: float,
        reason: str | None = None,
    ) -> None:
        """Report an attempt to the request's progress sink (if any) under the item's name."""
        if request.progress is None:
            return
        event = ProgressEvent(
            request.item or request.role,
            state,
            attempt=number,
            max_attempts=self.max_attempts,
            timeout_s=timeout_s,
            elapsed_s=time.monotonic() - started,
            reason=reason,
        )
        request.progress(event)

    def _give_up(
        self,
        request: AgentRequest,
        outcomes: tuple[AttemptOutcome, ...],
        reason: str,
        warnings: tuple[str, ...],
    ) -> AgentResult:
        proc = outcomes[-1].process if outcomes else None
        n = len(outcomes)
        tried = f" after {n} attempt{'s' if n != 1 else ''}" if n else ""
        what = f"{request.role} of {request.item}" if request.item else request.role
        common = {
            "agent": self.name,
            "role": request.role,
            "attempts": tuple(o.record for o in outcomes),
            "stdout_tail": proc.out if proc else "",
            "stderr_tail": proc.err if proc else "",
        }
        if request.required:
            return AgentResult(
                status="failed",
                error=f"agent {self.name!r} failed the {what}{tried}: {reason}",
                warnings=warnings,
                **common,  # type: ignore[arg-type]
            )
        kept = (
            "kept the structural result without elaboration"
            if request.role == "elaborate"
            else "using the built-in estimator"
            if request.role == "estimate"
            else "continuing without the agent's output"
        )
        warning = f"agent {self.name!r} failed the {what}{tried} ({reason}); {kept}"
        return AgentResult(status="fallback", warnings=(*warnings, warning), **common)  # type: ignore[arg-type]

    def baseline(self, request: AgentRequest) -> tuple[str, dict[str, str]]:
        """The target's text and the worktree snapshot an ``elaborate`` attempt is judged against."""
        if self.same_item is None or self.tasks_of is None:
            raise AgentError(
                "the elaborate role needs the plan parser's same_item/tasks_of checks",
                hint="construct CommandAgent with same_item= and tasks_of=",
            )
        try:
            # bytes, decoded without newline translation: a restore must give back every byte
            text = (request.cwd / request.target).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise AgentError(f"cannot read the elaboration target {request.target}: {exc}") from None
        return text, snapshot_tree(request.cwd)

    def run_attempt(
        self,
        request: AgentRequest,
        number: int,
        *,
        timeout_s: float,
        tools: tuple[str, ...],
        baseline: tuple[str, dict[str, str]] | None = None,
    ) -> AttemptOutcome:
        """One attempt. Usable on its own by a caller that drives the retries itself (the parallel
        runner: ``tools = agent.attempt_tools(2)`` when ``ctx.fallback``); pass the same ``baseline``
        (from :meth:`baseline`, taken before the first attempt) to every attempt of an elaboration."""
        cwd = request.cwd
        prompt, argv, env = self._invocation(request, number, tools)

        elaborate = request.role == "elaborate"
        before_text = ""
        before_snap: dict[str, str] = {}
        if elaborate:
            before_text, before_snap = baseline if baseline is not None else self.baseline(request)

        proc = run_program(
            argv,
            cwd=cwd,
            stdin=prompt,
            env=env,
            timeout_s=timeout_s,
            grace_s=self.grace_s,
            max_output_bytes=self.max_output_bytes,
        )

        def record(ok: bool, reason: str) -> AttemptRecord:
            return AttemptRecord(
                number=number,
                timeout_s=timeout_s,
                tools=tools,
                exit_code=proc.returncode,
                duration_s=proc.duration_s,
                ok=ok,
                reason=reason,
            )

        if elaborate:
            return self._judge_elaboration(request, proc, before_text, before_snap, record)
        if not proc.ok:
            return AttemptOutcome(record(False, proc.describe()), proc)
        if request.role == "estimate":
            estimate, warning = parse_estimate(proc.out)
            if estimate is None:
                reason = warning or "estimate: unreadable answer"
                return AttemptOutcome(record(False, reason), proc, retry=False)
            return AttemptOutcome(record(True, ""), proc, estimate=estimate)
        return AttemptOutcome(record(True, ""), proc)

    def _invocation(
        self, request: AgentRequest, number: int, tools: tuple[str, ...]
    ) -> tuple[str, list[str], dict[str, str]]:
        """The prompt, argument list and environment of one attempt."""
        values = dict(request.values)
        values.update(
            role=request.role,
            plan=request.plan,
            item=request.item,
            target=request.target,
            artifact=request.artifact,
            tools=",".join(tools),
        )
        prompt = render_prompt(request.role, values, user_dir=self.template_dir)
        argv = expand_command(self.spec.command, tools)
        env = agent_environment(request, attempt=number, tools=tools, extra=self.spec.env)
        return prompt, argv, env

    def _judge_elaboration(
        self,
        request: AgentRequest,
        proc: ProcessResult,
        before_text: str,
        before_snap: dict[str, str],
        record: Callable[[bool, str], AttemptRecord],
    ) -> AttemptOutcome:
        assert self.same_item is not None and self.tasks_of is not None
        cwd = request.cwd
        after_snap = snapshot_tree(cwd)
        changed = changed_paths(before_snap, after_snap)
        changed.discard(_relative_inside(cwd, request.artifact) or "")
        target_path = cwd / request.target
        after_text: str | None
        reasons: list[str] = []
        try:
            after_text = target_path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            after_text = None
        except (OSError, UnicodeDecodeError) as exc:
            after_text = None
            reasons.append(f"{request.target} cannot be read back: {exc}")
        if proc.timed_out or proc.error is not None:
            reasons.insert(0, proc.describe())
        else:
            reasons.extend(
                check_elaboration(
                    before_text,
                    after_text,
                    changed,
                    request.target,
                    same_item=self.same_item,
                    tasks_of=self.tasks_of,
                    exit_code=proc.returncode,
                )
            )
        if not reasons:
            return AttemptOutcome(record(True, ""), proc)
        warnings = self._restore(request, before_text, before_snap, after_snap)
        return AttemptOutcome(record(False, "; ".join(reasons)), proc, warnings=warnings)

    def _restore(
        self,
        request: AgentRequest,
        before_text: str,
        before_snap: dict[str, str],
        after_snap: dict[str, str],
    ) -> tuple[str, ...]:
        if self.restore is not None:
            self.restore(request)
            return ()
        cwd = request.cwd
        (cwd / request.target).parent.mkdir(parents=True, exist_ok=True)
        (cwd / request.target).write_bytes(before_text.encode("utf-8"))
        artifact = _relative_inside(cwd, request.artifact)
        unrestored: list[str] = []
        for path in sorted(changed_paths(before_snap, after_snap)):
            if path in (request.target, artifact):
                continue
            if path not in before_snap:
                with contextlib.suppress(OSError):
                    (cwd / path).unlink()
            else:
                unrestored.append(path)
        if unrestored:
            return (
                "could not restore files the agent changed outside its target: "
                + ", ".join(unrestored)
                + " (the engine resets the worktree to its checkpoint)",
            )
        return ()


def _relative_inside(cwd: Path, path: str) -> str | None:
    if not path:
        return None
    p = Path(path)
    if not p.is_absolute():
        return p.as_posix()
    try:
        return p.resolve().relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return None
