"""The error hierarchy. Every error the user can fix carries a message and a hint saying what to do.

The CLI maps ``PlansmithError`` to exit code 1 and prints ``plansmith: error: <message>`` plus
``hint: <hint>``; anything else is an internal error (exit 3).
"""

from __future__ import annotations


class PlansmithError(Exception):
    """A problem the user can fix. ``path``/``line`` point at the offending place when known."""

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


class PlanError(PlansmithError):
    """Plan text that cannot be read or transformed (undecodable, malformed, unknown item)."""

    kind = "plan"


class PlanTooLargeError(PlanError):
    kind = "plan-too-large"
    default_hint = "split the plan into several files, or raise limits.max_plan_bytes in the settings"


class UnknownItemError(PlanError):
    kind = "unknown-item"
    default_hint = "run 'plansmith analyze PLAN' to list the phases and stages"


class ValidationFailed(PlansmithError):
    kind = "validation"


class ConfigError(PlansmithError):
    kind = "config"
    default_hint = "run 'plansmith config show' to see the effective settings and their sources"


class GitError(PlansmithError):
    kind = "git"


class ConflictError(PlansmithError):
    kind = "conflict"


class OperationFailed(PlansmithError):
    kind = "operation-failed"


class AgentError(PlansmithError):
    kind = "agent"
