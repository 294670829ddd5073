"""Hypothesis strategies that generate plans the way people write them (and a little worse)."""

from __future__ import annotations

from hypothesis import strategies as st

from plansmith.plan.ids import ItemId

TITLE_CHARS = st.characters(
    codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"), exclude_characters="#[]\n\r`~<"
)
titles = st.one_of(
    st.text(TITLE_CHARS, min_size=1, max_size=30).map(str.strip).filter(bool),
    st.sampled_from(["$(touch PWNED)", "../../etc/passwd", "Database 🚀 migration", "A" * 300, "ünïcödé"]),
)
statuses = st.sampled_from(
    [
        "",
        " [NOT STARTED]",
        " [IN PROGRESS]",
        " [COMPLETED]",
        " [CANCELLED - REVERTED]",
        " ✅ COMPLETED (2026-01-02)",
        " ✅",
        " ⏭️ SKIPPED",
        " - DONE",
        " — TODO",
        " [EXECUTOR: MAIN]",
        " (Completed)",
    ]
)
# The heading forms of docs/plan-format.md ("Heading forms, statuses and ids"): box, separator.
boxes = st.sampled_from(["", "[x] ", "[ ] ", "[X] ", "✅ ", "🚀 "])
separators = st.sampled_from([":", "", " -", " —", " –", ".", "：", " (optional) —", " (later):"])
front_matters = st.sampled_from(
    [[], ["---", "status: pending", "# a YAML comment, not a title", "tags: [a, b]", "---", ""]]
)
words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=40).map(
    lambda s: s.replace("#", "").replace("`", "").replace("~", "").replace("<", "").strip()
)


@st.composite
def body_line(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 5))
    text = draw(words)
    if kind == 0:
        return f"- [{draw(st.sampled_from([' ', 'x', 'X']))}] {text or 'task'}"
    if kind == 1:
        return f"  {draw(st.sampled_from(['-', '*', '+']))} [ ] nested {text}"
    if kind == 2:
        return f"**Objective**: {text}"
    if kind == 3:
        return ""
    if kind == 4:
        return f"\tindented with a tab {text}"
    return text


@st.composite
def fence(draw: st.DrawFn) -> list[str]:
    marker = draw(st.sampled_from(["```", "~~~", "````"]))
    inner = draw(
        st.lists(
            st.sampled_from(["### Phase 9: not a phase", "# comment", "- [ ] not a task", "x"]), max_size=3
        )
    )
    return [marker + draw(st.sampled_from(["", "bash", "markdown"])), *inner, marker]


@st.composite
def section_body(draw: st.DrawFn) -> list[str]:
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.integers(0, 6)) == 0:
            lines += draw(fence())
        else:
            lines.append(draw(body_line()))
    return lines


@st.composite
def plans(draw: st.DrawFn, odd_ids: bool = False) -> tuple[str, str]:
    """``(path, text)`` of a level-0 plan with 1..5 phases, some with stages. With ``odd_ids`` the
    phases have inserted, lettered, letter and prefixed ids (``2.5``, ``5a``, ``A``, ``CF-1``) among the
    integers, and stages sometimes ``1.5`` or ``2a``."""
    phase_level = draw(st.sampled_from([2, 3]))
    first = draw(st.sampled_from([0, 1]))
    count = draw(st.integers(1, 5))
    numbers = draw(phase_ids(count)) if odd_ids else [str(n) for n in range(first, first + count)]
    lines: list[str] = list(draw(front_matters))
    if draw(st.booleans()):
        lines.append("/stray prompt line before the title")
    lines.append(f"# {draw(titles)}")
    lines.append("")
    meta = draw(st.sampled_from(["none", "empty", "level", "all", "bare"]))
    if meta == "empty":
        lines += ["## Metadata", "- **Date**: 2026-11-24", ""]
    elif meta == "level":
        lines += ["## Metadata", "- **Structure Level**: 0", "- **Plan Number**: 001", ""]
    elif meta == "all":
        lines += [
            "## Metadata",
            "- **Structure Level**: 0",
            "- **Expanded Phases**: none",
            "- **Expanded Stages**: []",
            "",
        ]
    elif meta == "bare":
        lines += ["- **Status**: [NOT STARTED]", "- **Effort**: 2 hours", ""]
    lines += draw(section_body())
    for n in numbers:
        box, colon = draw(boxes), draw(separators)
        lines.append(f"{'#' * phase_level} {box}Phase {n}{colon} {draw(titles)}{draw(statuses)}")
        lines += draw(section_body())
        stages = [str(m) for m in range(1, draw(st.integers(0, 3)) + 1)]
        if odd_ids and stages and draw(st.booleans()):
            stages.append(f"{stages[-1]}{draw(st.sampled_from(['.5', 'a']))}")
        for m in stages:
            lines.append(f"{'#' * (phase_level + 1)} Stage {m}: {draw(titles)}")
            lines += draw(section_body())
        if draw(st.booleans()):
            lines.append("")
    if draw(st.booleans()):
        lines += ["## Notes", "trailing section"]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(lines)
    if draw(st.booleans()):
        text += newline
    if draw(st.integers(0, 5)) == 0:
        text = "\ufeff" + text  # a byte order mark, as some editors on Windows write
    return "specs/plans/001_generated.md", text


# --- phase ids as real plans write them ------------------------------------------------------------

item_ids = st.one_of(
    st.integers(0, 30).map(ItemId),
    st.tuples(st.integers(0, 12), st.integers(1, 12)).map(lambda t: ItemId(f"{t[0]}.{t[1]}")),
    st.tuples(st.integers(0, 12), st.sampled_from("abcz")).map(lambda t: ItemId(f"{t[0]}{t[1]}")),
    st.tuples(st.integers(0, 12), st.sampled_from("abA"), st.integers(0, 12)).map(
        lambda t: ItemId(f"{t[0]}{t[1]}.{t[2]}")
    ),
    st.tuples(st.sampled_from(["CF", "X", "ab"]), st.integers(0, 12)).map(lambda t: ItemId(f"{t[0]}-{t[1]}")),
    st.sampled_from("ABCIVXZabiz").map(ItemId),
)


@st.composite
def phase_ids(draw: st.DrawFn, count: int) -> list[str]:
    """``count`` distinct phase ids in natural order, as written in headings: integers with inserted
    (``2.5``), lettered (``5a``), letter (``A``) and prefixed (``CF-1``) ones among them."""
    found: list[ItemId] = []
    n = draw(st.sampled_from([0, 1]))
    prefixed = 1
    letters = 0
    while len(found) < count:
        kind = draw(st.integers(0, 5))
        last = found[-1] if found else None
        if kind == 0 and last is not None and last.is_integer:
            found.append(ItemId(f"{last}.5"))
        elif kind == 1 and last is not None and last.is_integer:
            found.append(ItemId(f"{last}a"))
        elif kind == 2:
            found.append(ItemId(f"CF-{prefixed}"))
            prefixed += 1
        elif kind == 3:
            found.append(ItemId(chr(ord("A") + letters)))
            letters += 1
        else:
            found.append(ItemId(n))
            n += 1
    return [str(i) for i in sorted(found)]
