"""Faults and load: SIGKILL mid-commit, a user committing while plansmith publishes, resource leaks."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from proc_stats import child_pids, open_fds

from plansmith.git_backend import checkpoints, proposals, session
from plansmith.git_backend.repo import RepoPaths, read_index_files, read_tree_files, worktree_status
from plansmith.git_backend.worktree import ScratchWorktree

from .helpers import git_out, propose, snapshot_user_state

COMMIT_LOOP = textwrap.dedent(
    """\
    import sys
    from pathlib import Path
    from plansmith.git_backend.repo import find_repository
    from plansmith.git_backend.worktree import ScratchWorktree

    scratch = ScratchWorktree.ensure(find_repository(Path(sys.argv[1])))
    i = 0
    while True:
        i += 1
        for n in range(5):
            (scratch.path / f"specs/plans/loop_{n}.md").write_text(f"round {i}\\n" * (i % 40 + 1))
        scratch.commit(f"loop {i}")
        print(i, flush=True)
    """
)


def fsck_problems(repo: Path) -> list[str]:
    result = subprocess.run(
        ["git", "fsck", "--full", "--no-progress", "--no-dangling"], cwd=repo, capture_output=True, text=True
    )
    lines = (result.stdout + result.stderr).splitlines()
    return [line for line in lines if line.strip()] + (
        [f"exit {result.returncode}"] if result.returncode else []
    )


@pytest.mark.slow
def test_sigkill_in_the_middle_of_a_commit_is_recovered(paths: RepoPaths, plans_repo: Path) -> None:
    """The whole process group (python and its git child) is killed at random moments, as systemd would."""
    before = snapshot_user_state(plans_repo)
    rng = random.Random(1234)
    stale_locks_seen = 0
    for _round in range(6):
        admin_lock = ScratchWorktree.ensure(paths).admin_dir / "index.lock"
        proc = subprocess.Popen(
            [sys.executable, "-c", COMMIT_LOOP, str(plans_repo)],
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        assert proc.stdout is not None
        proc.stdout.readline()  # it has committed at least once: now in its loop
        deadline = time.monotonic() + rng.uniform(0.05, 0.4)
        while time.monotonic() < deadline:
            if admin_lock.exists() and rng.random() < 0.5:
                break  # kill while git holds the index lock, when we can catch it
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        stale_locks_seen += admin_lock.exists()
        assert fsck_problems(plans_repo) == []
        scratch = ScratchWorktree.ensure(paths)
        assert not admin_lock.exists()
        (scratch.path / "specs/plans/after.md").write_text(f"after kill {_round}\n")
        commit = scratch.commit("after the kill")
        assert (
            read_tree_files(paths, commit, "specs/plans")["specs/plans/after.md"]
            == f"after kill {_round}\n".encode()
        )
        assert scratch.changed_paths() == []
    print(f"\nstale index.lock found after {stale_locks_seen} of 6 kills")
    assert fsck_problems(plans_repo) == []
    assert snapshot_user_state(plans_repo) == before


@pytest.mark.slow
def test_user_commits_while_plansmith_publishes(paths: RepoPaths, plans_repo: Path) -> None:
    scratch = ScratchWorktree.ensure(paths)
    user_failures: list[str] = []
    user_times: list[float] = []
    start = threading.Barrier(2)

    def user() -> None:
        start.wait()
        for i in range(50):
            time.sleep(0.06)  # spread the 50 commits over the whole publishing loop
            user_times.append(time.monotonic())
            (plans_repo / "src/app.py").write_text(f"print({i})\n")
            (plans_repo / "specs/plans/001_feature.md").write_text(f"# Plan: feature\n\nuser edit {i}\n")
            result = subprocess.run(
                ["git", "commit", "-aqm", f"user {i}"], cwd=plans_repo, capture_output=True
            )
            if result.returncode != 0:
                user_failures.append(result.stderr.decode())

    thread = threading.Thread(target=user)
    thread.start()
    tip: str | None = None
    published_at: list[float] = []
    start.wait()
    began = time.monotonic()
    # Publish for as long as the user commits (and at least 50 times), so the two really overlap
    # however fast publishing gets: a fixed 50 rounds once finished before half the user's commits.
    while thread.is_alive() or len(published_at) < 50:
        round_ = len(published_at)
        base = git_out(plans_repo, "rev-parse", "main").strip()
        commit = propose(
            scratch,
            base,
            plan="specs/plans/002_other/002_other.md",
            content=f"round {round_}\n",
            run=str(round_),
        )
        tip = proposals.publish(paths, commit, base_branch="main", expected=tip).commit
        published_at.append(time.monotonic())
        proposals.list_proposals(paths)
    ended = time.monotonic()  # the loop ends only once the user has stopped: every commit is inside
    thread.join()
    overlapping = sum(began <= t <= ended for t in user_times)
    interleaved = sum(min(user_times) <= t <= max(user_times) for t in published_at)
    print(
        f"\n{interleaved} of {len(published_at)} proposals published between the user's first and last commit"
    )
    assert overlapping == 50
    assert interleaved >= 10  # dozens on an idle machine; a loaded CI runner still manages 10
    assert user_failures == []
    assert int(git_out(plans_repo, "rev-list", "--count", "main")) == 51
    assert git_out(plans_repo, "status", "--porcelain") == ""
    assert proposals.get(paths, "002_other").run == str(len(published_at) - 1)
    assert fsck_problems(plans_repo) == []


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_no_leaks_over_a_thousand_operations(paths: RepoPaths, plans_repo: Path) -> None:
    """1,000 operations in one process: 600 tree reads, 150 index reads, 100 status reads,
    50 scratch commits and 50 checkpoint create+delete cycles (100 operations). Descriptors and
    child processes must be flat.

    Since the backend reads objects through the repository's session, one child lives as long as the
    session: its persistent ``git cat-file --batch`` (the contract changed from "no child at all" to
    "exactly that one, never more")."""
    session.close_all()  # sessions of earlier tests in this process
    scratch = ScratchWorktree.ensure(paths)
    for _warm_up in range(3):
        read_tree_files(paths, "HEAD", "specs/plans")
        checkpoints.delete(paths, checkpoints.create(paths, scratch.head(), plan="p", operation="o").id)
    fds_before, children_before = open_fds(), len(child_pids())
    started = time.perf_counter()
    operations = 0
    for i in range(600):
        assert len(read_tree_files(paths, "HEAD", "specs/plans")) == 3
        operations += 1
        if i % 4 == 0:
            assert len(read_index_files(paths, "specs/plans")) == 3
            operations += 1
        if i % 6 == 0:
            worktree_status(paths)
            operations += 1
        if i % 12 == 0:
            (scratch.path / "specs/plans/001_feature.md").write_text(f"{i}\n")
            cp = checkpoints.create(paths, scratch.commit(f"soak {i}"), plan="p", operation="o")
            checkpoints.delete(paths, cp.id)
            operations += 3
    elapsed = time.perf_counter() - started
    fds_after, children_after = open_fds(), len(child_pids())
    print(
        f"\n{operations} operations in {elapsed:.1f} s: fds {fds_before} -> {fds_after}, "
        f"children {children_before} -> {children_after}"
    )
    assert operations >= 1000
    assert fds_after == fds_before
    assert children_after == children_before == 1
    assert checkpoints.list_checkpoints(paths) == []
