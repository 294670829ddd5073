"""The plan commands through the real entry point: exit codes, JSON shapes, messages, hostile input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from git_helper import MakeRepo

from plansmith.cli import main

VALID = """# Feature

## Metadata
- **Structure Level**: 0

### Phase 1: Setup
**Dependencies**: []
- [ ] a

### Phase 2: Build
**Dependencies**: [1]
- [ ] b
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def repo(repo_here: MakeRepo) -> Path:
    return repo_here({"specs/plans/001_feature.md": VALID})


def test_analyze_json_has_the_contract_shape(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "analyze", "specs/plans/001_feature.md", "--json")
    doc = json.loads(out)
    assert code == 0
    assert set(doc) == {"plan", "structure_level", "thresholds", "items"}
    assert doc["thresholds"] == {"expand": 8.0, "collapse": 4.0}
    item = doc["items"][0]
    assert set(item) == {
        "id",
        "kind",
        "phase",
        "stage",
        "title",
        "expanded",
        "path",
        "score",
        "recommendation",
        "factors",
        "reasons",
    }
    assert item["id"] == "phase_1" and item["kind"] == "phase" and item["stage"] is None


def test_validate_ok_and_json(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "validate")[0] == 0
    code, out, _ = run(capsys, "validate", "--json")
    assert code == 0 and json.loads(out) == {"ok": True, "problems": []}


def test_validate_reports_path_line_and_exits_1(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "specs/plans/002_dup.md").write_text("# X\n\n### Phase 1: a\n\n### Phase 1: b\n")
    code, out, err = run(capsys, "validate")
    assert code == 1
    assert "specs/plans/002_dup.md:5: phase 1 is numbered again" in err
    code, out, _ = run(capsys, "validate", "--json")
    doc = json.loads(out)
    assert doc["ok"] is False
    assert doc["problems"][0] == {
        "path": "specs/plans/002_dup.md",
        "line": 5,
        "code": "duplicate-phase",
        "severity": "error",
        "message": doc["problems"][0]["message"],
    }
    # naming one plan limits the report to it
    assert run(capsys, "validate", "specs/plans/001_feature.md")[0] == 0


def test_waves_and_cycles(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "waves", "specs/plans/001_feature.md", "--json")
    assert code == 0 and json.loads(out) == {
        "plan": "specs/plans/001_feature.md",
        "waves": [[1], [2]],
        "cycle": None,
    }
    cyclic = VALID.replace("**Dependencies**: []", "**Dependencies**: [2]")
    (repo / "specs/plans/001_feature.md").write_text(cyclic)
    code, out, _ = run(capsys, "waves", "specs/plans/001_feature.md", "--json")
    assert code == 1 and json.loads(out)["cycle"] == [1, 2] and json.loads(out)["waves"] is None
    code, _, err = run(capsys, "waves", "specs/plans/001_feature.md")
    assert code == 1 and "cycle 1 -> 2 -> 1" in err


def test_non_utf8_plan_is_a_clear_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "specs/plans/003_latin.md").write_bytes("# Caf\xe9\n### Phase 1: x\n".encode("latin-1"))
    code, _, err = run(capsys, "analyze", "specs/plans/003_latin.md")
    assert code == 1
    assert err.startswith("plansmith: error: specs/plans/003_latin.md: not UTF-8 text")
    assert "hint:" in err and "Traceback" not in err


def test_huge_plan_is_refused_quickly_with_the_limit(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = "# Big\n\n### Phase 1: x\n" + "- [ ] task line that is long enough to fill\n" * 500_000
    assert len(big) > 20_000_000
    (repo / "specs/plans/004_big.md").write_text(big)
    code, _, err = run(capsys, "analyze", "specs/plans/004_big.md")
    assert code == 1
    assert "more than the limit" in err and "limits.max_plan_bytes" in err


def test_symlink_out_of_the_repository_is_not_followed(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "outside.md"
    secret.write_text("# secret\n### Phase 1: x\n")
    (repo / "specs/plans/005_link.md").symlink_to(secret)
    code, out, _ = run(capsys, "validate", "--json")
    problems = json.loads(out)["problems"]
    assert code == 1
    assert [p["code"] for p in problems] == ["symlink-outside-repo"]


def test_usage_errors_exit_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "frobnicate")[0] == 2
    code, _, err = run(capsys, "expand", "specs/plans/001_feature.md", "phase")
    assert code == 2 and "phase N" in err


def test_unknown_plan_names_what_exists(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "analyze", "specs/plans/nope.md")
    assert code == 1 and "specs/plans/001_feature.md" in err


def test_console_script_runs_as_a_real_process(repo: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "plansmith", "validate", "--json"], cwd=repo, capture_output=True, text=True
    )
    assert proc.returncode == 0 and json.loads(proc.stdout)["ok"] is True


HOSTILE = [
    "$(touch PWNED)",
    "../../etc/passwd",
    "`rm -rf ~`",
    "A" * 300,
    "🚀🚀 emoji only 🚀",
    "..",
    ".hidden",
]


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_titles_make_safe_file_names(make_repo, monkeypatch, capsys, title: str) -> None:  # type: ignore[no-untyped-def]
    text = f"# Plan\n\n### Phase 1: {title}\n- [ ] a\n\n### Phase 2: ok\n- [ ] b\n"
    root = make_repo({"specs/plans/001_hostile.md": text})
    monkeypatch.chdir(root)
    code, out, err = run(capsys, "expand", "specs/plans/001_hostile.md", "phase", "1", "--yes", "--json")
    assert code == 0, err
    doc = json.loads(out)
    branch = doc["proposal"]["branch"]
    files = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", branch], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    for f in files:
        assert f.startswith("specs/plans/001_hostile/") or f == "README.md", f
        name = f.rsplit("/", 1)[-1]
        assert not name.startswith(".") and ".." not in f and len(name) <= 60
    assert not (root / "PWNED").exists() and not (root.parent / "PWNED").exists()
