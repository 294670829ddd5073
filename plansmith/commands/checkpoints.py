"""``plansmith checkpoints [list | validate [ID] | restore ID]``: the scratch worktree's checkpoints.

Thin over :mod:`plansmith.git_backend.checkpoints`; ``restore`` resets plansmith's own scratch
worktree only, never the user's.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from plansmith.commands.common import EXIT_OK, EXIT_PROBLEM, emit_json, open_workspace
from plansmith.errors import UsageError
from plansmith.git_backend import checkpoints
from plansmith.git_backend.worktree import ScratchWorktree

if TYPE_CHECKING:
    from plansmith.git_backend.checkpoints import Checkpoint
    from plansmith.workspace import Workspace


def list_checkpoints(ws: Workspace) -> list[Checkpoint]:
    return checkpoints.list_checkpoints(ws.require_repo())


def list_document(ws: Workspace) -> dict[str, object]:
    """The ``checkpoints list --json`` document."""
    return {"checkpoints": [c.to_json() for c in list_checkpoints(ws)]}


def validation_of(ws: Workspace, checkpoint_id: str | None = None) -> dict[str, list[str]]:
    """The problems of one checkpoint, or of all of them: ``{id: [problem, ...]}`` (empty: intact)."""

    repo = ws.require_repo()
    if checkpoint_id:
        return {checkpoint_id: checkpoints.validate(repo, checkpoint_id)}
    return checkpoints.validate_all(repo)


def validate_document(ws: Workspace, checkpoint_id: str | None = None) -> dict[str, object]:
    """The ``checkpoints validate --json`` document: ``{"ok", "checkpoints": {id: [problems]}}``."""
    results = validation_of(ws, checkpoint_id)
    return {"ok": not any(results.values()), "checkpoints": results}


def restore_document(ws: Workspace, checkpoint_id: str) -> dict[str, object]:
    """Reset the scratch worktree to the checkpoint; ``{"restored", "commit"}``."""

    scratch = ScratchWorktree.ensure(ws.require_repo(), ws.plan_roots)
    restored = checkpoints.restore(scratch, checkpoint_id)
    return {"restored": restored.id, "commit": restored.commit}


def main(args: argparse.Namespace) -> int:
    ws = open_workspace(args.repo)
    if args.action == "list":
        return _list(ws, json_out=args.json)
    if args.action == "validate":
        return _validate(ws, args.id, json_out=args.json)
    if not args.id:
        raise UsageError("'checkpoints restore' needs an id", hint="run 'plansmith checkpoints list'")
    doc = restore_document(ws, args.id)
    if args.json:
        emit_json(doc)
    else:
        print(f"the scratch worktree is back at checkpoint {doc['restored']} ({str(doc['commit'])[:10]})")
    return EXIT_OK


def _list(ws: Workspace, *, json_out: bool) -> int:
    found = list_checkpoints(ws)
    if json_out:
        emit_json({"checkpoints": [c.to_json() for c in found]})
        return EXIT_OK
    if not found:
        print("no checkpoints (plansmith deletes them after successful runs)")
    for c in found:
        print(f"{c.id}  {c.created}  {c.plan} {c.operation} {', '.join(c.items)}  commit {c.commit[:10]}")
    return EXIT_OK


def _validate(ws: Workspace, checkpoint_id: str | None, *, json_out: bool) -> int:
    results = validation_of(ws, checkpoint_id)
    if json_out:
        emit_json({"ok": not any(results.values()), "checkpoints": results})
    else:
        for cid, problems in results.items():
            print(f"{cid}: " + ("ok" if not problems else "; ".join(problems)))
        if not results:
            print("no checkpoints")
    return EXIT_PROBLEM if any(results.values()) else EXIT_OK
