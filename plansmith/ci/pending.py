"""A proposal a ``plansmith ci`` run made and has not pushed yet, as a value.

The runner (:mod:`plansmith.ci.runner`) makes them; the review requests
(:mod:`plansmith.ci.review_requests`) describe them. It lives apart from both so that neither imports
the other for it. A plain value: it must not run git or hold any logic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from plansmith.engine.coordinator import RunOutcome
    from plansmith.plan.roots import PlanRef


@dataclass
class Pending:
    """A proposal made by this run, not pushed yet."""

    id: str
    branch: str
    commit: str
    plan: PlanRef
    digest: str
    expected: str | None  # the remote's value of the branch when the run fetched it
    outcome: RunOutcome
