"""HTML blocks as CommonMark 4.6 defines them, for the line scanner: where one starts, and which line
ends it. Plans hold them rarely (``<details>``, comments, a ``<pre>``), but a heading inside one is
text, not a heading, so the scanner must know their extent.

It must not parse HTML or look at anything but the one line it is given: the scanner keeps the state.
"""

from __future__ import annotations

import re

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
_SIMPLE_HTML = (("<!--", "-->"), ("<?", "?>"), ("<![CDATA[", "]]>"))


def html_block_start(line: str, in_paragraph: bool) -> str | None:
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


def html_block_ends(line: str, end: str) -> bool:
    if end == "raw":
        return _HTML_RAW_END.search(line) is not None
    return end in line
