"""The one check that a person's structure decision stands: an item they collapsed or expanded is not
reversed until its text changes.

Asked by the coordinator for every automatic run; the memory is
:func:`plansmith.git_backend.rejections.update_structure`. It decides only which items to leave alone;
it must not run anything or print.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from plansmith.git_backend import rejections
from plansmith.plan.structure import flipped, item_states

if TYPE_CHECKING:
    from plansmith.engine.items import RunItem, Verb
    from plansmith.git_backend.repo import RepoPaths
    from plansmith.plan.complexity import Analysis
    from plansmith.plan.layout import PlanLocation
    from plansmith.plan.model import Plan


def leave_decided_alone(
    repo: RepoPaths, loc: PlanLocation, plan: Plan, analysis: Analysis, items: list[RunItem], verb: Verb
) -> tuple[list[RunItem], list[str]]:
    """``items`` without those that would reverse a person's structure decision, and why each was left
    alone. Notes the structure seen now: an item whose structure changed since the last automatic look
    was changed by a person (plansmith never writes their branch unless they approve), which is a
    decision that stands while the item's text stays the same."""
    now = item_states(plan)

    def update(
        seen: rejections.Seen, decided: rejections.Decisions
    ) -> tuple[rejections.Seen, rejections.Decisions]:
        standing = {
            item: d
            for item, d in decided.items()
            if item in now
            and now[item].as_json() == {"expanded": d.get("expanded"), "digest": d.get("digest")}
        }
        for item, state in flipped(seen, now).items():
            standing[item] = state.as_json() | {"decided_at": rejections.now_iso()}
        return {item: state.expanded for item, state in now.items()}, standing

    decided = rejections.update_structure(repo, loc.folder or loc.main_path.removesuffix(".md"), update)
    scores = {it.id: it.score for it in analysis.items}
    kept: list[RunItem] = []
    left: list[str] = []
    for item in items:
        if item.id not in decided:
            kept.append(item)
            continue
        done = "expanded" if decided[item.id]["expanded"] else "collapsed"
        name = item.id.replace("_", " ")
        left.append(
            f"{name} scores {scores.get(item.id, 0.0):.1f} but you {done} it; "
            f"it is not {verb}ed again until its content changes"
        )
    return kept, left
