"""The real daemon process sees spec-kit feature folders: a commit that grows a story leads to a
proposal, and a feature folder made while it runs is watched."""

from __future__ import annotations

from pathlib import Path

from daemon_process import branches, pending_plans, running_daemon, status, wait_for
from git_helper import run_git as git

from .plans import FEATURE, TASKS, TEMPLATE_TASKS, feature_files

HEAVY = "".join(
    f"- [ ] T{100 + n} [US2] Migrate `src/albums/part_{n}.py` (migration, security, rollback, tests)\n"
    for n in range(16)
)
GROWN = TEMPLATE_TASKS.replace("- [ ] T009 [US2] GET /shared/{token} endpoint in src/albums/api.py\n", HEAVY)


def test_the_daemon_proposes_for_a_feature_folder_and_watches_a_new_one(make_repo) -> None:  # type: ignore[no-untyped-def]
    repo: Path = make_repo(feature_files())
    with running_daemon(repo) as daemon:
        (repo / TASKS).write_text(GROWN, encoding="utf-8")
        git(repo, "commit", "-qam", "user story 2 grows")
        assert wait_for(lambda: "plansmith/001-photo-albums" in branches(repo)), status(repo)
        files = git(repo, "ls-tree", "-r", "--name-only", "plansmith/001-photo-albums").split()
        assert f"{FEATURE}/phase_4_user_story_2_share_an_album_priority_p2.md" in files
        assert (repo / TASKS).read_text(encoding="utf-8") == GROWN  # the user's file is untouched
        # a feature folder made while the daemon runs is watched, its commit proposed for
        new = repo / "specs/002-sharing/tasks.md"
        new.parent.mkdir(parents=True)
        new.write_text(GROWN.replace("Photo albums", "Sharing"), encoding="utf-8")
        assert wait_for(lambda: "002-sharing" in pending_plans(repo)), status(repo)
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "a new feature")
        assert wait_for(lambda: "plansmith/002-sharing" in branches(repo)), status(repo)
    assert daemon.exit_code == 0
