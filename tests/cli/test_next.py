"""``plansmith next``: ready phases by their boxes (not their markers), ranges, stage dependencies, the
token budget, and every plan at once; through the real entry point in a real repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plansmith.cli import main

PLAN = "specs/plans/001_feature.md"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def ready(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    code, out, err = run(capsys, "next", *args, "--json")
    assert code == 0, err
    doc: dict[str, object] = json.loads(out)
    return doc


def ids(doc: dict[str, object]) -> list[tuple[str, str]]:
    return [(r["plan"], r["id"]) for r in doc["ready"]]  # type: ignore[attr-defined]


@pytest.fixture
def at(make_repo, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def factory(files: dict[str, str]) -> Path:
        root: Path = make_repo(files)
        monkeypatch.chdir(root)
        return root

    return factory


LYING = """# Feature

## Implementation Phases

### Phase 1: Setup [COMPLETED]
- [x] scaffold `src/app.py`
- [ ] write `src/config.py` and `docs/config.md`

### Phase 2: API [NOT STARTED]
**Dependencies**: Phase 1
- [ ] endpoints

### Phase 3: Cleanup [NOT STARTED]
- [x] remove `old.py`
"""


def test_a_dependency_counts_as_done_by_its_boxes_not_its_marker(at, capsys) -> None:  # type: ignore[no-untyped-def]
    at({PLAN: LYING})
    doc = ready(capsys)
    # Phase 1 says COMPLETED but has an open box: it is ready, and phase 2 waits for it.
    # Phase 3 says NOT STARTED but all its boxes are ticked: it is done, not ready.
    assert ids(doc) == [(PLAN, "phase_1")]
    (phase,) = doc["ready"]  # type: ignore[misc]
    assert phase == {
        "plan": PLAN,
        "id": "phase_1",
        "phase": 1,
        "title": "Setup",
        "wave": 1,
        "tasks": [
            {
                "line": 7,
                "path": PLAN,
                "text": "write `src/config.py` and `docs/config.md`",
                "files": ["src/config.py", "docs/config.md"],
            }
        ],
    }
    assert doc["left_out"] == 0


def test_ticking_the_last_box_makes_the_dependent_ready(at, capsys) -> None:  # type: ignore[no-untyped-def]
    at({PLAN: LYING.replace("- [ ] write", "- [x] write").replace("[COMPLETED]", "[NOT STARTED]")})
    assert ids(ready(capsys, PLAN)) == [(PLAN, "phase_2")]


RANGE = """# Feature

## Implementation Phases

### Phase 1: A
- [x] a

### Phase 2: B
- [x] b

### Phase 3: C
- [ ] c

### Phase 4: D
**Dependencies**: Phases 1-3
- [ ] d

### Phase 5: E
**Dependencies**: Phases 1-2
- [ ] e
"""


def test_a_range_waits_for_every_phase_in_it(at, capsys) -> None:  # type: ignore[no-untyped-def]
    at({PLAN: RANGE})
    doc = ready(capsys)
    assert ids(doc) == [(PLAN, "phase_3"), (PLAN, "phase_5")]
    assert [r["wave"] for r in doc["ready"]] == [1, 2]  # type: ignore[attr-defined]


STAGES = """# Feature

## Implementation Phases

### Phase 1: Build

#### Stage 1: Model
- [x] model

#### Stage 2: API
**Dependencies**: Stage 1
- [ ] api

#### Stage 3: UI
**Dependencies**: Stage 2
- [ ] ui
"""


def test_stages_that_wait_for_an_open_stage_are_not_offered(at, capsys) -> None:  # type: ignore[no-untyped-def]
    at({PLAN: STAGES})
    (phase,) = ready(capsys)["ready"]  # type: ignore[misc]
    assert [t["text"] for t in phase["tasks"]] == ["api"]


def test_every_plan_when_none_is_named_in_wave_order(at, capsys) -> None:  # type: ignore[no-untyped-def]
    other = "specs/plans/002_other.md"
    at({PLAN: RANGE, other: LYING})
    doc = ready(capsys)
    assert ids(doc) == [(PLAN, "phase_3"), (other, "phase_1"), (PLAN, "phase_5")]
    code, out, _ = run(capsys, "next")
    assert code == 0 and f"{other}: phase 1: Setup (wave 1)" in out and "files: src/config.py" in out


def test_the_budget_keeps_whole_tasks_and_says_what_was_left_out(at, capsys) -> None:  # type: ignore[no-untyped-def]
    tasks = "".join(f"- [ ] task number {n} edits `src/module_{n}.py` carefully\n" for n in range(200))
    at({PLAN: f"# Big\n\n## Implementation Phases\n\n### Phase 1: Everything\n{tasks}"})
    full = ready(capsys)
    assert len(full["ready"][0]["tasks"]) == 200 and full["left_out"] == 0  # type: ignore[index]
    doc = ready(capsys, "--budget", "500")
    kept = doc["ready"][0]["tasks"]  # type: ignore[index]
    assert 0 < len(kept) < 200 and doc["left_out"] == 200 - len(kept)
    assert [t["text"] for t in kept] == [
        f"task number {n} edits `src/module_{n}.py` carefully" for n in range(len(kept))
    ]
    assert len(json.dumps(doc["ready"])) <= 500 * 4 * 2  # about the budget: JSON adds its keys
    code, out, _ = run(capsys, "next", "--budget", "500")
    assert code == 0 and len(out) <= 500 * 4 + 200
    assert f"left out: {200 - len(kept)} more tasks over the budget of 500 tokens" in out


def test_nothing_ready_and_a_bad_budget(at, capsys) -> None:  # type: ignore[no-untyped-def]
    at({PLAN: "# F\n\n## Implementation Phases\n\n### Phase 1: A\n- [x] a\n"})
    code, out, _ = run(capsys, "next")
    assert code == 0 and "nothing is ready" in out
    assert run(capsys, "next", "--budget", "0")[0] == 2
