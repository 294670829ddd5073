"""The daemon's radar: it looks again after every fetch it sees (a change below ``refs/remotes/``), and
``plansmith status`` shows what it found. Real git, a bare remote, the real daemon as a process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from daemon_process import running_daemon, status, wait_for

from plansmith.daemon.radar_watch import RadarWatch, read_findings
from plansmith.git_backend.paths import find_repository

from .helpers import BASE, BASE_TEXT, Team, git, plan_text

EDIT_A = BASE_TEXT.replace("write the API", "write the API with paging")
EDIT_B = BASE_TEXT.replace("write the API", "write the API with auth")


def test_the_watch_runs_again_only_when_a_fetch_moved_remote_tracking_refs(tmp_path: Path) -> None:
    team = Team(tmp_path)
    clone = team.clone("mine")
    repo = find_repository(clone)
    watch = RadarWatch(repo, ["specs/plans"])
    assert watch.after_refs_moved() is True  # the first look
    assert read_findings(repo.state_dir) == []
    git(clone, "commit", "-q", "--allow-empty", "-m", "a local commit is no fetch")
    assert watch.after_refs_moved() is False
    team.commit("paging", {BASE: EDIT_A}, "paging")
    team.commit("auth", {BASE: EDIT_B}, "auth")
    team.push("paging", "auth")
    git(clone, "fetch", "-q", "origin")
    assert watch.after_refs_moved() is True
    (finding,) = read_findings(repo.state_dir) or []
    assert finding["kind"] == "same-phase" and finding["branches"] == ["origin/auth", "origin/paging"]


def test_the_running_daemon_shows_collisions_in_status_after_a_fetch(tmp_path: Path) -> None:
    team = Team(tmp_path)
    clone = team.clone("mine")
    with running_daemon(clone):
        assert wait_for(lambda: status(clone).get("radar") == [])  # looked once at start
        team.commit("auth", {"specs/plans/002_auth.md": plan_text("auth", {1: "tokens"})}, "auth")
        team.commit("billing", {"specs/plans/002_billing.md": plan_text("billing", {1: "invoices"})}, "b")
        team.push("auth", "billing")
        before = git(clone, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads")
        git(clone, "fetch", "-q", "origin")
        assert wait_for(lambda: bool(status(clone).get("radar"))), "no radar findings after the fetch"
        (finding,) = status(clone)["radar"]  # type: ignore[misc]
        assert finding["kind"] == "number-collision" and "003" in finding["hint"]
        text = subprocess.run(
            [sys.executable, "-m", "plansmith", "status"], cwd=clone, capture_output=True, text=True
        ).stdout
        assert "radar: 1 collision across branches:" in text and "number-collision" in text
        assert git(clone, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads") == before
