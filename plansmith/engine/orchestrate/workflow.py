"""The orchestrate workflow as values: its steps, their waves, the run id, which phases to implement.

Steps form a small graph run in waves: three ``research_<topic>`` steps in parallel, ``plan``, ``expand``,
then one ``implement_phase_<id>`` step per chosen phase, layered by the plan's own dependency waves
(the phases of one wave run in parallel). The implement steps are known only once the plan exists, so
they are computed from it (:func:`implement_waves`). Pure: no git, no files, no output.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

from plansmith.errors import UsageError
from plansmith.plan.ids import ItemId, item_name
from plansmith.plan.model import Plan
from plansmith.plan.template import one_line
from plansmith.plan.waves import compute_waves

StepKind = Literal["research", "plan", "expand", "implement"]

SCHEMA = "plansmith.orchestrate/1"
OPERATION = "orchestrate"
NEEDS_AGENT = "needs an agent (configure one: see docs/agents.md)"
IMPLEMENT_PREFIX = "implement_"
RESEARCH_TOPICS: tuple[tuple[str, str], ...] = (
    ("prior_art", "prior art: existing code, libraries and tools this change can reuse"),
    ("risks", "risks: what can go wrong, what the change could break, security and data concerns"),
    ("testing", "testing approach: how to show that the change works and keeps working"),
)
PHASES_USAGE = "--phases takes 'all', phase ids such as '2,3' or '2.5', or 'wave:K' (K from 1)"


@dataclass(frozen=True)
class StepSpec:
    id: str
    kind: StepKind
    deps: tuple[str, ...] = ()
    topic: str = ""
    phase: str = ""  # implement steps: the phase id as the plan writes it


@dataclass(frozen=True)
class PhaseSelection:
    """Which phases the implement steps cover: the first one (default), all, some ids, or one wave."""

    kind: Literal["first", "all", "ids", "wave"] = "first"
    ids: tuple[str, ...] = ()
    wave: int = 0

    def describe(self) -> str:
        if self.kind == "ids":
            return "phases " + ", ".join(self.ids)
        return {"first": "the first phase", "all": "every phase", "wave": f"the phases of wave {self.wave}"}[
            self.kind
        ]


def parse_phases(text: str | None) -> PhaseSelection:
    """``None`` -> the first phase; ``all``; ``2,3`` (ids as written, ``2.5`` too); ``wave:K``."""
    if text is None:
        return PhaseSelection()
    value = text.strip()
    if value == "all":
        return PhaseSelection("all")
    if value.startswith("wave:"):
        number = value.removeprefix("wave:")
        if not number.isdigit() or int(number) < 1:
            raise UsageError(PHASES_USAGE)
        return PhaseSelection("wave", wave=int(number))
    parsed = [ItemId.parse(part.strip()) for part in value.split(",")]
    if not parsed or any(i is None for i in parsed):
        raise UsageError(PHASES_USAGE)
    return PhaseSelection("ids", ids=tuple(str(i) for i in parsed))


def static_steps() -> list[StepSpec]:
    """The steps every run has: research, plan, expand."""
    research = [StepSpec(f"research_{key}", "research", topic=text) for key, text in RESEARCH_TOPICS]
    return [
        *research,
        StepSpec("plan", "plan", tuple(s.id for s in research)),
        StepSpec("expand", "expand", ("plan",)),
    ]


def step_waves(steps: list[StepSpec]) -> list[list[StepSpec]]:
    """The steps layered by their dependencies (a step runs once every step it needs is done)."""
    index = {s.id: n for n, s in enumerate(steps)}
    waves = compute_waves({n: [index[d] for d in s.deps if d in index] for n, s in enumerate(steps)})
    if waves.waves is None:  # the workflow is fixed; a cycle is a programming error
        raise ValueError(f"the workflow has a cycle: {waves.cycle}")
    return [[steps[n] for n in wave] for wave in waves.waves]


def implement_step_id(phase: str) -> str:
    """``implement_phase_2.5``: the plan core's item name of the phase (any other text kept as it is)."""
    parsed = ItemId.parse(phase)
    return IMPLEMENT_PREFIX + (item_name(parsed, None) if parsed is not None else f"phase_{phase}")


def phase_waves(plan: Plan) -> list[list[str]]:
    """The plan's phases layered by their dependencies, in the plan core's order; ids as text.

    A plan whose dependencies form a cycle is one phase per wave, in plan order (validation reports
    the cycle; the plan step only accepts plans that validate)."""
    graph = {p.number: list(p.dependencies) for p in plan.phases}
    waves = compute_waves(graph)
    if waves.waves is None:
        return [[str(p.number)] for p in plan.phases]
    return [[str(n) for n in wave] for wave in waves.waves]


def implement_waves(plan: Plan, selection: PhaseSelection) -> list[list[StepSpec]]:
    """One list of implement steps per plan wave that holds a chosen phase.

    A chosen phase the plan does not have (or a wave past the last) still gets a step, in a last wave
    of its own: the step fails and says so, and the run goes on with the others."""
    waves = phase_waves(plan)
    known = [p for wave in waves for p in wave]
    missing: list[str] = []
    if selection.kind == "first":
        chosen = {str(plan.phases[0].number)} if plan.phases else set()
    elif selection.kind == "all":
        chosen = set(known)
    elif selection.kind == "wave":
        in_range = selection.wave <= len(waves)
        chosen = set(waves[selection.wave - 1]) if in_range else set()
        missing = [] if in_range else [f"wave:{selection.wave}"]
    else:
        chosen = {i for i in selection.ids if i in known}
        missing = [i for i in selection.ids if i not in known]
    deps = {str(p.number): tuple(str(d) for d in p.dependencies) for p in plan.phases}
    steps = [
        [
            StepSpec(implement_step_id(p), "implement", tuple(implement_step_id(d) for d in deps[p]), phase=p)
            for p in wave
            if p in chosen
        ]
        for wave in waves
    ]
    steps.append([StepSpec(implement_step_id(m.replace(":", "_")), "implement", phase=m) for m in missing])
    return [wave for wave in steps if wave]


def run_key(description: str) -> str:
    """The run id of a description: the same description (white space aside) is the same run."""
    return "o" + hashlib.sha256(one_line(description).encode("utf-8")).hexdigest()[:12]


def research_path(plans_dir: str, name: str, step: str) -> str:
    return f"{plans_dir.strip('/')}/research/{name}/{step.removeprefix('research_')}.md"
