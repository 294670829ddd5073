"""spec-kit feature folders through the real entry point in real git repositories: validate, waves
(text, JSON, Mermaid), expand and collapse through the engine into a proposal branch, and the
pre-commit hook through a real ``git commit``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from git_backend.helpers import snapshot_user_state  # tests/ is on sys.path
from roots.helpers import run, run_json  # tests/ is on sys.path

from plansmith.hooks import install as installer

from .plans import FEATURE, SPECKIT_FILES, TASKS, TEMPLATE_TASKS, feature_files

PLAN_ID = "001-photo-albums"


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=check)


@pytest.fixture
def repo(make_repo, monkeypatch: pytest.MonkeyPatch) -> Path:  # type: ignore[no-untyped-def]
    root: Path = make_repo(
        {**feature_files(), "specs/plans/001_feature.md": "# F\n\n### Phase 1: A\n- [ ] a\n"}
    )
    monkeypatch.chdir(root)
    return root


def test_validate_finds_the_feature_folder_and_reports_a_duplicate_task_id(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_json(capsys, "validate") == (0, {"ok": True, "problems": []})
    code, doc = run_json(capsys, "analyze", PLAN_ID)
    assert code == 0 and doc["plan"] == TASKS
    assert run_json(capsys, "analyze", FEATURE)[1]["plan"] == TASKS  # the folder names the plan too
    assert run_json(capsys, "analyze", f"{FEATURE}/tasks.md")[1]["plan"] == TASKS
    code, _, err = run(capsys, "validate", f"{FEATURE}/plan.md")  # the design document is not a plan
    assert code == 1 and f"{FEATURE}/plan.md: no plan found there" in err and PLAN_ID in err
    broken = TEMPLATE_TASKS.replace("- [ ] T011 [P]", "- [ ] T004 [P]")
    (repo / TASKS).write_text(broken, encoding="utf-8")
    lines = broken.splitlines()
    first, second = (n for n, line in enumerate(lines, 1) if line.startswith("- [ ] T004"))
    code, _, err = run(capsys, "validate", PLAN_ID)
    assert code == 1
    assert (
        f"{TASKS}:{second}: task T004 is used again (first at {TASKS}:{first}); give each task its own id"
        in err
    )
    assert "[duplicate-task-id]" in err and "Traceback" not in err


def test_waves_show_setup_foundational_the_stories_side_by_side_and_polish(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "waves", PLAN_ID)
    assert (code, out) == (
        0,
        "wave 1: phase 1\nwave 2: phase 2\nwave 3: phase 3, phase 4, phase 5\nwave 4: phase 6\n",
    )
    assert run_json(capsys, "waves", TASKS)[1] == {
        "plan": TASKS,
        "waves": [[1], [2], [3, 4, 5], [6]],
        "cycle": None,
    }
    code, out, _ = run(capsys, "waves", PLAN_ID, "--format", "mermaid")
    assert code == 0 and out.startswith("flowchart")
    assert all(f'subgraph w{k}["Wave {k}"]' in out for k in range(1, 5))


def test_expand_and_collapse_through_the_engine_leave_spec_kit_s_files_alone(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot_user_state(repo)
    code, doc = run_json(capsys, "expand", PLAN_ID, "phase", "3", "--yes")
    assert code == 0, doc
    branch = doc["proposal"]["branch"]  # type: ignore[index]
    assert branch == f"plansmith/{PLAN_ID}"
    assert snapshot_user_state(repo) == before  # a proposal only: the user's work is untouched
    changed = git(repo, "diff", "--name-status", f"main...{branch}").stdout.split("\n")
    phase_file = f"{FEATURE}/phase_3_user_story_1_create_an_album_priority_p1.md"
    assert [line.split("\t") for line in changed if line] == [["A", phase_file], ["M", TASKS]]
    shown = git(repo, "show", f"{branch}:{TASKS}").stdout
    assert (
        "For detailed tasks, see [Phase 3 Details](phase_3_user_story_1_create_an_album_priority_p1.md)"
        in shown
    )
    # approve it, then collapse it again: tasks.md is back byte for byte, spec-kit's files never moved
    assert run(capsys, "proposals", "approve", PLAN_ID)[0] == 0
    assert (repo / phase_file).is_file()
    assert run_json(capsys, "validate")[0] == 0
    assert run_json(capsys, "analyze", PLAN_ID)[1]["structure_level"] == 1
    code, doc = run_json(capsys, "collapse", PLAN_ID, "phase", "3", "--yes", "--merge")
    assert code == 0, doc
    assert (repo / TASKS).read_text(encoding="utf-8") == TEMPLATE_TASKS
    assert not (repo / phase_file).exists()
    for path, text in SPECKIT_FILES.items():
        assert (repo / path).read_text(encoding="utf-8") == text


def test_auto_analysis_expands_a_heavy_story_beside_tasks_md(
    make_repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    heavy = "".join(
        f"- [ ] T{100 + n} [US2] Migrate `src/albums/part_{n}.py` (migration, security, rollback, tests)\n"
        for n in range(16)
    )
    text = TEMPLATE_TASKS.replace(
        "- [ ] T009 [US2] GET /shared/{token} endpoint in src/albums/api.py\n", heavy
    )
    repo = make_repo(feature_files(text))
    monkeypatch.chdir(repo)
    code, doc = run_json(capsys, "expand", PLAN_ID, "--auto-analysis", "--yes")
    assert code == 0, doc
    files = git(repo, "ls-tree", "-r", "--name-only", f"plansmith/{PLAN_ID}").stdout.split()
    assert f"{FEATURE}/phase_4_user_story_2_share_an_album_priority_p2.md" in files
    assert sorted(files) == sorted(
        [*feature_files(), f"{FEATURE}/phase_4_user_story_2_share_an_album_priority_p2.md"]
    )


def test_the_pre_commit_hook_checks_a_feature_folder_when_only_a_phase_file_changed(repo: Path) -> None:
    installer.install(repo, python=sys.executable)
    assert run_cli_quietly(repo, "expand", PLAN_ID, "phase", "4", "--yes", "--merge") == 0
    phase_file = f"{FEATURE}/phase_4_user_story_2_share_an_album_priority_p2.md"
    path = repo / phase_file
    path.write_text(path.read_text(encoding="utf-8").replace("T009 [US2]", "T003 [US2]"), encoding="utf-8")
    git(repo, "add", phase_file)
    result = git(repo, "commit", "-q", "-m", "edit a story", check=False)
    assert result.returncode == 1
    assert f"{phase_file}:" in result.stderr and "[duplicate-task-id]" in result.stderr
    assert f"(first at {TASKS}:" in result.stderr


def run_cli_quietly(repo: Path, *args: str) -> int:
    return subprocess.run(
        [sys.executable, "-m", "plansmith", *args], cwd=repo, capture_output=True, text=True, check=False
    ).returncode


OTHER_PLAN = f"{FEATURE}/refactoring-plan.md"
OTHER_TEXT = (
    "# Refactoring plan\n\n## Implementation Tasks\n\n"
    "### Phase 1: Extract the renderer [EXECUTOR: MAIN]\n- [ ] move `src/render.py`\n\n"
    "### Phase 2: Cleanup\n- [ ] delete `src/old.py`\n"
)


def test_another_plan_beside_tasks_md_is_a_plan_of_its_own(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A team keeps its own plan in a feature folder (seen in the field): read by the ordinary rules,
    with an id of its own, and expanded into its own folder; tasks.md and spec-kit's files stay as
    they are."""
    (repo / OTHER_PLAN).write_text(OTHER_TEXT, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a refactoring plan beside the tasks")
    code, doc = run_json(capsys, "validate")
    assert (code, doc) == (0, {"ok": True, "problems": []}), doc
    other_id = f"{PLAN_ID}/refactoring-plan"
    code, doc = run_json(capsys, "analyze", other_id)
    assert code == 0 and doc["plan"] == OTHER_PLAN and len(doc["items"]) == 2  # type: ignore[arg-type]
    assert run_json(capsys, "analyze", PLAN_ID)[1]["plan"] == TASKS  # the feature's plan is unchanged
    code, doc = run_json(capsys, "expand", other_id, "phase", "1", "--yes", "--merge")
    assert code == 0, doc
    assert (repo / FEATURE / "refactoring-plan" / "refactoring-plan.md").is_file()
    code, doc = run_json(capsys, "validate")
    assert (code, doc) == (0, {"ok": True, "problems": []}), doc
    code, doc = run_json(capsys, "collapse", other_id, "phase", "1", "--yes", "--merge")
    assert code == 0, doc
    assert (repo / OTHER_PLAN).read_text(encoding="utf-8") == OTHER_TEXT
    assert (repo / TASKS).read_text(encoding="utf-8") == TEMPLATE_TASKS
