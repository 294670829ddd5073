"""``plansmith proposals [list] | show ID | approve ID | reject ID``: thin over the git backend's proposals.

``approve`` is one of the two ways plansmith writes the user's branch (with ``--merge``); the refusal
rules live in :func:`plansmith.git_backend.approve.approve`, not here. ``show`` gathers what a person
needs to judge a proposal (:class:`ProposalDetails`: the analysis before the change, what moved where,
the files and the diff with renames detected; ``--stat`` and large proposals leave the diff out,
``--diff`` keeps it); :mod:`plansmith.terminal.show` prints it.
It must not hold proposal logic: it only turns arguments into calls and prints results.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Literal

from plansmith.commands.common import EXIT_OK, emit_json, open_workspace
from plansmith.errors import PlansmithError, UsageError
from plansmith.git_backend import proposals
from plansmith.git_backend.approve import approve as approve_proposal
from plansmith.git_backend.diffs import folder_move
from plansmith.git_backend.messages import item_moves
from plansmith.git_backend.proposal_details import ProposalDetails
from plansmith.git_backend.rejections import structure_decisions
from plansmith.snapshot import Snapshot
from plansmith.terminal.display import display_for
from plansmith.terminal.output import print_proposals
from plansmith.terminal.show import print_proposal

if TYPE_CHECKING:
    from plansmith.git_backend.diffs import FileChange
    from plansmith.git_backend.proposals import Proposal
    from plansmith.plan.complexity import Analysis
    from plansmith.workspace import Workspace


def proposal_json(p: Proposal) -> dict[str, object]:
    return {
        "id": p.id,
        "branch": p.branch,
        "plan": p.plan,
        "operation": p.operation,
        "items": list(p.items),
        "base": p.base,
        "base_branch": p.base_branch,
        "commit": p.commit,
        "state": p.state,
    }


def list_proposals(ws: Workspace) -> list[Proposal]:
    return proposals.list_proposals(ws.require_repo(), prefix=ws.settings.proposal_prefix)


def list_document(ws: Workspace) -> dict[str, object]:
    """The ``proposals list --json`` document."""
    return {"proposals": [proposal_json(p) for p in list_proposals(ws)]}


# Above this many changed lines the diff is left out unless asked for (``--diff``): a 5 MB plan's
# expansion printed 10 MB that nobody reads at a terminal; the files and counts say what changed.
DIFF_LINES_SHOWN = 2000
DiffChoice = Literal["auto", "always", "never"]


def proposal_details(ws: Workspace, proposal_id: str, diff: DiffChoice = "always") -> ProposalDetails:
    """What ``show`` presents; ``diff``: ``never`` (``--stat``), ``auto`` (not above
    :data:`DIFF_LINES_SHOWN` changed lines) or ``always`` (``--diff``)."""

    repo, prefix = ws.require_repo(), ws.settings.proposal_prefix
    proposal = proposals.get(repo, proposal_id, prefix=prefix)
    analysis, moves = _analysis_and_moves(ws, proposal)
    files = proposals.changed_files(repo, proposal_id, prefix=prefix)
    left_out = _why_no_diff(proposal_id, files, diff)
    return ProposalDetails(
        proposal=proposal,
        message=proposals.message(repo, proposal_id, prefix=prefix),
        analysis=analysis,
        moves=moves,
        files=files,
        diff=None if left_out else proposals.diff(repo, proposal_id, prefix=prefix),
        diff_left_out=left_out,
    )


def _why_no_diff(proposal_id: str, files: list[FileChange], diff: DiffChoice) -> str | None:
    """Why the diff is left out (and how to see it), or None to show it. Decided from the counts, so
    a huge diff is never even made."""
    how = f"plansmith proposals show {proposal_id} --diff"
    if diff == "never":
        return f"diff left out (--stat); to see it: {how}"
    changed = sum(c.added + c.deleted for c in files)
    if diff == "auto" and changed > DIFF_LINES_SHOWN:
        return f"diff left out: {changed} changed lines (more than {DIFF_LINES_SHOWN}); to see it: {how}"
    return None


def _analysis_and_moves(ws: Workspace, proposal: Proposal) -> tuple[Analysis | None, list[str]]:
    """The plan analysed at the proposal's base and at its tip, and what moved where between them."""

    try:
        before = _analysis_at(ws, proposal.base, proposal.plan)
        after = _analysis_at(ws, proposal.commit, proposal.plan)
    except PlansmithError:  # a base that is gone, a plan that no longer parses: show the rest
        return None, []
    if before is None:
        return None, []
    moves = item_moves(proposal.operation, proposal.items, before, after) if after is not None else []
    return before, moves


def _analysis_at(ws: Workspace, commit: str, plan: str) -> Analysis | None:
    """The plan whose main file was ``plan`` analysed at ``commit`` (where it may have moved into its
    folder, or back out of it)."""

    if not commit or not plan:
        return None
    snapshot = Snapshot.at(ws, commit)
    for path in (plan, folder_move(plan)):
        plan_id = snapshot.id_at(path)
        if plan_id is not None:
            return snapshot.analysis(plan_id)
    return None


def show_document(ws: Workspace, proposal_id: str, *, stat: bool = False) -> dict[str, object]:
    """The ``proposals show ID --json`` document: the proposal, its commit message, what moved where,
    the files it changes (``git diff --stat -M`` counted) and its diff (renames detected; ``null`` with
    ``stat``: scripts asked for the whole document get the whole diff)."""
    details = proposal_details(ws, proposal_id, "never" if stat else "always")
    return proposal_json(details.proposal) | {
        "message": details.message,
        "moves": details.moves,
        "files": [change.to_json() for change in details.files],
        "diff": details.diff,
    }


def approve_document(ws: Workspace, proposal_id: str) -> dict[str, object]:
    """Merge the proposal into the current branch; ``{"approved", "kind", "head", "branch"}``."""

    result = approve_proposal(ws.require_repo(), proposal_id, prefix=ws.settings.proposal_prefix)
    return {
        "approved": proposal_id,
        "kind": result.kind,
        "head": result.head,
        "branch": result.proposal.branch,
    }


def reject_document(ws: Workspace, proposal_id: str) -> dict[str, object]:
    """Delete the proposal branch and remember the rejection; ``{"rejected", "branch"}``."""

    p = proposals.reject(
        ws.require_repo(),
        proposal_id,
        content_hash=lambda proposal: content_at_base(ws, proposal),
        prefix=ws.settings.proposal_prefix,
    )
    return {"rejected": proposal_id, "branch": p.branch}


def content_at_base(ws: Workspace, proposal: Proposal) -> str | None:
    """The content hash of the proposal's plan as its base commit has it, read the way the daemon and CI
    read plans (the roots, :func:`plansmith.snapshot.plan_digest`), so that they find the rejection;
    ``None`` when the base holds no such plan in the roots (nothing would ever ask for it)."""
    if not proposal.plan or not proposal.base:
        return None
    snapshot = Snapshot.at(ws, proposal.base)
    plan_id = snapshot.id_at(proposal.plan)
    return None if plan_id is None else snapshot.digest(plan_id)


def main(args: argparse.Namespace) -> int:
    ws = open_workspace(args.repo)
    if args.action == "list":
        return _list(ws, args)
    if not args.id:
        raise UsageError(
            f"'proposals {args.action}' needs a proposal id", hint="run 'plansmith proposals' to list them"
        )
    if args.action == "show":
        return _show(ws, args)
    done = approve_document(ws, args.id) if args.action == "approve" else reject_document(ws, args.id)
    if args.json:
        emit_json(done)
    elif args.action == "approve":
        print(f"approved {args.id}: {done['kind']} of {done['branch']}; HEAD is now {str(done['head'])[:10]}")
    else:
        print(
            f"rejected {args.id}: deleted {done['branch']}; the same plan content will not be proposed again"
        )
    return EXIT_OK


def _show(ws: Workspace, args: argparse.Namespace) -> int:
    stat, full = bool(getattr(args, "stat", False)), bool(getattr(args, "diff", False))
    if args.json:
        emit_json(show_document(ws, args.id, stat=stat))
        return EXIT_OK

    choice: DiffChoice = "never" if stat else "always" if full else "auto"
    print_proposal(display_for(args), proposal_details(ws, args.id, choice))
    return EXIT_OK


def _list(ws: Workspace, args: argparse.Namespace) -> int:
    found = list_proposals(ws)
    decisions = decision_lines(ws)
    if args.json:
        emit_json({"proposals": [proposal_json(p) for p in found], "left_alone": decisions})
        return EXIT_OK

    print_proposals(display_for(args), found)
    if decisions:  # why an item above the threshold has no proposal: a person decided its structure
        print("left alone (you changed their structure; proposed again when their content changes):")
        print("".join(f"  {line}\n" for line in decisions), end="")
    return EXIT_OK


def decision_lines(ws: Workspace) -> list[str]:
    """One line per standing structure decision: ``specs/plans/001_x: phase 2 collapsed by you``."""

    return [
        f"{plan}: {item.replace('_', ' ')} {'expanded' if d.get('expanded') else 'collapsed'} by you"
        + (f" ({d['decided_at']})" if d.get("decided_at") else "")
        for plan, decided in sorted(structure_decisions(ws.require_repo()).items())
        for item, d in sorted(decided.items())
    ]
