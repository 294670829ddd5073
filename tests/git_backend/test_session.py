"""The long-lived session: refs from the files, objects through one cat-file, loose objects written as
git writes them, its children and descriptors bounded, and a soak of 1,000 operations."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from proc_stats import child_pids as children
from proc_stats import open_fds

from plansmith.errors import GitError
from plansmith.git_backend import checkpoints, proposals, session
from plansmith.git_backend.paths import RepoPaths, find_repository
from plansmith.git_backend.repo import current_branch, default_branch, read_tree_files, rev_parse
from plansmith.git_backend.worktree import ScratchWorktree

from .helpers import git_out, propose

PROC = Path("/proc/self")
needs_proc = pytest.mark.skipif(not (PROC / "task").exists(), reason="needs Linux /proc")


@pytest.fixture(autouse=True)
def fresh_sessions() -> None:
    session.close_all()


def test_refs_are_read_from_loose_and_packed_files(paths: RepoPaths, plans_repo: Path) -> None:
    head = git_out(plans_repo, "rev-parse", "HEAD").strip()
    git_out(plans_repo, "branch", "plansmith/packed")
    git_out(plans_repo, "pack-refs", "--all")
    git_out(plans_repo, "branch", "plansmith/loose")
    git_out(plans_repo, "branch", "plansmithX")  # shares the prefix's letters, not its folder
    s = session.session_for(paths)
    assert s.ref("HEAD") == s.ref("refs/heads/main") == head
    assert s.ref("refs/heads/missing") is None
    assert s.symbolic_ref("HEAD") == "refs/heads/main"
    assert s.refs_under("refs/heads/plansmith/") == [
        ("refs/heads/plansmith/loose", head),
        ("refs/heads/plansmith/packed", head),
    ]
    git_out(plans_repo, "checkout", "-q", "--detach")
    assert s.symbolic_ref("HEAD") is None and current_branch(paths) is None
    git_out(plans_repo, "checkout", "-q", "--orphan", "unborn")
    assert s.symbolic_ref("HEAD") == "refs/heads/unborn" and s.ref("HEAD") is None
    assert current_branch(paths) == "unborn"


def test_revisions_resolve_in_process_or_through_git(paths: RepoPaths, plans_repo: Path) -> None:
    git_out(plans_repo, "commit", "-q", "--allow-empty", "-m", "second")
    git_out(plans_repo, "tag", "-a", "-m", "annotated", "v1")
    head = git_out(plans_repo, "rev-parse", "HEAD").strip()
    for rev in ("HEAD", "refs/tags/v1", "refs/tags/v1^{commit}", f"{head}^{{tree}}", "HEAD~1", head[:9]):
        expected = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", rev], cwd=plans_repo, capture_output=True, text=True
        ).stdout.strip()
        assert rev_parse(paths, rev) == expected, rev
    assert rev_parse(paths, "0" * 40 + "^{commit}") is None
    assert rev_parse(paths, "refs/heads/nope") is None
    assert rev_parse(paths, "nope~3") is None
    assert rev_parse(paths, "refs/../HEAD") is None  # not a ref name: git says so, no file is read


def test_default_branch_reads_init_default_branch_from_the_config_files(
    make_repo, isolated_home: Path
) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo()
    git_out(repo, "branch", "trunk")
    paths = find_repository(repo)
    assert default_branch(paths) == "main"
    with (isolated_home / ".gitconfig").open("a") as config:
        config.write("[init]\n\tdefaultBranch = trunk\n")
    assert default_branch(paths) == "trunk"  # read again each time: a daemon sees the change
    git_out(repo, "config", "init.defaultBranch", "main")  # the repository's config wins
    assert default_branch(paths) == "main"


def test_objects_written_in_process_are_gits_own(paths: RepoPaths, plans_repo: Path) -> None:
    s = session.session_for(paths)
    data = b"written by plansmith\n"
    oid = s.write("blob", data)
    expected = (
        subprocess.run(
            ["git", "hash-object", "--stdin"], cwd=plans_repo, input=data, capture_output=True, check=True
        )
        .stdout.decode()
        .strip()
    )
    assert oid == expected
    loose = paths.common_dir / "objects" / oid[:2] / oid[2:]
    assert stat.S_IMODE(loose.stat().st_mode) == 0o444
    assert s.write("blob", data) == oid  # already there: nothing written
    assert s.read(oid) == ("blob", data)
    assert git_out(plans_repo, "cat-file", "-p", oid) == data.decode()
    assert subprocess.run(["git", "fsck", "--full", "--no-dangling"], cwd=plans_repo).returncode == 0


def test_a_missing_object_is_none_and_a_killed_child_is_replaced(paths: RepoPaths, plans_repo: Path) -> None:
    s = session.session_for(paths)
    head = git_out(plans_repo, "rev-parse", "HEAD").strip()
    assert s.read("1" * 40) is None
    assert s.read(head) is not None
    for pid in children():
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.1)
    assert s.read(head) is not None  # a fresh cat-file
    with pytest.raises(GitError):
        s.read("HEAD")  # only full ids reach the cat-file protocol


def test_inherited_git_variables_do_not_redirect_the_session(
    make_repo, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    mine = make_repo({"specs/plans/001_mine.md": "mine\n"})
    other = make_repo({"specs/plans/001_other.md": "other\n"})
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / ".git" / "index"))
    assert read_tree_files(find_repository(mine), "HEAD", "specs/plans") == {
        "specs/plans/001_mine.md": b"mine\n"
    }


def test_a_sha256_repository_gets_a_clear_error(tmp_path: Path) -> None:
    repo = tmp_path / "sha256"
    made = subprocess.run(["git", "init", "-q", "--object-format=sha256", str(repo)], capture_output=True)
    if made.returncode != 0:
        pytest.skip("this git cannot make SHA-256 repositories")
    paths = find_repository(repo)
    assert paths.object_format == "sha256"
    with pytest.raises(GitError, match="SHA-1"):
        session.session_for(paths).ref("HEAD")


@needs_proc
def test_sessions_are_bounded_and_closed(make_repo) -> None:  # type: ignore[no-untyped-def]
    repos = [find_repository(make_repo()) for _ in range(session.MAX_OPEN + 2)]
    for paths in repos:
        assert rev_parse(paths, "HEAD^{commit}") is not None  # one cat-file child each
    assert len(children()) == session.MAX_OPEN  # the least recently used were closed
    session.close(repos[-1])
    assert len(children()) == session.MAX_OPEN - 1
    session.close_all()
    assert children() == []


@needs_proc
def test_a_command_line_run_ends_its_children_at_exit(make_repo) -> None:  # type: ignore[no-untyped-def]
    """The session registers :func:`session.close_all` with ``atexit``: the exit handlers end the child."""
    repo = make_repo()
    code = (
        "import atexit, os\n"
        "from pathlib import Path\n"
        "from plansmith.git_backend.paths import find_repository\n"
        "from plansmith.git_backend.repo import rev_parse\n"
        "kids = Path(f'/proc/{os.getpid()}/task/{os.getpid()}/children')\n"
        "assert rev_parse(find_repository(Path('.')), 'HEAD^{tree}')\n"
        "print(len(kids.read_text().split()))\n"
        "atexit._run_exitfuncs()\n"
        "print(len(kids.read_text().split()))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1", "0"]


@pytest.mark.slow
@needs_proc
def test_soak_a_thousand_operations_through_one_session(paths: RepoPaths, plans_repo: Path) -> None:
    """1,000 backend operations through the long-lived session, as a daemon would make them: ref
    reads, tree listings, blob reads, scratch commits, checkpoints and publishes, with a close and
    reopen (what the daemon does after an error) every 250. Descriptors and children stay flat."""
    scratch = ScratchWorktree.ensure(paths)
    base = git_out(plans_repo, "rev-parse", "HEAD").strip()
    s = session.session_for(paths)
    read_tree_files(paths, "HEAD", "specs/plans")  # warm: the cat-file child is running
    fds_before, children_before = open_fds(), children()
    started = time.perf_counter()
    operations = 0
    tip: str | None = None
    for i in range(1, 251):
        assert s.ref("HEAD") == base
        assert len(read_tree_files(paths, "HEAD", "specs/plans")) == 3
        assert default_branch(paths) == "main"
        operations += 3
        if i % 5 == 0:
            commit = propose(
                scratch, base, plan="specs/plans/002_other/002_other.md", content=f"{i}\n", run=str(i)
            )
            tip = proposals.publish(paths, commit, base_branch="main", expected=tip).commit
            operations += 2
        if i % 10 == 0:
            checkpoints.delete(paths, checkpoints.create(paths, scratch.head(), plan="p", operation="o").id)
            operations += 2
        if i % 250 == 0:
            session.close(paths)
            s = session.session_for(paths)
            operations += 1
        operations += 1  # the loop's own listing of proposals below
        proposals.list_proposals(paths)
    elapsed = time.perf_counter() - started
    read_tree_files(paths, "HEAD", "specs/plans")
    fds_after, children_after = open_fds(), children()
    print(
        f"\n{operations} operations in {elapsed:.1f} s through one session: fds {fds_before} -> {fds_after}, "
        f"children {len(children_before)} -> {len(children_after)}"
    )
    assert operations >= 1000
    assert fds_after == fds_before
    assert len(children_after) == len(children_before) == 1
    assert elapsed < 60
