"""The daemon's change tracker: which plans changed, and whether that is an edit or a commit.

Pure: snapshots (plan -> path -> blob id) go in, decisions come out. It must not hash files, ask git,
read a clock or call the handler; the loop (:mod:`plansmith.daemon.loop`) takes the snapshots and acts
on the decisions. That makes every "edit, commit or checkout?" question testable without a repository,
a watcher or a sleep.

What it remembers:

* ``worktree``: the plans as last hashed on disk;
* ``analysed``: the content each plan had when its uncommitted edit was last analysed;
* ``committed``: per branch (the ``MAX_BRANCHES`` most recently seen), the plans in that branch's HEAD
  when the handler was last told about it, so going back to a branch whose plans did not change costs
  nothing.

A plan is an *uncommitted edit* when its working-tree content differs from HEAD's; it is analysed once
per distinct content. When the working tree matches HEAD again (a commit, a checkout, ``reset --hard``),
the plan is *settled*: nothing to analyse, nothing pending.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from plansmith.daemon.debounce import FileHashes, PlanKey, changed, changed_keys

Snapshot = dict[PlanKey, dict[str, str]]
"""Plan -> (repository-relative path -> blob id)."""

MAX_BRANCHES = 16


@dataclass(frozen=True, slots=True)
class Verdict:
    """What to do about plans whose working-tree or committed content moved."""

    analyse: frozenset[PlanKey] = frozenset()
    """Uncommitted edits whose content was not analysed yet."""
    settled: frozenset[PlanKey] = frozenset()
    """Plans that are not uncommitted edits (any more): drop their pending analysis."""
    later: frozenset[PlanKey] = frozenset()
    """Plans to judge after an edit window (start one for them)."""


@dataclass(slots=True)
class ChangeTracker:
    worktree: Snapshot = field(default_factory=dict)
    analysed: dict[PlanKey, FileHashes] = field(default_factory=dict)
    committed: OrderedDict[str, Snapshot] = field(default_factory=OrderedDict)
    recheck: set[PlanKey] = field(default_factory=set)
    """Plans a ref change left to be judged after an edit window, even if their content did not move."""
    max_branches: int = MAX_BRANCHES

    def worktree_seen(self, current: Snapshot, keys: set[PlanKey] | None) -> tuple[set[PlanKey], int]:
        """Take a fresh hash of the plans on disk (``keys``: the plans hashed; None: all of them).

        Returns the plans whose content moved since last seen (to be reconsidered against HEAD) and how
        many of the candidates did not move. An absent plan and an empty one are the same thing here.
        """
        candidates = set(current) | set(self.worktree) if keys is None else set(keys)
        moved = {
            k
            for k in candidates
            if (self.worktree.get(k) or current.get(k)) and changed(self.worktree.get(k), current.get(k, {}))
        }
        for key in moved:
            if current.get(key):
                self.worktree[key] = current[key]
            else:
                self.worktree.pop(key, None)
        return moved, len(candidates) - len(moved)

    def head_seen(self, branch: str, head: Snapshot) -> set[PlanKey]:
        """HEAD of ``branch`` has these plans: the ones whose committed content is new for the branch.

        A branch never seen (or forgotten) hands over all its plans: proposals are per base branch.
        """
        previous = self.committed.get(branch)
        keys = set(head) if previous is None else changed_keys(previous, head)
        self.committed[branch] = head
        self.committed.move_to_end(branch)
        while len(self.committed) > self.max_branches:
            self.committed.popitem(last=False)
        return keys

    def ref_moved(
        self, branch: str, head: Snapshot, disk: Snapshot, waiting: set[PlanKey]
    ) -> tuple[set[PlanKey], Verdict]:
        """HEAD moved (commit, checkout, reset, the end of a rebase): decide on content, at once.

        ``head``: the plans in the new HEAD; ``disk``: the plans on disk now; ``waiting``: plans with
        edit events inside their debounce window, left to be judged when it closes. Returns the plans
        whose committed content is new for ``branch``, and the verdict on the others: the ones whose
        disk matches HEAD are settled at once; the ones that differ go ``later``: they look like an
        edit, and an edit is judged after a debounce window (the disk may show a write whose event has
        not arrived yet, a commit of it may be on its way), like any other edit.
        """
        keys = self.head_seen(branch, head)
        settled: set[PlanKey] = set()
        later: set[PlanKey] = set()
        for key in (self.all_known(head) | set(disk)) - waiting:
            on_disk = disk.get(key)
            if on_disk and on_disk != head.get(key):
                later.add(key)
                continue
            if on_disk:
                self.worktree[key] = on_disk
            else:
                self.worktree.pop(key, None)
            self.analysed.pop(key, None)
            settled.add(key)
        self.recheck |= later
        return keys, Verdict(settled=frozenset(settled), later=frozenset(later))

    def take_recheck(self, keys: set[PlanKey] | None) -> set[PlanKey]:
        """Plans left ``later`` by a ref change among ``keys`` (None: all): reconsider them now."""
        taken = set(self.recheck) if keys is None else self.recheck & keys
        self.recheck -= taken
        return taken

    def all_known(self, head: Snapshot) -> set[PlanKey]:
        """Every plan that is on disk, in ``head`` or has an analysis: what a ref change reconsiders."""
        return set(self.worktree) | set(head) | set(self.analysed)

    def reconsider(self, keys: set[PlanKey], head: Snapshot) -> Verdict:
        """For plans whose working tree or HEAD content moved: is an analysis due, or are they settled?"""
        analyse: set[PlanKey] = set()
        settled: set[PlanKey] = set()
        for key in keys:
            on_disk = self.worktree.get(key)
            if on_disk is None or on_disk == head.get(key):
                self.analysed.pop(key, None)
                settled.add(key)
            elif changed(self.analysed.get(key), on_disk):
                analyse.add(key)
        return Verdict(frozenset(analyse), frozenset(settled))

    def content_of(self, keys: list[PlanKey]) -> dict[PlanKey, dict[str, str]]:
        """The working-tree content of ``keys`` as last seen (taken before an analysis starts)."""
        return {k: self.worktree.get(k, {}) for k in keys}

    def analysed_as(self, content: dict[PlanKey, dict[str, str]]) -> None:
        """Record that these plans were analysed with this content (not again until it changes)."""
        self.analysed.update(content)
