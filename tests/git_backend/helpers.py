"""Helpers shared by the git_backend tests (plain functions; fixtures live in conftest.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath

from plansmith.git_backend.messages import proposal_subject, proposal_trailers
from plansmith.git_backend.worktree import ScratchWorktree

PLAN_FILES: dict[str, str | bytes] = {
    "README.md": "# demo\n",
    "src/app.py": "print('hello')\n",
    "docs/guide.md": "guide\n",
    "specs/plans/001_feature.md": "# Plan: feature\n\n## Phase 1: Setup\n\n- [ ] task\n",
    "specs/plans/002_other/002_other.md": "# Plan: other\n",
    "specs/plans/002_other/phase_1_setup.md": "# Phase 1\n",
    "specs/notes.md": "not a plan\n",
}

# Refs that plansmith may write; everything else must stay byte-identical.
PLANSMITH_REF_PREFIXES = ("refs/plansmith/", "refs/heads/plansmith/")


def git_out(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True, env=env
    ).stdout


def snapshot_user_state(repo: Path) -> dict[str, bytes]:
    """Everything of the user's that plansmith's engine side must never change, as bytes.

    Every file of the working tree (including untracked ones), ``.git/index``, ``.git/HEAD``,
    ``.git/config`` and the list of refs other than plansmith's own.
    """
    state: dict[str, bytes] = {}
    for path in sorted(repo.rglob("*")):
        rel = path.relative_to(repo)
        if rel.parts[0] == ".git" or not path.is_file():
            continue
        state[f"worktree:{rel.as_posix()}"] = path.read_bytes()
    for name in ("index", "HEAD", "config"):
        file = repo / ".git" / name
        state[f"git:{name}"] = file.read_bytes() if file.exists() else b"<missing>"
    refs = git_out(repo, "for-each-ref", "--format=%(refname) %(objectname) %(symref)")
    kept = [line for line in refs.splitlines() if not line.startswith(PLANSMITH_REF_PREFIXES)]
    state["refs"] = "\n".join(kept).encode()
    return state


def make_user_dirty(repo: Path) -> None:
    """Leave uncommitted work of every kind: unstaged, staged and untracked, inside and outside plans."""
    (repo / "specs/plans/001_feature.md").write_text("# Plan: feature\n\nuser is editing this\n")
    (repo / "src/app.py").write_text("print('staged')\n")
    git_out(repo, "add", "src/app.py")
    (repo / "src/app.py").write_text("print('staged then edited')\n")
    (repo / "specs/plans/003_draft.md").write_text("# untracked draft\n")
    (repo / "scratch.txt").write_text("untracked\n")


def propose(
    scratch: ScratchWorktree,
    base: str,
    *,
    plan: str = "specs/plans/001_feature.md",
    content: str = "# Plan: feature\n\nexpanded by plansmith\n",
    items: tuple[str, ...] = ("phase_1",),
    run: str = "run-1",
) -> str:
    """A proposal commit made the way the engine does: reset to base, change the plan, commit."""
    scratch.reset_to(base)
    target = scratch.path / plan
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content)
    subject = proposal_subject("expand", items, PurePosixPath(plan).stem)
    trailers = proposal_trailers(plan=plan, operation="expand", items=items, base=base, run=run)
    return scratch.commit(
        f"{subject}\n\n| item | score |\n| --- | --- |\n| phase_1 | 9.1 |", trailers=trailers
    )
