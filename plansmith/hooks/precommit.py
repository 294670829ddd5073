"""``plansmith hooks run pre-commit``: refuse a commit whose staged plans do not validate.

Fast path: when the commit touches no Markdown file in a plan root (``plans_dirs``: ``specs/plans``,
``plans``, ``docs/plans``, ``.claude/plans``, ... by default), one ``git diff
--cached`` below the roots' folders decides and no plan is read or parsed (of :mod:`plansmith.plan`
only the pure root matcher :mod:`plansmith.plan.roots` is imported, never the parser). Otherwise the staged
versions of the plan files are validated, and problems in the plans this commit touches are printed as
``path:line: message`` lines on stderr. Errors refuse the commit; warnings are shown and let it go on.
Problems in plans the commit does not touch are not the committer's business here.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from plansmith.errors import GitError
from plansmith.git_backend.paths import worktree_top
from plansmith.hooks.plans_dir import read_plan_roots
from plansmith.hooks.staged import HOOK_ENV, read_staged_files, staged_paths
from plansmith.plan.roots import literal_prefixes, split_root
from plansmith.plan.speckit_folders import is_feature_pattern

if TYPE_CHECKING:
    from plansmith.plan.problems import Problem

HINT = (
    "hint: fix the plans, 'git add' them and commit again ('plansmith validate --staged' checks the "
    "staged versions); to commit anyway: git commit --no-verify"
)


def run_pre_commit(argv: Sequence[str] = (), *, cwd: Path | None = None, err: TextIO | None = None) -> int:
    """Validate the staged plans; 0 to let the commit go on, 1 to refuse it (problems were printed)."""
    del argv  # git passes no arguments to pre-commit
    out = sys.stderr if err is None else err
    root = _worktree_root(Path.cwd() if cwd is None else cwd)
    patterns = read_plan_roots(root)
    folders = literal_prefixes(patterns)
    keys = {key for key in (_plan_key(path, patterns) for path in staged_paths(root, folders)) if key}
    if not keys:
        return 0
    # Only the plans this commit touches are parsed: one broken plan elsewhere must not block
    # unrelated commits, and parsing 200 plans would make every commit wait (424 ms -> ~80 ms).
    files = read_staged_files(root, folders, keep=lambda path: _plan_key(path, patterns) in keys)

    # lazy: the hook's fast path (no plan staged) parses nothing
    from plansmith.discovery import validate_files

    problems = sorted(validate_files(files, patterns))
    for warning in (p for p in problems if not p.is_error):
        print(warning.render(), file=out)  # shown, never blocking (as 'plansmith validate' without --strict)
    blocking = [p for p in problems if p.is_error]
    if not blocking:
        return 0
    _report(blocking, out)
    return 1


def _report(problems: list[Problem], out: TextIO) -> None:
    count = len(problems)
    noun = "problem" if count == 1 else "problems"
    print(f"plansmith: error: commit refused: {count} {noun} in the staged plans", file=out)
    for problem in problems:
        print(problem.render(), file=out)
    print(HINT, file=out)


def _plan_key(path: str, patterns: Sequence[str]) -> str | None:
    """The plan a file belongs to, as its root folder and the plan's name (``specs/plans/001_x.md`` and
    ``specs/plans/001_x/...`` -> ``specs/plans/001_x``); ``None`` for a path in no root, and for any
    file but Markdown (an image beside a plan in ``plans/`` must not make the commit parse plans)."""
    if not path.endswith(".md"):
        return None
    hit = split_root(path, patterns)
    if hit is None:
        return None
    root, rest = hit
    if is_feature_pattern(root.pattern.split("/")):
        return root.path  # a spec-kit feature folder is one plan, whichever of its files changed
    return f"{root.path}/{rest[0].removesuffix('.md')}"


def _worktree_root(cwd: Path) -> Path:
    """The top of the worktree. git runs hooks there; a hand-run ``hooks run`` may start deeper."""
    if not cwd.is_dir():
        raise GitError(f"{cwd} is not a folder", hint="pass the repository's folder with --repo DIR")
    if (cwd / ".git").exists():
        return cwd

    return worktree_top(cwd, keep_env=HOOK_ENV)
