"""Entry points of the pure core for the shells (CLI, hooks, daemon, engine).

It must not do I/O: callers read the files and pass text in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from plansmith.errors import PlanError
from plansmith.plan.model import DocKind
from plansmith.plan.parser import DEFAULT_MAX_BYTES, decode, parse_document
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


def _kind_of(path: str) -> DocKind:
    name = path.rsplit("/", 1)[-1]
    return "stage" if name.startswith("stage_") else "phase"


def same_item(path: str) -> Callable[[str, str], bool]:
    """A check that two versions of an expanded file are the same phase/stage (kind and number)."""
    kind = _kind_of(path)

    def check(before: str, after: str) -> bool:
        a = parse_document(path, before, kind).root
        b = parse_document(path, after, kind).root
        return a is not None and b is not None and (a.kind, a.number) == (b.kind, b.number)

    return check


def tasks_of(path: str) -> Callable[[str], list[tuple[str, bool]]]:
    """The tasks of a version of an expanded file, as ``(text, checked)``."""
    kind = _kind_of(path)

    def tasks(text: str) -> list[tuple[str, bool]]:
        doc = parse_document(path, text, kind)
        section = doc.root
        found = section.tasks if section is not None else ()
        return [(t.text, t.checked) for t in found]

    return tasks
