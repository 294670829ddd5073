"""Draw the pictures in docs/images/ from an example plan: ``make pictures`` (needs chromium and
``make render-deps``). The plan is built here and expanded with plansmith's own transforms, so the
pictures show exactly what ``waves --format mermaid`` and ``analyze --format mermaid`` print.
Writes only docs/images/ (and the matching .mmd sources beside the PNGs)."""

from __future__ import annotations

import sys

from plansmith.plan.complexity import analyze_plan
from plansmith.plan.layout import build_plan, find_plans
from plansmith.plan.mermaid import structure_change, structure_tree, waves_flowchart
from plansmith.plan.model import Plan
from plansmith.plan.transforms import expand_phase
from plansmith.plan.waves import compute_waves

from .renderer import CHECKOUT, render, screenshot

IMAGES = CHECKOUT / "docs" / "images"
PLANS_DIR = "specs/plans"


def _tasks(*names: str, ticked: bool = False) -> str:
    box = "x" if ticked else " "
    return "".join(f"- [{box}] {name}\n" for name in names)


def _heavy(area: str, n: int) -> str:
    return "".join(
        f"- [ ] {area}: update `src/{area}/part_{i % 6}.py`, step {i}, with tests\n" for i in range(n)
    )


EXAMPLE = (
    "# Search service\n\n## Metadata\n- **Structure Level**: 0\n\n## Implementation Phases\n\n"
    "### Phase 1: Schema and storage [COMPLETE]\n**Dependencies**: []\n"
    + _tasks("tables for documents", "migration `migrations/0001_docs.py`", ticked=True)
    + "\n### Phase 2: Indexer [IN PROGRESS]\n**Dependencies**: [1]\n\n#### Stage 1: Tokenizer\n"
    + _tasks("unicode folding", "stop words", ticked=True)  # the boxes say what the markers say
    + "\n#### Stage 2: Incremental updates\n"
    + _heavy("index", 16)
    + "\n### Phase 3: Query API\n**Dependencies**: [1]\n"
    + _tasks("GET /search", "pagination", "rate limits")
    + "\n### Phase 4: Ranking\n**Dependencies**: [2]\n"
    + _tasks("BM25 baseline", "freshness boost")
    + "\n### Phase 5: Search page\n**Dependencies**: [3]\n"
    + _tasks("results list", "highlighting")
    + "\n### Phase 6: Launch\n**Dependencies**: [4, 5]\n"
    + _tasks("load test", "runbook", "announce")
)


def example_plans() -> tuple[Plan, Plan]:
    """The example plan as written (level 0) and after plansmith expanded the Indexer phase (level 1)."""
    files = {f"{PLANS_DIR}/012_search.md": EXAMPLE}
    (loc,) = find_plans(files, PLANS_DIR)
    change = expand_phase(files, loc, 2)
    return build_plan(files, loc), build_plan(change.files, change.location)


def diagrams() -> dict[str, str]:
    before, after = example_plans()
    analysis = analyze_plan(before)
    waves = compute_waves({p.number: list(p.dependencies) for p in before.phases})
    return {
        "waves": waves_flowchart(before, waves, analysis),
        "structure": structure_tree(after, analyze_plan(after)),
        "before-after": structure_change(before, analysis, after, analyze_plan(after)),
    }


def main() -> int:
    IMAGES.mkdir(parents=True, exist_ok=True)
    texts = diagrams()
    results = render(list(texts.values()))
    for (name, text), result in zip(texts.items(), results, strict=True):
        if not result.ok:
            print(f"Mermaid rejected {name}: {result.error}", file=sys.stderr)
            return 1
        (IMAGES / f"{name}.mmd").write_text(text, encoding="utf-8")
        screenshot(result.svg, IMAGES / f"{name}.png")
        print(f"wrote {(IMAGES / f'{name}.png').relative_to(CHECKOUT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
