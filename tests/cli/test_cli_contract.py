"""The command-line contract of docs/cli.md that scripts rely on: ``--repo`` before or after the command,
``validate --strict`` and severities, unknown items refused up front, the rejection memory of
``--auto-analysis``, and specific error types in the JSON error document. Real git repositories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from git_helper import MakeRepo
from git_helper import run_git as git

from plansmith.cli import main
from plansmith.hooks.precommit import run_pre_commit
from plansmith.plan.problems import Problem

GROWN = "\n".join(f"- [ ] task {n} in `src/mod{n}.py` with migration and security review" for n in range(16))
PLAN = "specs/plans/001_feature.md"
TEXT = f"""# Feature: Plan

### Phase 1: Small
- [ ] one

### Phase 2: Large
**Objective**: A lot of work
#### Stage 1: First
{GROWN}

#### Stage 2: Second
- [ ] two

### Phase 3: Also large
{GROWN}
"""


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    code, out, err = cli(capsys, *args, "--json")
    assert out.strip(), err
    doc: dict[str, object] = json.loads(out)
    return code, doc


@pytest.fixture
def repo(repo_here: MakeRepo) -> Path:
    return repo_here({PLAN: TEXT, "README.md": "# app\n"})


# --- --repo before and after the command ----------------------------------------------------------


@pytest.mark.parametrize("where", ["before", "after"])
def test_repo_works_before_and_after_the_command(
    repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    where: str,
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # not a repository: only --repo can find it
    flag = ["--repo", str(repo)]
    for command in (["analyze", PLAN], ["validate"], ["waves", PLAN], ["proposals", "list"]):
        args = [*flag, *command] if where == "before" else [*command, *flag]
        code, doc = cli_json(capsys, *args)
        assert code == 0, doc
    args = [*flag, "analyze", PLAN] if where == "before" else ["analyze", PLAN, *flag]
    code, doc = cli_json(capsys, *args)
    assert doc["plan"] == PLAN


def test_the_repo_after_the_command_wins(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = cli_json(capsys, "--repo", str(tmp_path / "nowhere"), "analyze", PLAN, "--repo", str(repo))
    assert code == 0 and doc["plan"] == PLAN


def test_without_repo_outside_a_repository_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, doc = cli_json(capsys, "proposals")
    assert code == 1 and doc["error"]["type"] == "git"  # type: ignore[index]
    assert "--repo" in doc["error"]["hint"]  # type: ignore[index]


# --- validate: errors fail, warnings only with --strict --------------------------------------------


@pytest.fixture
def a_warning(monkeypatch: pytest.MonkeyPatch) -> Problem:
    """Every validation also reports one warning (which checks are warnings is the plan core's business)."""
    import plansmith.plan.api
    import plansmith.plan.validate

    warning = Problem(PLAN, 3, "phase-gap", "phases jump from 1 to 3", severity="warning")
    real = plansmith.plan.validate.validate_tree

    def with_warning(*args: object, **kwargs: object) -> list[Problem]:
        return [*real(*args, **kwargs), warning]  # type: ignore[arg-type]

    monkeypatch.setattr(plansmith.plan.validate, "validate_tree", with_warning)
    monkeypatch.setattr(plansmith.plan.api, "validate_tree", with_warning)
    return warning


def test_a_warning_passes_without_strict_and_fails_with_it(
    repo: Path, a_warning: Problem, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, "validate")
    assert code == 0
    assert f"{PLAN}:3: warning: phases jump from 1 to 3 [phase-gap]" in err
    assert "ok: no errors (1 warning" in out
    code, doc = cli_json(capsys, "validate")
    assert code == 0 and doc["ok"] is True
    assert doc["problems"] == [a_warning.as_json()]
    assert doc["problems"][0]["severity"] == "warning"  # type: ignore[index]

    code, out, err = cli(capsys, "validate", "--strict")
    assert code == 1 and "plansmith: error: 1 warning found" in err and "without --strict" in err
    code, doc = cli_json(capsys, "validate", "--strict")
    assert code == 1 and doc["ok"] is False and len(doc["problems"]) == 1  # type: ignore[arg-type]
    # --staged reads git's index: the same rule
    assert cli(capsys, "validate", "--staged")[0] == 0
    assert cli(capsys, "validate", "--staged", "--strict")[0] == 1


def test_an_error_fails_with_or_without_strict(
    repo: Path, a_warning: Problem, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "specs/plans/002_dup.md").write_text("# X\n\n### Phase 1: a\n\n### Phase 1: b\n")
    for strict in ([], ["--strict"]):
        code, doc = cli_json(capsys, "validate", *strict)
        assert code == 1 and doc["ok"] is False
        severities = sorted(p["severity"] for p in doc["problems"])  # type: ignore[attr-defined,index]
        assert severities == ["error", "warning"]
    code, _, err = cli(capsys, "validate")
    assert "1 error, 1 warning found" in err


def test_the_pre_commit_hook_shows_warnings_without_refusing(
    repo: Path, a_warning: Problem, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / PLAN).write_text(TEXT + "\n")
    git(repo, "add", PLAN)
    assert run_pre_commit(cwd=repo) == 0
    err = capsys.readouterr().err
    assert "warning: phases jump from 1 to 3" in err and "commit refused" not in err
    (repo / PLAN).write_text(TEXT + "\n### Phase 1: again\n")
    git(repo, "add", PLAN)
    assert run_pre_commit(cwd=repo) == 1
    err = capsys.readouterr().err
    assert "commit refused: 1 problem" in err and "warning: phases jump" in err


# --- an item the plan does not have is refused before anything runs -------------------------------


def _nothing_was_started(repo: Path) -> None:
    runs = repo / ".git" / "plansmith" / "runs"
    assert not runs.exists() or not any(runs.iterdir()), "a run folder (artifacts) was created"
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1, "a worktree was created"
    assert git(repo, "branch", "--list", "plansmith/*") == ""


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (["phase", "42"], "there is no phase 42"),
        (["phase", "2", "stage", "9"], "there is no stage 9 in phase 2"),
        (["phase", "1", "stage", "1"], "there is no stage 1 in phase 1"),
    ],
)
def test_an_unknown_item_is_refused_up_front(
    repo: Path, capsys: pytest.CaptureFixture[str], item: list[str], message: str
) -> None:
    for verb in ("expand", "collapse"):
        code, doc = cli_json(capsys, verb, PLAN, *item, "--yes")
        assert code == 1
        error = doc["error"]
        assert isinstance(error, dict)
        assert error["type"] == "unknown-item"
        assert error["message"] == f"{PLAN}: {message}"
        assert error["hint"] == "the plan has: phase 1; phase 2 (stages 1, 2); phase 3"
        assert set(doc) == {"error"}
    code, out, err = cli(capsys, "expand", PLAN, *item, "--yes")
    assert code == 1 and out == ""
    assert f"plansmith: error: {PLAN}: {message}" in err
    assert "hint: the plan has: phase 1; phase 2 (stages 1, 2); phase 3" in err
    _nothing_was_started(repo)


def test_an_unknown_item_is_refused_even_for_a_dry_run(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = cli_json(capsys, "expand", PLAN, "phase", "42", "--dry-run")
    assert code == 1 and doc["error"]["type"] == "unknown-item"  # type: ignore[index]
    _nothing_was_started(repo)


# --- --auto-analysis honours the rejection memory, as the daemon does --------------------------------


def test_auto_analysis_skips_content_the_user_rejected(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = cli_json(capsys, "expand", PLAN, "--auto-analysis")
    assert code == 0 and isinstance(doc["proposal"], dict)
    assert "skipped" not in doc
    assert cli(capsys, "proposals", "reject", "001_feature")[0] == 0

    code, doc = cli_json(capsys, "expand", PLAN, "--auto-analysis")
    assert code == 0
    assert doc["proposal"] is None and doc["operations"] == []
    assert doc["skipped"] == "rejected before for this content"
    assert git(repo, "branch", "--list", "plansmith/*") == ""
    code, out, _ = cli(capsys, "expand", PLAN, "--auto-analysis")
    assert code == 0 and f"skipped {PLAN}: rejected before for this content" in out

    # Naming the item is the user asking for it: the memory does not apply.
    code, doc = cli_json(capsys, "expand", PLAN, "phase", "3", "--yes")
    assert code == 0 and isinstance(doc["proposal"], dict) and "skipped" not in doc
    assert cli(capsys, "proposals", "reject", "001_feature")[0] == 0

    # Changed content is proposed again.
    (repo / PLAN).write_text(TEXT + "\n### Phase 4: Docs\n- [ ] write them\n")
    git(repo, "commit", "-qam", "add phase 4")
    code, doc = cli_json(capsys, "expand", PLAN, "--auto-analysis")
    assert code == 0 and isinstance(doc["proposal"], dict) and "skipped" not in doc
    assert doc["summary"]["failed"] == 0 and doc["summary"]["successful"] >= 2  # type: ignore[index]


def test_the_daemon_and_the_command_line_share_the_rejection_check(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import threading

    from plansmith.daemon.engine_handler import EngineHandler
    from plansmith.daemon.loop import RunContext
    from plansmith.workspace import open_workspace

    assert cli_json(capsys, "expand", PLAN, "--auto-analysis")[0] == 0
    assert cli(capsys, "proposals", "reject", "001_feature")[0] == 0
    context = RunContext("commit", threading.Event(), lambda status: None)
    records = EngineHandler(open_workspace(str(repo))).handle_committed(None, context)
    assert [r.result for r in records] == ["skipped: rejected before for this content"]


# --- specific error types ------------------------------------------------------------------------------


def test_errors_carry_a_specific_type(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = {
        ("proposals", "show", "nope"): ("unknown-proposal", 1),
        ("proposals", "approve", "nope"): ("unknown-proposal", 1),
        ("checkpoints", "restore", "nope"): ("unknown-checkpoint", 1),
        ("proposals", "show"): ("usage", 2),
        ("checkpoints", "restore"): ("usage", 2),
        ("expand", PLAN): ("usage", 2),
        ("expand", PLAN, "phase", "xy"): ("usage", 2),  # "x" is an id now: letter X
        ("expand", PLAN, "phase", "2", "--bogus"): ("usage", 2),
        ("frobnicate",): ("usage", 2),
        ("analyze", "specs/plans/nope.md"): ("unknown-plan", 1),  # was "plan": now a specific type
    }
    for args, (kind, status) in cases.items():
        code, out, err = cli(capsys, *args, "--json")
        assert (code, json.loads(out)["error"]["type"]) == (status, kind), (args, err)
        assert json.loads(out)["error"]["hint"], args


def test_a_prompt_without_a_terminal_is_a_specific_error() -> None:
    from plansmith.engine.coordinator import confirm
    from plansmith.errors import ConfirmationRequired

    with pytest.raises(ConfirmationRequired, match="not a terminal") as caught:
        confirm(False)
    assert caught.value.kind == "confirmation-required" and "--yes" in caught.value.hint


def test_hooks_through_the_command_line(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = cli_json(capsys, "--repo", str(repo), "hooks", "install")
    assert code == 0
    (hook,) = doc["hooks"]  # type: ignore[misc]
    assert hook["hook"] == "pre-commit" and hook["action"] == "installed" and hook["kept"] is None
    assert cli(capsys, "hooks", "install", "pre-commit")[0] == 2  # install takes no hook name
    code, doc = cli_json(capsys, "hooks", "uninstall", "--repo", str(tmp_path / "nowhere"))
    assert code == 1 and doc["error"]["type"] == "hook"  # type: ignore[index]
    code, doc = cli_json(capsys, "hooks", "uninstall")
    assert code == 0 and doc["hooks"][0]["action"] == "removed"  # type: ignore[index]


# --- one-line errors a newcomer meets first: exact text ----------------------------------------------


def test_an_unknown_option_is_said_once_without_a_second_prefix(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, "validate", "--frobnicate")
    assert (code, out) == (2, "")
    assert err == (
        "plansmith: error: unrecognized arguments: --frobnicate\n"
        "hint: run 'plansmith --help' or 'plansmith COMMAND --help'\n"
    )
    code, out, err = cli(capsys, "validate", "--frobnicate", "--json")
    assert code == 2 and json.loads(out)["error"]["message"] == "unrecognized arguments: --frobnicate"
    code, out, err = cli(capsys, "expand")
    assert err.splitlines()[0] == "plansmith: error: expand: the following arguments are required: plan, item"


def test_hooks_install_outside_a_repository_says_so_in_plansmiths_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "not-a-repo"
    outside.mkdir()
    monkeypatch.chdir(outside)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    code, out, err = cli(capsys, "hooks", "install")
    assert (code, out) == (1, "")
    assert err == (
        f"plansmith: error: {outside} is not inside a git working tree\n"
        "hint: run it inside the repository whose commits the hooks should check, or pass --repo DIR "
        "('git init' makes a folder a repository)\n"
    )
    assert "fatal:" not in err
