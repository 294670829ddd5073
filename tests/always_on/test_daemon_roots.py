"""The real daemon process with the real engine on plans in every root, including a root made later."""

from __future__ import annotations

from pathlib import Path

from daemon_process import branches, pending_plans, running_daemon, status, wait_for
from git_helper import run_git as git

SMALL = "# {title}\n\n### Phase 1: Setup\n- [ ] a\n\n### Phase 2: Build\n- [ ] b\n"
GROWTH = "".join(f"- [ ] step {n} in `src/m{n}.py` (migration, security, tests)\n" for n in range(16))
PLANS = {
    "specs/plans/001_feature.md": SMALL.format(title="Feature"),
    "specs/042_search/plans/001-ranking-plan.md": SMALL.format(title="Ranking"),
    ".claude/specs/plans/002_cleanup.md": SMALL.format(title="Cleanup"),
    ".claude/specs/043_auth/plans/001-login-plan.md": SMALL.format(title="Login"),
}


def test_the_daemon_proposes_for_topic_roots_and_watches_roots_made_later(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo: Path = make_repo(PLANS)
    before_config = (repo / ".git/config").read_bytes()
    with running_daemon(repo) as daemon:
        # A commit that grows a plan in .claude/specs/*/plans leads to its proposal.
        with (repo / ".claude/specs/043_auth/plans/001-login-plan.md").open("a") as fh:
            fh.write(GROWTH)
        git(repo, "commit", "-qam", "login plan grows")
        assert wait_for(lambda: "plansmith/043_auth+001-login-plan" in branches(repo)), "no proposal"
        assert branches(repo) == {"plansmith/043_auth+001-login-plan"}
        # A topic root created while the daemon runs is watched: the uncommitted edit is analysed ...
        new = repo / "specs/044_new/plans/001-new-plan.md"
        new.parent.mkdir(parents=True)
        new.write_text(SMALL.format(title="New") + GROWTH)
        assert wait_for(lambda: "044_new/001-new-plan" in pending_plans(repo)), status(repo)
        assert "plansmith/044_new+001-new-plan" not in branches(repo)
        # ... and its commit leads to a proposal.
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "a new topic")
        assert wait_for(lambda: "plansmith/044_new+001-new-plan" in branches(repo)), (
            "no proposal for the new root"
        )
        assert git(repo, "status", "--porcelain") == ""
        assert (repo / ".git/config").read_bytes() == before_config
        runs = status(repo)["last_runs"]
        assert any(r["plan"] == "044_new/001-new-plan" and r["proposal"] for r in runs)  # type: ignore[attr-defined, index]
    assert daemon.exit_code == 0
