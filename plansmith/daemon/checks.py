"""The daemon's content checks: hash the plans on disk, read HEAD's plans, let the tracker decide.

This is the only place where the loop's decisions meet the repository: it reads (the working tree's
plan files, HEAD through the long-lived git session) and feeds the pure
:class:`~plansmith.daemon.tracker.ChangeTracker`; the verdicts go into the work queue and the pending
part of the state. It must not write anything to the repository nor call the handler.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from plansmith.daemon.debounce import PlanKey
from plansmith.daemon.radar_watch import RadarWatch
from plansmith.daemon.repo import RepoPaths, committed_snapshot, worktree_snapshot
from plansmith.daemon.state import DaemonState
from plansmith.daemon.tracker import ChangeTracker, Verdict
from plansmith.daemon.work_queue import WorkQueue
from plansmith.git_backend import session as git_session

log = logging.getLogger(__name__)


class ContentChecks:
    """Questions to the disk and to git whose answers go through the tracker into the queue."""

    def __init__(
        self,
        repo: RepoPaths,
        roots: Sequence[str],
        tracker: ChangeTracker,
        queue: WorkQueue,
        state: DaemonState,
        radar_skip_prefix: str = "plansmith/",
    ) -> None:
        self.repo = repo
        self.roots = roots
        self.tracker = tracker
        self.queue = queue
        self.state = state
        self._last_head: tuple[str, str | None] | None = None
        """(branch, commit) of HEAD when it was last read: a ref event that moved neither is skipped."""
        self.radar = RadarWatch(repo, roots, radar_skip_prefix)  # a fetch (refs/remotes moved) re-runs it

    def _apply(self, verdict: Verdict) -> None:
        self.queue.add_analyses(verdict.analyse)
        self.queue.drop_analyses(verdict.settled)
        for key in verdict.settled:
            self.state.set_pending(key, [])

    def worktree(self, keys: set[PlanKey] | None) -> set[PlanKey]:
        """Hash the plans on disk; keys whose content changed since last seen are reconsidered."""
        moved, unchanged = self.tracker.worktree_seen(worktree_snapshot(self.repo, self.roots, keys), keys)
        self.state.count("skipped_unchanged", unchanged)
        moved |= self.tracker.take_recheck(keys)
        if moved:
            self._apply(self.tracker.reconsider(moved, committed_snapshot(self.repo, self.roots)))
        return moved

    def refs(self, waiting: set[PlanKey], *, force: bool = False) -> set[PlanKey]:
        """HEAD or refs moved: queue plans whose committed content changed on the current branch.

        Returns the plans that look like uncommitted edits now: the caller starts an edit window for
        them (see :meth:`~plansmith.daemon.tracker.ChangeTracker.ref_moved`).

        ``waiting``: plans with edit events still inside their debounce window; they are judged when
        the window closes (a checkout rewrites the plans before it moves HEAD, an editor may still be
        writing). ``force``: read HEAD's plans even if HEAD still names the same commit (rescans).
        """
        self.radar.after_refs_moved()
        branch = git_session.session_for(self.repo).symbolic_ref("HEAD")  # None when HEAD is detached
        if branch is None:
            log.debug("HEAD is detached (rebase or bisect in progress?): waiting for a branch")
            return set()
        where = (branch, git_session.session_for(self.repo).ref("HEAD"))
        if where == self._last_head and not force:
            self.state.count("skipped_unchanged")  # another ref moved (fetch, branch -f): HEAD did not
            return set()
        head = committed_snapshot(self.repo, self.roots)
        disk = worktree_snapshot(self.repo, self.roots, None)
        keys, verdict = self.tracker.ref_moved(branch, head, disk, waiting)
        self._last_head = where
        if keys:
            self.queue.add_committed(keys)
        else:
            self.state.count("skipped_unchanged")
        self._apply(verdict)
        return set(verdict.later)

    def everything(self) -> None:
        """A full rescan's checks: every plan on disk, then HEAD's plans (even if HEAD did not move)."""
        self.worktree(None)
        self.refs(set(), force=True)
