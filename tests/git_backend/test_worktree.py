"""The scratch worktree: creation, limits, commits, resets, repair and locking."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from plansmith.errors import ConflictError, GitError
from plansmith.git_backend import session, trees
from plansmith.git_backend.repo import RepoPaths, find_repository, read_tree_files
from plansmith.git_backend.state_files import file_lock
from plansmith.git_backend.worktree import ScratchWorktree

from .helpers import git_out, snapshot_user_state


def files_in(folder: Path) -> set[str]:
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.relative_to(folder).parts[0] != ".git"
    }


def test_ensure_creates_a_locked_detached_worktree_with_only_the_plans(
    paths: RepoPaths, plans_repo: Path
) -> None:
    before = snapshot_user_state(plans_repo)
    wt = ScratchWorktree.ensure(paths)
    assert wt.path == paths.common_dir / "plansmith" / "worktree"
    assert files_in(wt.path) == {
        "specs/plans/001_feature.md",
        "specs/plans/002_other/002_other.md",
        "specs/plans/002_other/phase_1_setup.md",
    }
    assert wt.head() == git_out(plans_repo, "rev-parse", "HEAD").strip()
    listing = git_out(plans_repo, "worktree", "list", "--porcelain")
    block = next(b for b in listing.split("\n\n") if str(wt.path) in b)
    assert "detached" in block
    assert "locked plansmith scratch worktree" in block
    # The index of the scratch worktree holds the plans only.
    env = {**os.environ, "GIT_DIR": str(wt.admin_dir), "GIT_WORK_TREE": str(wt.path)}
    assert git_out(wt.path, "ls-files", env=env).split() == sorted(files_in(wt.path))
    assert snapshot_user_state(plans_repo) == before
    assert "worktreeConfig" not in (plans_repo / ".git/config").read_text()
    assert ScratchWorktree.ensure(paths).admin_dir == wt.admin_dir  # idempotent


def test_cost_does_not_grow_with_the_repository(make_repo) -> None:  # type: ignore[no-untyped-def]
    big = {f"src/pkg{i // 100}/mod{i}.py": f"x = {i}\n" for i in range(3000)}
    big["specs/plans/001_feature.md"] = "# Plan\n"
    repo = make_repo(big)
    paths = find_repository(repo)
    started = time.perf_counter()
    wt = ScratchWorktree.ensure(paths)
    created = time.perf_counter() - started
    (wt.path / "specs/plans/001_feature.md").write_text("# Plan, edited\n")
    started = time.perf_counter()
    commit = wt.commit("edit")
    committed = time.perf_counter() - started
    print(f"\n3000-file repository: ensure {created * 1000:.0f} ms, commit {committed * 1000:.0f} ms")
    assert files_in(wt.path) == {"specs/plans/001_feature.md"}
    assert (wt.admin_dir / "index").stat().st_size < 1000
    assert len(read_tree_files(paths, commit, "src")) == 3000
    assert created < 2.0 and committed < 2.0


def test_commit_records_only_the_plans_folder(paths: RepoPaths, plans_repo: Path) -> None:
    wt = ScratchWorktree.ensure(paths)
    parent = wt.head()
    (wt.path / "specs/plans/001_feature.md").write_text("changed\n")
    (wt.path / "specs/plans/002_other/phase_2_new.md").write_text("new\n")
    (wt.path / "specs/plans/002_other/phase_1_setup.md").unlink()
    (wt.path / "stray.txt").write_text("outside the plans folder\n")
    assert wt.changed_paths() == [
        "specs/plans/001_feature.md",
        "specs/plans/002_other/phase_1_setup.md",
        "specs/plans/002_other/phase_2_new.md",
        "stray.txt",
    ]
    commit = wt.commit(
        "plansmith: edit\n\nThe body.", trailers={"Plansmith-Plan": "specs/plans/001_feature.md"}
    )
    assert wt.head() == commit
    assert git_out(plans_repo, "rev-parse", f"{commit}^") == git_out(plans_repo, "rev-parse", parent)
    changed = git_out(plans_repo, "diff", "--name-status", parent, commit).splitlines()
    assert changed == [
        "M\tspecs/plans/001_feature.md",
        "D\tspecs/plans/002_other/phase_1_setup.md",
        "A\tspecs/plans/002_other/phase_2_new.md",
    ]
    assert git_out(plans_repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%B", commit) == (
        "plansmith <plansmith@localhost>|plansmith <plansmith@localhost>|plansmith: edit\n\n"
        "The body.\n\nPlansmith-Plan: specs/plans/001_feature.md\n\n"
    )
    assert wt.changed_paths() == ["stray.txt"]


def test_commit_without_changes_and_deleting_every_plan(paths: RepoPaths, plans_repo: Path) -> None:
    wt = ScratchWorktree.ensure(paths)
    head = wt.head()
    assert wt.commit("nothing") == head
    empty = wt.commit("empty", allow_empty=True)
    assert empty != head
    shutil.rmtree(wt.path / "specs/plans")
    gone = wt.commit("delete all plans")
    assert read_tree_files(paths, gone, "specs/plans") == {}
    assert set(read_tree_files(paths, gone, "")) == {
        "README.md",
        "src/app.py",
        "docs/guide.md",
        "specs/notes.md",
    }
    (wt.path / "specs/plans").mkdir(parents=True)
    (wt.path / "specs/plans/back.md").write_text("back\n")
    back = wt.commit("recreate")
    assert read_tree_files(paths, back, "specs/plans") == {"specs/plans/back.md": b"back\n"}


def test_commit_needs_no_user_identity(
    paths: RepoPaths, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (isolated_home / ".gitconfig").write_text("[user]\n\tuseConfigOnly = true\n")
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(var)
    wt = ScratchWorktree.ensure(paths)
    (wt.path / "specs/plans/001_feature.md").write_text("x\n")
    commit = wt.commit("edit", author="Bot <bot@example.invalid>")
    assert git_out(paths.worktree, "log", "-1", "--format=%an %ae %cn %ce", commit).strip() == (
        "Bot bot@example.invalid Bot bot@example.invalid"
    )


def test_reset_to_restores_the_plans_and_removes_stray_files(paths: RepoPaths, plans_repo: Path) -> None:
    wt = ScratchWorktree.ensure(paths)
    base = wt.head()
    (wt.path / "specs/plans/001_feature.md").write_text("edited\n")
    committed = wt.commit("edit")
    (wt.path / "specs/plans/001_feature.md").write_text("dirty\n")
    (wt.path / "specs/plans/untracked.md").write_text("u\n")
    (wt.path / "junk" / "deep").mkdir(parents=True)
    (wt.path / "junk/deep/file").write_text("j\n")
    wt.reset_to(base)
    assert wt.head() == base
    assert (
        wt.path / "specs/plans/001_feature.md"
    ).read_text() == "# Plan: feature\n\n## Phase 1: Setup\n\n- [ ] task\n"
    assert not (wt.path / "junk").exists() and not (wt.path / "specs/plans/untracked.md").exists()
    assert wt.changed_paths() == []
    wt.reset_to(committed)
    assert (wt.path / "specs/plans/001_feature.md").read_text() == "edited\n"


def test_ensure_recreates_a_missing_or_damaged_worktree(paths: RepoPaths, plans_repo: Path) -> None:
    before = snapshot_user_state(plans_repo)
    wt = ScratchWorktree.ensure(paths)
    damage: list[Callable[[], object]] = [
        lambda: shutil.rmtree(wt.path),
        lambda: shutil.rmtree(ScratchWorktree.ensure(paths).admin_dir),
        lambda: (wt.path / ".git").write_text("garbage\n"),
        lambda: (ScratchWorktree.ensure(paths).admin_dir / "HEAD").write_text("not a commit\n"),
        lambda: (ScratchWorktree.ensure(paths).admin_dir / "locked").unlink(),
        lambda: (ScratchWorktree.ensure(paths).admin_dir / "index").unlink(),
    ]
    for harm in damage:
        harm()
        repaired = ScratchWorktree.ensure(paths)
        assert "specs/plans/001_feature.md" in files_in(repaired.path)
        assert (repaired.admin_dir / "locked").exists()
        (repaired.path / "specs/plans/001_feature.md").write_text("works\n")
        repaired.reset_to(repaired.commit("still works"))
    listing = git_out(plans_repo, "worktree", "list", "--porcelain")
    assert sum(line.startswith("worktree ") for line in listing.splitlines()) == 2  # user + scratch
    assert snapshot_user_state(plans_repo) == before


def test_ensure_removes_a_stale_index_lock_but_not_a_live_one(paths: RepoPaths) -> None:
    wt = ScratchWorktree.ensure(paths)
    lock = wt.admin_dir / "index.lock"
    lock.write_bytes(b"")
    with pytest.raises(Exception, match=r"index\.lock"):
        (wt.path / "specs/plans/001_feature.md").write_text("x\n")
        wt.commit("blocked by the lock")
    ScratchWorktree.ensure(paths)
    assert not lock.exists()
    wt.commit("works again")
    # A process working inside the worktree may be the holder: ensure refuses to remove its lock.
    lock.write_bytes(b"")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"], cwd=wt.path)
    try:
        with pytest.raises(ConflictError) as info:
            ScratchWorktree.ensure(paths)
        assert str(sleeper.pid) in info.value.message
        assert lock.exists()
    finally:
        sleeper.kill()
        sleeper.wait()
    ScratchWorktree.ensure(paths)
    assert not lock.exists()


def test_another_process_holding_the_lock_blocks_ensure(paths: RepoPaths) -> None:
    ScratchWorktree.ensure(paths)
    lock_file = paths.state_dir / "worktree.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time\n"
            "f = open(sys.argv[1], 'a'); fcntl.flock(f, fcntl.LOCK_EX)\n"
            "print('held', flush=True); time.sleep(30)",
            str(lock_file),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(ConflictError) as info:
            ScratchWorktree.ensure(paths, lock_timeout=0.3)
        assert info.value.hint
    finally:
        holder.kill()
        holder.wait()
    ScratchWorktree.ensure(paths, lock_timeout=5)  # released by the kernel when the holder died


def test_threads_are_serialised_and_the_lock_is_reentrant(paths: RepoPaths) -> None:
    wt = ScratchWorktree.ensure(paths)
    inside = 0
    overlaps: list[int] = []
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        nonlocal inside
        try:
            for i in range(5):
                with wt.session():  # holds the lock; the operations below re-enter it
                    inside += 1
                    overlaps.append(inside)
                    (wt.path / "specs/plans/001_feature.md").write_text(f"{n}-{i}\n")
                    wt.commit(f"thread {n} commit {i}")
                    inside -= 1
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert max(overlaps) == 1
    assert int(git_out(paths.worktree, "rev-list", "--count", wt.head())) == 1 + 15


def test_file_lock_times_out_between_threads(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    entered = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with file_lock(lock):
            entered.set()
            release.wait(5)

    t = threading.Thread(target=hold)
    t.start()
    entered.wait(5)
    with pytest.raises(ConflictError), file_lock(lock, timeout=0.1):
        pass
    release.set()
    t.join()
    with file_lock(lock, timeout=1), file_lock(lock, timeout=1):
        pass


def test_user_hooks_do_not_run_for_scratch_operations(paths: RepoPaths, plans_repo: Path) -> None:
    marker = plans_repo / ".git" / "hook-ran"
    hooks = plans_repo / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    for name in ("pre-commit", "post-checkout", "reference-transaction", "post-commit"):
        hook = hooks / name
        hook.write_text(f"#!/bin/sh\necho {name} >> '{marker}'\nexit 1\n")
        hook.chmod(0o755)
    wt = ScratchWorktree.ensure(paths)
    (wt.path / "specs/plans/001_feature.md").write_text("x\n")
    wt.reset_to(wt.commit("edit"))
    assert not marker.exists()


def test_an_empty_plans_folder_and_a_repository_without_commits(paths: RepoPaths, tmp_path: Path) -> None:
    wt = ScratchWorktree.ensure(paths)
    shutil.rmtree(wt.path / "specs/plans")
    (wt.path / "specs/plans").mkdir()
    assert "specs/plans/001_feature.md" not in read_tree_files(paths, wt.commit("emptied"), "")
    assert wt.commit("still empty") == wt.head()

    empty = tmp_path / "empty"
    empty.mkdir()
    git_out(empty, "init", "-q", "-b", "main")
    with pytest.raises(GitError) as info:
        ScratchWorktree.ensure(find_repository(empty))
    assert "first commit" in info.value.hint


def test_the_index_tree_made_in_process_is_what_git_write_tree_makes(paths: RepoPaths) -> None:
    wt = ScratchWorktree.ensure(paths)
    (wt.path / "specs/plans/002_other/phase_2 new é.md").write_text("new\n")
    (wt.path / "specs/plans/run.sh").write_text("#!/bin/sh\n")
    (wt.path / "specs/plans/run.sh").chmod(0o755)
    (wt.path / "specs/plans/link.md").symlink_to("001_feature.md")
    commit = wt.commit("mixed content")
    env = {**os.environ, "GIT_DIR": str(wt.admin_dir), "GIT_WORK_TREE": str(wt.path)}
    by_git = git_out(wt.path, "write-tree", env=env).strip()
    made = trees.build(session.session_for(paths), trees.index_files(wt.admin_dir / "index") or [])
    assert made == by_git
    plans = git_out(wt.path, "rev-parse", f"{commit}:specs/plans").strip()
    assert plans == git_out(wt.path, "rev-parse", f"{by_git}:specs/plans", env=env).strip()


def test_an_index_the_in_process_reader_refuses_is_left_to_git(paths: RepoPaths) -> None:
    """Index version 4 (the user's feature.manyFiles, say): the commit asks git write-tree instead."""
    wt = ScratchWorktree.ensure(paths)
    env = {**os.environ, "GIT_DIR": str(wt.admin_dir), "GIT_WORK_TREE": str(wt.path)}
    git_out(wt.path, "update-index", "--index-version", "4", env=env)
    assert trees.index_files(wt.admin_dir / "index") is None
    (wt.path / "specs/plans/001_feature.md").write_text("edited with a v4 index\n")
    commit = wt.commit("v4")
    assert (
        read_tree_files(paths, commit, "specs/plans")["specs/plans/001_feature.md"]
        == b"edited with a v4 index\n"
    )
    assert wt.changed_paths() == []


def test_reset_and_commit_in_a_warm_worktree_start_few_processes(
    paths: RepoPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """reset_to: read-tree (+ update-ref when HEAD moves); commit: add + update-ref. Nothing else."""
    from plansmith.git_backend import cmd

    wt = ScratchWorktree.ensure(paths)
    base = wt.head()
    started: list[str] = []
    real = cmd.git

    def counting(args, **kwargs):  # type: ignore[no-untyped-def]
        started.append(next(a for a in args if not a.startswith("-") and "=" not in a))
        return real(args, **kwargs)

    monkeypatch.setattr("plansmith.git_backend.worktree.git", counting)
    (wt.path / "specs/plans/001_feature.md").write_text("one\n")
    first = wt.commit("one")
    wt.reset_to(base)
    assert started == ["add", "update-ref", "read-tree", "update-ref"]
    started.clear()
    wt.reset_to(base)  # HEAD is there already
    assert started == ["read-tree"]
    assert first != base
