"""Objects made in-process are git's own: same ids as mktree/commit-tree, trailers found as git finds them."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plansmith.git_backend.listing import Entry, parse_ls_files, parse_ls_tree
from plansmith.git_backend.messages import message_trailers, parse_trailers
from plansmith.git_backend.objects import format_commit, format_tree, ident, parse_commit, parse_tree

from .helpers import git_out

BLOB = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"  # the empty blob
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
FUNNY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def object_id(kind: str, data: bytes) -> str:
    return hashlib.sha1(f"{kind} {len(data)}\0".encode() + data).hexdigest()


def git_in(repo: Path, *args: str, input: bytes | None = None, env: dict[str, str] | None = None) -> bytes:
    return subprocess.run(
        ["git", *args],
        cwd=repo,
        input=input,
        capture_output=True,
        check=True,
        env={**os.environ, **(env or {})},
    ).stdout


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("objects")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    git_in(repo, "hash-object", "-w", "--stdin", input=b"")
    git_in(repo, "mktree", input=b"")
    return repo


NAMES = st.text(alphabet="ab.-_ é0", min_size=1, max_size=6).filter(lambda n: n not in (".", ".."))
MODES = st.sampled_from(["100644", "100755", "120000", "40000"])


@FUNNY
@given(entries=st.dictionaries(NAMES, MODES, min_size=0, max_size=8))
def test_trees_have_the_ids_git_mktree_gives_them(bare: Path, entries: dict[str, str]) -> None:
    listed = [Entry(name, mode, EMPTY_TREE if mode == "40000" else BLOB) for name, mode in entries.items()]
    data = format_tree(listed)
    text = "".join(
        f"{'040000 tree' if e.mode == '40000' else e.mode + ' blob'} {e.oid}\t{e.path}\n" for e in listed
    )
    assert (
        object_id("tree", data) == git_in(bare, "mktree", "--missing", input=text.encode()).decode().strip()
    )
    assert sorted(parse_tree(data), key=lambda e: e.path) == sorted(listed, key=lambda e: e.path)


def test_a_folder_sorts_as_if_its_name_ended_in_a_slash() -> None:
    listed = [Entry("a", "40000", EMPTY_TREE), Entry("a.txt", "100644", BLOB), Entry("a-b", "100644", BLOB)]
    names = [e.path for e in parse_tree(format_tree(listed))]
    assert names == ["a-b", "a.txt", "a"]


def test_commits_have_the_ids_git_commit_tree_gives_them(bare: Path) -> None:
    message = "plansmith: expand phase 2 of 001_x\n\nbody é\n\nPlansmith-Plan: specs/plans/001_x.md\n"
    when = {"GIT_AUTHOR_DATE": "1795000000 +0130", "GIT_COMMITTER_DATE": "1795000000 +0130"}
    who = {"GIT_AUTHOR_NAME": "plansmith", "GIT_AUTHOR_EMAIL": "plansmith@localhost"}
    who |= {"GIT_COMMITTER_NAME": "plansmith", "GIT_COMMITTER_EMAIL": "plansmith@localhost"}
    parent = git_in(bare, "commit-tree", EMPTY_TREE, "-m", "root", env={**when, **who}).decode().strip()
    expected = git_in(
        bare, "commit-tree", EMPTY_TREE, "-p", parent, "-F", "-", input=message.encode(), env={**when, **who}
    )
    line = ident("plansmith", "plansmith@localhost", 1795000000, 90 * 60)
    data = format_commit(EMPTY_TREE, [parent], line, line, message)
    assert object_id("commit", data) == expected.decode().strip()
    info = parse_commit("x", data)
    assert (info.tree, info.parents, info.message) == (EMPTY_TREE, (parent,), message)
    assert info.author_email == info.committer_email == "<plansmith@localhost>"
    assert info.committer_time == 1795000000
    assert ident("a", "b", 5, -(3 * 3600 + 30 * 60)) == "a <b> 5 -0330"


LINES = st.sampled_from(
    [
        "Plansmith-Plan: specs/plans/001_x.md",
        "Plansmith-Items: phase_1, phase_2",
        "Signed-off-by: A U Thor <a@example.com>",
        "Key : spaced separator",
        "(cherry picked from commit 0123456789abcdef0123456789abcdef01234567)",
        "  continued value",
        "just prose",
        "prose: with a colon after two words",
        "# a comment",
        "",
        "Bad Key: two words",
        "-dash: value",
    ]
)


@FUNNY
@given(title=st.sampled_from(["subject", "subject\nsecond title line"]), body=st.lists(LINES, max_size=10))
def test_trailers_are_found_as_git_finds_them(bare: Path, title: str, body: list[str]) -> None:
    message = title + "\n\n" + "\n".join(body) + "\n"
    commit = git_in(bare, "commit-tree", EMPTY_TREE, "-F", "-", input=message.encode()).decode().strip()
    printed = git_in(bare, "log", "-1", "--format=%(trailers:only,unfold)", commit).decode()
    assert message_trailers(message) == parse_trailers(printed)


def test_listings_of_the_index_and_of_a_tree_become_the_same_entries(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo({"specs/plans/a b.md": "x\n", "specs/plans/run.sh": "#!/bin/sh\n", "top.md": "t\n"})
    (repo / "specs/plans/link.md").symlink_to("a b.md")
    (repo / "specs/plans/run.sh").chmod(0o755)
    git_out(repo, "add", "-A")
    index = parse_ls_files(git_in(repo, "ls-files", "--stage", "-z"))
    tree = parse_ls_tree(git_in(repo, "ls-tree", "-r", "-z", git_out(repo, "write-tree").strip()))
    assert index == tree
    by_path = {e.path: e for e in index}
    assert by_path["specs/plans/a b.md"].is_file and by_path["specs/plans/run.sh"].mode == "100755"
    assert not by_path["specs/plans/link.md"].is_file and by_path["specs/plans/link.md"].is_blob
    top = parse_ls_tree(git_in(repo, "ls-tree", "-z", "HEAD"))
    assert [e.path for e in top if e.is_tree] == ["specs"]
    assert [(e.mode, e.is_tree) for e in top if e.path == "specs"] == [("40000", True)]
