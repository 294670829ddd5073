"""``plansmith ci``: in a CI runner's clone, make or refresh the proposals of one branch and push them.

A runner is thrown away after each run, so everything remembered lives in the remote: its proposal
branches and plansmith's memory (:mod:`plansmith.ci.memory`, ``refs/plansmith/ci/memory``). A run:

1. fetches both (first), copies the memory's rejections into the clone's rejection store and the
   remote's proposal branches onto the clone's own (never over a local commit the remote lacks);
2. decides per plan exactly as the daemon does (:func:`plansmith.engine.decisions.decide`), after
   reading one more fact from the remote: a branch a runner pushed that is gone although the plan still
   has the content it was made from was deleted without being merged, which is a rejection (a merged
   proposal changed the plan, so its content differs);
3. runs the engine for the plans that need it;
4. pushes the new proposal commits and the memory in one atomic push (the memory last in the
   command, never ahead of the branches it describes), every ref with a lease on the value the run
   saw. When another runner or a person changed one of them meanwhile, nothing is pushed and the run
   starts over from a new fetch (a few times). Nothing new means nothing is pushed at all.

Writes only refs under ``refs/plansmith/`` and the proposal prefix, in the clone and on the remote.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from plansmith import discovery
from plansmith.ci.dashboard_publish import refresh
from plansmith.ci.memory import FILE_NAME, MEMORY_REF, Memory, PushedProposal, RememberedRejection
from plansmith.ci.pending import Pending
from plansmith.ci.review_requests import request_review
from plansmith.discovery import committed_texts
from plansmith.engine.decisions import decide, propose_automatically
from plansmith.engine.radar import radar_report
from plansmith.errors import PlansmithError, UsageError
from plansmith.git_backend import proposals, rejections
from plansmith.git_backend import remote as remotes
from plansmith.git_backend.remote import (
    RefUpdate,
    checked_out_branches,
    commit_files,
    fetch_refs,
    is_ancestor,
    push_with_lease,
    read_file_at,
    set_local_ref,
)
from plansmith.git_backend.repo import current_branch, default_branch
from plansmith.snapshot import plan_digest

if TYPE_CHECKING:
    from plansmith.ci.review_requests import ReviewRequest
    from plansmith.engine.progress import ProgressSink
    from plansmith.git_backend.proposals import Proposal
    from plansmith.git_backend.repo import RepoPaths
    from plansmith.plan.collisions import Finding
    from plansmith.plan.layout import PlanLocation
    from plansmith.plan.roots import PlanRef
    from plansmith.workspace import Workspace

# Read in this order when HEAD is detached (a pull request's source branch first).
BRANCH_VARIABLES = ("GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME")
MEMORY_PATTERN = "refs/plansmith/ci/*"
PUSH_ATTEMPTS = 3
DELETED = "its branch was deleted on the remote without being merged: not proposed again for this content"
LOST_RACE = "the branch changed on the remote while this run was pushing ({}); the next run looks again"
LOCAL_COPY = "this clone has commits of its own on the proposal branch; run plansmith ci in a fresh clone"


@dataclass
class CiReport:
    remote: str
    base_branch: str
    pushed: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    failed: bool = False
    radar: list[dict[str, object]] | None = None  # findings, when the run looked (--open-pr, --dashboard)
    dashboard: dict[str, str | None] | None = None
    memory: dict[str, str] | None = None  # {"ref", "commit"} when this run pushed its memory

    def as_json(self) -> dict[str, object]:
        """The ``ci --json`` document (shape in docs/cli.md)."""
        extra = {key: value for key, value in (("radar", self.radar), ("dashboard", self.dashboard)) if value}
        return {
            "pushed": self.pushed,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "memory": self.memory,
            **extra,
        }

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def pick_branch(repo: RepoPaths, given: str | None, environ: Mapping[str, str]) -> str:
    """The branch the run proposes against: ``--branch``, the one checked out, else the CI's variables."""

    found = given or current_branch(repo)
    for variable in BRANCH_VARIABLES:
        found = found or environ.get(variable, "").strip()
    if not found:
        raise UsageError(
            "HEAD is detached and no branch was named",
            hint=f"pass --branch NAME (read when unset: {', '.join(BRANCH_VARIABLES)})",
        )
    return found


def run_ci(
    ws: Workspace,
    *,
    remote: str = "origin",
    branch: str | None = None,
    open_pr: str | None = None,
    environ: Mapping[str, str] | None = None,
    progress: ProgressSink | None = None,
    dashboard: bool = False,
) -> CiReport:
    """One run (see the module doc); ``open_pr``: ``github`` or ``gitlab`` to open review requests;
    ``progress``: where the runs report their operations (a terminal's live view); ``dashboard``: then
    refresh the dashboard (:mod:`plansmith.ci.dashboard_publish`). With either, the radar's findings
    go into the requests and the dashboard."""

    env = os.environ if environ is None else environ
    repo = ws.require_repo()
    url = remotes.check_remote(repo, remote)
    base_branch = pick_branch(repo, branch, env)
    remotes.ensure_remote_head(repo, remote)
    for attempt in range(1, PUSH_ATTEMPTS + 1):
        run = _CiRun(ws, repo, remote, base_branch)
        run.progress = progress
        run.fetch()
        run.handle_plans()
        if run.push(last_attempt=attempt == PUSH_ATTEMPTS):
            break
        print(f"plansmith: note: {remote} changed while this run was pushing; looking again", file=sys.stderr)
    findings = _radar(ws, remote) if open_pr is not None or dashboard else []
    run.report.radar = [f.as_json() for f in findings] if findings else None
    if open_pr is not None:
        for entry, pending in run.pushed:
            review: ReviewRequest = request_review(ws, open_pr, url, base_branch, pending, env, findings)
            entry["review"] = review.as_json()
            run.report.failed |= review.action == "failed"
    if dashboard:
        run.report.dashboard = refresh(ws, remote, url, base_branch, open_pr, findings, env).as_json()
    return run.report


def _radar(ws: Workspace, remote: str) -> list[Finding]:
    """The radar's findings over the clone's branches (none, with a note, when it cannot look)."""

    try:
        return radar_report(ws, remote).findings
    except PlansmithError as exc:  # a shallow clone, say: the proposals are pushed either way
        print(f"plansmith: note: radar skipped: {exc.message}", file=sys.stderr)
        return []


class _CiRun:
    def __init__(self, ws: Workspace, repo: RepoPaths, remote: str, base_branch: str) -> None:
        self.ws, self.repo, self.remote, self.base_branch = ws, repo, remote, base_branch
        self.prefix = ws.settings.proposal_prefix
        self.report = CiReport(remote, base_branch)
        self.remote_branches: dict[str, str] = {}  # full ref -> commit, as fetched
        self.memory_commit: str | None = None
        self.base_memory = Memory()
        self.memory = Memory()
        self.conflicts: set[str] = set()  # refs whose local copy holds commits the remote lacks
        self.pending: list[Pending] = []
        self.pushed: list[tuple[dict[str, Any], Pending]] = []  # (report entry, proposal)
        self.progress: ProgressSink | None = None

    # --- 1. what the remote remembers --------------------------------------------------------------

    def fetch(self) -> None:
        seen = fetch_refs(self.repo, self.remote, [f"refs/heads/{self.prefix}*", MEMORY_PATTERN])
        heads = f"refs/heads/{self.prefix}"
        self.remote_branches = {ref: oid for ref, oid in seen.items() if ref.startswith(heads)}
        self._load_memory(seen.get(MEMORY_REF))
        self.memory = self.base_memory.copy()
        self._learn_rejections()
        self._copy_branches()

    def _load_memory(self, commit: str | None) -> None:
        self.memory_commit = commit
        self.base_memory = Memory.parse(read_file_at(self.repo, commit, FILE_NAME) if commit else None)

    def _learn_rejections(self) -> None:
        """The remote's rejections into the clone's store, which the shared decision reads."""

        for plan, content_hash, rejection in self.memory.all_rejections():
            if not rejections.is_rejected(self.repo, plan, content_hash):
                rejections.record(
                    self.repo, plan, content_hash, proposal=rejection.proposal, commit=rejection.commit
                )

    def _copy_branches(self) -> None:
        """Make the clone's proposal branches the remote's, so the engine sees them as they are there."""

        local = {p.ref: p.commit for p in proposals.list_proposals(self.repo, prefix=self.prefix)}
        pushed_before = {p.ref(): p.commit for p in self.memory.proposals.values()}
        busy = checked_out_branches(self.repo)
        for ref, oid in self.remote_branches.items():
            mine = local.get(ref)
            if mine == oid:
                continue
            safe = mine is None or is_ancestor(self.repo, mine, oid) or pushed_before.get(ref) == mine
            if not safe or ref in busy or not set_local_ref(self.repo, ref, oid, mine):
                self.conflicts.add(ref)
        for ref, mine in local.items():
            if ref not in self.remote_branches and pushed_before.get(ref) == mine and ref not in busy:
                set_local_ref(self.repo, ref, None, mine)  # deleted on the remote: so here too

    # --- 2. decide and run ---------------------------------------------------------------------------

    def handle_plans(self) -> None:
        roots = self.ws.plan_roots
        files = committed_texts(self.repo, roots, self.ws.settings.limits.max_plan_bytes)
        existing = {p.branch: p for p in proposals.list_proposals(self.repo, prefix=self.prefix)}
        default = default_branch(self.repo)
        visited: set[str] = set()
        for ref in discovery.catalog(files, patterns=roots):
            branch = proposals.branch_name(
                ref.branch_component, self.base_branch, default=default, prefix=self.prefix
            )
            pid = branch.removeprefix(self.prefix)
            visited.add(pid)
            if f"refs/heads/{branch}" in self.conflicts:
                self._skip(pid, LOCAL_COPY)
            elif not self._deleted_on_remote(pid, branch, ref.location, files):
                self._handle(pid, branch, ref, files, existing.get(branch))
        for pid in set(self.memory.proposals) - visited:  # plans that are gone: forget their branches
            if self.memory.proposals[pid].ref() not in self.remote_branches:
                del self.memory.proposals[pid]

    def _deleted_on_remote(self, pid: str, branch: str, loc: PlanLocation, files: Mapping[str, str]) -> bool:
        """Whether the branch a runner pushed is gone while the plan kept its content (a rejection)."""

        pushed = self.memory.proposals.get(pid)
        if pushed is None or f"refs/heads/{branch}" in self.remote_branches:
            return False
        del self.memory.proposals[pid]
        content_hash = pushed.content_hash
        if content_hash != plan_digest(files, loc):
            return False  # merged (which changed the plan), or the plan changed since: a new look
        self.memory.remember_rejection(loc.main_path, content_hash, RememberedRejection(pid, pushed.commit))
        if not rejections.is_rejected(self.repo, loc.main_path, content_hash):
            rejections.record(self.repo, loc.main_path, content_hash, proposal=pid, commit=pushed.commit)
        self._skip(pid, DELETED)
        return True

    def _handle(
        self, pid: str, branch: str, ref: PlanRef, files: Mapping[str, str], existing: Proposal | None
    ) -> None:
        loc = ref.location
        handled = self.memory.handled.digest(self.base_branch, ref.id)
        decision = decide(self.repo, loc, files, handled=handled, existing=existing)
        if decision.action == "unchanged":
            self.report.unchanged.append(pid)
            return
        if decision.reason is not None:  # edited or rejected: decided for this content
            self._skip(pid, decision.reason)
            self.memory.handled.remember(self.base_branch, ref.id, decision.digest)
            return
        try:
            outcome = propose_automatically(
                self.ws, loc, base_branch=self.base_branch, progress=self.progress
            )
        except PlansmithError as exc:
            self._fail(pid, exc.located())
            return
        if outcome is not None and outcome.proposal is not None:
            self.report.failed |= bool(outcome.failed)  # a partial success is pushed, and still reported
            expected = self.remote_branches.get(f"refs/heads/{branch}")
            commit = outcome.proposal.commit
            self.pending.append(Pending(pid, branch, commit, ref, decision.digest, expected, outcome))
        elif outcome is not None and outcome.failed:  # not remembered as handled: the next run tries again
            self._fail(pid, "; ".join(f"{o.item}: {o.error}" for o in outcome.operations if o.error))
        else:
            self._skip(pid, (outcome.skipped if outcome is not None else None) or "nothing to do")
            self.memory.handled.remember(self.base_branch, ref.id, decision.digest)

    def _skip(self, pid: str, reason: str) -> None:
        self.report.skipped.append({"id": pid, "reason": reason})

    def _fail(self, pid: str, message: str) -> None:
        self.report.failed = True
        self._skip(pid, f"failed: {message}")

    # --- 4. push ---------------------------------------------------------------------------------------

    def push(self, *, last_attempt: bool) -> bool:
        """Push the proposals and the memory, all or nothing; whether the run is over."""

        updates = [RefUpdate(f"refs/heads/{p.branch}", p.commit, p.expected) for p in self.pending]
        for pending in self.pending:
            self.memory.proposals[pending.id] = PushedProposal(
                branch=pending.branch,
                commit=pending.commit,
                plan=pending.plan.location.main_path,
                base_branch=self.base_branch,
                content_hash=pending.digest,
            )
            self.memory.handled.remember(self.base_branch, pending.plan.id, pending.digest)
        memory: str | None = None
        if self.memory != self.base_memory:
            memory = commit_files(
                self.repo,
                {FILE_NAME: self.memory.dumps()},
                parent=self.memory_commit,
                message=f"plansmith ci: {self.base_branch}",
                author=self.ws.settings.commit.author,
            )
            updates.append(RefUpdate(MEMORY_REF, memory, self.memory_commit))
        results = push_with_lease(self.repo, self.remote, updates, atomic=True)
        if all(r.pushed for r in results):
            if memory is not None:
                self.report.memory = {"ref": MEMORY_REF, "commit": memory}
            for pending in self.pending:
                entry: dict[str, Any] = {"id": pending.id, "branch": pending.branch, "commit": pending.commit}
                self.report.pushed.append(entry)
                self.pushed.append((entry, pending))
            return True
        self._forget_unpushed()
        if last_attempt:
            why = "; ".join(sorted({r.summary for r in results if not r.pushed}))
            for pending in self.pending:
                self._skip(pending.id, LOST_RACE.format(why))
        return last_attempt

    def _forget_unpushed(self) -> None:
        """Put the clone's proposal branches back where the remote has them, for the next attempt."""

        for pending in self.pending:
            set_local_ref(self.repo, f"refs/heads/{pending.branch}", pending.expected, pending.commit)
