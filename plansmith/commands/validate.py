"""``plansmith validate [PLAN ...] [--staged] [--strict]``: structure and metadata problems of plans.

Errors fail validation (exit 1); warnings are listed and fail it only with ``--strict``. Reads the
working tree (or with ``--staged`` git's index); changes nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from plansmith.commands.common import EXIT_OK, EXIT_PROBLEM, emit_json, open_workspace, plan_arg

if TYPE_CHECKING:
    from plansmith.plan.problems import Problem
    from plansmith.workspace import Workspace


def find_problems(ws: Workspace, plans: Sequence[str] = (), *, staged: bool = False) -> list[Problem]:
    """Every problem of every plan, or of the named ``plans`` only; sorted by path and line."""
    if staged:
        from plansmith.git_backend.repo import read_index_files
        from plansmith.plan.api import validate_files

        raw = read_index_files(ws.require_repo(), ws.plans_dir)
        problems = validate_files(raw, ws.plans_dir, max_bytes=ws.settings.limits.max_plan_bytes)
    else:
        from plansmith.plan.validate import validate_tree

        texts, read_problems = ws.files()
        problems = sorted(set(read_problems + validate_tree(texts, ws.plans_dir)))
    if not plans:
        return problems
    wanted = [_scope(ws, arg, staged=staged) for arg in plans]
    return [p for p in problems if any(p.path == w or p.path.startswith(w + "/") for w in wanted)]


def _scope(ws: Workspace, arg: str, *, staged: bool) -> str:
    """The file or folder whose problems belong to the plan ``arg``."""
    if staged:  # the plan may not exist in the working tree: take the path as given
        return ws.rel(plan_arg(ws, arg))
    loc, _ = ws.locate(plan_arg(ws, arg))
    return loc.folder or loc.main_path


def fails(problems: Sequence[Problem], *, strict: bool) -> bool:
    """Whether validation fails: on any error, and with ``strict`` on any warning too."""
    return any(strict or p.is_error for p in problems)


def validate_document(
    ws: Workspace, plans: Sequence[str] = (), *, staged: bool = False, strict: bool = False
) -> dict[str, object]:
    """The ``validate --json`` document: ``ok`` and the problems, each with its ``severity``."""
    return _document(find_problems(ws, plans, staged=staged), strict=strict)


def _document(problems: Sequence[Problem], *, strict: bool) -> dict[str, object]:
    return {"ok": not fails(problems, strict=strict), "problems": [p.as_json() for p in problems]}


def main(args: argparse.Namespace) -> int:
    problems = find_problems(open_workspace(args.repo), args.plans, staged=args.staged)
    failed = fails(problems, strict=args.strict)
    if args.json:
        emit_json(_document(problems, strict=args.strict))
        return EXIT_PROBLEM if failed else EXIT_OK
    for problem in problems:
        print(problem.render(), file=sys.stderr)
    summary = _count(problems)
    if failed:
        print(f"plansmith: error: {summary} found", file=sys.stderr)
        if any(p.is_error for p in problems):
            print("hint: fix them and run 'plansmith validate' again", file=sys.stderr)
        else:
            print("hint: fix the warnings, or run without --strict to let them pass", file=sys.stderr)
    elif problems:
        print(f"ok: no errors ({summary}; 'plansmith validate --strict' fails on them)")
    else:
        print("ok: no problems found")
    return EXIT_PROBLEM if failed else EXIT_OK


def _count(problems: Sequence[Problem]) -> str:
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    parts = [
        f"{n} {word}{'s' if n != 1 else ''}" for n, word in ((errors, "error"), (warnings, "warning")) if n
    ]
    return ", ".join(parts)
