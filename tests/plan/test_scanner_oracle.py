"""The line scanner agrees with markdown-it-py's block parse on which lines are ATX headings."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from plansmith.plan.scanner import front_matter_end, scan, split_lines

from .corpus import corpus_files, needs_corpus
from .strategies import plans

MD = MarkdownIt("commonmark")


def oracle_headings(text: str) -> set[tuple[int, int]]:
    return {
        (tok.map[0], int(tok.tag[1:]))
        for tok in MD.parse(text)
        if tok.type == "heading_open" and tok.markup.startswith("#") and tok.map is not None
    }


def our_headings(text: str) -> set[tuple[int, int]]:
    return {(h.index, h.level) for h in scan(split_lines(text)).headings}


FILES = corpus_files()


@needs_corpus
@pytest.mark.parametrize("path", sorted(FILES))
def test_corpus_headings_agree_with_markdown_it(path: str) -> None:
    text = FILES[path]
    assert our_headings(text) == oracle_headings(text)


@settings(max_examples=200, deadline=None)
@given(plans())
def test_generated_plans_agree_with_markdown_it(plan: tuple[str, str]) -> None:
    _, text = plan
    text = text.replace("\r\n", "\n")  # markdown-it normalises line endings; positions stay the same
    assert our_headings(text) == oracle_headings(_as_markdown_it_sees_it(text))


def _as_markdown_it_sees_it(text: str) -> str:
    """The text with what plansmith reads as editors and GitHub do, and CommonMark does not, blanked
    out in place (line positions kept): a leading BOM, and YAML front matter (whose ``# comment``
    lines are no headings)."""
    lines = split_lines(text.removeprefix("\ufeff"))
    front = front_matter_end(lines)
    return "\n" * front + "".join(lines[front:])


LINE_KINDS = st.sampled_from(
    [
        "# h1",
        "## Phase 1: x",
        "### Stage 2: y",
        "```",
        "~~~",
        "````md",
        "    ```",
        "  ~~~",
        "- item",
        "1. item",
        "   - [ ] task",
        "  ```bash",
        "<div>",
        "</div>",
        "<!-- c -->",
        "<!--",
        "-->",
        "<pre>",
        "</pre>",
        "",
        "text",
        "    code",
        "    - deep",
        "      # deep",
        "> quote",
        "#no space",
        "####### seven",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(LINE_KINDS, max_size=25))
# regression: "</pre>" (HTML block type 7) is a lazy continuation of the list item's paragraph, not a block
@example(lines=["   - [ ] task", "    code", "</pre>", "# h1"])
# regression: a block quote left of the item's content interrupts its paragraph and ends the item, so
# the fence after it is at the top level and holds the "heading"
@example(lines=["- item", "> quote", "  ```", "# h1"])
@example(lines=["1. item", "  > quote", "   ```", "# h1"])
# regression: a bullet 4 columns right of the margin (or of its item's content) is indented code, or the
# paragraph's continuation, never an item: the "heading" indented under it is code too
@example(lines=["", "    - deep", "      # deep"])
@example(lines=["- item", "", "      - deep", "        # deep"])
@example(lines=["text", "    - deep", "      # deep"])
def test_tricky_line_mixes_agree_with_markdown_it(lines: list[str]) -> None:
    text = "\n".join(lines) + "\n"
    assert our_headings(text) == oracle_headings(text)
