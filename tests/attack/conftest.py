"""Fixtures of the attack tests (issue 18): the git_backend tests' repository with plans."""

from __future__ import annotations

from git_backend.conftest import paths, plans_repo

__all__ = ["paths", "plans_repo"]
