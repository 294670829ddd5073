"""The split scanner finds exactly what the one long loop it replaced found: the same headings and
code lines for every input. The old loop is kept here, in the test only, as the oracle; it is compared
on generated plans, on generated mixes of the line kinds the scanner tells apart, and on the corpus
(``../shared/corpus/real`` and ``field``, skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from plansmith.plan.html_blocks import html_block_ends as _html_block_ends
from plansmith.plan.html_blocks import html_block_start as _html_block_start
from plansmith.plan.model import Heading
from plansmith.plan.scanner import (
    _BLOCK_STARTS,
    _FENCE,
    _ITEM_STARTS,
    _LIST_ITEM,
    Scan,
    _bodies,
    _Fence,
    _interrupts_paragraph,
    front_matter_end,
    heading_of,
    indent_width,
    scan,
    split_lines,
)

from .corpus import CORPUS
from .strategies import plans


def _old_scan(lines: tuple[str, ...], text: str | None = None) -> Scan:
    """The scanner before the split, line for line (commit 7cc786c): the oracle. One fix made since is
    applied here too: a line 4 or more columns right of its list item's content (or of the margin) is
    never a list item, it is indented code or a paragraph's continuation (as markdown-it reads it)."""
    headings: list[Heading] = []
    code: list[int] = []  # ascending: each line is added at most once
    fence: _Fence | None = None
    html_end: str | None = None  # "" = until a blank line
    front = front_matter_end(lines) if lines and lines[0][:4] in ("---\n", "---\r", "\ufeff---") else 0
    code += range(front)  # YAML, whose "# comment" lines are not headings
    in_paragraph = False
    lists: list[int] = []  # content columns of the open list items, innermost last

    bodies = _bodies("".join(lines) if text is None else text)
    for i, line in enumerate(bodies[front:] if front else bodies, front):
        if fence is not None:
            lead = line[:1]
            width = indent_width(line) if lead == " " or lead == "\t" else 0
            if fence.container and width < fence.container and line.strip():
                fence = None  # the list item ended, and the fence with it; look at the line afresh
            else:
                code.append(i)
                if width - fence.container < 4 and fence.char in line:
                    body = line.strip()
                    if body.startswith(fence.char * fence.length) and body == fence.char * len(body):
                        fence = None
                continue

        if html_end is not None:
            if html_end == "" and (not line or line.isspace()):
                html_end = None
                in_paragraph = False
                continue
            code.append(i)
            if html_end and _html_block_ends(line, html_end):
                html_end = None
            continue

        if not line or line.isspace():
            in_paragraph = False
            continue

        # Fast paths, most lines of a plan. A line at the margin is left of every list item's content
        # (content columns are 2 or more): it leaves them unless it continues their paragraph.
        first = line[0]
        if first not in _BLOCK_STARTS and first != " " and first != "\t":
            if not in_paragraph or first == ">":
                lists = []  # a block quote interrupts the paragraph: not a lazy continuation
            in_paragraph = True  # prose: it can start no block of interest
            continue
        if first == "#":  # at the margin: left of every list item's content, like prose
            h = heading_of(line)
            if h is not None:
                lists = []
                headings.append(Heading(i, h[0], h[1]))
                in_paragraph = False
            else:
                if not in_paragraph:
                    lists = []
                in_paragraph = True  # "#tag": prose
            continue
        if first in "-*+":
            after = line[1:2]
            if after == " ":  # a list item at the margin
                rest = line[1:].lstrip(" ")
                lists = [len(line) - len(rest)]  # its content column: marker and spaces
                in_paragraph = bool(rest.strip())
                continue
            if after and after != "\t":  # "**Field**: x", "---": not an item at the margin, prose
                if not in_paragraph:
                    lists = []
                in_paragraph = True
                continue

        stripped = line.lstrip(" \t")
        pad = len(line) - len(stripped)
        tabbed = "\t" in line[:pad]
        width = indent_width(line) if tabbed else pad
        first = stripped[0]
        item_column = 0  # the content column when the line starts a list item
        rest = ""  # the item's text
        if first in "-*+":
            after = stripped[1:2]
            if (after == " " or not after) and not tabbed:  # as _LIST_ITEM: spaces only, before and after
                rest = stripped[1:]
                item_column = pad + 1 + max(1, len(rest) - len(rest.lstrip(" ")))
        elif first in _ITEM_STARTS and (item := _LIST_ITEM.match(line)) is not None:
            item_column = len(item.group(1)) + len(item.group(2)) + max(1, len(item.group(3)))
            rest = line[item.end() :]
        # the list items this line is indented into (usually all, or none)
        inside = lists if not lists or lists[-1] <= width else [c for c in lists if c <= width]
        container = inside[-1] if inside else 0
        if len(inside) < len(lists) and width >= 4:
            if in_paragraph and not _interrupts_paragraph(stripped, item_column > 0):
                continue  # a lazy continuation of the item's paragraph: indented code cannot interrupt it
            in_paragraph = False  # the block start ends the item: an indented code block (as markdown-it)
        relative = width - container
        if first in "`~" and relative < 4:
            content = line.expandtabs(4)[container:] if container else line
            fm = _FENCE.match(content)
            if fm is not None and not (fm.group(2)[0] == "`" and "`" in fm.group(3)):
                lists = inside
                fence = _Fence(fm.group(2)[0], len(fm.group(2)), width, container)
                code.append(i)
                in_paragraph = False
                continue
        if relative >= 4 and not in_paragraph:
            lists = inside
            code.append(i)  # an indented code block: no headings, tasks or fields in it
            continue
        if relative < 4 and first in "#<":
            content = line.expandtabs(4)[container:] if container else line
            h = heading_of(content) if first == "#" else None
            if h is not None:
                lists = inside
                headings.append(Heading(i, h[0], h[1]))
                in_paragraph = False
                continue
            html = _html_block_start(content, in_paragraph) if first == "<" else None
            if html is not None:
                lists = inside
                code.append(i)
                if not (html and _html_block_ends(content[content.index("<") + 1 :], html)):
                    html_end = html
                in_paragraph = False
                continue
        if item_column and relative < 4:
            lists = [*inside, item_column]
            in_paragraph = bool(rest.strip())
            continue
        if not in_paragraph or first == ">":
            lists = inside  # a new paragraph or block quote, outside the items it is not indented into
        in_paragraph = True

    return Scan(tuple(headings), frozenset(code))


def _same_as_before(text: str) -> None:
    lines = split_lines(text)
    assert scan(lines) == _old_scan(lines)
    assert scan(lines, text) == _old_scan(lines, text)


# The line kinds the scanner tells apart, at the margin, indented by spaces and by tabs, inside list
# items of each content column, and as the starts and ends of fences and HTML blocks of each type.
LINE_KINDS = st.sampled_from(
    [
        "",
        "   ",
        "\t",
        "text",
        "#tag",
        "# h1",
        "## Phase 1: x ##",
        "   ### Stage 2",
        "    # indented code",
        "\t# tab code",
        "####### seven",
        "#",
        "```",
        "```bash",
        "``` a`b",
        "~~~",
        "````md",
        "  ~~~",
        "    ```",
        "\t```",
        "- item",
        "-",
        "- ",
        "-\titem",
        "* item",
        "+ item",
        "**Field**: x",
        "---",
        "***",
        "- - -",
        "_ _ _",
        "1. item",
        "2) item",
        "1234567890. not an item",
        "  - nested",
        "  - ",
        "   - [ ] task",
        "    - deep",
        "     - deeper",
        "      1. deepest",
        "  ```bash",
        "   ```",
        "     ```",
        "  # nested heading",
        "     # nested heading",
        "  text",
        "    code",
        "      code",
        "\tcode",
        " \t x",
        "> quote",
        " > quote",
        "  > quote",
        "<div>",
        "</div>",
        "  <section class='x'>",
        "<custom-tag>",
        '<a href="x">',
        "</pre>",
        "<pre>",
        "<script>x</script>",
        "<style>",
        "</style>",
        "<!-- c -->",
        "<!--",
        "-->",
        "<?php",
        "?>",
        "<!DOCTYPE html>",
        "<![CDATA[",
        "]]>",
        "<3 not html",
        "\ufeff# bom heading",
    ]
)


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(LINE_KINDS, max_size=30),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
    st.sampled_from(["", "---\n# yaml comment\n---\n", "\ufeff---\nx: 1\n...\n", "---\nnever closed\n"]),
)
@example(lines=["   - [ ] task", "    code", "</pre>", "# h1"], newline="\n", final=True, front="")
@example(lines=["- item", "> quote", "  ```", "# h1"], newline="\n", final=True, front="")
@example(lines=["1. item", "  ```", "# in code", "text", "# after"], newline="\n", final=True, front="")
@example(lines=["<div>", "# in html", "", "# h1"], newline="\r\n", final=False, front="")
@example(lines=["- item", " > quote", "  ```", "# h1"], newline="\n", final=True, front="")
@example(lines=["- a", "  - ", "        code"], newline="\n", final=True, front="")
@example(
    lines=["- a", "  - b", "    - c", "     - d", "      ```", "     # x"], newline="\n", final=True, front=""
)
def test_line_kind_mixes_scan_as_before(lines: list[str], newline: str, final: bool, front: str) -> None:
    text = front.replace("\n", newline) + newline.join(lines) + (newline if final else "")
    _same_as_before(text)


@settings(max_examples=300, deadline=None)
@given(plans())
def test_generated_plans_scan_as_before(plan: tuple[str, str]) -> None:
    _same_as_before(plan[1])


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from("#`~<>-*+1. \t\nx!/\r"), max_size=200))
def test_any_text_of_block_characters_scans_as_before(text: str) -> None:
    _same_as_before(text)


def _corpus_texts() -> list[Path]:
    root = CORPUS.parent
    return sorted(root.rglob("*.md")) if root.is_dir() else []


@pytest.mark.skipif(not CORPUS.parent.is_dir(), reason="needs ../shared/corpus beside the checkout")
def test_every_corpus_plan_scans_as_before() -> None:
    paths = _corpus_texts()
    assert paths
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert scan(split_lines(text), text) == _old_scan(split_lines(text), text), path
