"""``plansmith ci`` against a bare remote, each run in a fresh clone as CI runners do: what is pushed,
what is not pushed again, and what is left alone. The remote's refs are compared before and after."""

from __future__ import annotations

import pytest

from plansmith.cli import main

from .helpers import BRANCH, MEMORY, PLAN, TEXT, Remote, ci, git, memory_of, remote_refs


def test_the_first_run_pushes_the_proposal_and_the_memory(
    remote: Remote, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = ci(capsys, remote.runner())
    assert code == 0, doc
    [pushed] = doc["pushed"]  # type: ignore[misc]
    assert pushed == {"id": "001_feature", "branch": BRANCH, "commit": pushed["commit"]}
    refs = remote_refs(remote.bare)
    assert refs[f"refs/heads/{BRANCH}"] == pushed["commit"]
    assert MEMORY in refs
    # The small plan has nothing to do: said so, and remembered as handled.
    assert {"id": "002_small", "reason": "nothing to do"} in doc["skipped"]  # type: ignore[operator]
    memory = memory_of(remote.bare)
    assert memory["proposals"]["001_feature"]["commit"] == pushed["commit"]  # type: ignore[index]
    assert set(memory["handled"]["main"]) == {"001_feature", "002_small"}  # type: ignore[index]
    # The proposal is a real plansmith proposal: its trailers name the plan and the base commit.
    trailers = git(remote.bare, "log", "-1", "--format=%(trailers:only,unfold)", pushed["commit"])
    assert f"Plansmith-Plan: {PLAN}" in trailers
    assert f"Plansmith-Base: {refs['refs/heads/main']}" in trailers


def test_a_run_with_nothing_new_pushes_nothing(remote: Remote, capsys: pytest.CaptureFixture[str]) -> None:
    assert ci(capsys, remote.runner())[0] == 0
    before = remote_refs(remote.bare)
    code, doc = ci(capsys, remote.runner())
    assert code == 0
    assert doc == {"pushed": [], "unchanged": ["001_feature", "002_small"], "skipped": [], "memory": None}
    assert remote_refs(remote.bare) == before  # not even the memory moved
    # A commit that does not touch the plans is nothing new either.
    remote.write({"src/app.py": "print('hi')\n"}, "code")
    before = remote_refs(remote.bare)
    code, doc = ci(capsys, remote.runner())
    assert (code, doc["pushed"]) == (0, [])
    assert remote_refs(remote.bare) == before


def test_a_branch_deleted_on_the_remote_is_a_rejection_until_the_plan_changes(
    remote: Remote, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ci(capsys, remote.runner())[0] == 0
    git(remote.dev, "push", "-q", "origin", "--delete", BRANCH)  # someone rejected it on the host

    code, doc = ci(capsys, remote.runner())
    assert code == 0 and doc["pushed"] == []
    [skipped] = [s for s in doc["skipped"] if s["id"] == "001_feature"]  # type: ignore[union-attr]
    assert "deleted on the remote without being merged" in skipped["reason"]
    assert f"refs/heads/{BRANCH}" not in remote_refs(remote.bare)
    assert list(memory_of(remote.bare)["rejections"]) == [PLAN]  # type: ignore[arg-type]

    # Later runs (fresh clones again) still do not push it: the rejection lives in the remote.
    code, doc = ci(capsys, remote.runner())
    assert (code, doc["pushed"]) == (0, [])
    assert f"refs/heads/{BRANCH}" not in remote_refs(remote.bare)

    # Changed content is proposed again.
    remote.write({PLAN: TEXT + "\n### Phase 3: Docs\n- [ ] write them\n"}, "add phase 3")
    code, doc = ci(capsys, remote.runner())
    assert code == 0
    assert [p["id"] for p in doc["pushed"]] == ["001_feature"]  # type: ignore[union-attr]
    assert f"refs/heads/{BRANCH}" in remote_refs(remote.bare)


def test_a_branch_someone_committed_onto_is_never_overwritten(
    remote: Remote, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ci(capsys, remote.runner())[0] == 0
    git(remote.dev, "fetch", "-q", "origin")
    git(remote.dev, "switch", "-q", "-c", "mine", f"origin/{BRANCH}")
    expanded = next(
        p for p in (remote.dev / "specs/plans/001_feature").iterdir() if p.name.startswith("phase")
    )
    expanded.write_text(expanded.read_text() + "- [ ] a task of mine\n")
    git(remote.dev, "commit", "-qam", "my own task on the proposal")
    git(remote.dev, "push", "-q", "origin", f"HEAD:refs/heads/{BRANCH}")
    theirs = git(remote.dev, "rev-parse", "HEAD")
    git(remote.dev, "switch", "-q", "main")

    # The plan changes on main: a run would refresh the proposal, but it carries someone's commit.
    remote.write({PLAN: TEXT + "\n### Phase 3: Docs\n- [ ] write them\n"}, "add phase 3")
    code, doc = ci(capsys, remote.runner())
    assert code == 0 and doc["pushed"] == []
    [skipped] = [s for s in doc["skipped"] if s["id"] == "001_feature"]  # type: ignore[union-attr]
    assert "commits plansmith did not make" in skipped["reason"]
    assert remote_refs(remote.bare)[f"refs/heads/{BRANCH}"] == theirs


def test_a_merged_proposal_is_done(remote: Remote, capsys: pytest.CaptureFixture[str]) -> None:
    assert ci(capsys, remote.runner())[0] == 0
    # Merged on the host, branch deleted afterwards (GitHub's "delete branch" button).
    git(remote.dev, "fetch", "-q", "origin")
    git(remote.dev, "merge", "-q", "--no-edit", f"origin/{BRANCH}")
    git(remote.dev, "push", "-q", "origin", "main", f":refs/heads/{BRANCH}")

    code, doc = ci(capsys, remote.runner())
    assert code == 0 and doc["pushed"] == []
    assert not any("deleted" in s["reason"] for s in doc["skipped"])  # type: ignore[union-attr]
    refs = remote_refs(remote.bare)
    assert f"refs/heads/{BRANCH}" not in refs
    memory = memory_of(remote.bare)
    assert memory["rejections"] == {} and "001_feature" not in memory["proposals"]  # type: ignore[operator]
    assert ci(capsys, remote.runner())[1]["pushed"] == []


def test_a_proposal_merged_with_its_branch_kept_is_not_proposed_again(
    remote: Remote, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ci(capsys, remote.runner())[0] == 0
    git(remote.dev, "fetch", "-q", "origin")
    git(remote.dev, "merge", "-q", "--no-edit", f"origin/{BRANCH}")
    git(remote.dev, "push", "-q", "origin", "main")
    before = remote_refs(remote.bare)[f"refs/heads/{BRANCH}"]
    code, doc = ci(capsys, remote.runner())
    assert code == 0 and doc["pushed"] == []
    assert remote_refs(remote.bare)[f"refs/heads/{BRANCH}"] == before


def test_a_detached_head_takes_the_branch_from_the_ci_variables(
    remote: Remote, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    clone = remote.runner(detached=True)
    code, doc = ci(capsys, clone)
    assert code == 2 and doc["error"]["type"] == "usage"  # type: ignore[index]
    assert "--branch" in doc["error"]["hint"]  # type: ignore[index]
    monkeypatch.setenv("CI_COMMIT_REF_NAME", "main")  # GitLab CI
    code, doc = ci(capsys, clone)
    assert code == 0 and [p["branch"] for p in doc["pushed"]] == [BRANCH]  # type: ignore[union-attr]
    assert git(clone, "rev-parse", "--abbrev-ref", "HEAD") == "HEAD"  # still detached: HEAD untouched


def test_branch_flag_and_other_base_branches(remote: Remote, capsys: pytest.CaptureFixture[str]) -> None:
    remote.write({PLAN: TEXT + "\n### Phase 3: More\n- [ ] more\n"}, "feature work", branch="feature-x")
    clone = remote.runner()
    git(clone, "checkout", "-q", "--detach", "origin/feature-x")
    code, doc = ci(capsys, clone, "--branch", "feature-x")
    assert code == 0
    assert [p["branch"] for p in doc["pushed"]] == ["plansmith/feature-x/001_feature"]  # type: ignore[union-attr]
    base = git(
        clone, "log", "-1", "--format=%(trailers:key=Plansmith-Base,valueonly)", doc["pushed"][0]["commit"]
    )  # type: ignore[index]
    assert base.strip() == git(clone, "rev-parse", "origin/feature-x")


def test_an_unknown_remote_is_a_clear_error(remote: Remote, capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = ci(capsys, remote.runner(), "--remote", "upstream")
    assert code == 1
    assert doc["error"]["type"] == "git" and "no remote named 'upstream'" in doc["error"]["message"]  # type: ignore[index]
    assert remote_refs(remote.bare).keys() == {"refs/heads/main"}


def test_plans_of_every_root_get_their_own_branch(remote: Remote, capsys: pytest.CaptureFixture[str]) -> None:
    remote.write({"specs/042_search/plans/001-ranking-plan.md": TEXT}, "a topic plan")
    code, doc = ci(capsys, remote.runner())
    assert code == 0
    branches = sorted(p["branch"] for p in doc["pushed"])  # type: ignore[union-attr]
    assert branches == [BRANCH, "plansmith/042_search+001-ranking-plan"]
    code, doc = ci(capsys, remote.runner())
    assert (code, doc["pushed"]) == (0, [])
    assert "042_search+001-ranking-plan" in doc["unchanged"]  # type: ignore[operator]


def test_a_run_that_pushes_only_its_memory_says_so(
    remote: Remote, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ci(capsys, remote.runner())[0] == 0
    remote.write({"specs/plans/003_tiny.md": "# Tiny: Plan\n\n### Phase 1: Only\n- [ ] one\n"}, "tiny plan")
    before = remote_refs(remote.bare)
    clone = remote.runner()
    assert main(["--repo", str(clone), "ci"]) == 0
    out = capsys.readouterr().out
    memory = remote_refs(remote.bare)[MEMORY]
    assert memory != before[MEMORY]  # the new plan was handled and remembered: the memory moved
    assert f"pushed plansmith's memory {MEMORY} ({memory[:10]}) to origin: what this run handled\n" in out
    assert "nothing was pushed" not in out
    code, doc = ci(capsys, remote.runner())
    assert (code, doc["memory"]) == (0, None)  # nothing new: nothing pushed, the memory neither
