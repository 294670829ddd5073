"""Discovery on disk: the real corpus in both layouts, and links that must never be followed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from plansmith.discovery import catalog, read_worktree
from plansmith.plan.roots import DEFAULT_ROOTS

from .helpers import run, small

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "real"
TOPIC_PLAN = "001_git_backup_todo_cleanup/001-git-backup-todo-cleanup-plan"


def corpus_repo(tmp_path: Path, under: str) -> Path:
    if not CORPUS.is_dir():
        pytest.skip("the shared corpus is not beside the checkout")
    repo = tmp_path / "corpus"
    shutil.copytree(CORPUS / "specs", repo / under / "specs")
    return repo


@pytest.mark.parametrize("under", ["", ".claude"])
def test_the_corpus_plans_are_found_in_both_layouts(tmp_path: Path, under: str) -> None:
    repo = corpus_repo(tmp_path, under)
    roots, files, problems = read_worktree(repo, DEFAULT_ROOTS)
    assert problems == []
    prefix = f"{under}/specs" if under else "specs"
    assert {r.path for r in roots} >= {
        f"{prefix}/plans",
        f"{prefix}/001_git_backup_todo_cleanup/plans",
        f"{prefix}/001_update_claude_md_neovim/plans",
    }
    ids = {ref.id for ref in catalog(files, roots)}
    assert (
        TOPIC_PLAN in ids
        and "045_claude_directory_optimization" in ids
        and "025_progressive_adaptive_planning" in ids
    )
    # every corpus file below a root is read, nothing else
    assert set(files) == {p.relative_to(repo).as_posix() for p in repo.rglob("*.md")}


def test_validate_on_the_corpus_reports_and_never_crashes(tmp_path: Path) -> None:
    repo = corpus_repo(tmp_path, ".claude")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    proc = subprocess.run(
        [sys.executable, "-m", "plansmith", "validate", "--json"], cwd=repo, capture_output=True, text=True
    )
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr
    assert isinstance(json.loads(proc.stdout)["problems"], list)
    analyzed = subprocess.run(
        [sys.executable, "-m", "plansmith", "analyze", TOPIC_PLAN, "--json"],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    assert analyzed.returncode == 0, analyzed.stderr
    assert json.loads(analyzed.stdout)["plan"] == f".claude/specs/{TOPIC_PLAN.replace('/', '/plans/')}.md"


def test_links_to_root_folders_are_never_followed(
    make_repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    outside = tmp_path / "outside"
    (outside / "plans").mkdir(parents=True)
    (outside / "plans" / "001_secret.md").write_text(small("Secret"))
    repo = make_repo({"specs/042_real/plans/001_a.md": small("A")})
    (repo / "specs/043_link").symlink_to(outside)  # matched by '*': a link is skipped quietly
    (repo / ".claude").mkdir()
    (repo / ".claude/specs").symlink_to(outside.parent)  # a literal part of a pattern: a warning
    (repo / "specs/plans").symlink_to(outside / "plans")
    monkeypatch.chdir(repo)
    roots, files, problems = read_worktree(repo, DEFAULT_ROOTS)
    assert [r.path for r in roots] == ["specs/042_real/plans"]
    assert list(files) == ["specs/042_real/plans/001_a.md"]
    assert sorted((p.path, p.code, p.severity) for p in problems) == [
        (".claude/specs", "symlink", "warning"),
        ("specs/plans", "symlink", "warning"),
    ]
    code, _, err = run(capsys, "analyze", "001_secret")
    assert code == 1 and "known plans: 042_real/001_a" in err
