"""Line scanner: splits text into lines and finds ATX headings outside fenced code and HTML blocks.

A full Markdown parse is ~60x slower and loses byte positions; plans only need headings, fences,
task boxes and metadata bullets. The rules follow CommonMark closely enough that markdown-it-py's
block parse agrees on which lines are headings (tested as an oracle on the corpus and on generated
text), including the two container effects real plans hit: fences opened inside a list item end
when a line is indented less than the item's content, and HTML blocks.
It must not interpret plan structure or do I/O: that is the parser's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from plansmith.plan.model import Heading

_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+$")
_FENCE = re.compile(r"^( *)(`{3,}|~{3,})(.*)$")
_LIST_ITEM = re.compile(r"^( *)([-*+]|\d{1,9}[.)])( +|$)")

_HTML_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "base",
        "basefont",
        "blockquote",
        "body",
        "caption",
        "center",
        "col",
        "colgroup",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "frame",
        "frameset",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "header",
        "hr",
        "html",
        "iframe",
        "legend",
        "li",
        "link",
        "main",
        "menu",
        "menuitem",
        "nav",
        "noframes",
        "ol",
        "optgroup",
        "option",
        "p",
        "param",
        "search",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "track",
        "ul",
    }
)
_HTML_RAW = re.compile(r"^ {0,3}<(script|pre|style|textarea)(?:[ \t>]|$)", re.IGNORECASE)
_HTML_RAW_END = re.compile(r"</(?:script|pre|style|textarea)>", re.IGNORECASE)
_HTML_TAG6 = re.compile(r"^ {0,3}</?([A-Za-z][A-Za-z0-9-]*)(?:[ \t]|/?>|$)")
_ATTR = r"(?:[ \t]+[A-Za-z_:][A-Za-z0-9_.:-]*(?:[ \t]*=[ \t]*(?:[^\s\"'=<>`]+|'[^']*'|\"[^\"]*\"))?)"
_HTML_TAG7 = re.compile(
    r"^ {0,3}(?:<[A-Za-z][A-Za-z0-9-]*" + _ATTR + r"*[ \t]*/?>|</[A-Za-z][A-Za-z0-9-]*[ \t]*>)[ \t]*$"
)
# First characters of lines that may start a heading, fence, HTML block or list item.
_BLOCK_STARTS = frozenset("#`~<-*+0123456789\ufeff")
_ITEM_STARTS = frozenset("-*+0123456789")
_SIMPLE_HTML = (("<!--", "-->"), ("<?", "?>"), ("<![CDATA[", "]]>"))


def split_lines(text: str) -> tuple[str, ...]:
    """Lines with their endings. Only ``\\n`` ends a line (``str.splitlines`` would also split on
    form feeds and Unicode separators, which would corrupt round trips)."""
    if not text:
        return ()
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return tuple(lines)


def detect_newline(lines: tuple[str, ...]) -> str:
    for line in lines:
        if line.endswith("\n"):
            return "\r\n" if line.endswith("\r\n") else "\n"
    return "\n"


def strip_eol(line: str) -> str:
    if line.endswith("\n"):
        line = line[:-1]
        if line.endswith("\r"):
            line = line[:-1]
    return line


def indent_width(line: str) -> int:
    """Columns of leading white space, tabs to the next multiple of 4."""
    col = 0
    for ch in line:
        if ch == " ":
            col += 1
        elif ch == "\t":
            col += 4 - col % 4
        else:
            break
    return col


def is_blank(line: str) -> bool:
    return not line.strip()


def heading_of(line: str) -> tuple[int, str] | None:
    """``(level, text)`` when the line (without ending) is an ATX heading.

    String methods instead of :data:`_HEADING` (same result, tested): it runs on every heading."""
    if "\n" in line:  # "$" may match before a final line ending: leave such lines to the regex
        return _heading_by_regex(line)
    stripped = line.lstrip(" ")
    if len(line) - len(stripped) > 3 or not stripped.startswith("#"):
        return None
    after = stripped.lstrip("#")
    level = len(stripped) - len(after)
    if level > 6 or (after and after[0] != " " and after[0] != "\t"):
        return None
    return level, _heading_text(after.strip(" \t"))


def _heading_by_regex(line: str) -> tuple[int, str] | None:
    m = _HEADING.match(line)
    if m is None:
        return None
    return len(m.group(1)), _heading_text(m.group(2) or "")


def _heading_text(text: str) -> str:
    """The content of a heading without its optional closing sequence of ``#``."""
    text = _CLOSING_HASHES.sub("", text) if text.endswith("#") else text
    if text == "#" * len(text):  # "### ###" is an empty heading
        text = ""
    return text.strip()


@dataclass(frozen=True, slots=True)
class Scan:
    headings: tuple[Heading, ...]
    code_lines: frozenset[int]


@dataclass(slots=True)
class _Fence:
    char: str
    length: int
    indent: int
    container: int  # content indent of the list item holding the fence; 0 at top level


def _html_block_start(line: str, in_paragraph: bool) -> str | None:
    """The end condition of an HTML block starting on this line: a marker string, "" for
    "ends at a blank line", or None when no HTML block starts here."""
    stripped = line.lstrip(" ")
    if len(line) - len(stripped) > 3 or not stripped.startswith("<"):
        return None
    if _HTML_RAW.match(line):
        return "raw"
    for start, end in _SIMPLE_HTML:
        if stripped.startswith(start):
            return end
    if stripped.startswith("<!") and len(stripped) > 2 and stripped[2].isalpha():
        return ">"
    m = _HTML_TAG6.match(line)
    if m and m.group(1).lower() in _HTML_BLOCK_TAGS:
        return ""
    if not in_paragraph and _HTML_TAG7.match(line):
        return ""
    return None


def _interrupts_paragraph(stripped: str, is_item: bool) -> bool:
    """Whether a line (leading white space removed) starts a block that ends an open paragraph:
    a fence, heading, block quote, list item, thematic break or an HTML block of types 1-6 (type 7,
    e.g. ``</pre>``, cannot interrupt a paragraph, CommonMark 4.6)."""
    first = stripped[0]
    if is_item or first == ">":
        return True
    if first == "#":
        return heading_of(stripped) is not None
    if first in "`~":
        fm = _FENCE.match(stripped)
        return fm is not None and not (fm.group(2)[0] == "`" and "`" in fm.group(3))
    if first == "<":
        return _html_block_start(stripped, True) is not None
    if first in "*-_":
        marks = stripped.replace(" ", "").replace("\t", "")
        return len(marks) >= 3 and marks == first * len(marks)
    return False


def _html_block_ends(line: str, end: str) -> bool:
    if end == "raw":
        return _HTML_RAW_END.search(line) is not None
    return end in line


def _bodies(text: str) -> list[str]:
    """The lines without their endings (as :func:`strip_eol`), split in one go; a leading BOM dropped."""
    bodies = text.split("\n")
    if text.endswith("\n"):
        bodies.pop()  # the empty piece after the last line ending is not a line
    if "\r" in text:
        bodies = [b[:-1] if b.endswith("\r") else b for b in bodies]
    if bodies and bodies[0].startswith("\ufeff"):
        bodies[0] = bodies[0][1:]
    return bodies


def front_matter_end(lines: tuple[str, ...]) -> int:
    """The number of lines of the YAML front matter the text starts with (``---`` ... ``---`` or
    ``...``, a BOM allowed before it), 0 when there is none. Tools that keep plans (ClaudeKit, the
    hve-core task planner) put it before the title; nothing may be inserted above it."""
    if not lines or strip_eol(lines[0]).lstrip("\ufeff") != "---":
        return 0
    for i in range(1, len(lines)):
        if strip_eol(lines[i]) in ("---", "..."):
            return i + 1
    return 0  # never closed: a thematic break, not front matter


def scan(lines: tuple[str, ...], text: str | None = None) -> Scan:
    """Find headings, and the lines that belong to fenced code or HTML blocks, in one pass.
    ``text`` is ``"".join(lines)`` when the caller has it (saves joining the lines again).

    One long loop on purpose: it runs once per line of every plan, and the common lines (prose, list
    items at the margin, fenced code) are decided first by a character or two, without calls.
    """
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
        if relative >= 4 and not in_paragraph and not item_column:
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
        if item_column:
            lists = [*inside, item_column]
            in_paragraph = bool(rest.strip())
            continue
        if not in_paragraph or first == ">":
            lists = inside  # a new paragraph or block quote, outside the items it is not indented into
        in_paragraph = True

    return Scan(tuple(headings), frozenset(code))
