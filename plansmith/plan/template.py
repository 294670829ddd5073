"""The built-in template planner: a valid level-0 plan skeleton from a one-line description.

Pure: text in, text out. The shell computes the plan number (:func:`next_plan_number` over the names it
knows) and the date, and passes them in, so the same inputs always give the same plan.

The description is data, never structure: it is folded to one line of printable characters before it
goes anywhere, so a description holding ``### Phase 9: ...``, a code fence or an HTML block cannot add
headings or hide the phases, and its slug (see :func:`~plansmith.plan.layout.slugify`) cannot leave the
plans folder.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass

from plansmith.plan.layout import PLAN_NAME, slugify

TITLE_MAX = 72
OVERVIEW_MAX = 4000
PARTS_MAX = 4
FALLBACK_SLUG = "plan"
FALLBACK_TITLE = "Untitled change"

_SPACE = re.compile(r"\s+")
_SPLIT = re.compile(r"\s*(?:[,;]|\bthen\b)\s*", re.IGNORECASE)
_NUMBER = re.compile(r"^(\d+)")


@dataclass(frozen=True, slots=True)
class PhaseTemplate:
    title: str
    objective: str
    dependencies: tuple[int, ...]
    tasks: tuple[str, ...]


def one_line(text: str, limit: int | None = None) -> str:
    """``text`` as one line: control characters dropped, runs of white space made one space, trimmed;
    cut at ``limit`` characters (ending in ``...``) when longer."""
    printable = "".join(ch if ch.isprintable() or ch.isspace() else " " for ch in text)
    line = _SPACE.sub(" ", printable).strip()
    if limit is not None and len(line) > limit:
        line = line[: max(limit - 3, 1)].rstrip() + "..."
    return line


def _inline(text: str) -> str:
    """Text for the inside of a line plansmith writes (never at its start, so it cannot open a heading,
    a list item, a fence or an HTML block): no backticks, and no ``[...]`` that would read as a status
    marker, a task box or a dependency list."""
    text = text.replace("`", "'")
    text = re.sub(r"\[([^\]]*)\]", r"(\1)", text)
    return text


def plan_title(description: str) -> str:
    title = _inline(one_line(description, TITLE_MAX))
    return title or FALLBACK_TITLE


def plan_slug(description: str) -> str:
    """The file-name part of the plan: ``slugify`` of the description, never empty."""
    return slugify(one_line(description)) or FALLBACK_SLUG


def plan_name(number: int, description: str) -> str:
    """``NNN_slug`` (at least three digits)."""
    if number < 0:
        raise ValueError("a plan number is not negative")
    return f"{number:03d}_{plan_slug(description)}"


def plan_path(plans_dir: str, number: int, description: str) -> str:
    """``<plans_dir>/NNN_slug.md`` (a repository-relative POSIX path)."""
    return posixpath.join(plans_dir.strip("/"), plan_name(number, description) + ".md")


def next_plan_number(names: Iterable[str]) -> int:
    """One more than the highest ``NNN`` among plan names like ``001_feature`` (1 when there is none)."""
    numbers = [int(m.group(1)) for name in names if PLAN_NAME.match(name) and (m := _NUMBER.match(name))]
    return max(numbers, default=0) + 1


def description_parts(description: str) -> list[str]:
    """The parts of a description (split at commas, semicolons and "then"), at most four, each one
    line: the core implementation tasks."""
    parts: list[str] = []
    for raw in _SPLIT.split(one_line(description)):
        part = _inline(one_line(raw, TITLE_MAX))
        if part and part.lower() not in (p.lower() for p in parts):
            parts.append(part)
        if len(parts) == PARTS_MAX:
            break
    return parts


def phases_for(description: str) -> list[PhaseTemplate]:
    """Five phases: research and design, core implementation, tests, documentation, release."""
    title = plan_title(description)
    parts = description_parts(description) or [title]
    core = tuple(f"Implement: {part}" for part in parts)
    return [
        PhaseTemplate(
            "Research and design",
            f"Understand what '{title}' needs and decide on the approach",
            (),
            (
                f"Collect the requirements of: {title}",
                "Read the code and the documents this change touches",
                "Write down the design, its risks and the open questions",
            ),
        ),
        PhaseTemplate(
            "Core implementation",
            f"Build '{title}'",
            (1,),
            (*core, "Handle errors and edge cases", "Keep the change behind a small, clear interface"),
        ),
        PhaseTemplate(
            "Tests",
            "Show that the change works and keeps working",
            (2,),
            (
                "Add unit tests for the new behaviour",
                f"Add an end-to-end test of: {title}",
                "Run the whole test suite",
            ),
        ),
        PhaseTemplate(
            "Documentation",
            "Tell users and developers what changed",
            (2,),
            (f"Document: {title}", "Add a changelog entry"),
        ),
        PhaseTemplate(
            "Release",
            "Ship the change",
            (3, 4),
            ("Review the whole change", "Release it and check it in use"),
        ),
    ]


def render_plan(description: str, number: int, date: str) -> str:
    """A valid level-0 plan (title, Metadata, Overview, phases with Objective, Dependencies, tasks)."""
    title = plan_title(description)
    overview = _inline(one_line(description, OVERVIEW_MAX)) or FALLBACK_TITLE
    lines = [
        f"# Plan: {title}",
        "",
        "## Metadata",
        f"- **Date**: {one_line(date) or 'unknown'}",
        f"- **Plan Number**: {number:03d}",
        "- **Structure Level**: 0",
        "- **Expanded Phases**: []",
        "- **Status**: [NOT STARTED]",
        "",
        "## Overview",
        "",
        f"Description: {overview}",
        "",
        "This plan was written by plansmith's template planner. Refine the phases and tasks before work "
        "starts.",
        "",
    ]
    for n, phase in enumerate(phases_for(description), 1):
        deps = ", ".join(str(d) for d in phase.dependencies)
        lines += [
            f"### Phase {n}: {phase.title} [NOT STARTED]",
            f"**Objective**: {phase.objective}",
            f"**Dependencies**: [{deps}]",
            "",
            "Tasks:",
            *(f"- [ ] {task}" for task in phase.tasks),
            "",
        ]
    return "\n".join(lines)
