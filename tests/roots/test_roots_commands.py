"""Every command finds plans in every root: validate, analyze, expand and proposals on real repositories."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from git_backend.helpers import snapshot_user_state
from git_helper import MakeRepo

from .helpers import IDS, OTHER_FILES, ROOT_PLANS, big, branches, git, run, run_json, small

DUPLICATE = "# Broken\n\n### Phase 1: a\n- [ ] a\n\n### Phase 1: again\n- [ ] b\n"


@pytest.fixture
def repo(repo_here: MakeRepo) -> Path:
    return repo_here({**ROOT_PLANS, **OTHER_FILES})


def test_validate_reads_every_root_and_nothing_else(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_json(capsys, "validate") == (0, {"ok": True, "problems": []})
    (repo / ".claude/specs/043_auth/plans/001-login-plan.md").write_text(DUPLICATE)
    (repo / "specs/042_search/reports/broken.md").write_text(DUPLICATE)  # in no root: not a plan
    code, doc = run_json(capsys, "validate")
    assert code == 1
    assert [(p["path"], p["line"], p["code"]) for p in doc["problems"]] == [  # type: ignore[attr-defined]
        (".claude/specs/043_auth/plans/001-login-plan.md", 6, "duplicate-phase")
    ]
    code, _, err = run(capsys, "validate")
    assert code == 1 and ".claude/specs/043_auth/plans/001-login-plan.md:6: phase 1 is numbered again" in err
    # naming a plan, by id or by path, limits the report to it
    assert run(capsys, "validate", "001_feature", "specs/042_search/plans/001-ranking-plan.md")[0] == 0
    assert run(capsys, "validate", "043_auth/001-login-plan")[0] == 1


def test_staged_validation_reads_every_root(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "specs/042_search/plans/001-ranking-plan.md").write_text(DUPLICATE)
    assert run(capsys, "validate", "--staged")[0] == 0  # not staged yet
    git(repo, "add", "-A")
    code, doc = run_json(capsys, "validate", "--staged")
    assert code == 1
    assert {p["path"] for p in doc["problems"]} == {"specs/042_search/plans/001-ranking-plan.md"}  # type: ignore[attr-defined]
    assert run(capsys, "validate", "--staged", "001_feature")[0] == 0
    assert run(capsys, "validate", "--staged", "042_search/001-ranking-plan")[0] == 1


@pytest.mark.parametrize("path", sorted(ROOT_PLANS))
def test_analyze_by_id_or_path(repo: Path, capsys: pytest.CaptureFixture[str], path: str) -> None:
    by_id = run_json(capsys, "analyze", IDS[path])
    by_path = run_json(capsys, "analyze", path)
    assert by_id == by_path
    assert by_id[0] == 0 and by_id[1]["plan"] == path
    os.chdir(repo / path.rsplit("/", 1)[0])  # a path relative to the current folder works too
    assert run_json(capsys, "analyze", path.rsplit("/", 1)[1]) == by_id


def test_an_unknown_plan_lists_the_known_ids(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "analyze", "042_search/nope")
    assert code == 1 and err.startswith("plansmith: error: 042_search/nope: no plan found there")
    hint = "".join(line for line in err.splitlines() if line.startswith("hint:"))
    assert all(plan_id in hint for plan_id in IDS.values())
    code, doc = run_json(capsys, "waves", "nope")
    assert code == 1 and doc["error"]["type"] == "unknown-plan"  # type: ignore[index]
    assert "043_auth/001-login-plan" in doc["error"]["hint"]  # type: ignore[index]
    code, doc = run_json(capsys, "expand", "nope", "--auto-analysis", "--yes")
    assert code == 1 and "no committed plan" in doc["error"]["message"]  # type: ignore[index]
    assert "001_feature" in doc["error"]["hint"]  # type: ignore[index]


def test_expand_makes_a_proposal_per_plan_in_every_root_and_touches_nothing(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot_user_state(repo)
    config = (repo / ".git/config").read_bytes()
    made = {}
    for path, plan_id in IDS.items():
        code, doc = run_json(capsys, "expand", plan_id, "--auto-analysis", "--yes")
        assert code == 0, doc
        made[path] = doc["proposal"]
    assert (
        {p["branch"] for p in made.values()}
        == branches(repo)
        == {  # type: ignore[index]
            "plansmith/001_feature",
            "plansmith/042_search+001-ranking-plan",
            "plansmith/002_cleanup",
            "plansmith/043_auth+001-login-plan",
        }
    )
    for path, proposal in made.items():
        changed = git(repo, "diff", "--name-only", f"main...{proposal['branch']}").split()  # type: ignore[index]
        folder = path.removesuffix(".md")
        assert changed and all(f == path or f.startswith(folder + "/") for f in changed), changed
    assert snapshot_user_state(repo) == before
    assert (repo / ".git/config").read_bytes() == config
    # The scratch worktree holds every root's files and nothing else of the repository.
    scratch = repo / ".git/plansmith/worktree"
    held = {p.relative_to(scratch).as_posix() for p in scratch.rglob("*") if p.is_file()} - {".git"}
    last = git(repo, "ls-tree", "-r", "--name-only", "plansmith/043_auth+001-login-plan").split()
    assert held == set(last) - set(OTHER_FILES)
    assert len(held) == len(ROOT_PLANS) + 1  # the last run's expanded plan: main file and phase file
    # proposals are listed, shown and approved by their id or by the plan's id
    code, doc = run_json(capsys, "proposals", "list")
    assert code == 0
    assert run(capsys, "proposals", "approve", "043_auth/001-login-plan")[0] == 0
    assert "plansmith/043_auth+001-login-plan" not in branches(repo)
    assert (repo / ".claude/specs/043_auth/plans/001-login-plan/001-login-plan.md").is_file()
    assert run(capsys, "validate")[0] == 0
    assert run_json(capsys, "analyze", "043_auth/001-login-plan")[1]["structure_level"] == 1


def test_plans_of_the_same_name_in_two_roots_never_collide(
    make_repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo({"specs/plans/001_x.md": big("One"), ".claude/specs/plans/001_x.md": big("Two")})
    monkeypatch.chdir(repo)
    _, doc = run_json(capsys, "validate")
    assert [(p["path"], p["code"], p["severity"]) for p in doc["problems"]] == [  # type: ignore[attr-defined]
        (".claude/specs/plans/001_x.md", "duplicate-plan-id", "warning")
    ]
    assert run_json(capsys, "analyze", "001_x")[1]["plan"] == "specs/plans/001_x.md"
    assert (
        run_json(capsys, "analyze", ".claude/specs/plans/001_x")[1]["plan"] == ".claude/specs/plans/001_x.md"
    )
    for target in ("001_x", ".claude/specs/plans/001_x.md"):
        assert run_json(capsys, "expand", target, "--auto-analysis", "--yes")[0] == 0
    assert branches(repo) == {"plansmith/001_x", "plansmith/%2Eclaude+specs+plans+001_x"}
    assert "Two" in git(
        repo, "show", "plansmith/%2Eclaude+specs+plans+001_x:.claude/specs/plans/001_x/001_x.md"
    )


def test_a_plan_id_and_a_topic_id_never_clash_as_branches(
    make_repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    # git cannot hold both plansmith/042_search and plansmith/042_search/001-ranking-plan
    repo = make_repo(
        {
            "specs/plans/042_search.md": big("Search"),
            "specs/042_search/plans/001-ranking-plan.md": big("Ranking"),
        }
    )
    monkeypatch.chdir(repo)
    for plan_id in ("042_search", "042_search/001-ranking-plan"):
        code, doc = run_json(capsys, "expand", plan_id, "--auto-analysis", "--yes")
        assert code == 0, doc
    assert branches(repo) == {"plansmith/042_search", "plansmith/042_search+001-ranking-plan"}


def test_a_level_1_plan_in_a_topic_root_is_found_by_folder(
    make_repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo({"specs/042_search/plans/001-ranking-plan.md": big("Ranking")})
    monkeypatch.chdir(repo)
    assert run(capsys, "expand", "042_search/001-ranking-plan", "phase", "2", "--yes", "--merge")[0] == 0
    folder = "specs/042_search/plans/001-ranking-plan"
    for arg in (folder, f"{folder}/", f"{folder}/phase_2_build.md", "042_search/001-ranking-plan"):
        code, doc = run_json(capsys, "analyze", arg)
        assert code == 0 and doc["plan"] == f"{folder}/001-ranking-plan.md", arg
    assert run(capsys, "collapse", "042_search/001-ranking-plan", "phase", "2", "--yes", "--merge")[0] == 0
    assert (repo / "specs/042_search/plans/001-ranking-plan.md").read_text() == big("Ranking")


def test_the_old_plans_dir_is_the_one_root(make_repo, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo(
        {"plansmith.toml": 'plans_dir = "docs/plans"\n', "docs/plans/001_a.md": small("A"), **ROOT_PLANS}
    )
    monkeypatch.chdir(repo)
    code, _, err = run(capsys, "analyze", "001_feature")
    assert code == 1 and "known plans: 001_a" in err
    assert run_json(capsys, "analyze", "001_a")[1]["plan"] == "docs/plans/001_a.md"


@pytest.mark.parametrize(
    ("files", "env"),
    [
        ({"pyproject.toml": '[tool.plansmith]\nplans_dirs = ["docs/*/plans"]\n'}, {}),
        ({"plansmith.toml": 'plans_dirs = ["docs/*/plans", "specs/plans"]\n'}, {}),
        ({}, {"PLANSMITH_PLANS_DIRS": '["docs/*/plans"]'}),
        ({}, {"PLANSMITH_PLANS_DIRS": "docs/*/plans,specs/plans"}),
    ],
)
def test_plans_dirs_from_every_source(
    make_repo, monkeypatch, capsys, files: dict[str, str], env: dict[str, str]
) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo({**files, "docs/7_a/plans/001_a.md": small("A"), **ROOT_PLANS})
    monkeypatch.chdir(repo)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert run_json(capsys, "analyze", "7_a/001_a")[1]["plan"] == "docs/7_a/plans/001_a.md"
    assert run(capsys, "analyze", "042_search/001-ranking-plan")[0] == 1  # not a root any more


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('plans_dirs = ["../outside"]', "plans_dirs: '../outside' must stay inside the repository"),
        ('plans_dirs = ["*/plans"]', "must start with a folder name"),
        ('plans_dirs = "specs/plans"', "plans_dirs"),
        ("plans_dirs = []", "at least one"),
        ('plans_dir = "/abs"', "plans_dir: must be relative"),
    ],
)
def test_bad_roots_are_clear_errors(make_repo, monkeypatch, capsys, setting: str, message: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(make_repo({"plansmith.toml": setting + "\n"}))
    code, _, err = run(capsys, "validate")
    assert code == 1 and err.startswith("plansmith: error: invalid settings:") and message in err
    assert "hint:" in err and "Traceback" not in err


def test_config_show_names_the_roots_and_their_source(make_repo, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(make_repo({"plansmith.toml": 'plans_dir = "docs/plans"\n'}))
    code, doc = run_json(capsys, "config", "show")
    rows = {row["key"]: row for row in doc["settings"]}  # type: ignore[attr-defined]
    assert code == 0 and rows["plans_dirs"]["value"] == ["docs/plans"]
    assert rows["plans_dirs"]["source"] == "plansmith.toml"
    monkeypatch.setenv("PLANSMITH_PLANS_DIRS", "a/*/plans")
    code, out, err = run(capsys, "config", "show")
    assert 'plans_dirs             ["a/*/plans"]  [env (PLANSMITH_PLANS_DIRS)]' in out
    assert "plans_dir (from" in err and "is ignored because plans_dirs is set" in err
