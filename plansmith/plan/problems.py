"""Validation problems: a stable code, a position and a message that says what to do."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    path: str
    line: int  # 1-based; 0 when the problem concerns the file as a whole
    code: str  # stable, kebab-case, e.g. "expanded-phases-mismatch"
    message: str

    def render(self) -> str:
        """``path:line: message`` as printed by ``plansmith validate`` and the pre-commit hook."""
        where = self.path if self.line <= 0 else f"{self.path}:{self.line}"
        return f"{where}: {self.message} [{self.code}]"

    def as_json(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "code": self.code, "message": self.message}
