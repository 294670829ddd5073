"""One step's result made durable: its commit (scratch worktree), checkpoint, artifact and state record.

Also reading orchestrate's plan folder at a commit, which each wave starts from (through
:class:`plansmith.snapshot.Snapshot`). It writes commits, checkpoint refs and artifact files only; it
must not move a branch or write the user's working tree.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from plansmith.engine import artifacts
from plansmith.engine.orchestrate.state import RunState, StepOutput, StepResult
from plansmith.engine.orchestrate.steps import body, message
from plansmith.engine.orchestrate.workflow import OPERATION, StepSpec
from plansmith.engine.publish import write_changes
from plansmith.engine.runner import OpOutcome
from plansmith.errors import PlansmithError
from plansmith.git_backend import checkpoints
from plansmith.git_backend.worktree import ScratchWorktree
from plansmith.snapshot import Snapshot

if TYPE_CHECKING:
    from plansmith.git_backend.repo import RepoPaths
    from plansmith.workspace import Workspace


def checkpoint_id_of(run: str, step: str) -> str:
    return f"{run}-{step}"


def files_at(ws: Workspace, repo: RepoPaths, commit: str) -> dict[str, str]:
    """The decoded files of orchestrate's plan folder at ``commit``: the workspace's first root, where
    the run writes its plan and research notes (not every root: a wave sees only its own folder).
    ``repo`` is the workspace's own, which :meth:`Snapshot.at` reads."""
    del repo
    return dict(Snapshot.at(ws, commit, roots=[ws.plans_dir]).files)


def record_step(
    ws: Workspace,
    repo: RepoPaths,
    state: RunState,
    step: StepSpec,
    produced: StepOutput,
    before: Mapping[str, str],
    outcome: OpOutcome,
    run_dir: Path,
) -> StepResult:
    """Commit what the step produced (a checkpoint), write its artifact, move the state on."""

    commit: str | None = produced.commit
    if produced.status == "success" and produced.files is not None:
        plan = produced.plan_path or state.plan_path
        commit = _commit_files(ws, repo, state, step.id, plan, before, produced.files)
        if commit == state.head:
            commit = None  # nothing changed
    checkpoint_id: str | None = None
    if commit is not None:
        checkpoint_id = checkpoint_id_of(state.run, step.id)
        with contextlib.suppress(PlansmithError):  # left by a killed run before its state was saved
            checkpoints.delete(repo, checkpoint_id)
        checkpoints.create(
            repo,
            commit,
            plan=state.plan_name,
            operation=OPERATION,
            items=[step.id],
            base=state.base,
            checkpoint_id=checkpoint_id,
        )
        state.head = commit
    if produced.plan_path is not None:
        state.plan_path = produced.plan_path
    record = artifacts.ArtifactRecord(
        operation=OPERATION,
        item=step.id,
        status=produced.status,
        files_created=produced.created,
        files_modified=produced.modified,
        error=produced.error if produced.status != "success" else None,
        duration_s=outcome.duration_s,
        attempts=tuple(a.to_json() for a in outcome.attempts),
        warnings=tuple(produced.warnings),
        details={**produced.details, "commit": commit},
    )
    path = artifacts.write_artifact(run_dir / "artifacts", record)
    return StepResult(
        step=step.id,
        status=produced.status,
        artifact=str(path),
        error=record.error,
        commit=commit,
        checkpoint=checkpoint_id,
        warnings=list(produced.warnings),
    )


def _commit_files(
    ws: Workspace,
    repo: RepoPaths,
    state: RunState,
    step: str,
    plan_path: str,
    before: Mapping[str, str],
    after: Mapping[str, str],
) -> str:
    scratch = ScratchWorktree.ensure(repo, ws.plan_roots)
    with scratch.session():  # held only for the commit: a long agent step never blocks the daemon
        scratch.reset_to(state.head)
        write_changes(scratch.path, before, after)
        subject, trailers = message(state, step, plan_path)
        return scratch.commit(f"{subject}\n\n{body(state)}", ws.settings.commit.author, trailers)


# --- output -------------------------------------------------------------------------------------------
