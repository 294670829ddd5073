"""``plansmith checkpoints list|validate [ID]|restore ID``, thin over the git backend's checkpoints."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from plansmith.errors import PlansmithError

if TYPE_CHECKING:
    from plansmith.workspace import Workspace


def run(ws: Workspace, action: str, checkpoint_id: str | None, *, json_out: bool) -> int:
    from plansmith.git_backend import checkpoints
    from plansmith.git_backend.worktree import ScratchWorktree

    repo = ws.require_repo()
    if action == "list":
        found = checkpoints.list_checkpoints(repo)
        if json_out:
            print(json.dumps({"checkpoints": [c.to_json() for c in found]}, indent=2))
        elif not found:
            print("no checkpoints (plansmith deletes them after successful runs)")
        for c in found if not json_out else ():
            print(f"{c.id}  {c.created}  {c.plan} {c.operation} {', '.join(c.items)}  commit {c.commit[:10]}")
        return 0
    if action == "validate":
        results = (
            {checkpoint_id: checkpoints.validate(repo, checkpoint_id)}
            if checkpoint_id
            else checkpoints.validate_all(repo)
        )
        bad = {cid: problems for cid, problems in results.items() if problems}
        if json_out:
            print(json.dumps({"ok": not bad, "checkpoints": results}, indent=2))
        else:
            for cid, problems in results.items():
                print(f"{cid}: " + ("ok" if not problems else "; ".join(problems)))
            if not results:
                print("no checkpoints")
        return 1 if bad else 0
    if action == "restore":
        if not checkpoint_id:
            raise PlansmithError("'checkpoints restore' needs an id", hint="run 'plansmith checkpoints list'")
        scratch = ScratchWorktree.ensure(repo, ws.plan_roots)
        restored = checkpoints.restore(scratch, checkpoint_id)
        message = f"the scratch worktree is back at checkpoint {restored.id} ({restored.commit[:10]})"
        print(json.dumps({"restored": restored.id, "commit": restored.commit}) if json_out else message)
        return 0
    raise PlansmithError(f"unknown action {action}")
