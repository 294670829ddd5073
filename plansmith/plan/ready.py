"""The work that is ready: phases not done whose dependencies are all done by their boxes, with their
open tasks and the files those tasks name; and a trim of that list to a token budget.

What ``plansmith next`` and the MCP ``next`` tool answer, so an agent asks the plan, not a model, which
task comes next. Dependencies count as done by the boxes (:func:`plansmith.plan.progress.is_done`),
never by a marker. Pure: plans in, values out; no I/O.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from plansmith.plan.ids import ItemId
from plansmith.plan.model import PhaseNode, Plan, Task
from plansmith.plan.parser import _TASK  # the parser's own pattern: one definition of a task line
from plansmith.plan.progress import is_done
from plansmith.plan.waves import compute_waves

CHARS_PER_TOKEN = 4
# A backticked span that names a file: a relative path with a folder or an extension, no spaces.
_BACKTICKED = re.compile(r"`([^`\s]+)`")
_PATH = re.compile(r"^(?:\./)?(?:[\w.@+-]+/)*[\w@+-][\w.@+-]*(?:/|\.[A-Za-z0-9]{1,10})$")
_LINE_SUFFIX = re.compile(r":\d+(?:-\d+)?$")  # `src/app.py:42` names src/app.py


def task_line_text(line: str) -> str | None:
    """The text of a task line (``- [x] text`` -> ``text``) as the parser reads it, else None; what
    ``verify`` matches a task's first appearance in history by, whatever its box said then."""
    match = _TASK.match(line) if "[" in line else None
    return None if match is None else (match.group(2) or "").strip()


def task_files(text: str) -> tuple[str, ...]:
    """The files a task names in backticks: ``src/app.py``, ``docs/``, ``pyproject.toml`` (not
    ``--flag``, ``foo()``, ``x = 1``, URLs or version numbers like ``3.11``)."""
    found: list[str] = []
    for span in _BACKTICKED.findall(text):
        span = _LINE_SUFFIX.sub("", span)
        if "://" in span or span.startswith(("-", "/", "~")) or not _PATH.match(span):
            continue
        if re.fullmatch(r"[\d.]+", span):
            continue
        path = span.removeprefix("./").rstrip("/")
        if path and path not in found:
            found.append(path)
    return tuple(found)


@dataclass(frozen=True, slots=True)
class ReadyTask:
    path: str  # the file the task line is in
    line: int  # 1-based
    text: str
    files: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        return {"line": self.line, "path": self.path, "text": self.text, "files": list(self.files)}

    def lines(self) -> list[str]:
        """How ``plansmith next`` shows the task."""
        shown = [f"  - [ ] {self.text}  ({self.path}:{self.line})"]
        if self.files:
            shown.append(f"        files: {', '.join(self.files)}")
        return shown

    @property
    def cost(self) -> int:
        """About how many tokens the task takes as shown (:meth:`lines`)."""
        return math.ceil(sum(len(line) + 1 for line in self.lines()) / CHARS_PER_TOKEN)


@dataclass(frozen=True, slots=True)
class ReadyPhase:
    plan: str  # the plan's main file
    number: ItemId
    title: str
    wave: int | None  # 1-based; None when the plan's dependencies have a cycle
    tasks: tuple[ReadyTask, ...]

    @property
    def id(self) -> str:
        return f"phase_{self.number}"

    def heading(self) -> str:
        """How ``plansmith next`` introduces the phase."""
        wave = f" (wave {self.wave})" if self.wave is not None else ""
        return f"{self.plan}: phase {self.number}: {self.title}{wave}"

    @property
    def cost(self) -> int:
        return math.ceil((len(self.heading()) + 1) / CHARS_PER_TOKEN)

    def as_json(self) -> dict[str, object]:
        return {
            "plan": self.plan,
            "id": self.id,
            "phase": self.number.as_json(),
            "title": self.title,
            "wave": self.wave,
            "tasks": [t.as_json() for t in self.tasks],
        }


def _open(path: str, tasks: Iterable[Task]) -> list[ReadyTask]:
    return [ReadyTask(path, t.index + 1, t.text, task_files(t.text)) for t in tasks if not t.checked]


def _open_tasks(phase: PhaseNode) -> list[ReadyTask]:
    """The phase's open tasks: its own, then those of each stage whose stage dependencies are done."""
    content = phase.content
    spans = [(s.section.start, s.section.end) for s in phase.stages]
    own = [t for t in content.tasks if not any(a <= t.index < b for a, b in spans)]
    found = _open(phase.content_path, own)
    done_stages = {s.number for s in phase.stages if is_done(s)}
    for stage in phase.stages:
        if stage.number in done_stages:
            continue
        known = [d for d in stage.dependencies if phase.stage(d) is not None]
        if all(d in done_stages for d in known):
            found += _open(stage.content_path, stage.content.tasks)
    return found


def ready_phases(plan: Plan) -> list[ReadyPhase]:
    """Phases not done whose every (existing) dependency is done by its boxes, in wave order."""
    waves = compute_waves({p.number: list(p.dependencies) for p in plan.phases})
    wave_of = {n: k for k, wave in enumerate(waves.waves or (), 1) for n in wave}
    done = {p.number for p in plan.phases if is_done(p)}
    ready: list[ReadyPhase] = []
    for phase in plan.phases:
        if phase.number in done:
            continue
        known = [d for d in phase.dependencies if plan.phase(d) is not None and d != phase.number]
        if all(d in done for d in known):
            tasks = tuple(_open_tasks(phase))
            ready.append(
                ReadyPhase(plan.main_path, phase.number, phase.title, wave_of.get(phase.number), tasks)
            )
    return sorted(ready, key=lambda r: (r.wave or 0, r.number))


def in_wave_order(phases: Iterable[ReadyPhase]) -> list[ReadyPhase]:
    """Ready phases of several plans: wave by wave, then plan by plan, then phase by phase."""
    return sorted(phases, key=lambda r: (r.wave or 0, r.plan, r.number))


def trim_to_budget(phases: Sequence[ReadyPhase], budget: int | None) -> tuple[list[ReadyPhase], int]:
    """The phases cut to about ``budget`` tokens, whole tasks only, in order; and how many tasks were
    left out. A phase none of whose tasks fit is left out (its tasks counted)."""
    if budget is None:
        return list(phases), 0
    kept: list[ReadyPhase] = []
    spent, left_out, full = 0, 0, False
    for phase in phases:
        taken: list[ReadyTask] = []
        for task in phase.tasks:
            extra = task.cost + (0 if taken else phase.cost)
            if full or spent + extra > budget:
                full = True
                left_out += 1
                continue
            spent += extra
            taken.append(task)
        if taken or (not phase.tasks and not full and spent + phase.cost <= budget):
            spent += 0 if taken else phase.cost
            kept.append(replace(phase, tasks=tuple(taken)))
    return kept, left_out
