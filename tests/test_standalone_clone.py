"""A clone that stands alone collects cleanly: the tests that need ``../shared`` skip, they do not break.

The real plans under ``../shared`` are read-only data beside the checkout, not part of it. A module-level
``pytest.skip`` (or reading the corpus at import time) stops collection of the whole suite on a fresh
clone, so ``make test`` ran nothing. This test clones the repository into a folder with nothing beside
it and runs pytest's collection step there with this very interpreter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[1]


def _is_git_checkout(path: Path) -> bool:
    probe = subprocess.run(
        ["git", "-C", str(path), "rev-parse", "--show-toplevel"], capture_output=True, text=True
    )
    return probe.returncode == 0 and Path(probe.stdout.strip()).resolve() == path


@pytest.mark.skipif(not _is_git_checkout(CHECKOUT), reason="the tests do not run from a git checkout")
def test_a_clone_without_shared_beside_it_collects_without_errors(tmp_path: Path) -> None:
    # The committed tree is what a newcomer clones, so that is what is checked.
    alone = tmp_path / "alone"
    subprocess.run(["git", "clone", "-q", str(CHECKOUT), str(alone)], check=True, capture_output=True)
    assert not (tmp_path / "shared").exists()
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=alone,
        capture_output=True,
        text=True,
        timeout=240,
    )
    report = collected.stdout + collected.stderr
    assert collected.returncode == 0, report[-3000:]
    assert "error" not in report.splitlines()[-1].lower(), report[-3000:]
    assert "tests collected" in report or " collected" in report
