"""The imperative shell around the plan core: where the repository is, its settings, and reading plan
files from the working tree without following links out of it."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from plansmith.errors import GitError, PlanError
from plansmith.plan.api import decode_files
from plansmith.plan.layout import PlanLocation, build_plan, find_plans, locate_plan, plan_files
from plansmith.plan.model import Plan
from plansmith.plan.problems import Problem

if TYPE_CHECKING:
    from plansmith.config import LoadedSettings, Settings
    from plansmith.git_backend.repo import RepoPaths


@dataclass
class Workspace:
    root: Path  # the working tree's top folder (the current folder when not in a git repository)
    repo: RepoPaths | None
    loaded: LoadedSettings

    @property
    def settings(self) -> Settings:
        return self.loaded.settings

    @property
    def plans_dir(self) -> str:
        return self.settings.plans_dir

    def require_repo(self) -> RepoPaths:
        if self.repo is None:
            raise GitError(
                f"{self.root}: not inside a git repository",
                hint="run plansmith inside a git working tree, or pass --repo DIR",
            )
        return self.repo

    @cached_property
    def _raw_files(self) -> tuple[dict[str, bytes], list[Problem]]:
        return read_tree(self.root, self.plans_dir)

    def reread(self) -> None:
        """Forget the files read so far (a long-running daemon reads the working tree again)."""
        self.__dict__.pop("_raw_files", None)

    def files(self) -> tuple[dict[str, str], list[Problem]]:
        """Text of every Markdown file under the plans folder, and the problems met reading them."""
        raw, problems = self._raw_files
        texts, decode_problems = decode_files(raw, max_bytes=self.settings.limits.max_plan_bytes)
        return texts, problems + decode_problems

    def rel(self, arg: str) -> str:
        """A PLAN argument (relative to the current folder, or absolute) as a repository path."""
        path = Path(arg)
        absolute = path if path.is_absolute() else Path.cwd() / path
        try:
            rel = os.path.relpath(absolute.resolve(strict=False), self.root.resolve())
        except ValueError:
            rel = arg
        rel = rel.replace(os.sep, "/")
        if rel.startswith("../") or rel == "..":
            raise PlanError(f"{arg}: is outside the repository {self.root}", hint="pass a plan inside it")
        return rel

    def locate(self, arg: str) -> tuple[PlanLocation, dict[str, str]]:
        """The plan a PLAN argument names, and its files (read from the working tree)."""
        files, problems = self.files()
        rel = self.rel(arg)
        for problem in problems:
            if problem.path == rel or problem.path.startswith(rel.rstrip("/") + "/"):
                message, _, hint = problem.message.partition("; ")
                raise PlanError(f"{problem.path}: {message}", hint=hint, path=problem.path, line=problem.line)
        loc = locate_plan(files, rel, self.plans_dir)
        if loc is None and rel.endswith(".md") and rel in files:
            # A plan outside the naming scheme (or the plans folder): take the file as it is.
            folder = posixpath.dirname(rel)
            name = posixpath.basename(rel)[: -len(".md")]
            loc = PlanLocation(name, rel, folder if posixpath.basename(folder) == name else None)
        if loc is None:
            known = ", ".join(p.main_path for p in find_plans(files, self.plans_dir)[:5]) or "none"
            raise PlanError(
                f"{arg}: no plan found there (plans under {self.plans_dir}/: {known})",
                hint="pass a plan file like specs/plans/001_feature.md, or its folder",
            )
        return loc, plan_files(files, loc)

    def plan(self, arg: str) -> Plan:
        loc, files = self.locate(arg)
        return build_plan(files, loc)


def read_tree(root: Path, plans_dir: str) -> tuple[dict[str, bytes], list[Problem]]:
    """Bytes of every ``.md`` file under ``root/plans_dir``. Symbolic links are followed only when they
    stay inside the repository; one that leaves it becomes a problem, never a read."""
    base = root / plans_dir
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    if not base.is_dir():
        return files, problems
    real_root = root.resolve()
    for folder, dirs, names in os.walk(base, followlinks=False):
        here = Path(folder)
        for d in list(dirs):
            if (here / d).is_symlink():
                dirs.remove(d)
                rel = (here / d).relative_to(root).as_posix()
                problems.append(
                    Problem(rel, 0, "symlink", "a linked folder; plansmith does not follow folder links")
                )
        for name in names:
            if not name.endswith(".md"):
                continue
            path = here / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(real_root):
                    problems.append(
                        Problem(
                            rel,
                            0,
                            "symlink-outside-repo",
                            "links outside the repository; plansmith does not follow it. Replace the "
                            "link by the file",
                        )
                    )
                    continue
            try:
                files[rel] = path.read_bytes()
            except OSError as exc:
                problems.append(Problem(rel, 0, "unreadable", f"cannot be read: {exc.strerror}"))
    return files, problems


def open_workspace(repo_arg: str | None, overrides: Mapping[str, object] | None = None) -> Workspace:
    """Find the repository from ``--repo`` or the current folder, and load its settings."""
    from plansmith.config import load_settings
    from plansmith.git_backend.repo import find_repository

    start = Path(repo_arg) if repo_arg else Path.cwd()
    if repo_arg and not start.is_dir():
        raise GitError(f"{repo_arg}: no such folder", hint="pass --repo the top folder of a git repository")
    repo: RepoPaths | None
    try:
        repo = find_repository(start)
        root = repo.worktree
    except GitError:
        if repo_arg:
            raise
        repo, root = None, start
    return Workspace(root, repo, load_settings(root, overrides))
