"""What the commands print for people and scripts (issue 11): proposals shown with renames, commit
messages that say what moved where (with a Mermaid block), the daemon's run line, plain output without
``rich`` for pipes and ``--json``. Real git repositories; stdout is not a terminal here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from git_helper import MakeRepo

from plansmith.cli import main

TASKS = "\n".join(f"- [ ] step {n} in `src/m{n}.py` with a migration and security review" for n in range(16))
PLAN_TEXT = "# Plan\n\n" + "".join(f"### Phase {n}: Part {n}\n{TASKS}\n\n" for n in range(1, 4))
PLAN = "specs/plans/001_feature.md"
MAIN_AFTER = "specs/plans/001_feature/001_feature.md"
CHILD = "specs/plans/001_feature/phase_1_part_1.md"


@pytest.fixture
def repo(repo_here: MakeRepo) -> Path:
    return repo_here({PLAN: PLAN_TEXT})


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def expanded(repo: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    code, out, err = run(capsys, "expand", PLAN, "phase", "1", "--yes")
    assert code == 0, err
    assert f"  phase 1 → {CHILD}\n" in out  # the report says what moved where
    return repo


def test_proposals_show_of_an_expansion_is_a_rename_with_the_few_changed_lines(
    expanded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "proposals", "show", "001_feature")
    assert code == 0
    assert "\x1b" not in out
    assert out.startswith("proposal 001_feature (open): plansmith: expand phase 1 of 001_feature\n")
    assert f"operations:\n  phase 1 → {CHILD}\n" in out
    assert f"analysis before the change:\n{PLAN} (structure level 0;" in out
    assert f"  renamed  {PLAN} → {MAIN_AFTER}  (" in out and f"  added    {CHILD}  (+" in out
    assert "2 files changed, " in out
    assert f"rename from {PLAN}\nrename to {MAIN_AFTER}\n" in out
    assert "deleted file mode" not in out  # not a deleted file plus a new one
    diff = out[out.index("diff --git") :]
    removed = [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert 0 < len(removed) <= 20  # phase 1's text left the main plan; the rest did not move
    assert len(removed) < PLAN_TEXT.count("\n") // 2


def test_proposals_show_json_lists_the_files_and_moves(
    expanded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "proposals", "show", "001_feature", "--json")
    doc = json.loads(out)
    assert code == 0
    assert doc["moves"] == [f"phase 1 → {CHILD}"]
    renamed = doc["files"][0] if doc["files"][0]["status"] == "renamed" else doc["files"][1]
    assert renamed["old_path"] == PLAN and renamed["path"] == MAIN_AFTER and renamed["similarity"] >= 50
    assert {f["status"] for f in doc["files"]} == {"renamed", "added"}
    assert "rename from" in doc["diff"] and "Plansmith-Items: phase_1" in doc["message"]


def test_the_commit_message_says_what_moved_where_and_draws_the_structure(expanded: Path) -> None:
    message = subprocess.run(
        ["git", "log", "-1", "--format=%B", "plansmith/001_feature"],
        cwd=expanded,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    subject, blank, moves = message.splitlines()[:3]
    assert subject == "plansmith: expand phase 1 of 001_feature" and blank == ""
    assert moves == f"phase 1 → {CHILD}"
    assert "Analysis before the change:\n\n" + PLAN in message
    block = message[message.index("```mermaid\n") :]
    assert block.startswith("```mermaid\nflowchart TB\n") and "\n```\n" in block
    assert not any(line.startswith(("#", "%%")) for line in message.splitlines())
    trailers = subprocess.run(
        ["git", "log", "-1", "--format=%(trailers:only,unfold)", "plansmith/001_feature"],
        cwd=expanded,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Plansmith-Items: phase_1" in trailers and f"Plansmith-Plan: {PLAN}" in trailers


def test_the_daemons_run_line_says_what_moved_where(repo: Path) -> None:
    once = subprocess.run(
        [sys.executable, "-m", "plansmith", "daemon", "--once"], cwd=repo, capture_output=True, text=True
    )
    assert once.returncode == 0, once.stderr
    status = subprocess.run(
        [sys.executable, "-m", "plansmith", "status", "--json"], cwd=repo, capture_output=True, text=True
    )
    runs = json.loads(status.stdout)["last_runs"]
    results = [r["result"] for r in runs if r.get("plan") == "001_feature"]
    assert any(
        f"phase 1 → {CHILD}" in r and "phase 3 → specs/plans/001_feature/phase_3_part_3.md" in r
        for r in results
    ), results
    plain = subprocess.run(
        [sys.executable, "-m", "plansmith", "status"], cwd=repo, capture_output=True, text=True
    )
    assert "\x1b" not in plain.stdout and "open proposals:\n  001_feature: expand" in plain.stdout


def modules_after(repo: Path, argv: list[str]) -> set[str]:
    program = (
        "import sys\nfrom plansmith.cli import main\n"
        f"rc = main({argv!r})\nprint('MODULES', ' '.join(sys.modules))\nsys.exit(rc)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", program], cwd=repo, capture_output=True, text=True, env={**os.environ}
    )
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stdout.splitlines() if x.startswith("MODULES "))
    return set(line.split()[1:])


@pytest.mark.parametrize(
    "argv",
    [["analyze", PLAN], ["analyze", PLAN, "--json"], ["status"], ["proposals"], ["config", "show"]],
    ids=" ".join,
)
def test_plain_and_json_output_never_import_rich(repo: Path, argv: list[str]) -> None:
    assert not any(m == "rich" or m.startswith("rich.") for m in modules_after(repo, argv))


@pytest.mark.parametrize(
    "argv", [["analyze", PLAN], ["review", PLAN], ["proposals"], ["config", "show"]], ids=" ".join
)
def test_quiet_is_accepted_everywhere_and_changes_nothing_off_a_terminal(
    repo: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    plain = run(capsys, *argv)
    quiet = run(capsys, *argv, "--quiet")
    assert quiet == plain and plain[0] == 0


def test_the_main_plan_is_paired_with_its_new_place_even_when_most_of_it_moved_out(
    make_repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Two heavy phases leave, a light one stays: the main file keeps a small part of its text, and a
    # phase file is more like the old plan than the new main file is.
    text = "# Plan\n\n### Phase 1: Light\n- [ ] one\n\n" + "".join(
        f"### Phase {n}: Heavy {n}\n{TASKS}\n\n" for n in (2, 3)
    )
    monkeypatch.chdir(make_repo({PLAN: text}))
    assert run(capsys, "expand", PLAN, "--auto-analysis", "--yes")[0] == 0
    doc = json.loads(run(capsys, "proposals", "show", "001_feature", "--json")[1])
    renamed = [f for f in doc["files"] if f["status"] == "renamed"]
    assert [(f["old_path"], f["path"]) for f in renamed] == [(PLAN, MAIN_AFTER)]
    assert renamed[0]["similarity"] < 50  # below git's default: paired because the move is known
    added = sorted(f["path"] for f in doc["files"] if f["status"] == "added")
    assert added == [
        "specs/plans/001_feature/phase_2_heavy_2.md",
        "specs/plans/001_feature/phase_3_heavy_3.md",
    ]
    assert doc["diff"].startswith(f"diff --git a/{PLAN} b/{MAIN_AFTER}\n")
    assert doc["diff"].count("diff --git") == 3
