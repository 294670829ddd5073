"""Phase ids other than integers through the real entry point: JSON types, item ids, `phase 2.5` arguments."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from git_helper import MakeRepo

from plansmith.cli import main

PLAN = "specs/plans/001_ids.md"
TEXT = """# Ids

## Implementation Phases

### Phase 1: Setup
**Dependencies**: []
- [ ] a

### Phase 2.5: Inserted
**Dependencies**: [1]
- [ ] b

#### Stage 1: Part
- [ ] c

### Phase 5a: Lettered
**Dependencies**: Phase 2.5 complete
- [ ] d
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def repo(repo_here: MakeRepo) -> Path:
    return repo_here({PLAN: TEXT})


def test_analyze_and_waves_json_keep_integers_and_write_other_ids_as_text(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "analyze", PLAN, "--json")
    assert code == 0
    items = [(i["id"], i["phase"], i["stage"]) for i in json.loads(out)["items"]]
    assert items == [
        ("phase_1", 1, None),
        ("phase_2.5", "2.5", None),
        ("phase_2.5_stage_1", "2.5", 1),
        ("phase_5a", "5a", None),
    ]
    code, out, _ = run(capsys, "waves", PLAN, "--json")
    assert code == 0 and json.loads(out)["waves"] == [[1], ["2.5"], ["5a"]]
    code, out, _ = run(capsys, "waves", PLAN)
    assert out.splitlines() == ["wave 1: phase 1", "wave 2: phase 2.5", "wave 3: phase 5a"]


def test_expand_phase_2_5_and_its_stage(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "expand", PLAN, "phase", "2.5", "--yes", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert [o["item"] for o in doc["operations"]] == ["phase_2.5"]
    branch = doc["proposal"]["branch"]
    files = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", branch], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.split()
    assert "specs/plans/001_ids/phase_2_5_inserted.md" in files


def test_an_item_that_is_no_id_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "expand", PLAN, "phase", "two")
    assert code == 2 and "phase N" in err
