"""``plansmith status``: the daemon's state, its last runs, pending analyses, open proposals, errors.

Reads the daemon's state file and the proposal branches; changes nothing.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from plansmith.commands.common import EXIT_OK, emit_json, open_workspace

if TYPE_CHECKING:
    from plansmith.workspace import Workspace


def status_document(ws: Workspace) -> dict[str, Any]:
    """The ``status --json`` document: the daemon's state (``docs/daemon.md``) plus ``proposals``."""
    from plansmith.daemon.service import daemon_status
    from plansmith.git_backend import proposals

    repo = ws.require_repo()
    status = daemon_status(repo.worktree)
    found = proposals.list_proposals(repo, prefix=ws.settings.proposal_prefix)
    status["proposals"] = [
        {
            "id": p.id,
            "branch": p.branch,
            "plan": p.plan,
            "state": p.state,
            "operation": p.operation,
            "items": list(p.items),
        }
        for p in found
    ]
    return status


def main(args: argparse.Namespace) -> int:
    from plansmith.daemon.state import format_status

    status = status_document(open_workspace(args.repo))
    if args.json:
        emit_json(status, as_text=True)
        return EXIT_OK
    print(format_status(status))
    if status["proposals"]:
        print("open proposals:")
        for p in status["proposals"]:
            print(f"  {p['id']}: {p['operation']} {', '.join(p['items'])} on {p['branch']} ({p['state']})")
    return EXIT_OK
