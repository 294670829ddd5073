"""What is counted in a plan's text: file paths, risk terms, test lines, code blocks, non-blank lines.

This module reads text and :class:`~plansmith.plan.model.Document` values and returns facts; it knows
nothing about weights, scores or plans' trees (see :mod:`.measure` and :mod:`.scoring`). It must stay
pure: no I/O, no imports outside :mod:`plansmith.plan`.

Per document, :func:`line_facts` computes every per-line fact once (and prefix sums of the countable
ones), so measuring any range of lines afterwards costs a few subtractions plus the lines that name
files or risk terms, however many phases and stages share the document.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from plansmith.plan.model import Document

RISK_TERMS: dict[str, str] = {
    "migration": r"migrat(?:e|es|ed|ing|ion|ions)",
    "security": r"secur(?:e|ity)|vulnerab\w*",
    "auth": r"auth|authenticat\w*|authori[sz]\w*",
    "concurrency": r"concurren\w*|race[ -]conditions?|deadlocks?|thread[ -]safe\w*|mutex\w*|locking",
    "rollback": r"roll[ -]?backs?|rolling back",
    "data loss": r"data[ -]loss|los(?:e|ing) data|data corruption|corrupt\w*|irreversible",
    "breaking change": r"breaking[ -]changes?|backwards?[ -]incompatib\w*|incompatib\w*",
    "performance": r"performance|latency|throughput",
    "encryption": r"encrypt\w*|decrypt\w*|cryptograph\w*",
    "secrets": r"secrets?|credentials?|passwords?|api[ -]keys?",
    "deployment": r"deploy\w*|production",
    "compatibility": r"backwards?[ -]compatib\w*|compatibility",
}


def _first_letters(patterns: Iterable[str]) -> str:
    """The first characters of the top-level alternatives of ``patterns`` (each starts with a letter)."""
    firsts: set[str] = set()
    for rx in patterns:
        depth, start = 0, True
        for ch in rx:
            if start:
                firsts.add(ch)
            start = ch == "|" and depth == 0
            depth += (ch == "(") - (ch == ")")
    return "".join(sorted(firsts))


# Applied to lower-cased text (faster than re.IGNORECASE); the term patterns are lower case. The
# look-ahead lets the engine skip positions that cannot start a term (three times faster on plans).
_RISK = re.compile(
    rf"\b(?=[{_first_letters(RISK_TERMS.values())}])(?:"
    + "|".join(f"(?P<g{n}>{rx})" for n, rx in enumerate(RISK_TERMS.values()))
    + r")\b"
)
_RISK_NAMES = tuple(RISK_TERMS)
_TESTS = re.compile(
    r"\b(?:tests?|testing|tested|pytest|unittest|coverage|verify|verifies|verified|verification)\b",
    re.IGNORECASE,
)
_KNOWN_EXTENSION = re.compile(
    r"py|pyi|md|rst|txt|toml|ya?ml|jsonc?|ini|cfg|conf|env|lock|sh|bash|zsh|fish|ps1|bat|lua|vim|el"
    r"|[mc]?js|tsx?|jsx|vue|svelte|css|s[ac]ss|less|html?|xml|svg|c|h|cc|cpp|hpp|cs|go|rs|java|kts?|scala"
    r"|rb|php|pl|swift|mm?|sql|graphql|proto|[ct]sv|ipynb|nix|tf|hcl|dockerfile|mk|cmake|gradle|tex|bib"
    r"|org|adoc|gitignore|editorconfig",
    re.IGNORECASE,
)
# A bare path: at least one "/", a last component with an extension; not part of a URL or a longer token.
_BARE_PATH = re.compile(
    r"(?<![\w/.:@~-])((?:~|\.{1,2})?/?[\w.@+-]+(?:/[\w.@+-]+)+\.[A-Za-z][A-Za-z0-9]{0,9})(?![\w/])"
)
_BACKTICKED = re.compile(r"`([^`\s]+)`")
TASK_LINE = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[.\](?:[ \t]|$)")

# Every match of a risk term or a test word contains one of these (lower case): the per-document pass
# finds candidate lines with fast substring searches and runs the regular expressions on those only.
# "api " / "api-", not "api": only "api key(s)" counts, and plans are full of "src/api/" paths.
_RISK_STEMS = (
    "migrat", "secur", "vulnerab", "auth", "concurren", "race", "deadlock", "thread", "mutex", "locking",
    "roll", "data", "corrupt", "irreversib", "breaking", "incompatib", "performance", "latency",
    "throughput", "crypt", "secret", "credential", "password", "api ", "api-", "deploy", "production",
    "compatib",
)  # fmt: skip
_TEST_STEMS = ("test", "coverage", "verif")
# How far before its first stem a risk term can start: "backwards incompatible" and "backwards
# compatible" have their first stem ("incompatib", "compatib") 10 characters in, every other term less.
# So no match starts more than this before the first stem of a line, and the search may start there.
_RISK_LEAD = 10
# The same for test words: "unittest" has its stem 4 characters in, every other word less.
_TEST_LEAD = 4


# --- one line of prose ------------------------------------------------------------------------------


def _is_path(token: str, *, backticked: bool) -> bool:
    if "://" in token or token.startswith(("-", "@")) or token.endswith((".", "/")):
        return False
    last = token.rsplit("/", 1)[-1]
    stem, dot, ext = last.rpartition(".")
    if not dot or not ext or not (ext[0].isalpha() and ext.isalnum()):
        return False
    if "/" in token:
        return bool(stem or last.startswith("."))
    return backticked and bool(stem) and _KNOWN_EXTENSION.fullmatch(ext) is not None


@lru_cache(maxsize=8192)
def _path_token(token: str, backticked: bool) -> str | None:
    """The normalised path a token names, or None (memoised: plans repeat their paths)."""
    token = token.strip("'\"()[]<>,;:")
    while token.startswith("./"):
        token = token[2:]
    return token if _is_path(token, backticked=backticked) else None


def paths_in(line: str) -> set[str]:
    """File paths referenced on one line of prose: backticked paths (`` `src/a.py` ``, `` `a.toml` ``)
    and bare tokens with a ``/`` and an extension (``migrations/0002.py``); URLs are not paths."""
    found: set[str] = set()
    if "/" in line:
        # A bare path holds no white space and its look-arounds accept white space on either side, so
        # searching the words that contain a "/" finds exactly what searching the line would, faster.
        for word in line.split():
            if "/" in word:
                for token in _BARE_PATH.findall(word):
                    if (path := _path_token(token, False)) is not None:
                        found.add(path)
    if "`" in line:
        for token in _BACKTICKED.findall(line):
            if "/" not in token and (path := _path_token(token, True)) is not None:
                found.add(path)  # paths with a "/" were found above, backticked or not
    return found


def risk_terms_in(text: str, start: int = 0) -> set[str]:
    """Names of the risk terms (keys of :data:`RISK_TERMS`) found in ``text`` (from ``start`` on; the
    characters before it still decide word boundaries)."""
    found: set[str] = set()
    for m in _RISK.finditer(text.lower(), start):
        group = m.lastgroup
        if group is not None:
            found.add(_RISK_NAMES[int(group[1:])])
    return found


# --- one document -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineFacts:
    """Per-line facts of one document. ``*_before[i]`` counts the lines before line ``i`` (so a range
    ``start..end`` holds ``x_before[end] - x_before[start]``); files and risk terms are kept only for
    the lines that name some, in line order."""

    nonblank: list[bool]
    opener: list[bool]  # the line opens a fenced code block
    prose: list[bool]  # non-blank and not inside a fenced code block
    test: list[bool]  # a prose line that mentions tests
    nonblank_before: list[int]
    openers_before: list[int]
    tests_before: list[int]
    file_lines: list[int]
    file_sets: list[frozenset[str]]
    risk_lines: list[int]
    risk_sets: list[frozenset[str]]


def _fences(doc: Document) -> tuple[list[bool], list[bool]]:
    """Which lines open a fenced code block, and which are inside one (the fences included). The
    scanner's ``code_lines`` also holds HTML blocks and indented lines it set apart: read as prose."""
    lines = doc.lines
    opener = [False] * len(lines)
    fenced = [False] * len(lines)
    fence: str | None = None
    prev = -2
    for i in sorted(doc.code_lines):
        if i != prev + 1:
            fence = None  # a line outside code ends any fenced block we were tracking
        prev = i
        stripped = lines[i].strip()
        if not stripped:
            continue
        if fence is None:
            if stripped.startswith(("```", "~~~")):
                fence = stripped[: len(stripped) - len(stripped.lstrip(stripped[0]))]
                opener[i] = fenced[i] = True
            continue
        fenced[i] = True
        if stripped.startswith(fence) and stripped == fence[0] * len(stripped):
            fence = None
    return opener, fenced


def _candidate_lines(
    lines: tuple[str, ...], low: str | None, starts: list[int], stems: Iterable[str]
) -> dict[int, int]:
    """Lines containing one of ``stems``, each with the offset of its first stem (every line, from its
    start, when lower-casing moved offsets)."""
    if low is None:
        return dict.fromkeys(range(len(lines)), 0)
    found: dict[int, int] = {}
    for stem in stems:
        i = low.find(stem)
        while i != -1:
            line = bisect_right(starts, i) - 1
            offset = i - starts[line]
            if found.get(line, offset) >= offset:
                found[line] = offset
            i = low.find(stem, starts[line + 1] if line + 1 < len(starts) else len(low))
    return found


def line_facts(doc: Document) -> LineFacts:
    """Every per-line fact of ``doc``, computed in one pass over its text."""
    lines = doc.lines
    nonblank = [bool(line) and not line.isspace() for line in lines]
    opener, fenced = _fences(doc)
    prose = [nb and not fc for nb, fc in zip(nonblank, fenced, strict=True)]

    text = "".join(lines)
    low: str | None = text.lower()
    if low is not None and len(low) != len(text):
        low = None  # lower-casing changed offsets (rare Unicode): look at every line
    starts = list(accumulate(map(len, lines), initial=0))[:-1] if lines else []
    risks: dict[int, frozenset[str]] = {}
    for i, first in _candidate_lines(lines, low, starts, _RISK_STEMS).items():
        if prose[i] and (found := risk_terms_in(lines[i], max(0, first - _RISK_LEAD))):
            risks[i] = frozenset(found)
    test = [False] * len(lines)
    for i, first in _candidate_lines(lines, low, starts, _TEST_STEMS).items():
        # From _TEST_LEAD before the first stem, as for risk terms; only on ASCII lines, where the
        # case-blind pattern matches nothing that lower-casing does not turn into a stem.
        line = lines[i]
        if prose[i] and _TESTS.search(line, max(0, first - _TEST_LEAD) if line.isascii() else 0):
            test[i] = True
    files: dict[int, frozenset[str]] = {}
    for i, line in enumerate(lines):
        if prose[i] and ("/" in line or "`" in line) and (paths := paths_in(line.rstrip("\r\n"))):
            files[i] = frozenset(paths)
    file_lines = sorted(files)
    risk_lines = sorted(risks)
    return LineFacts(
        nonblank=nonblank,
        opener=opener,
        prose=prose,
        test=test,
        nonblank_before=list(accumulate(nonblank, initial=0)),
        openers_before=list(accumulate(opener, initial=0)),
        tests_before=list(accumulate(test, initial=0)),
        file_lines=file_lines,
        file_sets=[files[i] for i in file_lines],
        risk_lines=risk_lines,
        risk_sets=[risks[i] for i in risk_lines],
    )


def sets_in(lines: list[int], sets: list[frozenset[str]], start: int, end: int, skip: set[int]) -> set[str]:
    """The union of ``sets`` of the ``lines`` inside ``start..end`` and not in ``skip``."""
    found: set[str] = set()
    for k in range(bisect_left(lines, start), bisect_left(lines, end)):
        if lines[k] not in skip:
            found |= sets[k]
    return found


def metadata_lines(doc: Document, start: int, end: int) -> set[int]:
    """The lines of a ``## Metadata`` block strictly inside ``start..end``: its heading, then the field
    bullets (with their continuation lines and plansmith's record comment) up to the first blank line.
    plansmith writes that block into expanded files; it is not work, so it is not counted."""
    md = doc.metadata
    if md is None or md.heading_index is None or not start < md.heading_index < end:
        return set()
    skip = {md.heading_index}
    fields = {f.index for f in md.fields}
    i = md.heading_index + 1
    while i < end and not doc.lines[i].strip():
        i += 1
    while i < end:
        line = doc.lines[i]
        if not line.strip():
            break
        if i in fields or line[:1] in (" ", "\t") or line.startswith("<!--"):
            skip.add(i)
            i += 1
        else:
            break
    return skip


__all__ = [
    "RISK_TERMS",
    "TASK_LINE",
    "LineFacts",
    "line_facts",
    "metadata_lines",
    "paths_in",
    "risk_terms_in",
    "sets_in",
]
