"""A team's repository for the radar tests: a bare remote, a developer's clone, and branches made with
real git commands (no plansmith code writes anything here)."""

from __future__ import annotations

import subprocess
from pathlib import Path

BASE = "specs/plans/001_base.md"


def plan_text(title: str, phases: dict[int, str]) -> str:
    """A plan of our own: one phase per entry, each with its text as its only task."""
    body = "".join(f"## Phase {n}: Part {n}\n\n- [ ] {text}\n\n" for n, text in sorted(phases.items()))
    return f"# Plan: {title}\n\n{body}"


BASE_TEXT = plan_text("base", {1: "set up the schema", 2: "write the API", 3: "ship it"})


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


class Team:
    """``origin.git`` and ``dev``, a clone on main holding ``BASE``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.bare = root / "origin.git"
        git(root, "init", "-q", "--bare", "-b", "main", str(self.bare))
        self.dev = root / "dev"
        git(root, "clone", "-q", str(self.bare), str(self.dev))
        git(self.dev, "symbolic-ref", "HEAD", "refs/heads/main")
        (self.dev / "specs/plans").mkdir(parents=True)
        (self.dev / BASE).write_text(BASE_TEXT)
        git(self.dev, "add", "-A")
        git(self.dev, "commit", "-qm", "plans")
        git(self.dev, "push", "-q", "origin", "main")

    def commit(
        self,
        branch: str,
        files: dict[str, str | None],
        message: str,
        *,
        new: bool = True,
        start: str = "main",
    ) -> str:
        """Commit ``files`` (``None``: delete) on ``branch`` (created from ``start`` when ``new``)."""
        if new and branch != "main":
            git(self.dev, "checkout", "-q", "-b", branch, start)
        else:
            git(self.dev, "checkout", "-q", branch)
        for rel, text in files.items():
            path = self.dev / rel
            if text is None:
                git(self.dev, "rm", "-q", rel)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        git(self.dev, "add", "-A")
        git(self.dev, "commit", "-qm", message)
        oid = git(self.dev, "rev-parse", "HEAD")
        git(self.dev, "checkout", "-q", "main")
        return oid

    def move(self, branch: str, old: str, new: str, text: str | None = None) -> None:
        """``git mv`` on a new ``branch``, with new content when ``text`` is given."""
        git(self.dev, "checkout", "-q", "-b", branch, "main")
        (self.dev / new).parent.mkdir(parents=True, exist_ok=True)
        git(self.dev, "mv", old, new)
        if text is not None:
            (self.dev / new).write_text(text)
            git(self.dev, "add", "-A")
        git(self.dev, "commit", "-qm", f"move {old}")
        git(self.dev, "checkout", "-q", "main")

    def push(self, *branches: str) -> None:
        git(self.dev, "push", "-q", "origin", *branches)

    def clone(self, name: str) -> Path:
        """A fresh clone: the pushed branches are remote-tracking ones only."""
        target = self.root / name
        git(self.root, "clone", "-q", str(self.bare), str(target))
        return target


def snapshot(repo: Path) -> dict[str, bytes]:
    """Every ref (plansmith's own included), HEAD, index, config, loose objects and working tree files."""
    state: dict[str, bytes] = {
        "refs": git(repo, "for-each-ref", "--format=%(refname) %(objectname)").encode()
    }
    for path in sorted(repo.rglob("*")):
        rel = path.relative_to(repo).as_posix()
        if path.is_file() and (
            not rel.startswith(".git/") or rel.split("/")[1] in ("index", "HEAD", "config")
        ):
            state[rel] = path.read_bytes()
        elif path.is_file() and rel.startswith(".git/objects/"):
            state[rel] = b"object"
    return state
