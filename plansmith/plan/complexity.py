"""Complexity scores for phases and stages: deterministic, explainable, 0.0 to 10.0 with one decimal.

A score is a weighted sum of factors measured on the item's text, each with diminishing returns, capped
at 10 and rounded with ``round(x, 1)``. The same text always gives the same score.

Factors (all counted on the lines after the item's heading; plansmith's ``## Metadata`` block of an
expanded file is ignored, so an item scores the same inline and expanded):

=============  ====================================================================  ===================
factor         what is counted                                                       contribution
=============  ====================================================================  ===================
tasks          ``- [ ]`` / ``- [x]`` boxes, nested ones and those of stages included  ``2.4 * log1p(n/2)``
files          distinct file paths outside code blocks: backticked paths             ``1.0 * log1p(n)``
               (`src/a.py`, `config.toml`)         and bare tokens with a ``/`` and
               an extension (``migrations/0002.py``); URLs are not paths
risk_terms     distinct risk terms outside code blocks (migration, security, auth,   ``0.8 * min(n, 3)``
               concurrency, rollback, data loss, breaking change, performance, ...)
tests          lines outside code blocks mentioning test/pytest/coverage/verify      ``0.5 * log1p(n)``
stages         stages of a phase (inline or expanded)                                ``0.5 * min(n, 4)``
dependencies   phase numbers in the Dependencies line                                ``0.25 * min(n, 4)``
code_blocks    fenced code blocks                                                    ``0.5 * log1p(n)``
lines          non-blank lines, code included                                        ``0.4 * log1p(n/5)``
=============  ====================================================================  ===================

Calibration (tested): a phase of 2 tasks and nothing else scores about 2; a typical phase of 6-8 tasks
touching two files scores 4-6; a phase of 15 tasks touching 6 files, naming a migration and
asking for tests scores 8.5 or more. Forty bare tasks alone reach 8.

Recommendations, with ``Thresholds(expand=8.0, collapse=4.0)`` by default:

- an inline item scoring ``>= expand`` is recommended for expansion; a stage only when its phase is
  already expanded (otherwise the phase is the one to expand first, and the reason says so);
- an expanded item scoring ``<= collapse`` is recommended for collapse; a phase only when none of its
  stages is expanded (stages collapse first);
- everything else is kept. The band between the thresholds is a dead band: expansion moves the text
  unchanged into a file that scores the same, so an item never flips back right after it flipped.

An expanded phase is scored on its own file (``PhaseNode.content``), never on the stub in the main
plan. Its expanded stages are stubs in that file: their content counts for the stages, not the phase
(:func:`score_phase_total` gives the whole phase with its stage files, used by the review's balance).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import Literal

from plansmith.plan.ids import ItemId, id_json
from plansmith.plan.model import Document, PhaseNode, Plan, Section, StageNode

Recommendation = Literal["expand", "collapse", "keep"]

# --- weights -----------------------------------------------------------------------------------------

W_TASKS = 2.4  # * log1p(tasks / 2)
W_FILES = 1.0  # * log1p(files)
W_RISK = 0.8  # per distinct risk term, at most RISK_CAP terms
RISK_CAP = 3
W_TESTS = 0.5  # * log1p(test lines)
W_STAGES = 0.5  # per stage, at most STAGES_CAP
STAGES_CAP = 4
W_DEPENDENCIES = 0.25  # per dependency, at most DEPENDENCIES_CAP
DEPENDENCIES_CAP = 4
W_CODE_BLOCKS = 0.5  # * log1p(code blocks)
W_LINES = 0.4  # * log1p(lines / 5)
MAX_SCORE = 10.0

FACTOR_NAMES = ("tasks", "files", "stages", "dependencies", "risk_terms", "tests", "code_blocks", "lines")

# --- what the text is searched for ------------------------------------------------------------------

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
# Applied to lower-cased text (faster than re.IGNORECASE); the term patterns are lower case.
_RISK = re.compile(
    r"\b(?:" + "|".join(f"(?P<g{n}>{rx})" for n, rx in enumerate(RISK_TERMS.values())) + r")\b"
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
_TASK = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[.\](?:[ \t]|$)")


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Where recommendations start: ``score >= expand`` (inline) and ``score <= collapse`` (expanded)."""

    expand: float = 8.0
    collapse: float = 4.0

    def __post_init__(self) -> None:
        for name, value in (("expand", self.expand), ("collapse", self.collapse)):
            if not (isinstance(value, int | float) and 0.0 <= value <= MAX_SCORE) or isinstance(value, bool):
                raise ValueError(f"complexity threshold {name} must be a number from 0 to 10, not {value!r}")
        if not self.collapse < self.expand:
            raise ValueError(
                f"complexity thresholds: collapse ({self.collapse}) must be lower than expand "
                f"({self.expand}), or items would flip back and forth"
            )

    def as_json(self) -> dict[str, float]:
        return {"expand": float(self.expand), "collapse": float(self.collapse)}


@dataclass(frozen=True, slots=True)
class Score:
    score: float  # 0.0..10.0, one decimal
    factors: dict[str, int]
    reasons: list[str]


@dataclass(slots=True)
class _Raw:
    """Measured quantities before weighting; mergeable (sums and set unions)."""

    tasks: int = 0
    files: set[str] = field(default_factory=set)
    stages: int = 0
    dependencies: int = 0
    risks: set[str] = field(default_factory=set)
    tests: int = 0
    code_blocks: int = 0
    lines: int = 0

    def merge(self, other: _Raw) -> None:
        self.tasks += other.tasks
        self.files |= other.files
        self.risks |= other.risks
        self.tests += other.tests
        self.code_blocks += other.code_blocks
        self.lines += other.lines

    def factors(self) -> dict[str, int]:
        return {
            "tasks": self.tasks,
            "files": len(self.files),
            "stages": self.stages,
            "dependencies": self.dependencies,
            "risk_terms": len(self.risks),
            "tests": self.tests,
            "code_blocks": self.code_blocks,
            "lines": self.lines,
        }


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def weigh(factors: dict[str, int]) -> float:
    """The score of a set of factors (the formula of the module docstring), one decimal, 0..10."""
    total = (
        W_TASKS * math.log1p(factors.get("tasks", 0) / 2)
        + W_FILES * math.log1p(factors.get("files", 0))
        + W_RISK * min(factors.get("risk_terms", 0), RISK_CAP)
        + W_TESTS * math.log1p(factors.get("tests", 0))
        + W_STAGES * min(factors.get("stages", 0), STAGES_CAP)
        + W_DEPENDENCIES * min(factors.get("dependencies", 0), DEPENDENCIES_CAP)
        + W_CODE_BLOCKS * math.log1p(factors.get("code_blocks", 0))
        + W_LINES * math.log1p(factors.get("lines", 0) / 5)
    )
    return round(min(MAX_SCORE, max(0.0, total)), 1)


def _finish(raw: _Raw) -> Score:
    factors = raw.factors()
    reasons: list[str] = []
    if raw.tasks:
        reasons.append(_plural(raw.tasks, "task"))
    if raw.files:
        reasons.append(f"touches {_plural(len(raw.files), 'file')}")
    reasons.extend(f"risk: {name}" for name in _RISK_NAMES if name in raw.risks)
    if raw.stages:
        reasons.append(_plural(raw.stages, "stage"))
    if raw.dependencies:
        reasons.append(_plural(raw.dependencies, "dependency", "dependencies"))
    if raw.tests:
        reasons.append(_plural(raw.tests, "test requirement"))
    if raw.code_blocks:
        reasons.append(_plural(raw.code_blocks, "code block"))
    if raw.lines:
        reasons.append(_plural(raw.lines, "line"))
    return Score(weigh(factors), factors, reasons)


# --- measuring --------------------------------------------------------------------------------------


def _strip_eol(line: str) -> str:
    return line.rstrip("\r\n")


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
    """File paths referenced on one line of prose (see the module docstring)."""
    found: set[str] = set()
    if "/" in line:
        for token in _BARE_PATH.findall(line):
            if (path := _path_token(token, False)) is not None:
                found.add(path)
    if "`" in line:
        for token in _BACKTICKED.findall(line):
            if "/" not in token and (path := _path_token(token, True)) is not None:
                found.add(path)  # paths with a "/" were found above, backticked or not
    return found


def risk_terms_in(text: str) -> set[str]:
    """Names of the risk terms (keys of :data:`RISK_TERMS`) found in ``text``."""
    found: set[str] = set()
    for m in _RISK.finditer(text.lower()):
        group = m.lastgroup
        if group is not None:
            found.add(_RISK_NAMES[int(group[1:])])
    return found


def _metadata_lines(doc: Document, start: int, end: int) -> set[int]:
    """The lines of a ``## Metadata`` block inside ``start..end``: its heading, then the field bullets
    (with their continuation lines and plansmith's record comment) up to the first blank line."""
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


# Every match of a risk term or a test word contains one of these (lower case): the per-document pass
# finds candidate lines with fast substring searches and runs the regular expressions on those only.
_RISK_STEMS = (
    "migrat", "secur", "vulnerab", "auth", "concurren", "race", "deadlock", "thread", "mutex", "locking",
    "roll", "data", "corrupt", "irreversib", "breaking", "incompatib", "performance", "latency",
    "throughput", "crypt", "secret", "credential", "password", "api", "deploy", "production", "compatib",
)  # fmt: skip
_TEST_STEMS = ("test", "coverage", "verif")


@dataclass(slots=True)
class _Features:
    """Per-line facts of one document, computed once and shared by every item scored on it."""

    nonblank: list[bool]
    opener: list[bool]  # the line opens a fenced code block
    prose: list[bool]  # non-blank and not inside a fenced code block
    files: dict[int, set[str]]
    risks: dict[int, set[str]]
    tests: set[int]


def _candidate_lines(doc: Document, low: str | None, starts: list[int], stems: Iterable[str]) -> set[int]:
    if low is None:
        return set(range(len(doc.lines)))
    found: set[int] = set()
    for stem in stems:
        i = low.find(stem)
        while i != -1:
            line = bisect_right(starts, i) - 1
            found.add(line)
            i = low.find(stem, starts[line + 1] if line + 1 < len(starts) else len(low))
    return found


def _features(doc: Document) -> _Features:
    lines = doc.lines
    n = len(lines)
    nonblank = [bool(line.strip()) for line in lines]
    opener = [False] * n
    fenced = [False] * n
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
            # else: an HTML block or an indented line the scanner set apart: read as prose
            continue
        fenced[i] = True
        if stripped.startswith(fence) and stripped == fence[0] * len(stripped):
            fence = None
    prose = [nb and not fc for nb, fc in zip(nonblank, fenced, strict=True)]

    text = "".join(lines)
    low: str | None = text.lower()
    if low is not None and len(low) != len(text):
        low = None  # lower-casing changed offsets (rare Unicode): look at every line
    starts = list(accumulate((len(line) for line in lines), initial=0))[:-1] if lines else []
    risks: dict[int, set[str]] = {}
    for i in _candidate_lines(doc, low, starts, _RISK_STEMS):
        if prose[i] and (found := risk_terms_in(lines[i])):
            risks[i] = found
    tests = {
        i for i in _candidate_lines(doc, low, starts, _TEST_STEMS) if prose[i] and _TESTS.search(lines[i])
    }
    files: dict[int, set[str]] = {}
    for i, line in enumerate(lines):
        if prose[i] and ("/" in line or "`" in line) and (paths := paths_in(_strip_eol(line))):
            files[i] = paths
    return _Features(nonblank, opener, prose, files, risks, tests)


class _Scorer:
    """Scores items of one plan, computing each document's line facts once."""

    def __init__(self, plan: Plan | None = None) -> None:
        self.plan = plan
        self._cache: dict[int, tuple[Document, _Features]] = {}

    def features(self, doc: Document) -> _Features:
        hit = self._cache.get(id(doc))
        if hit is None or hit[0] is not doc:
            hit = (doc, _features(doc))
            self._cache[id(doc)] = hit
        return hit[1]

    def measure(
        self, doc: Document, start: int, end: int, exclude: set[int], *, count_tasks: bool = False
    ) -> _Raw:
        """Measure lines ``start..end`` of ``doc`` (the item's heading line excluded by the caller)."""
        f = self.features(doc)
        raw = _Raw()
        skip = _metadata_lines(doc, start - 1, end)
        skip |= exclude
        nonblank, opener, files, risks, tests = f.nonblank, f.opener, f.files, f.risks, f.tests
        for i in range(start, end):
            if not nonblank[i] or i in skip:
                continue
            raw.lines += 1
            if opener[i]:
                raw.code_blocks += 1
            elif i in files:
                raw.files |= files[i]
            if i in risks:
                raw.risks |= risks[i]
            if i in tests:
                raw.tests += 1
        if count_tasks:
            raw.tasks = sum(
                1 for i in range(start, end) if f.prose[i] and i not in skip and _TASK.match(doc.lines[i])
            )
        return raw

    def section(self, doc: Document, section: Section, exclude: set[int] | None = None) -> _Raw:
        excluded = exclude or set()
        raw = self.measure(doc, section.start + 1, section.end, excluded)
        raw.tasks = sum(1 for t in section.tasks if t.index not in excluded)
        raw.stages = len(section.children)
        raw.dependencies = len(section.dependencies)
        return raw

    def document(self, doc: Document) -> _Raw:
        """A file without a recognisable ``# Phase N:`` / ``# Stage N:`` title: the whole file."""
        first = doc.title.index + 1 if doc.title is not None else 0
        raw = self.measure(doc, first, len(doc.lines), set(), count_tasks=True)
        raw.stages = len(doc.sections)
        return raw

    def content(self, node: PhaseNode | StageNode) -> _Raw:
        if node.document is not None:
            doc = node.document
            raw = self.section(doc, doc.root) if doc.root is not None else self.document(doc)
        else:
            raw = self.section(self._holder(node.holder), node.section)
        if isinstance(node, PhaseNode):
            raw.dependencies = len(node.dependencies)
        return raw

    def _holder(self, path: str) -> Document:
        assert self.plan is not None
        for doc in self.plan.documents:
            if doc.path == path:
                return doc
        return self.plan.main

    def phase_total(self, node: PhaseNode) -> _Raw:
        expanded = [s for s in node.stages if s.document is not None]
        doc = node.document
        if not expanded or doc is None or doc.root is None:
            return self.content(node)
        exclude: set[int] = set()
        for stage in expanded:
            exclude.update(range(stage.section.start + 1, stage.section.end))
        raw = self.section(doc, doc.root, exclude)
        raw.dependencies = len(node.dependencies)
        for stage in expanded:
            raw.merge(self.content(stage))
        return raw

    def merged(self, phases: Sequence[PhaseNode]) -> _Raw:
        raw = _Raw()
        numbers = {p.number for p in phases}
        deps: set[ItemId] = set()
        for p in phases:
            part = self.content(p)
            raw.merge(part)
            raw.stages += part.stages
            deps.update(d for d in p.dependencies if d not in numbers)
        raw.dependencies = len(deps)
        return raw


def score_section(doc: Document, section: Section) -> Score:
    """The score of one phase or stage section of ``doc`` (its heading line and a Metadata block of
    the file are not counted)."""
    return _finish(_Scorer().section(doc, section))


def score_node(plan: Plan, node: PhaseNode | StageNode) -> Score:
    """The score of a phase or stage of ``plan``: its file when expanded, else its inline section."""
    return _finish(_Scorer(plan).content(node))


def score_phase_total(plan: Plan, node: PhaseNode) -> Score:
    """The whole phase: its own text plus the content of its expanded stage files (their stubs are
    not counted twice). Equal to :func:`score_node` when no stage is expanded."""
    return _finish(_Scorer(plan).phase_total(node))


def merged_score(plan: Plan, phases: Sequence[PhaseNode]) -> Score:
    """The score the text of ``phases`` would have as one phase (the review's merge estimate): tasks,
    lines, test lines, code blocks and stages add up; files and risk terms are united; dependencies
    are those of the phases on phases outside the group."""
    return _finish(_Scorer(plan).merged(phases))


# --- analysis of a plan -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    kind: Literal["phase", "stage"]
    phase: ItemId
    stage: ItemId | None
    title: str
    expanded: bool
    path: str  # the file holding the item's content
    score: float
    recommendation: Recommendation
    factors: dict[str, int]
    reasons: list[str]

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "phase": self.phase.as_json(),
            "stage": id_json(self.stage),
            "title": self.title,
            "expanded": self.expanded,
            "path": self.path,
            "score": self.score,
            "recommendation": self.recommendation,
            "factors": dict(self.factors),
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True, slots=True)
class Analysis:
    plan: str  # the main plan's path
    structure_level: int
    thresholds: Thresholds
    items: tuple[Item, ...]

    def as_json(self) -> dict[str, object]:
        """Exactly the ``plansmith analyze --json`` document."""
        return {
            "plan": self.plan,
            "structure_level": self.structure_level,
            "thresholds": self.thresholds.as_json(),
            "items": [item.as_json() for item in self.items],
        }

    def item(self, item_id: str) -> Item | None:
        for it in self.items:
            if it.id == item_id:
                return it
        return None

    def recommended(self, recommendation: Recommendation) -> list[Item]:
        return [it for it in self.items if it.recommendation == recommendation]


def _recommend_phase(node: PhaseNode, score: float, t: Thresholds, reasons: list[str]) -> Recommendation:
    if not node.expanded:
        return "expand" if score >= t.expand else "keep"
    if score <= t.collapse:
        if any(s.expanded for s in node.stages):
            reasons.append("collapse its expanded stages first")
            return "keep"
        return "collapse"
    return "keep"


def _recommend_stage(
    phase: PhaseNode, node: StageNode, score: float, t: Thresholds, reasons: list[str]
) -> Recommendation:
    if node.expanded:
        return "collapse" if score <= t.collapse else "keep"
    if score >= t.expand:
        if not phase.expanded:
            reasons.append(f"expand phase {phase.number} first")
            return "keep"
        return "expand"
    return "keep"


def analyze_plan(plan: Plan, thresholds: Thresholds | None = None) -> Analysis:
    """Score every phase and stage of ``plan`` and recommend expand / collapse / keep for each."""
    return _analyze(plan, thresholds if thresholds is not None else Thresholds(), _Scorer(plan))


def _analyze(plan: Plan, t: Thresholds, scorer: _Scorer) -> Analysis:
    items: list[Item] = []
    for phase in plan.phases:
        s = _finish(scorer.content(phase))
        reasons = list(s.reasons)
        rec = _recommend_phase(phase, s.score, t, reasons)
        items.append(
            Item(
                id=phase.id,
                kind="phase",
                phase=phase.number,
                stage=None,
                title=phase.title,
                expanded=phase.expanded,
                path=phase.content_path,
                score=s.score,
                recommendation=rec,
                factors=s.factors,
                reasons=reasons,
            )
        )
        for stage in phase.stages:
            ss = _finish(scorer.content(stage))
            reasons = list(ss.reasons)
            rec = _recommend_stage(phase, stage, ss.score, t, reasons)
            items.append(
                Item(
                    id=stage.id,
                    kind="stage",
                    phase=phase.number,
                    stage=stage.number,
                    title=stage.title,
                    expanded=stage.expanded,
                    path=stage.content_path,
                    score=ss.score,
                    recommendation=rec,
                    factors=ss.factors,
                    reasons=reasons,
                )
            )
    return Analysis(plan.main_path, plan.level, t, tuple(items))


__all__ = [
    "FACTOR_NAMES",
    "RISK_TERMS",
    "Analysis",
    "Item",
    "Recommendation",
    "Score",
    "Thresholds",
    "analyze_plan",
    "merged_score",
    "paths_in",
    "risk_terms_in",
    "score_node",
    "score_phase_total",
    "score_section",
    "weigh",
]
