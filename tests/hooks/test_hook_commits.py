"""The pre-commit hook through real ``git commit`` runs in temporary repositories."""

from __future__ import annotations

import stat
from pathlib import Path

from plansmith.hooks import install as installer

from .helpers import (
    DUPLICATE_PHASE,
    NOT_UTF8,
    PLAN,
    VALID,
    commit,
    foreign_hook,
    git,
    head_count,
    install_hooks,
    write,
)


def test_a_plan_that_is_not_utf8_is_refused_with_the_message(make_repo) -> None:
    repo = make_repo()
    install_hooks(repo)
    write(repo, PLAN, NOT_UTF8)
    git(repo, "add", PLAN)
    result = commit(repo)
    assert result.returncode == 1
    assert f"{PLAN}:1:" in result.stderr
    assert "[not-utf8]" in result.stderr
    assert "plansmith: error: commit refused: 1 problem in the staged plans" in result.stderr
    assert "hint:" in result.stderr and "git commit --no-verify" in result.stderr
    assert head_count(repo) == 1


def test_duplicate_phase_numbers_are_refused(make_repo) -> None:
    repo = make_repo()
    install_hooks(repo)
    write(repo, PLAN, DUPLICATE_PHASE)
    git(repo, "add", PLAN)
    result = commit(repo)
    assert result.returncode == 1
    assert f"{PLAN}:9:" in result.stderr and "[duplicate-phase]" in result.stderr
    assert head_count(repo) == 1


def test_a_valid_plan_is_committed_silently(make_repo) -> None:
    repo = make_repo()
    install_hooks(repo)
    write(repo, PLAN, VALID)
    git(repo, "add", PLAN)
    result = commit(repo)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert head_count(repo) == 2


def test_deleting_a_plan_passes(make_repo) -> None:
    repo = make_repo({PLAN: VALID})
    install_hooks(repo)
    git(repo, "rm", "-q", PLAN)
    assert commit(repo).returncode == 0


def test_commit_all_validates_the_temporary_index_not_the_real_one(make_repo) -> None:
    repo = make_repo({PLAN: VALID})
    install_hooks(repo)
    # The real index holds a valid plan; the worktree a broken one: 'commit -a' commits the broken one.
    write(repo, PLAN, DUPLICATE_PHASE)
    refused = commit(repo, "-a")
    assert refused.returncode == 1 and "[duplicate-phase]" in refused.stderr
    # The other way round: a broken plan staged, the worktree fixed: 'commit -a' commits the valid one.
    git(repo, "add", PLAN)
    write(repo, PLAN, VALID.replace("Build", "Build it"))
    accepted = commit(repo, "-a")
    assert accepted.returncode == 0, accepted.stderr
    assert "Build it" in git(repo, "show", f"HEAD:{PLAN}").stdout


def test_commit_with_paths_validates_what_it_commits(make_repo) -> None:
    repo = make_repo({PLAN: VALID})
    install_hooks(repo)
    write(repo, PLAN, DUPLICATE_PHASE)
    git(repo, "add", PLAN)  # broken in .git/index ...
    write(repo, PLAN, VALID.replace("Setup", "Set up"))  # ... valid in the worktree, which is committed
    result = commit(repo, "--", PLAN)
    assert result.returncode == 0, result.stderr
    assert "Set up" in git(repo, "show", f"HEAD:{PLAN}").stdout
    write(repo, PLAN, DUPLICATE_PHASE)
    assert commit(repo, "--", PLAN).returncode == 1


def test_a_commit_touching_no_plan_passes_even_with_broken_plans_committed(make_repo) -> None:
    repo = make_repo({"README.md": "# test\n", PLAN: NOT_UTF8})
    install_hooks(repo)
    write(repo, "README.md", "# changed\n")
    result = commit(repo, "-a")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_problems_in_plans_the_commit_does_not_touch_do_not_block(make_repo) -> None:
    repo = make_repo({PLAN: DUPLICATE_PHASE})
    install_hooks(repo)
    write(repo, "specs/plans/002_other.md", VALID)
    git(repo, "add", "-A")
    result = commit(repo)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # the untouched plan is not even parsed


def test_a_chained_foreign_hook_runs_first_and_its_failure_blocks(make_repo, tmp_path: Path) -> None:
    repo = make_repo()
    hooks = repo / ".git" / "hooks"
    marker = tmp_path / "foreign-ran"
    original = foreign_hook(marker).encode()
    (hooks / "pre-commit").write_bytes(original)
    (hooks / "pre-commit").chmod(0o750)

    (report,) = install_hooks(repo)
    assert report.action == "installed"
    assert report.kept == hooks / "pre-commit.plansmith-chained"

    write(repo, PLAN, VALID)
    git(repo, "add", PLAN)
    assert commit(repo).returncode == 0
    assert marker.read_text().startswith("args:")

    # Its failure still blocks a commit, also one plansmith itself would let through.
    (hooks / "pre-commit.plansmith-chained").write_bytes(foreign_hook(marker, status=7).encode())
    write(repo, "README.md", "# other\n")
    marker.unlink()
    assert commit(repo, "-a").returncode == 1
    assert marker.exists()
    assert head_count(repo) == 2

    # A broken plan is still refused after a passing foreign hook.
    (hooks / "pre-commit.plansmith-chained").write_bytes(original)
    write(repo, PLAN, NOT_UTF8)
    result = commit(repo, "-a")
    assert result.returncode == 1 and "[not-utf8]" in result.stderr

    (back,) = installer.uninstall(repo)
    assert back.action == "removed"
    assert (hooks / "pre-commit").read_bytes() == original
    assert stat.S_IMODE((hooks / "pre-commit").stat().st_mode) == 0o750
    assert not (hooks / "pre-commit.plansmith-chained").exists()


def test_core_hooks_path_relative_to_the_worktree_root(make_repo) -> None:
    repo = make_repo()
    git(repo, "config", "core.hooksPath", ".githooks")
    (subdir := repo / "deep" / "er").mkdir(parents=True)
    (report,) = install_hooks(subdir)
    assert report.path == repo / ".githooks" / "pre-commit"
    assert not (repo / ".git" / "hooks" / "pre-commit").exists()
    write(repo, PLAN, NOT_UTF8)
    git(repo, "add", PLAN)
    assert commit(repo).returncode == 1


def test_core_hooks_path_absolute(make_repo, tmp_path: Path) -> None:
    repo = make_repo()
    shared = tmp_path / "shared-hooks"
    git(repo, "config", "core.hooksPath", str(shared))
    (report,) = install_hooks(repo)
    assert report.path == shared / "pre-commit"
    write(repo, PLAN, DUPLICATE_PHASE)
    git(repo, "add", PLAN)
    assert commit(repo).returncode == 1


def test_linked_worktrees_share_the_hook(make_repo, tmp_path: Path) -> None:
    repo = make_repo()
    linked = tmp_path / "linked"
    git(repo, "worktree", "add", "-q", "-b", "side", str(linked))
    (report,) = install_hooks(linked)
    assert report.path == repo / ".git" / "hooks" / "pre-commit"
    write(linked, PLAN, NOT_UTF8)
    git(linked, "add", PLAN)
    assert commit(linked).returncode == 1


def test_plans_dir_from_plansmith_toml(make_repo) -> None:
    repo = make_repo({"plansmith.toml": 'plans_dir = "docs/plans"\n', PLAN: NOT_UTF8})
    install_hooks(repo)
    write(repo, "specs/plans/002_ignored.md", NOT_UTF8)
    git(repo, "add", "-A")
    assert commit(repo).returncode == 0  # specs/plans is not the plans folder here
    write(repo, "docs/plans/001_demo.md", DUPLICATE_PHASE)
    git(repo, "add", "-A")
    result = commit(repo)
    assert result.returncode == 1 and "docs/plans/001_demo.md:9:" in result.stderr


def test_a_broken_plan_in_a_topic_root_is_refused_with_path_and_line(make_repo) -> None:
    repo = make_repo()
    install_hooks(repo)
    plans = ("specs/042_search/plans/001-ranking-plan.md", ".claude/specs/043_auth/plans/001-login.md")
    for done, plan in enumerate(plans):
        write(repo, plan, DUPLICATE_PHASE)
        git(repo, "add", plan)
        result = commit(repo)
        assert result.returncode == 1, plan
        assert f"{plan}:9:" in result.stderr and "[duplicate-phase]" in result.stderr
        assert head_count(repo) == 1 + done
        write(repo, plan, VALID)
        git(repo, "add", plan)
        assert commit(repo).returncode == 0
    assert head_count(repo) == 3


def test_files_below_specs_outside_every_root_are_not_plans(make_repo) -> None:
    repo = make_repo()
    install_hooks(repo)
    write(repo, "specs/042_search/reports/notes.md", NOT_UTF8)
    write(repo, "specs/notes.md", NOT_UTF8)
    git(repo, "add", "-A")
    assert commit(repo).returncode == 0


def test_plans_dirs_from_pyproject(make_repo) -> None:
    repo = make_repo({"pyproject.toml": '[tool.plansmith]\nplans_dirs = ["docs/*/plans"]\n'})
    install_hooks(repo)
    write(repo, "specs/plans/001_ignored.md", NOT_UTF8)  # not a root here
    git(repo, "add", "-A")
    assert commit(repo).returncode == 0
    write(repo, "docs/7_a/plans/001_a.md", DUPLICATE_PHASE)
    git(repo, "add", "-A")
    result = commit(repo)
    assert result.returncode == 1 and "docs/7_a/plans/001_a.md:9:" in result.stderr
