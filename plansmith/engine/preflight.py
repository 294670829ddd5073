"""What is decided about an expand/collapse request before a run starts (no run folder, no worktree).

- an item the plan does not have is refused, naming the items it has; so is a phase a field folder's
  main file only lists in a table (there is no heading to expand it from or collapse it into);
- an item in the wrong state is refused the same way: collapsing an inline item (``not-expanded``),
  expanding one that has its own file (``already-expanded``), with a hint naming what can be done;
- a plan whose file name cannot be written into a commit (a newline in it) is refused, on its own;
- plan content the user rejected before is not proposed again by ``--auto-analysis`` or the daemon,
  both of which ask :func:`rejected_before` (one check, so the two can never disagree).

Reads the rejection memory; writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from plansmith.errors import ItemAlreadyExpandedError, ItemNotExpandedError, PlanError, UnknownItemError
from plansmith.git_backend import rejections
from plansmith.plan.layout import PlanLocation
from plansmith.plan.names import name_problem, shown
from plansmith.snapshot import plan_digest

if TYPE_CHECKING:
    from plansmith.git_backend.repo import RepoPaths
    from plansmith.plan.ids import IdLike
    from plansmith.plan.model import PhaseNode, Plan, StageNode

REJECTED = "rejected before for this content"


def rejected_before(repo: RepoPaths, loc: PlanLocation, files: Mapping[str, str]) -> bool:
    """Whether the user rejected a proposal made from exactly these committed plan files.

    Such content is not proposed again until it changes. An item the user names on the command line is
    always run: they asked for it.
    """

    return rejections.is_rejected(repo, loc.main_path, plan_digest(files, loc))


def require_usable_name(loc: PlanLocation) -> None:
    """Refuse a plan whose path cannot go into a proposal commit's subject and trailers (see
    :mod:`plansmith.plan.names`); nothing has been written yet."""

    problem = name_problem(loc.main_path)
    if problem is not None:
        raise PlanError(
            f"plansmith cannot propose changes to this plan: {problem}",
            hint="rename the plan file (git mv) to a name without control characters, then commit",
            path=shown(loc.main_path),
        )


def require_item(plan: Plan, phase: IdLike, stage: IdLike | None) -> None:
    """Refuse a phase, or a stage of a phase, that ``plan`` does not have; the hint lists what it has."""
    node = plan.phase(phase)
    if node is not None and node.file is not None and node.holder == node.file:
        raise PlanError(
            f"phase {phase} is listed in the main file's table and kept in its own file {node.file}",
            hint="plansmith expands and collapses the phases that have a heading in the main file",
            path=plan.main_path,
        )
    if node is not None and (stage is None or node.stage(stage) is not None):
        return
    missing = f"phase {phase}" if node is None else f"stage {stage} in phase {phase}"
    listing = "; ".join(
        f"phase {p.number}" + (f" (stages {', '.join(str(s.number) for s in p.stages)})" if p.stages else "")
        for p in plan.phases
    )
    raise UnknownItemError(
        f"there is no {missing}", hint=f"the plan has: {listing or 'no phases'}", path=plan.main_path
    )


def require_item_state(plan: Plan, verb: str, phase: IdLike, stage: IdLike | None) -> None:
    """Refuse an item (known to exist: :func:`require_item` ran) whose state the verb cannot change:
    expanding what is expanded, collapsing what is inline, or a stage of an inline phase."""
    node = plan.phase(phase)
    assert node is not None
    target: PhaseNode | StageNode | None = node if stage is None else node.stage(stage)
    assert target is not None
    name = f"phase {node.number}" if stage is None else f"stage {target.number} of phase {node.number}"
    if verb == "expand" and target.expanded:
        raise ItemAlreadyExpandedError(
            f"{name} is already expanded into {target.file}",
            hint=_what_can_be_done(plan, "expand"),
            path=plan.main_path,
        )
    if verb == "collapse" and not target.expanded:
        raise ItemNotExpandedError(
            f"{name} is not expanded", hint=_what_can_be_done(plan, "collapse"), path=plan.main_path
        )
    if verb == "expand" and stage is not None and not node.expanded:
        raise ItemNotExpandedError(
            f"phase {node.number} is not expanded, so its stages cannot be",
            hint=f"expand the phase first: plansmith expand PLAN phase {node.number}",
            path=plan.main_path,
        )


def _what_can_be_done(plan: Plan, verb: str) -> str:
    """The items ``verb`` can be applied to now, as a hint (or what to do when there are none)."""
    if verb == "collapse":
        names = [f"phase {p.number}" for p in plan.phases if p.expanded]
        names += [f"phase {p.number} stage {s.number}" for p in plan.phases for s in p.stages if s.expanded]
        if not names:
            return "nothing in this plan is expanded; 'plansmith expand PLAN phase N' splits a phase out"
        return f"expanded now: {', '.join(names)} (plansmith collapse PLAN <item>)"
    names = [f"phase {p.number}" for p in plan.phases if not p.expanded]
    names += [
        f"phase {p.number} stage {s.number}"
        for p in plan.phases
        if p.expanded
        for s in p.stages
        if not s.expanded
    ]
    if not names:
        return "everything in this plan is expanded; 'plansmith collapse PLAN phase N' merges one back"
    return f"can be expanded now: {', '.join(names)} (plansmith expand PLAN <item>)"
