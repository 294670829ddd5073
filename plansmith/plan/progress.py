"""Progress as the boxes tell it: which phases and stages are done, and where a status marker lies.

A phase or stage is **done** when it has tasks and every one is ticked (an expanded item: its file's
tasks; a phase with stages: its own tasks and every stage done). A heading's status marker (the text
:attr:`Section.status` holds, as written, without brackets) is classified by :func:`classify_marker`;
a marker that says done over open boxes, or not-started/in-progress over all boxes ticked, is
**drift**, as is an expanded item whose stub heading and file title say different things.
:func:`sync_edits` computes the byte-minimal fix: only the marker text of drifted headings changes,
in the plan's own marker style. Pure: text in, values out; no I/O, no git, no clock.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from plansmith.plan.model import Document, PhaseNode, Plan, Section, StageNode, Task
from plansmith.plan.problems import Problem, problem

MarkerClass = Literal["done", "in_progress", "not_started", "skipped", "unknown"]
BoxState = Literal["done", "in_progress", "not_started", "empty"]

_DONE_SIGNS = ("✅", "✔", "✓", "☑", "🟢")
_PROGRESS_SIGNS = ("🚧", "🔄", "⏳", "🟡", "🏗")
_NOT_STARTED_SIGNS = ("⬜", "⏸", "🔲", "🔴")
_SKIPPED_SIGNS = ("⏭", "🚫")
# Checked in this order: negative phrases before the words they contain ("NOT STARTED", "INCOMPLETE").
_WORD_CLASSES: tuple[tuple[MarkerClass, re.Pattern[str]], ...] = (
    (
        "not_started",
        re.compile(
            r"\b(?:not[ _-]+(?:yet[ _-]+)?(?:started|begun|done|complete[d]?)|incomplete|todo|to[ _-]do"
            r"|pending|planned|backlog|open|queued)\b"
        ),
    ),
    (
        "skipped",
        re.compile(
            r"\b(?:skip(?:ped)?|cancel+ed|deferred|dropped|obsolete|superseded|won'?t[ _-]?(?:do|fix)|n/a)\b"
        ),
    ),
    (
        "in_progress",
        re.compile(
            r"\b(?:in[ _-]+progress|wip|ongoing|underway|partial(?:ly)?(?:[ _-]+(?:done|complete[d]?))?"
            r"|started|in[ _-]+review|review)\b"
        ),
    ),
    ("done", re.compile(r"\b(?:complete[d]?|done|finished|implemented|shipped|merged|resolved|closed)\b")),
)
_BOX_CLASSES: dict[str, MarkerClass] = {
    "x": "done",
    "X": "done",
    " ": "not_started",
    "~": "in_progress",
    "/": "in_progress",
    "-": "skipped",
}
_TRAILING_NOTE = re.compile(r"[ \t]*\([^()]*\)[ \t]*$")  # "(2026-01-02)" after a marker: a date, a note
DEFAULT_MARKERS: dict[BoxState, str] = {
    "done": "COMPLETE",
    "in_progress": "IN PROGRESS",
    "not_started": "NOT STARTED",
}


def _is_box(marker: str) -> bool:
    """A heading box's mark (``x``, `` ``, ``~``): one ASCII character, not an emoji."""
    return len(marker) == 1 and marker.isascii()


def classify_marker(marker: str | None) -> MarkerClass:
    """What a status marker says, from its text as written without brackets.

    ``"COMPLETED"``, ``"✅ COMPLETED (2026-01-02)"``, ``"DONE"`` and the heading box ``"x"`` say done;
    ``" "`` (an empty heading box) and ``"NOT STARTED"`` not started; ``"~"``, ``"IN PROGRESS"`` in
    progress; ``"SKIPPED"`` skipped. Anything else (``"BLOCKED"``, ``"P1"``, no marker) is unknown: it
    is never judged."""
    if marker is None:
        return "unknown"
    if _is_box(marker):  # a heading box: "[x] Phase 1", "[ ] Phase 2", "[~] Phase 3"
        return _BOX_CLASSES.get(marker, "unknown")
    signs_and_classes: tuple[tuple[tuple[str, ...], MarkerClass], ...] = (
        (_DONE_SIGNS, "done"),
        (_PROGRESS_SIGNS, "in_progress"),
        (_NOT_STARTED_SIGNS, "not_started"),
        (_SKIPPED_SIGNS, "skipped"),
    )
    for signs, found in signs_and_classes:
        if any(sign in marker for sign in signs):
            return found
    words = marker.lower()
    for found_class, pattern in _WORD_CLASSES:
        if pattern.search(words):
            return found_class
    return "unknown"


def box_state(tasks: tuple[Task, ...] | list[Task]) -> BoxState:
    """``done`` (tasks, all ticked), ``in_progress`` (some), ``not_started`` (none), ``empty`` (no tasks)."""
    if not tasks:
        return "empty"
    ticked = sum(1 for t in tasks if t.checked)
    return "done" if ticked == len(tasks) else "in_progress" if ticked else "not_started"


def _own_tasks(content: Section, stages: tuple[StageNode, ...]) -> list[Task]:
    """The tasks of a phase's content outside its stages' sections (those count with the stages).
    Every stage section (inline, or the stub of an expanded stage) lives in the phase's content."""
    spans = [(s.section.start, s.section.end) for s in stages]
    return [t for t in content.tasks if not any(a <= t.index < b for a, b in spans)]


@dataclass(frozen=True, slots=True)
class ItemProgress:
    """Ticked and total tasks of a phase or stage, and what the boxes say."""

    ticked: int
    total: int
    state: BoxState

    @property
    def done(self) -> bool:
        return self.state == "done"


def stage_progress(stage: StageNode) -> ItemProgress:
    tasks = stage.content.tasks
    return ItemProgress(sum(1 for t in tasks if t.checked), len(tasks), box_state(tasks))


def phase_progress(phase: PhaseNode) -> ItemProgress:
    """A phase with stages is done when its own tasks are all ticked and every stage is done."""
    if not phase.stages:
        tasks = phase.content.tasks
        return ItemProgress(sum(1 for t in tasks if t.checked), len(tasks), box_state(tasks))
    own = _own_tasks(phase.content, phase.stages)
    parts = [stage_progress(s) for s in phase.stages]
    ticked = sum(1 for t in own if t.checked) + sum(p.ticked for p in parts)
    total = len(own) + sum(p.total for p in parts)
    if total == 0:
        state: BoxState = "empty"
    elif all(p.done for p in parts) and all(t.checked for t in own):
        state = "done"
    else:
        state = "in_progress" if ticked else "not_started"
    return ItemProgress(ticked, total, state)


def item_progress(item: PhaseNode | StageNode) -> ItemProgress:
    return phase_progress(item) if isinstance(item, PhaseNode) else stage_progress(item)


def is_done(item: PhaseNode | StageNode) -> bool:
    """Done by its boxes; an item without tasks is done only when its marker says done or skipped
    (the boxes cannot tell, and a dependency on it would otherwise never be met)."""
    progress = item_progress(item)
    if progress.state == "empty":
        return classify_marker(item.status) in ("done", "skipped")
    return progress.done or classify_marker(item.status) == "skipped"


@dataclass(frozen=True, slots=True)
class Drift:
    """One heading whose marker disagrees with the boxes (``wanted`` set) or with the item's other
    heading (``wanted`` None: the boxes cannot settle it)."""

    path: str
    line: int  # 1-based line of the heading
    item: str  # "phase 3", "phase 3 stage 2"
    id: str  # "phase_3", "phase_3_stage_2"
    marker: str
    wanted: BoxState | None
    message: str

    def as_problem(self) -> Problem:
        return problem(self.path, self.line, "status-drift", self.message)


def _headings(item: PhaseNode | StageNode) -> Iterator[tuple[str, Section]]:
    """The item's headings: the inline section or stub in its holder, and its file's title."""
    yield item.holder, item.section
    if item.document is not None and item.document.root is not None:
        yield item.document.path, item.document.root


def _name(item: PhaseNode | StageNode) -> str:
    return (
        f"phase {item.number}" if isinstance(item, PhaseNode) else f"phase {item.phase} stage {item.number}"
    )


def _box_words(progress: ItemProgress) -> str:
    open_ = progress.total - progress.ticked
    return f"{open_} of {progress.total} tasks {'is' if open_ == 1 else 'are'} open"


def item_drift(item: PhaseNode | StageNode) -> list[Drift]:
    """Drift of one phase or stage (see the module doc)."""
    progress = item_progress(item)
    name, found = _name(item), []
    for path, section in _headings(item):
        marker = section.status
        said = classify_marker(marker)
        if marker is None or said in ("unknown", "skipped") or progress.state == "empty":
            continue
        if said == "done" and not progress.done:
            wanted: BoxState = "in_progress" if progress.ticked else "not_started"
            why = f"{name} is marked {marker.strip()} but {_box_words(progress)}"
            found.append(
                Drift(
                    path,
                    section.start + 1,
                    name,
                    item.id,
                    marker,
                    wanted,
                    why + "; tick them or fix the marker",
                )
            )
        elif said != "done" and progress.done:
            boxes = "its one task is" if progress.total == 1 else f"all {progress.total} tasks are"
            why = f"{name} is marked {marker.strip()} but {boxes} ticked"
            found.append(
                Drift(path, section.start + 1, name, item.id, marker, "done", why + "; mark it complete")
            )
    found += _stub_and_file(item, name)
    return found


def _stub_and_file(item: PhaseNode | StageNode, name: str) -> list[Drift]:
    """An expanded item whose stub heading and file title say different things (both with a marker)."""
    if item.document is None or item.document.root is None:
        return []
    stub, title = item.section.status, item.document.root.status
    if stub is None or title is None or classify_marker(stub) == classify_marker(title):
        return []
    if "unknown" in (classify_marker(stub), classify_marker(title)):
        return []
    message = (
        f"{name} is marked {stub.strip()} here but {title.strip()} in {item.document.path}; "
        "make the two headings agree"
    )
    return [Drift(item.holder, item.section.start + 1, name, item.id, stub, None, message)]


def plan_drift(plan: Plan) -> list[Drift]:
    """Every drift of a plan, phases and stages, in plan order."""
    return [d for item in plan.items() for d in item_drift(item)]


def drift_problems(plan: Plan) -> list[Problem]:
    """:func:`plan_drift` as ``status-drift`` warnings for ``validate``; one per heading."""
    seen: set[tuple[str, int]] = set()
    problems = []
    for d in plan_drift(plan):
        if (d.path, d.line) not in seen:
            seen.add((d.path, d.line))
            problems.append(d.as_problem())
    return problems


# --- sync: the markers made true -----------------------------------------------------------------


def marker_style(plan: Plan) -> dict[BoxState, str]:
    """The marker the plan itself writes for each state: its most common word marker of that class
    (a trailing note such as a date removed), else :data:`DEFAULT_MARKERS`."""
    seen: dict[BoxState, Counter[str]] = {state: Counter() for state in DEFAULT_MARKERS}
    for doc in plan.documents:
        for section in _sections_of(doc):
            marker = section.status
            said = classify_marker(marker)
            if marker is None or _is_box(marker):
                continue
            for state, counter in seen.items():
                if said == state:
                    counter[_TRAILING_NOTE.sub("", marker).strip()] += 1
    return {state: (c.most_common(1)[0][0] if c else DEFAULT_MARKERS[state]) for state, c in seen.items()}


def _sections_of(doc: Document) -> Iterator[Section]:
    roots = [doc.root] if doc.root is not None else []
    for section in (*roots, *doc.sections):
        yield section
        yield from section.children


def _new_marker(marker: str, wanted: BoxState, style: Mapping[BoxState, str]) -> str:
    if _is_box(marker):  # a heading box stays a box
        return "x" if wanted == "done" else " "
    return style[wanted]


def _replace_marker(line: str, marker: str, new: str) -> str | None:
    """``line`` with the marker text replaced, nothing else; None when it cannot be found."""
    # A heading box comes first ("### [x] Phase 1"); a word marker last ("... [COMPLETE]").
    boxed = line.find(f"[{marker}]") if _is_box(marker) else line.rfind(f"[{marker}]")
    if boxed >= 0:
        return line[: boxed + 1] + new + line[boxed + 1 + len(marker) :]
    at = line.rfind(marker)
    if at < 0 or _is_box(marker):
        return None
    return line[:at] + new + line[at + len(marker) :]


def sync_edits(plan: Plan, files: Mapping[str, str], *, only_done: bool = False) -> dict[str, str]:
    """The plan's files with the marker of every drifted heading made true; only those files, and in
    them only the marker text changes. A heading without a marker gets none, and a disagreement the
    boxes cannot settle (no tasks) is left to the user. ``only_done``: only the items whose boxes are
    all ticked (what the daemon offers when a commit ticks a phase's last box)."""
    style = marker_style(plan)
    by_path: dict[str, list[Drift]] = {}
    for d in plan_drift(plan):
        if d.wanted is not None and d.wanted != "empty" and (d.wanted == "done" or not only_done):
            by_path.setdefault(d.path, []).append(d)
    changed: dict[str, str] = {}
    docs = {doc.path: doc for doc in plan.documents}
    for path, drifts in by_path.items():
        doc = docs.get(path)
        if doc is None or path not in files:
            continue
        lines = list(doc.lines)
        for d in drifts:
            assert d.wanted is not None and d.wanted != "empty"
            new = _replace_marker(lines[d.line - 1], d.marker, _new_marker(d.marker, d.wanted, style))
            if new is not None:
                lines[d.line - 1] = new
        text = "".join(lines)
        if text != files[path]:
            changed[path] = text
    return changed


# --- a plan at a glance (``plansmith status``) ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanProgress:
    plan: str  # the main file
    ticked: int
    total: int
    wave: int | None  # the first wave (1-based) with a phase not done; None when all are done or a cycle
    waves: int
    drift: int  # headings whose marker the boxes contradict

    def as_json(self) -> dict[str, object]:
        return {
            "plan": self.plan,
            "done": self.ticked,
            "total": self.total,
            "wave": self.wave,
            "waves": self.waves,
            "drift": self.drift,
        }

    def render(self) -> str:
        wave = f"wave {self.wave} of {self.waves}" if self.wave is not None else "all waves done"
        drift = f", {self.drift} status drift" if self.drift else ""
        return f"{self.plan}: {self.ticked}/{self.total} tasks done, {wave}{drift}"


def plan_progress(plan: Plan) -> PlanProgress:
    from plansmith.plan.waves import compute_waves

    parts = [phase_progress(p) for p in plan.phases]
    waves = compute_waves({p.number: list(p.dependencies) for p in plan.phases}).waves or ()
    done = {p.number for p in plan.phases if is_done(p)}
    current = next((k for k, wave in enumerate(waves, 1) if any(n not in done for n in wave)), None)
    return PlanProgress(
        plan.main_path,
        sum(p.ticked for p in parts),
        sum(p.total for p in parts),
        current,
        len(waves),
        len(drift_problems(plan)),
    )
