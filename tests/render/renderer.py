"""Render Mermaid text with Mermaid itself, in headless Chromium, and read the SVG it draws.

Test tooling only (the package never renders anything). One Chromium start renders a whole batch: a
local page loads ``mermaid.min.js`` (from the npm package, put in ``.cache/render`` by ``make
render-deps``), renders every diagram in turn and writes the results into the page, which
``--dump-dom`` prints. Nothing is fetched from the network. It must not hide a missing renderer: it says
why it cannot render, and the tests decide (skip locally, fail in CI).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]
MERMAID_JS = CHECKOUT / ".cache" / "render" / "mermaid.min.js"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
TIMEOUT_S = 180

_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><script src="{script}"></script></head>
<body><script id="diagrams" type="application/json">{diagrams}</script><pre id="out"></pre>
<script>
mermaid.initialize({{startOnLoad: false, securityLevel: "strict", flowchart: {{useMaxWidth: false}}}});
(async () => {{
  const diagrams = JSON.parse(document.getElementById("diagrams").textContent);
  const results = [];
  for (let i = 0; i < diagrams.length; i++) {{
    try {{
      const parsed = await mermaid.parse(diagrams[i]);
      const {{svg}} = await mermaid.render("d" + i, diagrams[i]);
      results.push({{ok: Boolean(parsed), svg: svg, error: null}});
    }} catch (e) {{
      results.push({{ok: false, svg: null, error: String((e && e.message) || e)}});
    }}
  }}
  document.getElementById("out").textContent = JSON.stringify({{version: mermaid.version ?? null,
    results: results}});
}})();
</script></body></html>
"""


class RendererMissing(Exception):
    """Chromium or Mermaid is not installed here; the message says what to run."""


@dataclass(frozen=True)
class Rendered:
    ok: bool  # Mermaid's parser accepted the text and drew it
    svg: str
    error: str | None


def find_browser() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise RendererMissing("no chromium on PATH (Debian: apt-get install chromium; .ci/run does it)")


def find_mermaid() -> Path:
    if not MERMAID_JS.is_file():
        raise RendererMissing(f"{MERMAID_JS.relative_to(CHECKOUT)} is missing (run 'make render-deps')")
    return MERMAID_JS


def _chromium(browser: str, profile: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [browser, "--headless", "--disable-gpu", "--no-first-run", f"--user-data-dir={profile}"]
    if os.geteuid() == 0:
        command.append("--no-sandbox")  # Chromium refuses to start as root otherwise (CI runs as root)
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=TIMEOUT_S, check=False, cwd=profile
    )


def render(diagrams: Sequence[str]) -> list[Rendered]:
    """Each diagram's SVG, or Mermaid's error, from one Chromium run."""
    browser, script = find_browser(), find_mermaid()
    payload = json.dumps(list(diagrams)).replace("</", "<\\/")  # keep "</script>" inside the JSON
    with tempfile.TemporaryDirectory(prefix="plansmith-render-") as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(_PAGE.format(script=script.as_uri(), diagrams=payload), encoding="utf-8")
        done = _chromium(browser, tmp, "--virtual-time-budget=120000", "--dump-dom", page.as_uri())
    found = re.search(r'<pre id="out">(.*?)</pre>', done.stdout, re.DOTALL)
    if not found or not found.group(1):
        raise RuntimeError(
            f"chromium did not finish rendering (exit {done.returncode}): {done.stderr[-2000:]}"
        )
    document = json.loads(html.unescape(found.group(1)))
    return [Rendered(r["ok"], r["svg"] or "", r["error"]) for r in document["results"]]


def screenshot(svg: str, target: Path, *, scale: float = 1.5) -> None:
    """A PNG of a rendered SVG (for the docs): a page with only the picture, the window its size."""
    width, height = svg_size(svg)
    browser = find_browser()
    with tempfile.TemporaryDirectory(prefix="plansmith-shot-") as tmp:
        page = Path(tmp) / "shot.html"
        style = f"html,body{{margin:0;background:#fff}}svg{{display:block;width:{width}px;height:{height}px}}"
        page.write_text(f'<!doctype html><meta charset="utf-8"><style>{style}</style>{svg}', "utf-8")
        out = Path(tmp) / "shot.png"
        _chromium(
            browser,
            tmp,
            "--hide-scrollbars",
            f"--force-device-scale-factor={scale}",
            f"--window-size={width},{height}",
            f"--screenshot={out}",
            page.as_uri(),
        )
        if not out.is_file():
            raise RuntimeError(f"chromium wrote no screenshot for {target.name}")
        target.write_bytes(out.read_bytes())


def svg_size(svg: str) -> tuple[int, int]:
    found = re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"', svg)
    if not found:
        raise ValueError("the SVG has no viewBox")
    return int(float(found.group(1))) + 1, int(float(found.group(2))) + 1


# --- reading the SVG ---------------------------------------------------------------------------------

_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr"})


@dataclass
class _Element:
    tag: str
    attrs: dict[str, str]
    text: list[str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    def holds(self, point: tuple[float, float]) -> bool:
        px, py = point
        return self.x <= px <= self.x + self.width and self.y <= py <= self.y + self.height


@dataclass
class Drawing:
    """What Mermaid drew, by its classes: ``g.node``, ``path.flowchart-link``, ``g.cluster``."""

    nodes: dict[str, str] = field(default_factory=dict)  # our node id -> its label's text
    node_classes: dict[str, set[str]] = field(default_factory=dict)  # our node id -> its CSS classes
    centres: dict[str, tuple[float, float]] = field(default_factory=dict)
    edges: list[tuple[str, str]] = field(default_factory=list)  # (source id, target id)
    clusters: dict[str, str] = field(default_factory=dict)  # subgraph id -> its label's text
    boxes: dict[str, Box] = field(default_factory=dict)
    tags: set[str] = field(default_factory=set)  # every element name in the SVG
    attributes: set[str] = field(default_factory=set)  # every attribute name in the SVG
    error: bool = False  # Mermaid's "Syntax error in text" picture


class _SvgReader(HTMLParser):
    def __init__(self, drawing: Drawing) -> None:
        super().__init__(convert_charrefs=True)
        self.drawing = drawing
        self.stack: list[_Element] = []
        self.open_node: str | None = None
        self.open_cluster: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = _Element(tag, {k: v or "" for k, v in attrs})
        self.drawing.tags.add(tag)
        self._see(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.drawing.tags.add(tag)
        self._see(_Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            element = self.stack.pop()
            if element.attrs.get("data-owner") == "node":
                self.open_node = None
            if element.attrs.get("data-owner") == "cluster":
                self.open_cluster = None
            if element.tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1].tag == "style":
            return
        if self.open_node is not None:
            self.drawing.nodes[self.open_node] += data
        elif self.open_cluster is not None:
            self.drawing.clusters[self.open_cluster] += data
        if "Syntax error" in data:
            self.drawing.error = True

    def _see(self, element: _Element) -> None:
        classes, attrs = element.classes, element.attrs
        self.drawing.attributes.update(attrs)
        if "error-icon" in classes or "error-text" in classes:
            self.drawing.error = True
        if element.tag == "g" and "node" in classes:
            found = re.fullmatch(r"(?:.*-)?flowchart-(.+)-\d+", attrs.get("id", ""))
            node_id = found.group(1) if found else attrs.get("id", "?")
            self.drawing.nodes[node_id] = ""
            self.drawing.node_classes[node_id] = set(classes)
            self.drawing.centres[node_id] = _translate(attrs.get("transform", ""))
            self.open_node = node_id
            attrs["data-owner"] = "node"
        elif element.tag == "g" and "cluster" in classes:
            cluster_id = attrs.get("id", "?").rsplit("-", 1)[-1]
            self.drawing.clusters[cluster_id] = ""
            self.open_cluster = cluster_id
            attrs["data-owner"] = "cluster"
        elif element.tag == "rect" and self.open_cluster is not None and self.open_node is None:
            if self.open_cluster not in self.drawing.boxes:
                numbers = [float(attrs.get(k, "0")) for k in ("x", "y", "width", "height")]
                self.drawing.boxes[self.open_cluster] = Box(*numbers)
        elif element.tag == "path" and "flowchart-link" in classes:
            edge = attrs.get("data-id") or attrs.get("id", "").rsplit("-", 1)[-1]
            parts = edge.split("_")
            if len(parts) >= 3 and parts[0] == "L":
                self.drawing.edges.append((parts[1], parts[2]))


def _translate(transform: str) -> tuple[float, float]:
    found = re.search(r"translate\(\s*([-\d.e]+)[ ,]+([-\d.e]+)\s*\)", transform)
    return (float(found.group(1)), float(found.group(2))) if found else (0.0, 0.0)


def read_svg(svg: str) -> Drawing:
    drawing = Drawing()
    reader = _SvgReader(drawing)
    reader.feed(svg)
    reader.close()
    drawing.nodes = {k: " ".join(v.split()) for k, v in drawing.nodes.items()}
    drawing.clusters = {k: " ".join(v.split()) for k, v in drawing.clusters.items()}
    return drawing
