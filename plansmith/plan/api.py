"""Entry points of the pure core for the shells (CLI, hooks, daemon, engine)."""

from __future__ import annotations

from collections.abc import Mapping

from plansmith.errors import PlanError
from plansmith.plan.parser import DEFAULT_MAX_BYTES, decode
from plansmith.plan.problems import Problem
from plansmith.plan.validate import validate_tree


def decode_files(
    files: Mapping[str, bytes], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[dict[str, str], list[Problem]]:
    """Text of every Markdown file, and a problem for each one that is not UTF-8 or too large."""
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    failures: dict[str, PlanError] = {}
    for path, data in files.items():
        if not path.endswith(".md"):
            continue
        try:
            texts[path] = decode(path, data, max_bytes=max_bytes)
        except PlanError as exc:
            code = "too-large" if exc.kind == "plan-too-large" else "not-utf8"
            message = exc.message.removeprefix(f"{path}: ")
            problems.append(Problem(path, exc.line or 0, code, f"{message}; {exc.hint}"))
            failures[path] = exc
    return texts, problems


def validate_files(
    files: Mapping[str, bytes], plans_dir: str, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[Problem]:
    """Validate every plan found in ``files`` ({repository-relative POSIX path: raw bytes}).

    Files that are not UTF-8 produce a ``not-utf8`` problem naming the file instead of an exception.
    """
    texts, problems = decode_files(files, max_bytes=max_bytes)
    return sorted(set(problems + validate_tree(texts, plans_dir)))
