"""``run_git``: git in a test repository, for every test and the root conftest's fixtures; ``MakeRepo``,
the type of the ``make_repo`` and ``repo_here`` fixtures.

A module of its own (not only a conftest function) because test modules cannot import ``conftest``:
the name means whichever folder's conftest pytest loaded last. Tests may run git directly; the package
goes through ``git_backend``.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

MakeRepo = Callable[..., Path]


def run_git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` and return its output; a failure raises ``CalledProcessError``."""
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout
