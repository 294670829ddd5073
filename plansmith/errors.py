"""Every exception plansmith raises on purpose, in one tree. Each carries a message and a hint.

The command-line boundary (:func:`plansmith.cli.main`) maps :class:`UsageError` to exit code 2, every
other :class:`PlansmithError` to exit code 1 and anything else to an internal error (exit 3). It prints
``plansmith: error: <message>`` plus ``hint: <hint>``, or with ``--json`` the document
``{"error": {"type": <kind>, "message": ..., "hint": ...}}``. ``kind`` is therefore part of the contract:
scripts and tests match on it, so a kind string never changes meaning.

The tree (kind in brackets)::

    PlansmithError                      [error]   a problem the user can fix (never raised bare)
    ├── UsageError                      [usage]   bad command line: missing or contradictory arguments
    ├── PlanError                       [plan]    plan text that cannot be read or transformed
    │   ├── PlanTooLargeError           [plan-too-large]
    │   ├── UnknownPlanError            [unknown-plan]   a PLAN argument names no plan in any root
    │   ├── NotAPlanError               [not-a-plan]     a PLAN argument names a file without phases
    │   ├── UnknownItemError            [unknown-item]   no such phase or stage in the plan
    │   ├── ItemNotExpandedError        [not-expanded]   collapse of an item that is inline
    │   └── ItemAlreadyExpandedError    [already-expanded] expand of an item that has its own file
    ├── ConfigError                     [config]  a setting is invalid (including the commit author)
    ├── GitError                        [git]     git failed, or there is no repository
    ├── ConflictError                   [conflict] the repository's state forbids the action
    ├── ConfirmationRequired            [confirmation-required] a prompt nobody can answer
    ├── ProposalError                   [proposal] a proposal branch cannot be made or named
    │   └── UnknownProposalError        [unknown-proposal]
    ├── CheckpointError                 [checkpoint] a checkpoint is damaged or cannot be restored
    │   └── UnknownCheckpointError      [unknown-checkpoint]
    ├── AgentError                      [agent]   an agent program failed or misbehaved
    ├── OrchestrateError                [orchestrate] an orchestrate run cannot start or resume
    ├── HookError                       [hook]    a git hook cannot be installed or removed
    ├── ServiceError                    [service] the systemd user service cannot be managed
    └── DaemonAlreadyRunning            [daemon-running]

This module must not import anything of plansmith (every layer, the pure plan core included, imports
it) nor anything slow: the git hook's fast path reaches it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


class PlansmithError(Exception):
    """A problem the user can fix. ``path``/``line`` point at the offending place when known.

    Raise one of the subclasses: the base class's kind ``error`` says nothing to a script.
    """

    kind = "error"
    default_hint = ""

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        path: str | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint
        self.path = path
        self.line = line

    def located(self) -> str:
        """The message prefixed with ``path:line:`` when those are known."""
        if self.path is None:
            return self.message
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"

    def __str__(self) -> str:
        return self.located()


class UsageError(PlansmithError):
    """The command line itself is wrong (exit code 2, not 1)."""

    kind = "usage"
    default_hint = "run 'plansmith --help' or 'plansmith COMMAND --help'"


class PlanError(PlansmithError):
    """Plan text that cannot be read or transformed (undecodable, malformed, outside the repository)."""

    kind = "plan"


class PlanTooLargeError(PlanError):
    kind = "plan-too-large"
    default_hint = "split the plan into several files, or raise limits.max_plan_bytes in the settings"


class UnknownPlanError(PlanError):
    """A PLAN argument (a path or a plan id) that names no plan in any plan root."""

    kind = "unknown-plan"
    default_hint = "pass a plan id, a plan file like specs/plans/001_feature.md, or its folder"


class NotAPlanError(PlanError):
    """A PLAN argument that names a Markdown file (or folder) with no phase headings: notes, a README."""

    kind = "not-a-plan"
    default_hint = (
        "plansmith reads phase headings such as '## Phase 1: Title', '### Phase 2 - Title', "
        "'## Phase A: Title' or '### 阶段 1：Title', not roman numerals ('Phase II') "
        "(see docs/plan-format.md); add them, or name a plan"
    )


class UnknownItemError(PlanError):
    """A phase or stage the plan does not have."""

    kind = "unknown-item"
    default_hint = "run 'plansmith analyze PLAN' to list the phases and stages"


class ItemNotExpandedError(PlanError):
    """A collapse asked of a phase or stage that is inline already (refused before any run)."""

    kind = "not-expanded"
    default_hint = "run 'plansmith analyze PLAN' to see which items are expanded"


class ItemAlreadyExpandedError(PlanError):
    """An expand asked of a phase or stage that has its own file already (refused before any run)."""

    kind = "already-expanded"
    default_hint = "run 'plansmith analyze PLAN' to see which items are expanded"


class ConfigError(PlansmithError):
    kind = "config"
    default_hint = "run 'plansmith config show' to see the effective settings and their sources"


class GitError(PlansmithError):
    kind = "git"


class ConflictError(PlansmithError):
    """The repository's state forbids the action (detached HEAD, edited proposal, dirty files...)."""

    kind = "conflict"


class ConfirmationRequired(PlansmithError):
    """A question must be answered but standard input is not a terminal."""

    kind = "confirmation-required"
    default_hint = "pass --yes to proceed without the prompt"


class ProposalError(PlansmithError):
    """A proposal branch cannot be named or made from a commit."""

    kind = "proposal"


class UnknownProposalError(ProposalError):
    kind = "unknown-proposal"
    default_hint = "run 'plansmith proposals list'"


class CheckpointError(PlansmithError):
    """A checkpoint's record is damaged, or the checkpoint cannot be restored."""

    kind = "checkpoint"
    default_hint = "run 'plansmith checkpoints validate' to see what is wrong"


class UnknownCheckpointError(CheckpointError):
    kind = "unknown-checkpoint"
    default_hint = "run 'plansmith checkpoints list' to see the existing ids"


class AgentError(PlansmithError):
    kind = "agent"


class OrchestrateError(PlansmithError):
    """An orchestrate run cannot start (empty description) or cannot be resumed."""

    kind = "orchestrate"


class HookError(PlansmithError):
    kind = "hook"


class ServiceError(PlansmithError):
    kind = "service"


class DaemonAlreadyRunning(PlansmithError):
    """Another daemon holds the repository's lock; ``pid`` is the holder's when it could be read."""

    kind = "daemon-running"

    def __init__(self, pid: int | None, lock_path: Path) -> None:
        who = f"pid {pid}" if pid else "another process"
        super().__init__(
            f"a plansmith daemon is already running for this repository ({who})",
            hint=f"stop it first (kill {pid})" if pid else f"the lock is {lock_path}",
        )
        self.pid = pid
