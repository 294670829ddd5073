"""The pure parts of next and verify: which backticked spans name files, the budget trim, and the tick
judgement over history facts (plan/ready.py, plan/ticks.py)."""

from __future__ import annotations

import pytest

from plansmith.plan.layout import build_plan, find_plans
from plansmith.plan.ready import ready_phases, task_files, task_line_text, trim_to_budget
from plansmith.plan.ticks import judge_ticks

MAIN = "specs/plans/001_feature.md"


@pytest.mark.parametrize(
    ("text", "files"),
    [
        ("edit `src/app.py` and `docs/guide.md`", ("src/app.py", "docs/guide.md")),
        ("`./src/app.py:42` and `src/app.py`", ("src/app.py",)),
        ("the `docs/` folder and `pyproject.toml`", ("docs", "pyproject.toml")),
        ("run `--verbose`, call `main()`, `x = 1`, Python `3.11`", ()),
        ("see `https://example.com/a.md` or `/etc/passwd` or `~/x.py`", ()),
        ("no backticks at all: src/app.py", ()),
    ],
)
def test_task_files_are_backticked_relative_paths(text: str, files: tuple[str, ...]) -> None:
    assert task_files(text) == files


def test_task_line_text_reads_a_task_whatever_its_box() -> None:
    assert task_line_text("- [x] do `a.py`") == "do `a.py`"
    assert task_line_text("  * [ ] do it ") == "do it"
    assert task_line_text("1. [X] numbered") == "numbered"
    assert task_line_text("- not a task") is None


def plan_of(text: str):  # type: ignore[no-untyped-def]
    files = {MAIN: text}
    (loc,) = find_plans(files, "specs/plans")
    return build_plan(files, loc)


def test_the_trim_keeps_whole_tasks_in_order_and_counts_the_rest() -> None:
    tasks = "".join(f"- [ ] task {n}\n" for n in range(30))
    (phase,) = ready_phases(plan_of(f"# F\n\n## Implementation Phases\n\n### Phase 1: A\n{tasks}"))
    assert trim_to_budget([phase], None) == ([phase], 0)
    kept, left_out = trim_to_budget([phase], 100)
    assert kept[0].tasks == phase.tasks[: len(kept[0].tasks)] and left_out == 30 - len(kept[0].tasks)
    assert sum(t.cost for t in kept[0].tasks) + kept[0].cost <= 100
    assert trim_to_budget([phase], 1) == ([], 30)


class FakeHistory:
    """Task texts written at a commit index (0 = newest); files changed at indexes."""

    def __init__(self, added: dict[str, int], changed: dict[str, list[int]]) -> None:
        self.added, self.changed = added, changed

    def task_added(self, text: str) -> int | None:
        return self.added.get(text)

    def changed_after(self, path: str, index: int | None) -> bool:
        return index is not None and any(n < index for n in self.changed.get(path, []))


def test_a_tick_is_backed_only_by_a_change_after_the_task_was_written() -> None:
    plan = plan_of(
        "# F\n\n## Implementation Phases\n\n### Phase 1: A\n"
        "- [x] backed `a.py`\n- [x] before only `b.py`\n- [x] never committed `c.py`\n"
        "- [x] no file\n- [ ] open `d.py`\n"
    )
    history = FakeHistory(
        {"backed `a.py`": 5, "before only `b.py`": 5}, {"a.py": [9, 2], "b.py": [7, 5], "c.py": [0]}
    )
    report = judge_ticks([plan], history)
    assert (report.backed, report.unjudged) == (1, 1)
    assert [(u.line, u.files) for u in report.unbacked] == [(7, ("b.py",)), (8, ("c.py",))]
