"""``plansmith status`` shows each plan's progress: tasks done of total, the current wave, status drift."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plansmith.cli import main

PLAN = "specs/plans/001_feature.md"
TEXT = """# Feature

## Implementation Phases

### Phase 1: Setup [COMPLETE]
- [x] a
- [x] b

### Phase 2: API [COMPLETE]
**Dependencies**: Phase 1
- [x] c
- [ ] d

### Phase 3: Ship
**Dependencies**: Phase 2
- [ ] e
"""


def test_status_shows_done_of_total_the_current_wave_and_drift(
    make_repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    root: Path = make_repo({PLAN: TEXT, "specs/plans/002_done.md": TEXT.replace("- [ ]", "- [x]")})
    monkeypatch.chdir(root)
    assert main(["status", "--json"]) == 0
    plans = json.loads(capsys.readouterr().out)["plans"]
    assert plans == [
        {"plan": PLAN, "done": 3, "total": 5, "wave": 2, "waves": 3, "drift": 1},
        {"plan": "specs/plans/002_done.md", "done": 5, "total": 5, "wave": None, "waves": 3, "drift": 0},
    ]
    assert main(["status", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert f"  {PLAN}: 3/5 tasks done, wave 2 of 3, 1 status drift" in out
    assert "  specs/plans/002_done.md: 5/5 tasks done, all waves done" in out
