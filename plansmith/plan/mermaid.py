"""Mermaid pictures of plans: the execution waves, the file/phase/stage tree, and a before/after block.

Pure: plans and analyses in, Mermaid text out; no I/O. It must never let plan text shape the diagram.
Titles, statuses, ids and paths are hostile input (quotes, brackets, ``<script>``, backticks, ``%%``
directives, ``click`` lines, newlines): every piece of plan text goes through :func:`label_text`, which
keeps it inside a quoted label by replacing every character that could end the label, start a
directive or form HTML with one of Mermaid's entity codes (``#34;`` for ``"``), and every node id is
generated here (``n1``, ``f2``, ...), never taken from the plan. Phase ids are treated as opaque text
(``2``, ``2.5``, ``5a``, ``CF-1``): they appear in labels only, and are looked up as dictionary keys.

The output uses only the classic flowchart syntax (shapes, ``subgraph``, ``classDef``/``class``,
``linkStyle``) that GitHub, GitLab and editors have rendered for years. No line starts with ``#`` or
``%%``, so the text survives inside a git commit message.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass, field

from plansmith.plan.complexity import Analysis
from plansmith.plan.ids import ItemId
from plansmith.plan.model import PhaseNode, Plan, StageNode
from plansmith.plan.waves import Waves

MAX_TITLE = 48  # characters of a title kept in a label; longer ones end in "…"
MAX_PATH = 72
# Phases of a plan drawn in a proposal's before/after trees: past this, the first ones and the changed
# ones only, and a node saying how many are left out. A tree of 100,000 phases took seconds to draw and
# no renderer shows it (issue 18); a plan of up to this many is drawn whole, as before.
MAX_TREE_PHASES = 10_000

# Characters kept as they are. Everything else in ASCII becomes an entity: quotes and backticks end
# labels or start Markdown strings, < > & form HTML, # starts entities, % starts directives, brackets and
# pipes are shape and edge-label syntax. Entities cost nothing when rendered, so the list is short.
_PLAIN_ASCII = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:-_/+'?!=@")
# Mermaid marks entities internally as "ﬂ°°35¶ß" and turns the marks back into "&#35;" after it has
# decoded our own entities, so a title could forge one. The ligature ﬂ is written as the two letters it
# stands for, and a word joiner (invisible) keeps "¶ß" apart.
_UNFORGE = (("\ufb02", "fl"), ("\u00b6\u00df", "\u00b6\u2060\u00df"))

_STYLES = {
    "done": "fill:#dcfce7,stroke:#15803d,color:#14532d",
    "active": "fill:#fef9c3,stroke:#a16207,color:#422006",
    "blocked": "fill:#fee2e2,stroke:#b91c1c,color:#450a0a",
    "expand": "fill:#ffedd5,stroke:#c2410c,stroke-width:2px,color:#431407",
    "collapse": "fill:#dbeafe,stroke:#1d4ed8,stroke-width:2px,color:#172554",
    "file": "fill:#f3f4f6,stroke:#4b5563,color:#111827",
    "cycle": "fill:#fee2e2,stroke:#b91c1c,stroke-width:3px,color:#450a0a",
}
_STATUS_CLASS = {
    "COMPLETE": "done",
    "COMPLETED": "done",
    "DONE": "done",
    "IN PROGRESS": "active",
    "PARTIAL": "active",
    "BLOCKED": "blocked",
}


def _normalized(ch: str) -> str:
    """Line breaks and control characters of any kind (NEL, U+2028, ...) would end the statement:
    they become spaces. Lone surrogates cannot be written out: they become U+FFFD."""
    category = unicodedata.category(ch)
    if category in ("Cc", "Zl", "Zp") or ch.isspace():
        return " "
    return "\ufffd" if category == "Cs" else ch


def _escaped(ch: str) -> str:
    if ch in _PLAIN_ASCII or ord(ch) >= 128:
        return ch
    return f"#{ord(ch)};"


def label_text(text: str, limit: int | None = MAX_TITLE) -> str:
    """``text`` made safe inside a double-quoted Mermaid label: one line, white space collapsed,
    truncated to ``limit`` characters (before escaping, so an entity is never cut), no raw ``"``,
    backtick, ``<``, ``>``, ``&``, ``#``, ``%``, bracket or line break."""
    if _PLAIN_ASCII.issuperset(text):  # the usual title: nothing to replace (100,000 labels, issue 18)
        return _truncated(" ".join(text.split()), limit)
    return _escaped_label(text, limit)


def _truncated(collapsed: str, limit: int | None) -> str:
    if limit is not None and len(collapsed) > limit:
        return collapsed[: limit - 1].rstrip() + "…"
    return collapsed


def _escaped_label(text: str, limit: int | None) -> str:
    """:func:`label_text` for any text, character by character."""
    collapsed = " ".join("".join(map(_normalized, text)).split())
    for forged, harmless in _UNFORGE:
        collapsed = collapsed.replace(forged, harmless)
    if limit is not None and len(collapsed) > limit:
        collapsed = collapsed[: limit - 1].rstrip() + "…"
    return "".join(map(_escaped, collapsed))


def mermaid_block(diagram: str) -> str:
    """``diagram`` as a fenced Markdown block (for READMEs, pull requests and commit messages)."""
    return f"```mermaid\n{diagram.rstrip()}\n```\n"


@dataclass
class _Chart:
    """Collects statements; hands out node ids of its own (``prefix`` keeps two charts apart)."""

    prefix: str = ""
    lines: list[str] = field(default_factory=list)
    classes: dict[str, list[str]] = field(default_factory=dict)
    edges: int = 0
    counters: dict[str, int] = field(default_factory=dict)

    def node(self, kind: str, label: str, shape: tuple[str, str] = ("[", "]"), indent: int = 1) -> str:
        self.counters[kind] = self.counters.get(kind, 0) + 1
        node_id = f"{self.prefix}{kind}{self.counters[kind]}"
        self.lines.append(f'{"    " * indent}{node_id}{shape[0]}"{label}"{shape[1]}')
        return node_id

    def edge(self, source: str, target: str, indent: int = 1) -> int:
        self.lines.append(f"{'    ' * indent}{source} --> {target}")
        self.edges += 1
        return self.edges - 1

    def tag(self, node_id: str, css_class: str | None) -> None:
        if css_class is not None:
            self.classes.setdefault(css_class, []).append(node_id)

    def style_lines(self) -> list[str]:
        out = [f"    classDef {name} {_STYLES[name]}" for name in _STYLES if name in self.classes]
        out += [f"    class {','.join(ids)} {name}" for name, ids in self.classes.items()]
        return out


def _item_label(kind: str, ident: object, title: str, extra: Iterable[str]) -> str:
    head = f"{kind} {label_text(str(ident), 16)}"
    name = label_text(title)
    parts = [f"{head}: {name}" if name else head, *extra]
    return " · ".join(p for p in parts if p)


# --- waves ---------------------------------------------------------------------------------------------


def _unique_phases(plan: Plan) -> dict[Hashable, PhaseNode]:
    """Phases by id, first one winning (duplicate ids are a validation error reported elsewhere)."""
    found: dict[Hashable, PhaseNode] = {}
    for phase in plan.phases:
        found.setdefault(phase.number, phase)
    return found


def dependency_edges(plan: Plan) -> list[tuple[Hashable, Hashable]]:
    """``(prerequisite, phase)`` pairs, once each, for the dependencies that name a phase of the plan
    (the same rule as :func:`plansmith.plan.waves.compute_waves`; validation reports the others)."""
    phases = _unique_phases(plan)
    edges: dict[tuple[Hashable, Hashable], None] = {}
    for number, phase in phases.items():
        for dep in phase.dependencies:
            if dep in phases:
                edges.setdefault((dep, number), None)
    return list(edges)


def _wave_label(phase: PhaseNode, analysis: Analysis | None) -> str:
    item = analysis.item(phase.id) if analysis is not None else None
    score = f"score {item.score:.1f}" if item is not None else ""
    status = label_text(phase.status, 24) if phase.status else ""
    return _item_label("Phase", phase.number, phase.title, (score, status))


def _phase_class(phase: PhaseNode) -> str | None:
    """Done and in progress by the boxes, not the marker (a marker can lie: docs/progress.md); a phase
    without tasks, or one not started, keeps its marker's colour (``BLOCKED`` stays red)."""
    from plansmith.plan.progress import phase_progress

    marked = _STATUS_CLASS.get((phase.status or "").strip().upper())
    boxes = phase_progress(phase).state
    if boxes == "done":
        return "done"
    if boxes == "in_progress":
        return "blocked" if marked == "blocked" else "active"
    if boxes == "not_started":
        return "blocked" if marked == "blocked" else None
    return marked


def waves_flowchart(plan: Plan, waves: Waves[ItemId], analysis: Analysis | None = None) -> str:
    """The execution waves as a Mermaid ``flowchart``: a subgraph per wave, a node per phase (id, title,
    score, status), an edge from each prerequisite to the phase that depends on it. On a cycle there
    are no waves: the phases are drawn without subgraphs and the cycle's nodes and edges in red."""
    chart = _Chart()
    phases = _unique_phases(plan)
    node_of: dict[Hashable, str] = {}

    def add(number: Hashable, indent: int) -> None:
        phase = phases[number]
        node_of[number] = chart.node("n", _wave_label(phase, analysis), indent=indent)
        chart.tag(node_of[number], _phase_class(phase))

    for index, wave in enumerate(waves.waves or (), 1):
        chart.lines.append(f'    subgraph w{index}["Wave {index}"]')
        for member in wave:
            if member in phases and member not in node_of:
                add(member, 2)
        chart.lines.append("    end")
    for leftover in phases:  # a cycle (no waves), or phases the waves do not name
        if leftover not in node_of:
            add(leftover, 1)
    cycle = tuple(waves.cycle or ())
    cycle_edges = {(cycle[i - 1], cycle[i]) for i in range(len(cycle))} if cycle else set()
    red: list[int] = []
    for source, target in dependency_edges(plan):
        index = chart.edge(node_of[source], node_of[target])
        if (source, target) in cycle_edges:
            red.append(index)
    for member in cycle:
        if member in node_of:
            chart.tag(node_of[member], "cycle")
    lines = ["flowchart TB", *chart.lines, *chart.style_lines()]
    if red:
        lines.append(f"    linkStyle {','.join(map(str, red))} stroke:#b91c1c,stroke-width:3px")
    return "\n".join(lines) + "\n"


# --- structure tree ----------------------------------------------------------------------------------


_PHASE_SHAPE = ("[", "]")
_FILE_SHAPE = ("[[", "]]")  # "subroutine": a box with double sides
_STAGE_SHAPE = ("(", ")")  # rounded


def _tree_label(kind: str, node: PhaseNode | StageNode, analysis: Analysis) -> str:
    item = analysis.item(node.id)
    extra = (f"{item.score:.1f} {item.recommendation}",) if item is not None else ()
    return _item_label(kind, node.number, node.title, extra)


def _file_label(path: str, base: str | None) -> str:
    shown = path[len(base) + 1 :] if base and path.startswith(base + "/") else path
    return label_text(shown, MAX_PATH)


def _recommendation_class(analysis: Analysis, item_id: str) -> str | None:
    item = analysis.item(item_id)
    return item.recommendation if item is not None and item.recommendation != "keep" else None


def drawn_phases(plan: Plan, changed: Collection[str] = ()) -> list[PhaseNode]:
    """The phases a proposal's tree of ``plan`` draws: all of them up to :data:`MAX_TREE_PHASES`, else
    the first :data:`MAX_TREE_PHASES` and those holding an item of ``changed`` (item ids)."""
    if len(plan.phases) <= MAX_TREE_PHASES:
        return list(plan.phases)
    wanted = set(changed)
    return [
        phase
        for index, phase in enumerate(plan.phases)
        if index < MAX_TREE_PHASES or phase.id in wanted or any(s.id in wanted for s in phase.stages)
    ]


def tree_is_cut(plan: Plan) -> bool:
    """Whether a proposal's tree of ``plan`` leaves phases out (see :func:`drawn_phases`)."""
    return len(plan.phases) > MAX_TREE_PHASES


def _add_tree(
    chart: _Chart, plan: Plan, analysis: Analysis, indent: int, changed: Collection[str] = ()
) -> None:
    """The tree's nodes, then its edges (parent first), into ``chart``; a big plan's cut (see
    :func:`drawn_phases`)."""
    edges: list[tuple[str, str]] = []

    def add(kind: str, label: str, shape: tuple[str, str], css: str | None, parent: str | None) -> str:
        node_id = chart.node(kind, label, shape, indent)
        chart.tag(node_id, css)
        if parent is not None:
            edges.append((parent, node_id))
        return node_id

    title = label_text(plan.main.title.text if plan.main.title is not None else plan.name)
    root_label = f"{_file_label(plan.main_path, None)} · {title} · level {plan.level}"
    root = add("f", root_label, _FILE_SHAPE, "file", None)
    phases = drawn_phases(plan, changed)
    for phase in phases:
        css = _recommendation_class(analysis, phase.id)
        holder = add("n", _tree_label("Phase", phase, analysis), _PHASE_SHAPE, css, root)
        if phase.file is not None:  # its stages live in its file
            holder = add("f", _file_label(phase.file, plan.folder), _FILE_SHAPE, "file", holder)
        for stage in phase.stages:
            css = _recommendation_class(analysis, stage.id)
            node = add("s", _tree_label("Stage", stage, analysis), _STAGE_SHAPE, css, holder)
            if stage.file is not None:
                add("f", _file_label(stage.file, plan.folder), _FILE_SHAPE, "file", node)
    if len(phases) < len(plan.phases):
        left_out = len(plan.phases) - len(phases)
        add("n", f"… {left_out:,} more phases not drawn", _PHASE_SHAPE, None, root)
    for source, target in edges:
        chart.edge(source, target, indent)


def structure_tree(plan: Plan, analysis: Analysis) -> str:
    """The plan as a tree: the main plan file, its phases, their stages, and each expanded phase or
    stage's own file as a node of its own; phases and stages labelled with score and recommendation."""
    chart = _Chart()
    _add_tree(chart, plan, analysis, 1)
    return "\n".join(["flowchart LR", *chart.lines, *chart.style_lines()]) + "\n"


def structure_change(
    before: Plan,
    before_analysis: Analysis,
    after: Plan,
    after_analysis: Analysis,
    changed: Collection[str] = (),
) -> str:
    """The trees before and after a change, one subgraph each, "Before" first: for the body of a
    proposal's commit message (through :func:`structure_change_block`). A plan of more than
    :data:`MAX_TREE_PHASES` phases is drawn cut: the first ones and those holding ``changed`` items."""
    chart_lines: list[str] = []
    classes: dict[str, list[str]] = {}
    for prefix, caption, plan, analysis in (
        ("b", "Before", before, before_analysis),
        ("a", "After", after, after_analysis),
    ):
        chart = _Chart(prefix=prefix)
        _add_tree(chart, plan, analysis, 2, changed)
        chart_lines += [f'    subgraph {prefix}0["{caption}"]', "    direction LR", *chart.lines, "    end"]
        for name, ids in chart.classes.items():
            classes.setdefault(name, []).extend(ids)
    merged = _Chart(classes=classes)
    # The invisible link puts "Before" first; renderers order unlinked subgraphs as they like.
    lines = ["flowchart TB", *chart_lines, "    b0 ~~~ a0", *merged.style_lines()]
    return "\n".join(lines) + "\n"


def structure_change_block(
    before: Plan,
    before_analysis: Analysis,
    after: Plan,
    after_analysis: Analysis,
    changed: Collection[str] = (),
) -> str:
    """:func:`structure_change` as a fenced ``mermaid`` block, ready for a commit message body."""
    return mermaid_block(structure_change(before, before_analysis, after, after_analysis, changed))


__all__ = [
    "MAX_TITLE",
    "MAX_TREE_PHASES",
    "dependency_edges",
    "drawn_phases",
    "label_text",
    "mermaid_block",
    "structure_change",
    "structure_change_block",
    "structure_tree",
    "tree_is_cut",
    "waves_flowchart",
]
