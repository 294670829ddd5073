"""``plansmith review PLAN``: the hierarchy review (balance, still-complex items, merge candidates).

Reads the plan from the working tree; changes nothing.
It must not hold engine logic: it only turns arguments into calls and prints results.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from plansmith.commands.common import EXIT_OK, emit_json, open_workspace, plan_arg
from plansmith.plan.review import review_plan
from plansmith.terminal.display import display_for
from plansmith.terminal.output import print_review

if TYPE_CHECKING:
    from plansmith.plan.review import Review
    from plansmith.workspace import Workspace


def review_of(ws: Workspace, plan: str) -> Review:
    return review_plan(ws.plan(plan_arg(ws, plan)), ws.settings.thresholds)


def review_document(ws: Workspace, plan: str) -> dict[str, object]:
    """The ``review --json`` document."""
    return review_of(ws, plan).as_json()


def main(args: argparse.Namespace) -> int:
    review = review_of(open_workspace(args.repo), args.plan)
    if args.json:
        emit_json(review.as_json())
    else:
        print_review(display_for(args), review)
    return EXIT_OK
