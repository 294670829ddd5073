"""``plansmith proposals [list] | show ID | approve ID | reject ID``: thin over the git backend's proposals.

``approve`` is one of the two ways plansmith writes the user's branch (with ``--merge``); the refusal
rules live in :func:`plansmith.git_backend.proposals.approve`, not here.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from plansmith.commands.common import EXIT_OK, emit_json, open_workspace
from plansmith.errors import UsageError

if TYPE_CHECKING:
    from plansmith.git_backend.proposals import Proposal
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
    from plansmith.git_backend import proposals

    return proposals.list_proposals(ws.require_repo(), prefix=ws.settings.proposal_prefix)


def list_document(ws: Workspace) -> dict[str, object]:
    """The ``proposals list --json`` document."""
    return {"proposals": [proposal_json(p) for p in list_proposals(ws)]}


def show_document(ws: Workspace, proposal_id: str) -> dict[str, object]:
    """The ``proposals show ID --json`` document: the proposal, its commit message and its diff."""
    from plansmith.git_backend import proposals

    repo, prefix = ws.require_repo(), ws.settings.proposal_prefix
    return proposal_json(proposals.get(repo, proposal_id, prefix=prefix)) | {
        "message": proposals.message(repo, proposal_id, prefix=prefix),
        "diff": proposals.diff(repo, proposal_id, prefix=prefix),
    }


def approve_document(ws: Workspace, proposal_id: str) -> dict[str, object]:
    """Merge the proposal into the current branch; ``{"approved", "kind", "head", "branch"}``."""
    from plansmith.git_backend import proposals

    result = proposals.approve(ws.require_repo(), proposal_id, prefix=ws.settings.proposal_prefix)
    return {
        "approved": proposal_id,
        "kind": result.kind,
        "head": result.head,
        "branch": result.proposal.branch,
    }


def reject_document(ws: Workspace, proposal_id: str) -> dict[str, object]:
    """Delete the proposal branch and remember the rejection; ``{"rejected", "branch"}``."""
    from plansmith.git_backend import proposals

    p = proposals.reject(ws.require_repo(), proposal_id, prefix=ws.settings.proposal_prefix)
    return {"rejected": proposal_id, "branch": p.branch}


def main(args: argparse.Namespace) -> int:
    ws = open_workspace(args.repo)
    if args.action == "list":
        return _list(ws, json_out=args.json)
    if not args.id:
        raise UsageError(
            f"'proposals {args.action}' needs a proposal id", hint="run 'plansmith proposals' to list them"
        )
    if args.action == "show":
        doc = show_document(ws, args.id)
        if args.json:
            emit_json(doc)
        else:
            print(f"{doc['message']}\n\n{doc['diff']}")
        return EXIT_OK
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


def _list(ws: Workspace, *, json_out: bool) -> int:
    found = list_proposals(ws)
    if json_out:
        emit_json({"proposals": [proposal_json(p) for p in found]})
        return EXIT_OK
    if not found:
        print("no open proposals")
    for p in found:
        items = ", ".join(p.items)
        print(f"{p.id:<32} {p.state:<7} {p.operation} {items}  branch {p.branch}  base {p.base[:10]}")
    return EXIT_OK
