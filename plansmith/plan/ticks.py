"""Ticks that commits back: each ticked task that names files must be followed in history by a commit
changing one of them. The judgement only; the history facts come from the shell (``verify`` reads them
in one walk through :mod:`plansmith.git_backend.history`). Pure: plans and facts in, values out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from plansmith.plan.model import Plan
from plansmith.plan.ready import task_files


class HistoryFacts(Protocol):
    def task_added(self, text: str) -> int | None: ...

    def changed_after(self, path: str, index: int | None) -> bool: ...


@dataclass(frozen=True, slots=True)
class UnbackedTick:
    path: str
    line: int  # 1-based
    task: str
    files: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "task": self.task, "files": list(self.files)}

    def render(self) -> str:
        named = ", ".join(self.files)
        return (
            f"{self.path}:{self.line}: warning: ticked, but no commit after the task was written "
            f"changed {named} [unbacked-tick]"
        )


@dataclass
class TickReport:
    unbacked: list[UnbackedTick] = field(default_factory=list)
    backed: int = 0
    unjudged: int = 0  # ticked tasks that name no file: counted, not judged

    def as_json(self) -> dict[str, object]:
        return {
            "unbacked": [u.as_json() for u in self.unbacked],
            "backed": self.backed,
            "unjudged": self.unjudged,
        }


def judge_ticks(plans: Iterable[Plan], history: HistoryFacts) -> TickReport:
    """Every ticked task of ``plans``: backed, unbacked (with its line and files) or unjudged."""
    report = TickReport()
    for plan in plans:
        for doc in plan.documents:
            for section in doc.sections if doc.root is None else (doc.root,):
                for task in section.tasks:
                    if not task.checked:
                        continue
                    files = task_files(task.text)
                    if not files:
                        report.unjudged += 1
                        continue
                    added = history.task_added(task.text)
                    if any(history.changed_after(f, added) for f in files):
                        report.backed += 1
                    else:
                        report.unbacked.append(UnbackedTick(doc.path, task.index + 1, task.text, files))
    return report
