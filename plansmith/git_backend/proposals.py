"""Proposal branches: how plansmith's results reach the user without touching their work.

Naming rule (one live proposal per plan and base branch):

* base branch = the repository's default branch (see :func:`~plansmith.git_backend.repo.default_branch`):
  ``refs/heads/<prefix><plan-name>``, e.g. ``plansmith/001_feature``;
* any other base branch: ``refs/heads/<prefix><base-branch>/<plan-name>``, e.g.
  ``plansmith/feature-x/001_feature``.

The default branch is used rather than "the branch checked out now" so that a proposal keeps its name
when the user switches branches. The proposal id is the branch name without the prefix
(``001_feature``, ``feature-x/001_feature``). Plan names never contain ``/``, so the base branch is
everything before the last ``/``. (A base branch named exactly like a plan would clash with that
plan's default-branch proposal; git then refuses the update and :func:`publish` reports it.)

Every proposal commit carries the trailers ``Plansmith-Plan``, ``Plansmith-Operation``,
``Plansmith-Items``, ``Plansmith-Base`` (the base commit) and ``Plansmith-Run``, and has the same
author and committer. States: ``edited`` when the tip is not such a commit (the user committed or
amended onto the branch: plansmith leaves it alone), else ``stale`` when the base branch's tip is no
longer ``Plansmith-Base``, else ``open``.

Publishing is a compare-and-swap ``git update-ref <ref> <new> <old-or-zero>``: a concurrent change of
the branch makes it fail instead of being overwritten. Everything else a publish asks (the branches,
their tips' trailers, which branches worktrees have checked out) is read through the repository's
session and files, without a git process. Publishing and rejecting write only refs under
``refs/heads/<prefix>``; :func:`approve` is the only function that writes the user's branch, index and
working tree, because the user asked for it.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Literal

from plansmith.errors import ConflictError, ProposalError, UnknownProposalError
from plansmith.git_backend import diffs, rejections
from plansmith.git_backend.cmd import git
from plansmith.git_backend.messages import (
    TRAILER_BASE,
    TRAILER_ITEMS,
    TRAILER_OPERATION,
    TRAILER_PLAN,
    TRAILER_RUN,
    message_trailers,
    split_items,
)
from plansmith.git_backend.objects import CommitInfo
from plansmith.git_backend.repo import (
    ZERO_OID,
    RepoPaths,
    current_branch,
    default_branch,
    resolve_commit,
)
from plansmith.git_backend.session import GitSession, session_for
from plansmith.plan.roots import branch_component

if TYPE_CHECKING:
    from plansmith.git_backend.diffs import FileChange

DEFAULT_PREFIX = "plansmith/"
State = Literal["open", "stale", "edited"]
_EDITED_HISTORY = 200  # commits searched below an edited tip for the last plansmith commit


@dataclass(frozen=True, slots=True)
class Proposal:
    id: str
    branch: str
    commit: str
    plan: str
    operation: str
    items: tuple[str, ...]
    base: str
    base_branch: str
    run: str
    state: State
    created: int = field(default=0, compare=False)  # the tip's commit time (Unix seconds), for its age

    @property
    def ref(self) -> str:
        return f"refs/heads/{self.branch}"


@dataclass(frozen=True, slots=True)
class ApproveResult:
    proposal: Proposal
    kind: Literal["fast-forward", "merge", "up-to-date"]
    head: str


def branch_name(plan_name: str, base_branch: str, *, default: str, prefix: str = DEFAULT_PREFIX) -> str:
    """The proposal branch (short name) for ``plan_name`` based on ``base_branch``; see the module doc."""
    _check_component(plan_name, "plan name")
    name = f"{prefix}{plan_name}" if base_branch == default else f"{prefix}{base_branch}/{plan_name}"
    _check_ref_name(name)
    return name


def plan_name_of(plan: str) -> str:
    """``specs/plans/001_feature.md`` or ``specs/plans/001_feature/001_feature.md`` -> ``001_feature``."""
    return PurePosixPath(plan).stem


def _check_component(text: str, what: str) -> None:
    if not text or "/" in text:
        raise ProposalError(f"invalid {what} {text!r} for a branch name", hint="rename the plan file")


def _check_ref_name(name: str) -> None:
    # Mirrors git check-ref-format's rules without a process per call.
    bad = (
        any(c in name for c in " ~^:?*[\\\x7f")
        or any(ord(c) < 32 for c in name)
        or ".." in name
        or "@{" in name
        or "//" in name
        or name.startswith(("-", "/"))
        or name.endswith(("/", ".", ".lock"))
        or any(part.startswith(".") or part.endswith(".lock") for part in name.split("/"))
    )
    if bad:
        raise ProposalError(
            f"{name!r} is not a valid branch name", hint="check proposal_prefix and the plan's file name"
        )


def _ref_prefix(prefix: str) -> str:
    return f"refs/heads/{prefix}"


def _is_plansmith_commit(author_email: str, committer_email: str, trailers: dict[str, str]) -> bool:
    # A user's commit lacks the trailers; a user's amend keeps them but makes the committer differ.
    return TRAILER_PLAN in trailers and author_email == committer_email


def _plansmith_trailers(info: CommitInfo) -> dict[str, str] | None:
    """The trailers of ``info`` when it is a plansmith commit, else ``None``."""
    trailers = message_trailers(info.message)
    return trailers if _is_plansmith_commit(info.author_email, info.committer_email, trailers) else None


def commit_trailers(repo: RepoPaths, commit: str) -> dict[str, str]:
    """The trailers of ``commit``'s message (read through the session, no process)."""
    return message_trailers(session_for(repo).commit(resolve_commit(repo, commit)).message)


def _last_plansmith_trailers(session: GitSession, tip: str) -> dict[str, str]:
    """Trailers of the newest plansmith commit below an edited tip (``{}`` when there is none), among
    the ``_EDITED_HISTORY`` newest commits of its history (newest committer date first, as ``git log``)."""
    queue: list[tuple[int, str]] = [(0, tip)]
    seen = {tip}
    for _ in range(_EDITED_HISTORY):
        if not queue:
            break
        info = session.commit(heapq.heappop(queue)[1])
        trailers = _plansmith_trailers(info)
        if trailers is not None:
            return trailers
        for parent in info.parents:
            if parent not in seen:
                seen.add(parent)
                heapq.heappush(queue, (-session.commit(parent).committer_time, parent))
    return {}


def list_proposals(repo: RepoPaths, *, prefix: str = DEFAULT_PREFIX) -> list[Proposal]:
    """Every proposal branch under ``prefix`` with its state, sorted by id."""
    ref_prefix = _ref_prefix(prefix)
    session = session_for(repo)
    branches = session.refs_under(ref_prefix)
    default = default_branch(repo) if branches else ""
    tips: dict[str, str | None] = {}
    proposals: list[Proposal] = []
    for ref, tip in branches:
        own = _plansmith_trailers(session.commit(tip))
        trailers = own if own is not None else _last_plansmith_trailers(session, tip)
        pid = ref.removeprefix(ref_prefix)
        base_branch = pid.rsplit("/", 1)[0] if "/" in pid else default
        if base_branch not in tips:
            tips[base_branch] = session.ref(f"refs/heads/{base_branch}")
        base = trailers.get(TRAILER_BASE, "")
        state: State = (
            "edited" if own is None else "stale" if not base or tips[base_branch] != base else "open"
        )
        proposals.append(
            Proposal(
                id=pid,
                branch=ref.removeprefix("refs/heads/"),
                commit=tip,
                plan=trailers.get(TRAILER_PLAN, ""),
                operation=trailers.get(TRAILER_OPERATION, ""),
                items=tuple(split_items(trailers.get(TRAILER_ITEMS, ""))),
                base=base,
                base_branch=base_branch,
                run=trailers.get(TRAILER_RUN, ""),
                state=state,
                created=session.commit(tip).committer_time,
            )
        )
    return sorted(proposals, key=lambda p: p.id)


def get(repo: RepoPaths, proposal_id: str, *, prefix: str = DEFAULT_PREFIX) -> Proposal:
    """The proposal ``proposal_id`` (or of the plan id ``proposal_id``); :class:`UnknownProposalError`
    when there is none."""
    found = list_proposals(repo, prefix=prefix)
    for wanted in (proposal_id, branch_component(proposal_id)):  # a plan id names its proposal too
        for proposal in found:
            if proposal.id == wanted:
                return proposal
    raise UnknownProposalError(f"no proposal named {proposal_id!r}")


def owned(proposal: Proposal) -> bool:
    """Whether plansmith made the branch's tip: a plansmith commit (not ``edited``) carrying every
    trailer of a proposal record. Only such branches are deleted or moved; repository settings choose
    the prefix, so a name under it alone proves nothing."""
    return proposal.state != "edited" and all(
        (proposal.plan, proposal.operation, proposal.base, proposal.run)
    )


def _refuse_unless_owned(proposal: Proposal, action: str) -> None:
    if not owned(proposal):
        raise ConflictError(
            f"branch {proposal.branch} was not made by plansmith (its tip is not a proposal commit); "
            f"plansmith does not {action} it",
            hint=f"if you mean it, do it with git yourself (git branch -D {proposal.branch})",
        )


def _checked_out(repo: RepoPaths) -> set[str]:
    """The branches (full ref names) the repository's worktrees have checked out: their HEAD files,
    which is what ``git worktree list`` reads too."""
    heads = [repo.common_dir / "HEAD"]
    if (repo.common_dir / "worktrees").is_dir():
        heads += sorted((repo.common_dir / "worktrees").glob("*/HEAD"))
    branches: set[str] = set()
    for head in heads:
        try:
            text = head.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            continue
        if text.startswith("ref: "):
            branches.add(text.removeprefix("ref: ").strip())
    return branches


def _refuse_if_checked_out(repo: RepoPaths, ref: str) -> None:
    """Moving or deleting a branch some worktree has checked out would change that worktree's HEAD."""
    if ref in _checked_out(repo):
        raise ConflictError(
            f"{ref.removeprefix('refs/heads/')} is checked out in a worktree",
            hint="switch that worktree to another branch first (git switch -)",
        )


def publish(
    repo: RepoPaths,
    commit: str,
    *,
    base_branch: str | None = None,
    expected: str | None = None,
    prefix: str = DEFAULT_PREFIX,
    plan_id: str | None = None,
) -> Proposal:
    """Point the plan's proposal branch at ``commit`` if it is still at ``expected`` (``None``: absent).

    ``commit`` must be a plansmith commit (with the trailers; see the module doc). ``base_branch``
    defaults to the branch checked out in ``repo.worktree``. A branch the user edited is never replaced.
    ``plan_id`` (default: the plan file's name) names the branch through
    :func:`~plansmith.plan.roots.branch_component`, so ids of topic roots (``042_search/001-x``) get one
    component (``042_search+001-x``) and never clash with another proposal's folder.
    """
    new = resolve_commit(repo, commit)
    plan = commit_trailers(repo, new).get(TRAILER_PLAN)
    if not plan:
        raise ProposalError(
            f"commit {new} has no {TRAILER_PLAN} trailer", hint="commit with proposal trailers"
        )
    base = base_branch or current_branch(repo)
    if base is None:
        raise ConflictError("HEAD is detached: there is no base branch", hint="check out a branch first")
    component = branch_component(plan_id or plan_name_of(plan))
    name = branch_name(component, base, default=default_branch(repo), prefix=prefix)
    ref = f"refs/heads/{name}"
    _refuse_if_checked_out(repo, ref)
    if expected is not None:
        current = next((p for p in list_proposals(repo, prefix=prefix) if p.branch == name), None)
        if current is not None and current.commit == expected and current.state == "edited":
            raise ConflictError(
                f"proposal {current.id} has commits of yours on it; plansmith leaves it alone",
                hint=f"merge or delete branch {name} to let plansmith propose again",
            )
    result = git(
        ["update-ref", "-m", f"plansmith: publish {name}", ref, new, expected or ZERO_OID],
        cwd=repo.worktree,
        check=False,
    )
    if result.returncode != 0:
        raise ConflictError(
            f"proposal branch {name} changed while plansmith was publishing: {result.err}",
            hint="run the operation again; it will start from the branch as it is now",
        )
    return get(repo, name.removeprefix(prefix), prefix=prefix)


def diff(repo: RepoPaths, proposal_id: str, *, prefix: str = DEFAULT_PREFIX) -> str:
    """What approving would bring, renames detected (see :mod:`plansmith.git_backend.diffs`)."""

    return diffs.diff_text(repo, get(repo, proposal_id, prefix=prefix))


def changed_files(repo: RepoPaths, proposal_id: str, *, prefix: str = DEFAULT_PREFIX) -> list[FileChange]:
    """The files the proposal changes, with their line counts (see :mod:`plansmith.git_backend.diffs`)."""

    return diffs.changed_files(repo, get(repo, proposal_id, prefix=prefix))


def message(repo: RepoPaths, proposal_id: str, *, prefix: str = DEFAULT_PREFIX) -> str:
    """The full commit message of the proposal's tip (its body holds the analysis table)."""
    proposal = get(repo, proposal_id, prefix=prefix)
    return session_for(repo).commit(proposal.commit).message.rstrip("\n")


def reject(
    repo: RepoPaths,
    proposal_id: str,
    *,
    content_hash: Callable[[Proposal], str | None],
    prefix: str = DEFAULT_PREFIX,
) -> Proposal:
    """Delete the proposal branch and remember the rejection for the plan content it was made from.

    ``content_hash`` gives the hash of the proposal's plan as its base commit has it (``None``: no
    plan to remember, the branch is still deleted). The caller reads the plan, through
    :class:`plansmith.snapshot.Snapshot`, so that the hash is the one the daemon and CI ask with; this
    layer lies below the snapshot and must not read plans itself. The rejection is recorded before the
    branch is deleted (a crash in between must not let the proposal come back) and withdrawn if the
    deletion fails.
    """
    proposal = get(repo, proposal_id, prefix=prefix)
    _refuse_unless_owned(proposal, "delete")
    _refuse_if_checked_out(repo, proposal.ref)
    digest = content_hash(proposal)
    if proposal.plan and digest:
        rejections.record(repo, proposal.plan, digest, proposal=proposal.id, commit=proposal.commit)
    result = git(["update-ref", "-d", proposal.ref, proposal.commit], cwd=repo.worktree, check=False)
    if result.returncode != 0:
        if proposal.plan and digest:
            rejections.forget(repo, proposal.plan, digest)
        raise ConflictError(
            f"proposal {proposal.id} changed while it was being rejected: {result.err}",
            hint="look at it again with 'plansmith proposals show ID', then reject it again",
        )
    return proposal
