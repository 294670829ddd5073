"""The imperative shell around the plan core: where the repository is, its settings, and the plans of
its working tree, found in every plan root (:mod:`plansmith.discovery`) without following links out of
it. Reads only; it never writes the user's files."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from plansmith.discovery import (
    catalog,
    locate,
    not_a_plan,
    plans_per_root,
    read_tree,
    read_worktree,
    unknown_plan,
    validate_texts,
)
from plansmith.errors import ConfigError, GitError, PlanError
from plansmith.git_backend.repo import find_repository
from plansmith.plan.api import decode_files
from plansmith.plan.layout import PlanLocation, build_plan, plan_files
from plansmith.plan.model import Plan
from plansmith.plan.problems import Problem
from plansmith.plan.roots import PlanRef, RootFolder, first_literal_root
from plansmith.plan.validate import holds_plan

if TYPE_CHECKING:
    from plansmith.config import LoadedSettings, Settings
    from plansmith.git_backend.repo import RepoPaths

__all__ = ["Workspace", "open_workspace", "read_tree"]  # read_tree: one folder, for orchestrate


@dataclass
class Workspace:
    root: Path  # the working tree's top folder (the current folder when not in a git repository)
    repo: RepoPaths | None
    loaded: LoadedSettings

    @property
    def settings(self) -> Settings:
        return self.loaded.settings

    @property
    def plan_roots(self) -> tuple[str, ...]:
        """The root patterns plans are looked for in (``plans_dirs``)."""
        return tuple(self.settings.plans_dirs)

    @property
    def plans_dir(self) -> str:
        """The folder new plans are written to (``orchestrate``): the first root without ``*``."""
        folder = first_literal_root(self.plan_roots)
        if folder is None:
            raise ConfigError(
                "every plan root has a '*', so plansmith does not know where to write a new plan",
                hint="add a folder without '*' to plans_dirs, e.g. specs/plans",
            )
        return folder

    def require_repo(self) -> RepoPaths:
        if self.repo is None:
            raise GitError(
                f"{self.root}: not inside a git repository",
                hint="run plansmith inside a git working tree, or pass --repo DIR",
            )
        return self.repo

    @cached_property
    def _scan(self) -> tuple[list[RootFolder], dict[str, bytes], list[Problem]]:
        return read_worktree(self.root, self.plan_roots)

    def reread(self) -> None:
        """Forget the files read so far (a long-running daemon reads the working tree again)."""
        for cached in ("_scan", "_texts", "_refs"):
            self.__dict__.pop(cached, None)

    def roots(self) -> list[RootFolder]:
        """The folders of the working tree that are plan roots."""
        return self._scan[0]

    @cached_property
    def _texts(self) -> tuple[dict[str, str], list[Problem]]:
        _, raw, problems = self._scan
        texts, decode_problems = decode_files(raw, max_bytes=self.settings.limits.max_plan_bytes)
        return texts, problems + decode_problems

    @cached_property
    def _refs(self) -> list[PlanRef]:
        return catalog(self._texts[0], self.roots())

    def files(self) -> tuple[dict[str, str], list[Problem]]:
        """Text of every Markdown file in every plan root, and the problems met reading them."""
        texts, problems = self._texts
        return dict(texts), list(problems)

    def plans(self) -> list[PlanRef]:
        """Every plan of the working tree, with its id."""
        return list(self._refs)

    def plans_per_root(self) -> list[tuple[str, int]]:
        """``(root folder, number of plans)`` for every root of the working tree, in root order."""
        return plans_per_root(self.plans(), self.roots())

    def validate(self) -> list[Problem]:
        """Every plan of every root validated, with the problems met reading the files."""
        texts, problems = self.files()
        return sorted(set(problems + validate_texts(texts, self.roots(), self.plans())))

    def rel(self, arg: str) -> str:
        """A PLAN argument (relative to the current folder, or absolute) as a repository path."""
        rel = self.rel_or_none(arg)
        if rel is None:
            raise PlanError(f"{arg}: is outside the repository {self.root}", hint="pass a plan inside it")
        return rel

    def rel_or_none(self, arg: str) -> str | None:
        """:meth:`rel`, or ``None`` for a path outside the repository (it may still be a plan id)."""
        path = Path(arg)
        absolute = path if path.is_absolute() else Path.cwd() / path
        try:
            rel = os.path.relpath(absolute.resolve(strict=False), self.root.resolve())
        except (RuntimeError, OSError):  # a symlink loop: name the link itself, it is never followed
            rel = os.path.relpath(os.path.normpath(absolute), self.root.resolve())
        except ValueError:
            rel = arg
        rel = rel.replace(os.sep, "/")
        return None if rel.startswith("../") or rel == ".." else rel

    def locate(self, arg: str) -> tuple[PlanLocation, dict[str, str]]:
        """The plan a PLAN argument names (a path or a plan id), and its files (from the working tree)."""
        files, problems = self.files()
        rel = self.rel_or_none(arg)
        for problem in problems:
            if rel is not None and (problem.path == rel or problem.path.startswith(rel.rstrip("/") + "/")):
                message, _, hint = problem.message.partition("; ")
                raise PlanError(f"{problem.path}: {message}", hint=hint, path=problem.path, line=problem.line)
        refs = self.plans()
        ref = locate(refs, self.plan_roots, arg, rel)
        loc = ref.location if ref is not None else None
        if loc is None and rel is not None and rel.endswith(".md") and rel in files:
            # A plan outside the naming scheme: take the file as it is.
            folder = posixpath.dirname(rel)
            name = posixpath.basename(rel)[: -len(".md")]
            loc = PlanLocation(name, rel, folder if posixpath.basename(folder) == name else None)
        if loc is not None and not holds_plan(files, loc):
            raise not_a_plan(loc.folder or loc.main_path)
        if loc is None and rel is not None and rel.endswith(".md") and not self._outside_file_is_plan(rel):
            raise not_a_plan(rel)
        if loc is None:
            if rel is None:
                self.rel(arg)  # raises: the path is outside the repository
            raise unknown_plan(arg, refs)
        return loc, plan_files(files, loc)

    def _outside_file_is_plan(self, rel: str) -> bool:
        """Whether a Markdown file outside the plan roots holds phases (``True`` when it cannot be read:
        the unknown-plan error then says where plans are looked for)."""
        try:
            text = (self.root / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return True
        return holds_plan({rel: text}, PlanLocation(posixpath.basename(rel)[:-3], rel, None))

    def plan(self, arg: str) -> Plan:
        loc, files = self.locate(arg)
        return build_plan(files, loc)


def open_workspace(repo_arg: str | None, overrides: Mapping[str, object] | None = None) -> Workspace:
    """Find the repository from ``--repo`` or the current folder, and load its settings."""
    # lazy: pydantic, not for --version or the hook's fast path
    from plansmith.config import load_settings

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
