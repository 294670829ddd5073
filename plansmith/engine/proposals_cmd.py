"""``plansmith proposals list|show|approve|reject``: thin over :mod:`plansmith.git_backend.proposals`."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from plansmith.errors import PlansmithError

if TYPE_CHECKING:
    from plansmith.workspace import Workspace


def _need_id(action: str, proposal_id: str | None) -> str:
    if not proposal_id:
        raise PlansmithError(
            f"'proposals {action}' needs a proposal id", hint="run 'plansmith proposals' to list them"
        )
    return proposal_id


def run(ws: Workspace, action: str, proposal_id: str | None, *, json_out: bool) -> int:
    from plansmith.git_backend import proposals

    repo = ws.require_repo()
    prefix = ws.settings.proposal_prefix
    if action == "list":
        found = proposals.list_proposals(repo, prefix=prefix)
        if json_out:
            print(json.dumps({"proposals": [_as_json(p) for p in found]}, indent=2))
        elif not found:
            print("no open proposals")
        for p in found if not json_out else ():
            items = ", ".join(p.items)
            print(f"{p.id:<32} {p.state:<7} {p.operation} {items}  branch {p.branch}  base {p.base[:10]}")
        return 0
    pid = _need_id(action, proposal_id)
    if action == "show":
        p = proposals.get(repo, pid, prefix=prefix)
        if json_out:
            doc = _as_json(p) | {
                "message": proposals.message(repo, pid, prefix=prefix),
                "diff": proposals.diff(repo, pid, prefix=prefix),
            }
            print(json.dumps(doc, indent=2))
        else:
            print(proposals.message(repo, pid, prefix=prefix))
            print()
            print(proposals.diff(repo, pid, prefix=prefix))
        return 0
    if action == "approve":
        result = proposals.approve(repo, pid, prefix=prefix)
        if json_out:
            print(json.dumps({"approved": pid, "kind": result.kind, "head": result.head}))
        else:
            print(
                f"approved {pid}: {result.kind} of {result.proposal.branch}; HEAD is now {result.head[:10]}"
            )
        return 0
    if action == "reject":
        p = proposals.reject(repo, pid, prefix=prefix)
        if json_out:
            print(json.dumps({"rejected": pid, "branch": p.branch}))
        else:
            print(f"rejected {pid}: deleted {p.branch}; the same plan content will not be proposed again")
        return 0
    print(f"plansmith: error: unknown action {action}", file=sys.stderr)
    return 2


def _as_json(p: object) -> dict[str, object]:
    from plansmith.git_backend.proposals import Proposal

    assert isinstance(p, Proposal)
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
