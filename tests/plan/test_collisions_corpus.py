"""The radar's phase digests on the real plans of ../shared/corpus (read-only; skipped without it): a
line added to one phase or stage changes that item's digest and no other, whatever the convention."""

from __future__ import annotations

from pathlib import Path

import pytest

from plansmith.plan.collisions import item_digests
from plansmith.plan.layout import build_plan, plan_files

from .corpus import corpus_plans

SHARED = Path(__file__).resolve().parents[3] / "shared" / "corpus"


@pytest.fixture(params=["real", "field"])
def corpus(request: pytest.FixtureRequest) -> dict[str, str]:
    folder = SHARED / str(request.param)
    if not folder.is_dir():
        pytest.skip(f"the shared corpus ({folder.name}) is not beside the checkout")
    return {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8", errors="replace")
        for p in sorted(folder.rglob("*.md"))
        if p.name != "SOURCES.md"
    }


def test_an_edit_to_one_item_of_a_real_plan_changes_only_that_item(corpus: dict[str, str]) -> None:
    checked = 0
    for loc in corpus_plans(corpus):
        own = plan_files(corpus, loc)
        plan = build_plan(own, loc)
        before = item_digests(plan)
        documents = {d.path: d for d in plan.documents}
        for item in plan.items():
            document = item.document or documents[item.holder]
            lines = list(document.lines)
            lines.insert(item.content.start + 1, "a line only this item has\n")
            after = item_digests(build_plan({**own, document.path: "".join(lines)}, loc))
            changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
            assert changed == {item.id}, f"{loc.main_path} {item.id}: {sorted(changed)}"
            checked += 1
    assert checked > 20, checked
