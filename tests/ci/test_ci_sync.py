"""``plansmith ci`` proposes status syncs like expansions (issue 20): a pushed plan whose phase has all its
boxes ticked under a NOT STARTED marker gets a pushed sync proposal, remembered like any other."""

from __future__ import annotations

import pytest

from .helpers import OTHER, Remote, ci, git, remote_refs

SYNC_BRANCH = "plansmith/002_small"


def test_a_finished_phase_gets_its_marker_proposed_and_pushed(
    remote: Remote, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ci(capsys, remote.runner())[0] == 0
    remote.write({OTHER: "# Small: Plan\n\n### Phase 1: Only [NOT STARTED]\n- [x] one\n"}, "phase 1 done")
    code, doc = ci(capsys, remote.runner())
    assert code == 0, doc
    assert [p["id"] for p in doc["pushed"]] == ["002_small"]  # type: ignore[index]
    commit = remote_refs(remote.bare)[f"refs/heads/{SYNC_BRANCH}"]
    diff = git(remote.bare, "diff", "--unified=0", "main", commit)
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == ["-### Phase 1: Only [NOT STARTED]", "+### Phase 1: Only [COMPLETE]"]
    assert "Plansmith-Operation: sync" in git(remote.bare, "log", "-1", "--format=%B", commit)
    before = remote_refs(remote.bare)
    assert ci(capsys, remote.runner())[1]["pushed"] == []  # remembered: not pushed again
    assert remote_refs(remote.bare) == before
