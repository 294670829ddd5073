"""Line scanner: splits text into lines and finds ATX headings outside fenced code and HTML blocks.

A full Markdown parse is ~60x slower and loses byte positions; plans only need headings, fences,
task boxes and metadata bullets. The rules follow CommonMark closely enough that markdown-it-py's
block parse agrees on which lines are headings (tested as an oracle on the corpus and on generated
text), including the two container effects real plans hit: fences opened inside a list item end
when a line is indented less than the item's content, and HTML blocks.
It must not interpret plan structure or do I/O: that is the parser's job.

Theory of operation
-------------------
:func:`scan` reads the lines once, top to bottom, as a small state machine. Front matter can only
come first: its lines are code, and it is left for good. After it, between two lines, the scanner is
in one of three states:

- FLOW, ordinary Markdown. Beside the state it keeps two facts: whether a paragraph is open (a line
  indented 4 or more then continues it instead of starting indented code, and an HTML block of type
  7 cannot interrupt it), and the content columns of the open list items (a line is inside the items
  whose column it reaches; fences, headings and indented code are measured from the innermost one).
- FENCE (a :class:`_Fence`): every line is code until the closing fence, or until a non-blank line
  indented less than the content of the list item the fence opened in; that line is read in FLOW.
- HTML (the end marker awaited): every line is code until the one holding the marker or, for block
  types 6 and 7 (marker ""), until a blank line, which is not code.

A line in FLOW falls in one of these classes. The first five, most lines of a plan, are told apart
by a character or two in :func:`_scan_blocks`, without a call (it runs once per line of every plan):

- blank: the paragraph ends.
- prose at the margin (also ``#tag``, ``**Field**: x``, ``---``): a paragraph. A line at the margin
  is left of every list item's content (content columns are 2 or more), so it leaves the items unless
  it continues their paragraph; a block quote never does.
- a heading at the margin: recorded; it leaves the items and ends the paragraph.
- a bullet item at the margin: now the only open item.
- a bullet item indented to the innermost item's content or further: one more open item.
- anything else (indented otherwise, tabs, ordered items, a possible fence or HTML block):
  :func:`_block_line` finds the items the line is inside and what it starts there: a fence (to FENCE),
  an HTML block (to HTML, unless it ends on its own line), a heading (these three in
  :func:`_block_start`), indented code, an item, or a paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from plansmith.plan.html_blocks import html_block_ends, html_block_start
from plansmith.plan.model import Heading

_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+$")
_FENCE = re.compile(r"^( *)(`{3,}|~{3,})(.*)$")
_LIST_ITEM = re.compile(r"^( *)([-*+]|\d{1,9}[.)])( +|$)")

# First characters of lines that may start a heading, fence, HTML block or list item.
_BLOCK_STARTS = frozenset("#`~<-*+0123456789\ufeff")
_ITEM_STARTS = frozenset("-*+0123456789")


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
        return html_block_start(stripped, True) is not None
    if first in "*-_":
        marks = stripped.replace(" ", "").replace("\t", "")
        return len(marks) >= 3 and marks == first * len(marks)
    return False


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
    """Find headings, and the lines that belong to front matter, fenced or indented code or HTML blocks,
    in one pass. ``text`` is ``"".join(lines)`` when the caller has it (saves joining the lines again)."""
    front = front_matter_end(lines) if lines and lines[0][:4] in ("---\n", "---\r", "\ufeff---") else 0
    headings: list[Heading] = []
    code = list(range(front))  # YAML, whose "# comment" lines are not headings; ascending, each line once
    bodies = _bodies("".join(lines) if text is None else text)
    _scan_blocks(bodies[front:] if front else bodies, front, headings, code)
    return Scan(tuple(headings), frozenset(code))


def _scan_blocks(bodies: list[str], start: int, headings: list[Heading], code: list[int]) -> None:
    """The state machine of the module docstring over the lines after the front matter (numbered from
    ``start``); the common lines inline, only the rarer FLOW lines cost a call (:func:`_block_line`)."""
    fence: _Fence | None = None  # state FENCE while set
    html_end: str | None = None  # state HTML while set: the end marker, "" = until a blank line
    in_paragraph = False
    lists: list[int] = []  # content columns of the open list items, innermost last
    for i, line in enumerate(bodies, start):
        if fence is not None:
            width = indent_width(line) if line[:1] in " \t" else 0  # "" is in any string: width 0
            if not (fence.container and width < fence.container and line.strip()):
                code.append(i)
                if fence.char in line and width - fence.container < 4:  # maybe the closing fence
                    body = line.strip()
                    if body.startswith(fence.char * fence.length) and body == fence.char * len(body):
                        fence = None
                continue
            fence = None  # the list item ended, and the fence with it: the line is read afresh in FLOW
        elif html_end is not None:
            html_end = _html_block_line(i, line, html_end, code)
            continue
        if not line or line.isspace():
            in_paragraph = False
            continue
        first = line[0]  # at the margin, a line is left of every list item's content (see above)
        if first not in _BLOCK_STARTS and first != " " and first != "\t":
            if not in_paragraph or first == ">":
                lists = []  # a block quote interrupts the paragraph: not a lazy continuation
            in_paragraph = True  # prose: it can start no block of interest
            continue
        if first == "#":
            h = heading_of(line)
            if h is not None:
                lists = []
                headings.append(Heading(i, h[0], h[1]))
                in_paragraph = False
                continue
        elif first in "-*+" and (after := line[1:2]) and after != "\t":
            if after == " ":  # a list item at the margin
                rest = line[1:].lstrip(" ")
                lists = [len(line) - len(rest)]  # its content column: marker and spaces
                in_paragraph = bool(rest.strip())
                continue
        elif (
            first == " "
            and (bullet := line.lstrip(" "))[0] in "-*+"
            and bullet[1:2] == " "
            and (column := lists[-1] if lists else 0) <= len(line) - len(bullet) < column + 4
        ):  # a list item inside the innermost open one (the indented line plans have most); 4 columns
            # or more right of its content it is indented code or a paragraph's continuation instead
            text = bullet[1:].lstrip(" ")
            lists = [*lists, len(line) - len(text)]  # its content column
            in_paragraph = bool(text.strip())
            continue
        else:  # indented otherwise, or a fence, HTML block or ordered item may start here
            lists, in_paragraph, fence, html_end = _block_line(i, line, lists, in_paragraph, headings, code)
            continue
        if not in_paragraph:  # "#tag", "**Field**: x", "---": prose at the margin, as above
            lists = []
        in_paragraph = True


def _html_block_line(i: int, line: str, end: str, code: list[int]) -> str | None:
    """A line in HTML: code, unless it is the blank line that ends a block whose end marker is ""
    (types 6 and 7). The end marker still awaited after it, None when the block ended."""
    if end == "" and (not line or line.isspace()):
        return None
    code.append(i)
    if end and html_block_ends(line, end):
        return None
    return end


def _block_line(
    i: int, line: str, lists: list[int], in_paragraph: bool, headings: list[Heading], code: list[int]
) -> tuple[list[int], bool, _Fence | None, str | None]:
    """A line in FLOW that is indented, or may start a fence, an HTML block or an ordered item: which
    open list items it is inside, and what it starts there. Returns the list items open after it,
    whether a paragraph is, and the fence or the HTML end marker it opened (None when none)."""
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
            return lists, True, None, None  # a lazy continuation of the item's paragraph: no indented code
        in_paragraph = False  # the block start ends the item: an indented code block (as markdown-it)
    if width - container >= 4:  # never an item, a fence or a heading this far right
        if not in_paragraph:
            code.append(i)  # an indented code block: no headings, tasks or fields in it
            return inside, False, None, None
        return inside, True, None, None  # the paragraph's continuation (indented code cannot interrupt it)
    elif first in "`~#<":
        content = line.expandtabs(4)[container:] if container else line
        opened = _block_start(i, first, content, width, container, in_paragraph, headings, code)
        if opened is not None:
            return inside, False, opened[0], opened[1]
    if item_column:
        return [*inside, item_column], bool(rest.strip()), None, None
    if not in_paragraph or first == ">":
        lists = inside  # a new paragraph or block quote, outside the items it is not indented into
    return lists, True, None, None


def _block_start(
    i: int,
    first: str,
    content: str,
    width: int,
    container: int,
    in_paragraph: bool,
    headings: list[Heading],
    code: list[int],
) -> tuple[_Fence | None, str | None] | None:
    """The fence, heading or HTML block that starts on a line less than 4 columns right of its list
    item's ``content`` (from the item's content column on): the fence or the HTML end marker it opens,
    ``(None, None)`` for a heading or an HTML block that ends on its own line; None when none starts.
    ``first`` is the line's first character after its indent (one of "`~#<"), ``width`` its indent
    and ``container`` the list item's content column."""
    if first == "#":
        h = heading_of(content)
        if h is None:
            return None
        headings.append(Heading(i, h[0], h[1]))
        return None, None
    if first != "<":
        fm = _FENCE.match(content)
        if fm is None or (fm.group(2)[0] == "`" and "`" in fm.group(3)):
            return None
        code.append(i)
        return _Fence(fm.group(2)[0], len(fm.group(2)), width, container), None
    html = html_block_start(content, in_paragraph)
    if html is None:
        return None
    code.append(i)
    ends_here = bool(html) and html_block_ends(content[content.index("<") + 1 :], html)
    return None, None if ends_here else html
