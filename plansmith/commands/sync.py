"""``plansmith sync [PLAN] [--yes|--dry-run]``: propose the status markers the boxes say, as a proposal.

Works on the committed plan (every committed plan when PLAN is omitted) through
:mod:`plansmith.engine.sync`; the result is a branch ``plansmith/<id>`` to approve or reject like any
proposal. Nothing here writes anything. It must not hold engine logic: it only turns arguments into
calls and prints results.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from plansmith import discovery
from plansmith.commands.common import EXIT_OK, emit_json, open_workspace, plan_arg
from plansmith.discovery import committed_texts
from plansmith.engine.coordinator import confirm as go_ahead
from plansmith.engine.sync import run_sync
from plansmith.errors import UsageError
from plansmith.terminal.reporting import ask_to_proceed

if TYPE_CHECKING:
    from plansmith.engine.sync import SyncOutcome
    from plansmith.plan.roots import PlanRef
    from plansmith.workspace import Workspace


def committed_refs(ws: Workspace, plan: str | None) -> tuple[dict[str, str], list[PlanRef]]:
    """The committed plan files and the plans to sync: the one PLAN names, or all of them."""

    repo = ws.require_repo()
    files = committed_texts(repo, ws.plan_roots, ws.settings.limits.max_plan_bytes)
    refs = discovery.catalog(files, patterns=ws.plan_roots)
    if plan is None:
        return files, refs
    arg = plan_arg(ws, plan)
    ref = discovery.locate(refs, ws.plan_roots, arg, ws.rel_or_none(arg))
    if ref is None:
        raise discovery.unknown_plan(
            plan, refs, what="committed plan", hint="plansmith syncs committed plans: commit the plan first"
        )
    return files, [ref]


def sync_outcomes(
    ws: Workspace, plan: str | None, *, dry_run: bool, confirm: bool, interactive: bool
) -> list[SyncOutcome]:
    def question(outcome: SyncOutcome) -> bool:
        if interactive:  # without a terminal the refusal says what to do; stdout may be JSON
            _show(outcome)
        return go_ahead(interactive, ask=ask_to_proceed)

    files, refs = committed_refs(ws, plan)
    return [
        run_sync(
            ws, ref.location, files, plan_id=ref.id, dry_run=dry_run, confirm=question if confirm else None
        )
        for ref in refs
    ]


def _show(outcome: SyncOutcome) -> None:
    print(f"{outcome.plan}: {len(outcome.changes)} status marker{'s' if len(outcome.changes) != 1 else ''}")
    for change in outcome.changes:
        print(f"  {change.path}:{change.line}")
        print(f"    - {change.before}")
        print(f"    + {change.after}")


def _report(outcome: SyncOutcome) -> None:
    if not outcome.changes:
        print(f"{outcome.plan}: every status marker tells the truth")
        return
    if outcome.dry_run:
        _show(outcome)
        print("dry run: nothing was changed")
    elif outcome.skipped is not None:
        print(f"skipped {outcome.plan}: {outcome.skipped}")
    elif outcome.proposal is not None:
        p = outcome.proposal
        print(f"proposal {p.id} on branch {p.branch} ({p.commit[:10]})")
        print(f"  approve: plansmith proposals approve {p.id}   (or: git merge {p.branch})")
        print(f"  reject:  plansmith proposals reject {p.id}    (or: git branch -D {p.branch})")


def main(args: argparse.Namespace) -> int:
    if args.yes and args.dry_run:
        raise UsageError("--yes and --dry-run do not go together; choose one")
    ws = open_workspace(args.repo)
    interactive = sys.stdin.isatty() and not args.json
    confirm = not (args.yes or args.dry_run or (args.json and not sys.stdin.isatty()))
    outcomes = sync_outcomes(ws, args.plan, dry_run=args.dry_run, confirm=confirm, interactive=interactive)
    if args.json:
        emit_json({"plans": [o.as_json() for o in outcomes if o.changes]})
        return EXIT_OK
    for outcome in outcomes:
        if outcome.changes or args.plan is not None:
            _report(outcome)
    if not any(o.changes for o in outcomes) and args.plan is None:
        print("every status marker tells the truth")
    return EXIT_OK
