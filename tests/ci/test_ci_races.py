"""Two runners at once, and people pushing while a run is under way: every push is compare-and-swap,
so nobody's work is overwritten and the remote's memory always describes its branches."""

from __future__ import annotations

import json

import pytest

from plansmith.ci.runner import _CiRun, run_ci
from plansmith.workspace import open_workspace

from .helpers import BRANCH, MEMORY, PLAN, TEXT, Remote, ci, ci_process, git, memory_of, remote_refs


def _consistent(remote: Remote) -> str:
    """The remote's proposal branch is the commit its memory records; that commit."""
    refs = remote_refs(remote.bare)
    memory = memory_of(remote.bare)
    commit = refs[f"refs/heads/{BRANCH}"]
    assert memory["proposals"]["001_feature"]["commit"] == commit  # type: ignore[index]
    return commit


def test_two_runners_at_once_do_not_clobber_each_other(remote: Remote) -> None:
    first, second = remote.runner(), remote.runner()
    processes = [ci_process(first), ci_process(second)]
    outputs = [p.communicate(timeout=240) for p in processes]
    docs = []
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
        assert "Traceback" not in err
        docs.append(json.loads(out))
    commit = _consistent(remote)
    pushed = [p["commit"] for doc in docs for p in doc["pushed"]]
    assert pushed == [commit]  # exactly one pushed; its commit is the remote's, and its memory says so
    # Whatever the interleaving, one more run finds nothing new.
    refs = remote_refs(remote.bare)
    assert ci_process(remote.runner()).wait(timeout=240) == 0
    assert remote_refs(remote.bare) == refs


def test_a_run_that_loses_the_race_pushes_nothing_and_looks_again(
    remote: Remote, capsys: pytest.CaptureFixture[str]
) -> None:
    slow_clone = remote.runner()
    slow = _CiRun(
        open_workspace(str(slow_clone)), open_workspace(str(slow_clone)).require_repo(), "origin", "main"
    )
    slow.fetch()
    slow.handle_plans()  # made its proposal, not pushed yet
    assert [p.id for p in slow.pending] == ["001_feature"]

    code, doc = ci(capsys, remote.runner())  # a faster runner pushes first
    assert code == 0 and len(doc["pushed"]) == 1  # type: ignore[arg-type]
    winner = remote_refs(remote.bare)

    assert slow.push(last_attempt=False) is False  # every lease fails: nothing of it lands
    assert remote_refs(remote.bare) == winner
    # Its clone is as before the run (no proposal branch of its own), and its next attempt finds the
    # work done.
    assert git(slow_clone, "for-each-ref", "refs/heads/plansmith/") == ""
    report = run_ci(open_workspace(str(slow_clone)), environ={})
    assert report.pushed == [] and report.unchanged == ["001_feature", "002_small"]
    assert remote_refs(remote.bare) == winner
    assert _consistent(remote) == winner[f"refs/heads/{BRANCH}"]


def test_a_commit_pushed_onto_the_proposal_during_a_run_is_kept(
    remote: Remote, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ci(capsys, remote.runner())[0] == 0
    remote.write({PLAN: TEXT + "\n### Phase 3: Docs\n- [ ] write them\n"}, "add phase 3")
    clone = remote.runner()
    ws = open_workspace(str(clone))
    run = _CiRun(ws, ws.require_repo(), "origin", "main")
    run.fetch()
    run.handle_plans()  # about to refresh the proposal for the new content
    assert [p.id for p in run.pending] == ["001_feature"]

    git(remote.dev, "fetch", "-q", "origin")
    git(remote.dev, "switch", "-q", "-c", "mine", f"origin/{BRANCH}")
    (remote.dev / "notes.md").write_text("mine\n")
    git(remote.dev, "add", "notes.md")
    git(remote.dev, "commit", "-qm", "a person's commit on the proposal")
    git(remote.dev, "push", "-q", "origin", f"HEAD:refs/heads/{BRANCH}")
    theirs = git(remote.dev, "rev-parse", "HEAD")
    memory_before = remote_refs(remote.bare)[MEMORY]

    assert run.push(last_attempt=True) is True  # the last attempt gives up and says why
    assert remote_refs(remote.bare)[f"refs/heads/{BRANCH}"] == theirs
    assert remote_refs(remote.bare)[MEMORY] == memory_before
    [skipped] = run.report.skipped
    assert skipped["id"] == "001_feature" and "changed on the remote" in skipped["reason"]
    # The next run sees their commit: the proposal is edited and left alone.
    code, doc = ci(capsys, remote.runner())
    assert code == 0 and doc["pushed"] == []
    assert remote_refs(remote.bare)[f"refs/heads/{BRANCH}"] == theirs
