"""``plansmith validate [PLAN ...] [--staged] [--strict]``: structure and metadata problems of plans.

Errors fail validation (exit 1); warnings are listed and fail it only with ``--strict``. Reads every
plan root of the working tree (or with ``--staged`` git's index); changes nothing.
It must not hold validation rules: it only turns arguments into calls and prints results.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from plansmith.commands.common import EXIT_OK, EXIT_PROBLEM, emit_json, open_workspace, plan_arg
from plansmith.discovery import catalog, locate, plans_per_root, staged_files, validate_files
from plansmith.plan.api import decode_files
from plansmith.plan.roots import roots_in

if TYPE_CHECKING:
    from plansmith.plan.problems import Problem
    from plansmith.workspace import Workspace


def find_problems(ws: Workspace, plans: Sequence[str] = (), *, staged: bool = False) -> list[Problem]:
    """Every problem of every plan in every plan root, or of the named ``plans`` only (paths or plan
    ids); sorted by path and line."""
    raw: dict[str, bytes] = {}
    if staged:
        raw = staged_files(ws.require_repo(), ws.plan_roots)
        problems = validate_files(raw, ws.plan_roots, max_bytes=ws.settings.limits.max_plan_bytes)
    else:
        problems = ws.validate()
    if not plans:
        return problems
    wanted = [_scope(ws, arg, raw if staged else None) for arg in plans]
    return [p for p in problems if any(p.path == w or p.path.startswith(w + "/") for w in wanted)]


def _scope(ws: Workspace, arg: str, staged: dict[str, bytes] | None) -> str:
    """The file or folder whose problems belong to the plan ``arg`` (in the index with ``staged``)."""
    if staged is not None:  # the plan may not exist in the working tree
        path = plan_arg(ws, arg)
        ref = locate(catalog(staged, patterns=ws.plan_roots), ws.plan_roots, arg, ws.rel_or_none(path))
        return (ref.location.folder or ref.location.main_path) if ref is not None else ws.rel(path)
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


def root_counts(ws: Workspace, *, staged: bool = False) -> list[tuple[str, int]]:
    """How many plans each plan root holds (in git's index with ``staged``)."""
    if not staged:
        return ws.plans_per_root()

    texts, _ = decode_files(staged_files(ws.require_repo(), ws.plan_roots))
    roots = roots_in(texts, ws.plan_roots)
    return plans_per_root(catalog(texts, roots), roots)


def format_root_counts(counts: Sequence[tuple[str, int]]) -> str:
    """``plans: 3 in specs/plans, 1 in plans`` (``plans: no plan root found`` when there is none)."""
    if not counts:
        return "plans: no plan root found"
    return "plans: " + ", ".join(f"{n} in {root}" for root, n in counts)


def main(args: argparse.Namespace) -> int:
    ws = open_workspace(args.repo)
    problems = find_problems(ws, args.plans, staged=args.staged)
    failed = fails(problems, strict=args.strict)
    if args.json:  # the document's keys are a contract: the counts are in 'status --json'
        emit_json(_document(problems, strict=args.strict))
        return EXIT_PROBLEM if failed else EXIT_OK
    counts = root_counts(ws, staged=args.staged) if not args.plans else []
    if counts:
        print(format_root_counts(counts), file=sys.stderr if failed else sys.stdout)
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
