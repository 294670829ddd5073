"""What is decided about an expand/collapse request before a run starts (no run folder, no worktree).

- an item the plan does not have is refused, naming the items it has; so is a phase a field folder's
  main file only lists in a table (there is no heading to expand it from or collapse it into);
- plan content the user rejected before is not proposed again by ``--auto-analysis`` or the daemon,
  both of which ask :func:`rejected_before` (one check, so the two can never disagree).

Reads the rejection memory; writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from plansmith.errors import PlanError, UnknownItemError
from plansmith.plan.layout import PlanLocation, plan_files

if TYPE_CHECKING:
    from plansmith.git_backend.repo import RepoPaths
    from plansmith.plan.ids import IdLike
    from plansmith.plan.model import Plan

REJECTED = "rejected before for this content"


def rejected_before(repo: RepoPaths, loc: PlanLocation, files: Mapping[str, str]) -> bool:
    """Whether the user rejected a proposal made from exactly these committed plan files.

    Such content is not proposed again until it changes. An item the user names on the command line is
    always run: they asked for it.
    """
    from plansmith.git_backend import rejections

    own = {path: text.encode("utf-8") for path, text in plan_files(files, loc).items()}
    return rejections.is_rejected(repo, loc.main_path, rejections.plan_content_hash(own))


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
