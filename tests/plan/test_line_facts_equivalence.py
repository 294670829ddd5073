"""The fast per-line classification equals the straightforward one, line by line.

The scanner and :func:`~plansmith.plan.complexity.features.line_facts` decide lines with string methods,
prefix checks and whole-text searches instead of running each regular expression on each line (issue 10).
These tests hold them to the plain definitions on generated lines and on every line of the corpus."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from plansmith.plan.complexity.features import _TESTS, line_facts, paths_in, risk_terms_in
from plansmith.plan.model import Document
from plansmith.plan.parser import parse_document
from plansmith.plan.scanner import _heading_by_regex, heading_of, split_lines, strip_eol

from .corpus import corpus_files, needs_corpus
from .strategies import plans

HEADING_PIECES = st.sampled_from(
    [
        "#",
        "##",
        "###",
        "#######",
        " ",
        "  ",
        "   ",
        "    ",
        "\t",
        "\r",
        "\n",
        "x",
        "Phase 1: a",
        "\u00a0",
        "\\#",
    ]
)
# Words the risk terms, test words and paths are made of, and what sits around them.
FACT_PIECES = st.sampled_from(
    [
        " ", "  ", "\t", "`", "/", ".", "-", ":", "(", ")", "[", "]", "'", "\r", "\u00e9", "\u0130", "x",
        "src/a.py", "./b/c.toml", "`d.md`", "https://e.org/f.py", "migrations/0002.py", "~/g.sh", "a/b/",
        "migrate", "Migration", "security", "auth", "race condition", "deadlock", "rollback", "roll back",
        "data loss", "losing data", "corrupted", "backwards incompatible", "backward compatible", "api key",
        "API-keys", "deploy", "production", "latency", "encrypt", "secrets", "password", "thread-safe",
        "test", "Tests", "pytest", "coverage", "verify", "verification", "testing", "contest",
        "- [ ] ", "  - [x] ", "# ", "```", "~~~", "    ",
    ]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(HEADING_PIECES, max_size=8).map("".join))
@example(line="## a #\r")
@example(line="   ### x ### \t")
@example(line="#\t")
def test_heading_of_equals_the_regex(line: str) -> None:
    assert heading_of(line) == _heading_by_regex(line)


@needs_corpus
def test_heading_of_equals_the_regex_on_the_corpus() -> None:
    for text in corpus_files().values():
        for line in split_lines(text):
            body = strip_eol(line)
            assert heading_of(body) == _heading_by_regex(body), body


def plain_facts(doc: Document) -> dict[str, object]:
    """Per-line facts by their definitions: each pattern run on each prose line."""
    facts = line_facts(doc)  # ``prose`` (fences) is not what is under test here
    files: dict[int, frozenset[str]] = {}
    risks: dict[int, frozenset[str]] = {}
    tests = []
    for i, line in enumerate(doc.lines):
        if not facts.prose[i]:
            tests.append(False)
            continue
        if found := paths_in(line.rstrip("\r\n")):
            files[i] = frozenset(found)
        if found := risk_terms_in(line):
            risks[i] = frozenset(found)
        tests.append(_TESTS.search(line) is not None)
    return {
        "nonblank": [bool(line.strip()) for line in doc.lines],
        "test": tests,
        "file_lines": sorted(files),
        "file_sets": [files[i] for i in sorted(files)],
        "risk_lines": sorted(risks),
        "risk_sets": [risks[i] for i in sorted(risks)],
    }


def fast_facts(doc: Document) -> dict[str, object]:
    facts = line_facts(doc)
    return {name: getattr(facts, name) for name in plain_facts(doc)}


@needs_corpus
@pytest.mark.parametrize("path", sorted(corpus_files()))
def test_line_facts_equal_the_plain_definitions_on_the_corpus(path: str) -> None:
    doc = parse_document(path, corpus_files()[path], "plan")
    assert fast_facts(doc) == plain_facts(doc)


@settings(max_examples=150, deadline=None)
@given(plans())
def test_line_facts_equal_the_plain_definitions_on_generated_plans(plan: tuple[str, str]) -> None:
    path, text = plan
    doc = parse_document(path, text)
    assert fast_facts(doc) == plain_facts(doc)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(FACT_PIECES, max_size=10).map("".join), max_size=12))
# the risk terms that start furthest before their first stem (the search starts 10 characters before it)
@example(lines=["- a backwards compatible API", "xx: backwards incompatible", "a losing data b"])
def test_line_facts_equal_the_plain_definitions_on_line_mixes(lines: list[str]) -> None:
    doc = parse_document("specs/plans/001_x.md", "\n".join(lines) + "\n")
    assert fast_facts(doc) == plain_facts(doc)
