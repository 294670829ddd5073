"""Big proposals stay readable: ``proposals show --stat`` gives the files, moves and counts without the
diff, a proposal above ``DIFF_LINES_SHOWN`` changed lines gets that by default, and ``--diff`` asks for
the whole diff. Real git repositories; stdout is not a terminal here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plansmith.cli import main
from plansmith.commands.proposals import DIFF_LINES_SHOWN

PLAN = "specs/plans/001_feature.md"
CHILD = "specs/plans/001_feature/phase_1_big.md"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def plan_text(task_count: int) -> str:
    tasks = "\n".join(f"- [ ] step {n} in `src/m{n % 40}.py` with a migration" for n in range(task_count))
    return f"# Plan\n\n### Phase 1: Big\n{tasks}\n\n### Phase 2: Small\n- [ ] one\n"


@pytest.fixture
def proposal(make_repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    def make(task_count: int) -> Path:
        root: Path = make_repo({PLAN: plan_text(task_count)})
        monkeypatch.chdir(root)
        code, _ = run(capsys, "expand", PLAN, "phase", "1", "--yes")
        assert code == 0
        return root

    return make


def test_stat_shows_files_moves_and_counts_and_no_diff(proposal, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    proposal(20)
    code, out = run(capsys, "proposals", "show", "001_feature", "--stat")
    assert code == 0
    assert f"operations:\n  phase 1 → {CHILD}\n" in out
    assert "2 files changed, " in out
    assert "diff --git" not in out and "@@" not in out
    assert out.endswith(
        "\n\ndiff left out (--stat); to see it: plansmith proposals show 001_feature --diff\n"
    )
    code, doc_text = run(capsys, "proposals", "show", "001_feature", "--stat", "--json")
    doc = json.loads(doc_text)
    assert doc["diff"] is None and doc["moves"] == [f"phase 1 → {CHILD}"] and len(doc["files"]) == 2


def test_a_big_proposal_shows_the_stat_by_default_and_the_diff_on_request(
    proposal,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    proposal(DIFF_LINES_SHOWN + 100)
    code, out = run(capsys, "proposals", "show", "001_feature")
    assert code == 0 and "diff --git" not in out
    last = out.splitlines()[-1]
    assert last.startswith("diff left out: ") and f"(more than {DIFF_LINES_SHOWN})" in last
    assert last.endswith("; to see it: plansmith proposals show 001_feature --diff")
    assert len(out) < 20_000  # the plan is about 150 KB; what is printed stays a screenful or two
    code, full = run(capsys, "proposals", "show", "001_feature", "--diff")
    assert code == 0 and "diff --git" in full and len(full) > 100_000
    code, doc_text = run(capsys, "proposals", "show", "001_feature", "--json")
    assert "diff --git" in json.loads(doc_text)["diff"]  # scripts get the whole document


def test_a_small_proposal_still_shows_its_diff(proposal, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    proposal(20)
    code, out = run(capsys, "proposals", "show", "001_feature")
    assert code == 0 and "diff --git" in out and "diff left out" not in out


def test_stat_and_diff_do_not_go_together(proposal, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    proposal(20)
    assert main(["proposals", "show", "001_feature", "--stat", "--diff"]) == 2
