"""Shared fixtures: real git repositories in temporary folders, isolated from the user's own settings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from git_helper import MakeRepo, run_git  # shared with test modules, which cannot import conftest

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORPUS = SHARED / "corpus" / "real"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the real user's git or plansmith configuration."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test User")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "test@example.invalid")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test User")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "test@example.invalid")
    for var in list(os.environ):
        if var.startswith("PLANSMITH_"):
            monkeypatch.delenv(var)
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test User\n\temail = test@example.invalid\n[init]\n\tdefaultBranch = main\n"
    )
    return home


@pytest.fixture
def make_repo(tmp_path: Path) -> Iterator[MakeRepo]:
    """Create a git repository with the given files committed on branch main."""
    counter = 0

    def factory(files: dict[str, str | bytes] | None = None, name: str | None = None) -> Path:
        nonlocal counter
        counter += 1
        repo = tmp_path / (name or f"repo{counter}")
        repo.mkdir()
        run_git(repo, "init", "-q", "-b", "main")
        for rel, content in (files or {"README.md": "# test\n"}).items():
            path = repo / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_bytes(content.encode("utf-8"))
        run_git(repo, "add", "-A")
        run_git(repo, "commit", "-q", "-m", "initial")
        return repo

    yield factory


@pytest.fixture
def repo_here(make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch) -> MakeRepo:
    """:func:`make_repo`, and the test then runs inside the repository (its working directory), as a
    person typing ``plansmith`` there does."""

    def factory(files: dict[str, str | bytes] | None = None, name: str | None = None) -> Path:
        root = make_repo(files, name)
        monkeypatch.chdir(root)
        return root

    return factory
