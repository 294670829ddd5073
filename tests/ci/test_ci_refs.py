"""Issue 18: ``plansmith ci`` writes, in the runner's clone, only ``refs/plansmith/`` and the proposal
prefix (as docs/ci.md says): never ``refs/remotes/origin/HEAD`` nor ``refs/remotes/origin/plansmith/*``,
which are git's and the user's, not even in a clone that does not know the remote's HEAD."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import BRANCH, Remote, ci, git, remote_refs


def refs_outside_plansmith(clone: Path) -> dict[str, str]:
    out = git(clone, "for-each-ref", "--format=%(refname) %(objectname) %(symref)")
    kept = [
        line for line in out.splitlines() if not line.startswith(("refs/plansmith/", "refs/heads/plansmith/"))
    ]
    return dict(line.split(" ", 1) for line in kept)


def test_ci_leaves_the_clones_remote_tracking_refs_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    remote = Remote(tmp_path, monkeypatch)
    clone = remote.runner()
    git(clone, "remote", "set-head", "origin", "--delete")  # as CI checkouts often are
    before = refs_outside_plansmith(clone)
    assert "refs/remotes/origin/HEAD" not in before
    code, doc = ci(capsys, clone)
    assert code == 0, doc
    assert f"refs/heads/{BRANCH}" in remote_refs(remote.bare)  # it did push
    assert refs_outside_plansmith(clone) == before
    # The remote's default branch was still learnt, into plansmith's own namespace.
    assert git(clone, "symbolic-ref", "refs/plansmith/remotes/origin/HEAD") == (
        "refs/plansmith/remotes/origin/heads/main"
    )
    assert ci(capsys, clone)[0] == 0  # a second run (fetch, nothing new) moves nothing either
    assert refs_outside_plansmith(clone) == before
