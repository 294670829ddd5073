"""Validation problems: a stable code, a position and a message that says what to do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


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
