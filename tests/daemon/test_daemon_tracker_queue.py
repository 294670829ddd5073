"""The pure parts of the daemon: the change tracker, the work queue with an injected clock, the jobs table.

No repository, no watcher, no sleep: snapshots and times are made up.
"""

from __future__ import annotations

import pytest

from plansmith.daemon.inbox import JobRequest
from plansmith.daemon.jobs import JOBS, JobIntervals, job_table
from plansmith.daemon.tracker import ChangeTracker
from plansmith.daemon.work_queue import WorkQueue

V1 = {"001_a": {"specs/plans/001_a.md": "1" * 40}}
V2 = {"001_a": {"specs/plans/001_a.md": "2" * 40}}


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_edit_is_analysed_once_per_content_and_settled_by_its_commit() -> None:
    t = ChangeTracker()
    t.head_seen("refs/heads/main", V1)
    moved, unchanged = t.worktree_seen(V2, None)
    assert (moved, unchanged) == ({"001_a"}, 0)
    verdict = t.reconsider(moved, V1)
    assert verdict.analyse == {"001_a"} and not verdict.settled
    t.analysed_as(t.content_of(["001_a"]))
    assert not t.reconsider({"001_a"}, V1).analyse  # same content: not again
    keys, verdict = t.ref_moved("refs/heads/main", V2, V2, set())
    assert keys == {"001_a"} and verdict.settled == {"001_a"} and not verdict.analyse


def test_a_checkout_with_edit_events_in_their_window_is_not_an_edit() -> None:
    t = ChangeTracker()
    t.ref_moved("refs/heads/main", V1, V1, set())
    # The checkout rewrote the plan (its events are still debounced), then moved HEAD.
    keys, verdict = t.ref_moved("refs/heads/feature", V2, V2, {"001_a"})
    assert keys == {"001_a"}  # a new branch hands its plans over
    assert not verdict.analyse and "001_a" not in verdict.settled
    # When the window closes, the disk matches HEAD: settled, nothing to analyse.
    moved, _ = t.worktree_seen(V2, {"001_a"})
    assert t.reconsider(moved, V2).settled == {"001_a"}


def test_a_soft_reset_is_an_edit_without_file_events_judged_after_an_edit_window() -> None:
    t = ChangeTracker()
    t.ref_moved("refs/heads/main", V2, V2, set())
    keys, verdict = t.ref_moved("refs/heads/main", V1, V2, set())
    assert keys == {"001_a"} and verdict.later == {"001_a"} and not verdict.analyse
    # The window closes: the disk did not move, but the plan is reconsidered and is an edit.
    moved, _ = t.worktree_seen(V2, {"001_a"})
    assert not moved and t.take_recheck({"001_a"}) == {"001_a"}
    assert t.reconsider({"001_a"}, V1).analyse == {"001_a"}
    assert t.take_recheck(None) == set()


def test_a_write_seen_on_disk_before_its_event_then_committed_is_never_an_edit() -> None:
    """A late ref event (a checkout's) is handled after a write whose event has not arrived yet."""
    t = ChangeTracker()
    t.ref_moved("refs/heads/main", V1, V1, set())
    keys, verdict = t.ref_moved("refs/heads/feature", V1, V2, set())
    assert verdict.later == {"001_a"} and not verdict.analyse  # not analysed at once: a window first
    keys, verdict = t.ref_moved("refs/heads/feature", V2, V2, {"001_a"})  # the commit, inside it
    assert keys == {"001_a"}
    moved, _ = t.worktree_seen(V2, {"001_a"})
    assert t.reconsider(moved | t.take_recheck({"001_a"}), V2).settled == {"001_a"}


def test_a_branch_seen_before_with_the_same_plans_hands_nothing_over() -> None:
    t = ChangeTracker(max_branches=2)
    t.head_seen("refs/heads/main", V1)
    t.head_seen("refs/heads/feature", V2)
    assert t.head_seen("refs/heads/main", V1) == set()
    t.head_seen("refs/heads/x", V1)  # feature is forgotten (least recently seen)
    assert t.head_seen("refs/heads/feature", V2) == {"001_a"}


def test_the_queue_backs_off_after_failures_and_retries_on_its_clock() -> None:
    clock = FakeClock()
    q = WorkQueue(clock)
    assert q.deadline() is None and not q.has_work()
    q.add_analyses(["001_a"])
    assert q.deadline() == 100.0
    keys = q.take_analyses()
    assert q.failed() == 2.0
    q.add_analyses(keys)
    assert q.backing_off() and q.deadline() == 102.0
    assert q.failed() == 4.0 and q.deadline() == 104.0
    clock.now = 104.0
    assert not q.backing_off()
    q.succeeded()
    assert q.failures == 0 and q.take_analyses() == ["001_a"]


def test_the_queue_puts_committed_work_back_and_keeps_the_first_trigger() -> None:
    q = WorkQueue(FakeClock())
    q.add_committed(["b", "a"])
    assert q.take_committed()[:2] == (["a", "b"], "commit")
    q.check_all("start")
    q.check_all("rescan")
    keys, trigger, taken = q.take_committed()
    assert (keys, trigger) == (None, "start") and not q.has_work()
    q.put_back_committed(taken)
    assert q.committed_all == "start"


def test_the_same_job_waiting_twice_is_coalesced_and_released_on_stop() -> None:
    q = WorkQueue(FakeClock())
    first, second = JobRequest("refresh"), JobRequest("refresh")
    assert q.add_job(first) and not q.add_job(second)
    assert second.done.is_set() and not first.done.is_set()
    q.release_jobs()
    assert first.done.is_set() and q.next_job() is None


def test_the_jobs_table_has_one_row_per_job_with_its_interval() -> None:
    ran: list[str] = []
    actions = {name: (lambda name=name: ran.append(name)) for name in JOBS}
    table = job_table(JobIntervals(refresh_s=0), actions)
    assert list(table) == list(JOBS)
    assert table["refresh"].interval_s == 0 and table["reconcile"].interval_s == 300
    table["prune"].run()
    assert ran == ["prune"]
    with pytest.raises(ValueError):
        job_table(JobIntervals(), {"reconcile": lambda: None})
