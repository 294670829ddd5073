"""Fixtures of the git_backend tests: a repository with plans, and its RepoPaths."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from plansmith.git_backend.repo import RepoPaths, find_repository

from .helpers import PLAN_FILES


@pytest.fixture
def plans_repo(make_repo: Callable[..., Path]) -> Path:
    """A repository on branch main with two plans, files outside the plans folder, one commit."""
    return make_repo(dict(PLAN_FILES))


@pytest.fixture
def paths(plans_repo: Path) -> RepoPaths:
    return find_repository(plans_repo)
