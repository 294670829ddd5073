"""Repository discovery and reading files at a revision, from the index and from the worktree."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest

from plansmith.errors import GitError
from plansmith.git_backend.repo import (
    current_branch,
    default_branch,
    find_repository,
    read_index_files,
    read_tree_files,
    resolve_commit,
    worktree_status,
)

from .helpers import git_out


def test_find_repository_from_a_subfolder_and_a_file(plans_repo: Path) -> None:
    paths = find_repository(plans_repo / "specs" / "plans")
    assert paths.worktree == plans_repo.resolve()
    assert paths.git_dir == plans_repo.resolve() / ".git"
    assert paths.common_dir == paths.git_dir
    assert paths.state_dir == paths.git_dir / "plansmith"
    assert find_repository(plans_repo / "README.md") == paths


def test_find_repository_in_a_linked_worktree_names_the_common_dir(plans_repo: Path, tmp_path: Path) -> None:
    other = tmp_path / "linked"
    git_out(plans_repo, "worktree", "add", "-q", "-b", "side", str(other))
    paths = find_repository(other)
    assert paths.worktree == other.resolve()
    assert paths.common_dir == plans_repo.resolve() / ".git"
    assert paths.git_dir != paths.common_dir


def test_outside_a_repository_the_error_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(GitError) as info:
        find_repository(tmp_path)
    assert "not inside a git repository" in info.value.message
    assert "--repo" in info.value.hint


def test_read_tree_files_returns_only_the_folder(plans_repo: Path) -> None:
    paths = find_repository(plans_repo)
    files = read_tree_files(paths, "HEAD", "specs/plans")
    assert set(files) == {
        "specs/plans/001_feature.md",
        "specs/plans/002_other/002_other.md",
        "specs/plans/002_other/phase_1_setup.md",
    }
    assert files["specs/plans/002_other/phase_1_setup.md"] == b"# Phase 1\n"
    # Same answer with a trailing slash or "./", and from a sub folder (paths stay repository-relative).
    assert read_tree_files(paths, "HEAD", "./specs/plans/") == files
    assert read_tree_files(find_repository(plans_repo / "src"), "HEAD", "specs/plans") == files


def test_read_tree_files_keeps_bytes_and_odd_names(make_repo) -> None:  # type: ignore[no-untyped-def]
    blob = bytes(range(256)) * 40
    repo = make_repo(
        {
            "specs/plans/bin.dat": blob,
            "specs/plans/latin1.md": "caf\xe9\n".encode("latin-1"),
            "specs/plans/with space é.md": "x\n",
            "specs/plans/empty.md": b"",
            "specs/plansx/not-inside.md": "no\n",
        }
    )
    files = read_tree_files(find_repository(repo), "HEAD", "specs/plans")
    assert files == {
        "specs/plans/bin.dat": blob,
        "specs/plans/latin1.md": b"caf\xe9\n",
        "specs/plans/with space é.md": b"x\n",
        "specs/plans/empty.md": b"",
    }


def test_read_tree_files_unknown_revision_and_missing_folder(plans_repo: Path) -> None:
    paths = find_repository(plans_repo)
    assert read_tree_files(paths, "HEAD", "no/such/folder") == {}
    with pytest.raises(GitError) as info:
        read_tree_files(paths, "does-not-exist", "specs/plans")
    assert info.value.hint
    with pytest.raises(GitError):
        read_tree_files(paths, "HEAD", "../outside")


def test_read_tree_files_skips_symlinks_and_submodules(make_repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo({"specs/plans/a.md": "a\n"})
    os.symlink("a.md", repo / "specs/plans/link.md")
    sub = make_repo({"x": "y"}, name="sub")
    git_out(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "specs/plans/sub")
    git_out(repo, "add", "-A")
    git_out(repo, "commit", "-qm", "more")
    assert set(read_tree_files(find_repository(repo), "HEAD", "specs/plans")) == {"specs/plans/a.md"}


def test_read_index_files_sees_staged_not_worktree(plans_repo: Path) -> None:
    paths = find_repository(plans_repo)
    plan = plans_repo / "specs/plans/001_feature.md"
    plan.write_text("staged\n")
    git_out(plans_repo, "add", str(plan))
    plan.write_text("only in the worktree\n")
    (plans_repo / "specs/plans/new.md").write_text("untracked\n")
    files = read_index_files(paths, "specs/plans")
    assert files["specs/plans/001_feature.md"] == b"staged\n"
    assert "specs/plans/new.md" not in files


def test_read_index_files_honours_git_index_file(plans_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = find_repository(plans_repo)
    other_index = plans_repo / ".git" / "other-index"
    env = {**os.environ, "GIT_INDEX_FILE": str(other_index)}
    git_out(plans_repo, "read-tree", "--empty", env=env)
    monkeypatch.setenv("GIT_INDEX_FILE", str(other_index))
    assert read_index_files(paths, "specs/plans") == {}
    # Without keeping the variable, the real index is read.
    assert len(read_index_files(paths, "specs/plans", keep_env=())) == 3


def test_pre_commit_hook_sees_what_git_commit_a_is_about_to_commit(plans_repo: Path) -> None:
    """`git commit -a` runs the hook with a temporary index: the hook must read that one."""
    out = plans_repo / ".git" / "hook-saw.txt"
    hook = plans_repo / ".git" / "hooks" / "pre-commit"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text(
        textwrap.dedent(
            f"""\
            #!{sys.executable}
            from pathlib import Path
            from plansmith.git_backend.repo import find_repository, read_index_files
            files = read_index_files(find_repository(Path.cwd()), "specs/plans")
            Path({str(out)!r}).write_bytes(files["specs/plans/001_feature.md"])
            """
        )
    )
    hook.chmod(0o755)
    (plans_repo / "specs/plans/001_feature.md").write_text("committed with -a\n")
    git_out(plans_repo, "commit", "-aqm", "edit")
    assert out.read_bytes() == b"committed with -a\n"


def test_worktree_status_lists_changes_and_never_writes_the_index(plans_repo: Path) -> None:
    paths = find_repository(plans_repo)
    index = plans_repo / ".git" / "index"
    (plans_repo / "README.md").write_text("changed\n")
    (plans_repo / "src/app.py").write_text("staged\n")
    git_out(plans_repo, "add", "src/app.py")
    (plans_repo / "new dir").mkdir()
    (plans_repo / "new dir/u.txt").write_text("u\n")
    git_out(plans_repo, "mv", "docs/guide.md", "docs/moved.md")
    # Make the index's stat data stale so that a status with optional locks would rewrite it.
    os.utime(plans_repo / "specs/plans/001_feature.md", (1, 1))
    before = index.read_bytes(), index.stat().st_mtime_ns
    entries = {e.path: e for e in worktree_status(paths)}
    assert (index.read_bytes(), index.stat().st_mtime_ns) == before
    assert entries["README.md"].unstaged and not entries["README.md"].staged
    assert entries["src/app.py"].staged
    assert entries["new dir/u.txt"].xy == "??"
    assert entries["docs/moved.md"].orig_path == "docs/guide.md"
    assert [e.path for e in worktree_status(paths, ["src"])] == ["src/app.py"]


def test_branches(plans_repo: Path) -> None:
    paths = find_repository(plans_repo)
    assert current_branch(paths) == "main"
    assert default_branch(paths) == "main"
    git_out(plans_repo, "switch", "-q", "-c", "feature")
    assert current_branch(paths) == "feature"
    assert default_branch(paths) == "main"
    git_out(plans_repo, "switch", "-q", "--detach")
    assert current_branch(paths) is None
    assert resolve_commit(paths, "HEAD") == git_out(plans_repo, "rev-parse", "HEAD").strip()
    with pytest.raises(GitError):
        resolve_commit(paths, "nope")


def test_find_repository_follows_a_relative_gitdir_file(make_repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A submodule-style checkout: ``.git`` is a file naming the git dir relative to the folder."""
    repo = make_repo()
    elsewhere = tmp_path / "store" / "repo.git"
    elsewhere.parent.mkdir()
    (repo / ".git").rename(elsewhere)
    (repo / ".git").write_text(f"gitdir: {os.path.relpath(elsewhere, repo)}\n")
    paths = find_repository(repo / "README.md")
    assert (paths.worktree, paths.git_dir, paths.common_dir) == (repo.resolve(), elsewhere, elsewhere)
    assert resolve_commit(paths, "HEAD") == git_out(repo, "rev-parse", "HEAD").strip()


def test_find_repository_resolves_links_and_refuses_the_git_dir_itself(make_repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo({"specs/plans/a.md": "a\n"})
    link = tmp_path / "link"
    link.symlink_to(repo)
    assert find_repository(link / "specs").worktree == repo.resolve()
    with pytest.raises(GitError, match="not inside a git repository"):
        find_repository(repo / ".git" / "refs")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / ".git").write_text("not a gitfile\n")
    with pytest.raises(GitError):
        find_repository(tmp_path / "broken")


def test_find_repository_needs_no_git_process(plans_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # no git to be found
    paths = find_repository(plans_repo / "specs" / "plans")
    assert paths.worktree == plans_repo.resolve()
    assert paths.object_format == "sha1"
