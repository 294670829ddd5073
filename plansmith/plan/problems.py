"""Validation problems: a stable code, a position and a message that says what to do.

Every code has one severity, set here in :data:`SEVERITY` and nowhere else: an ``error`` fails
validation, a ``warning`` is reported but fails it only with ``--strict``. Codes are part of the JSON
contract: never rename one, add new ones instead. Pure values, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]

SEVERITY: dict[str, Severity] = {
    # the plan's structure
    "no-phases": "error",
    "duplicate-phase": "error",
    "duplicate-stage": "error",
    "phase-gap": "warning",  # a phase was removed; reported, never renumbered
    "stage-gap": "warning",
    "duplicate-task-id": "error",  # spec-kit: one T001 id opens two tasks
    "missing-title": "error",
    "phase-number-mismatch": "error",
    "stage-number-mismatch": "error",
    # files and links
    "broken-link": "error",
    "orphan-phase-file": "error",
    "orphan-stage-file": "error",
    "plan-file-and-folder": "error",
    "folder-without-main-plan": "error",
    # plansmith's metadata
    "structure-level-mismatch": "error",
    "expanded-phases-mismatch": "error",
    "expanded-stages-mismatch": "error",
    "missing-structure-level": "error",
    # dependencies
    "unreadable-dependencies": "warning",  # prose naming no phase: no dependency
    "self-dependency": "error",
    "unknown-dependency": "error",
    "dependency-cycle": "error",
    # progress (docs/progress.md): a status marker the boxes contradict
    "status-drift": "warning",
    # reading the files (the shell's discovery reports these)
    "not-utf8": "error",
    "too-large": "error",
    "symlink": "warning",  # a linked root folder: not followed
    "symlink-outside-repo": "error",
    "unreadable": "error",
    "duplicate-plan-id": "warning",  # two roots give one id; the later plan gets a longer one
}


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    path: str
    line: int  # 1-based; 0 when the problem concerns the file as a whole
    code: str  # stable, kebab-case, e.g. "expanded-phases-mismatch"
    message: str
    severity: Severity = "error"  # warnings are reported but fail validation only with --strict

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def render(self) -> str:
        """``path:line: message`` as printed by ``plansmith validate`` and the pre-commit hook."""
        where = self.path if self.line <= 0 else f"{self.path}:{self.line}"
        label = "" if self.is_error else "warning: "
        return f"{where}: {label}{self.message} [{self.code}]"

    def as_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
        }


def severity_of(code: str) -> Severity:
    """The severity of a problem code (:data:`SEVERITY`); an unlisted code is an error."""
    return SEVERITY.get(code, "error")


def problem(path: str, line: int, code: str, message: str) -> Problem:
    """A :class:`Problem` with the severity its code has."""
    return Problem(path, line, code, message, severity_of(code))
