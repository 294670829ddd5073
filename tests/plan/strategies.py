"""Hypothesis strategies that generate plans the way people write them (and a little worse)."""

from __future__ import annotations

from hypothesis import strategies as st

TITLE_CHARS = st.characters(
    codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"), exclude_characters="#[]\n\r`~<"
)
titles = st.one_of(
    st.text(TITLE_CHARS, min_size=1, max_size=30).map(str.strip).filter(bool),
    st.sampled_from(["$(touch PWNED)", "../../etc/passwd", "Database 🚀 migration", "A" * 300, "ünïcödé"]),
)
statuses = st.sampled_from(
    ["", " [NOT STARTED]", " [IN PROGRESS]", " [COMPLETED]", " [CANCELLED - REVERTED]"]
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
def plans(draw: st.DrawFn) -> tuple[str, str]:
    """``(path, text)`` of a level-0 plan with 1..5 phases, some with stages."""
    phase_level = draw(st.sampled_from([2, 3]))
    first = draw(st.sampled_from([0, 1]))
    lines: list[str] = []
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
    for n in range(first, first + draw(st.integers(1, 5))):
        colon = draw(st.sampled_from([":", "", " -"]))
        lines.append(f"{'#' * phase_level} Phase {n}{colon} {draw(titles)}{draw(statuses)}")
        lines += draw(section_body())
        for m in range(1, draw(st.integers(0, 3)) + 1):
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
    return "specs/plans/001_generated.md", text
