"""An expand of one phase of a big plan parses its main plan twice: as committed, and the result (issue 18).

The run builds the plan of the committed text in the coordinator, in the operation, for validation and
for the proposal message; each build used to parse the whole main plan again (9 parses of a
100,000-phase plan). Counted here by wrapping the parser (a pure function) in a real run against a
real repository; the proposal is checked against a run that does not reuse anything.
"""

from __future__ import annotations

import gc
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from git_backend.helpers import snapshot_user_state
from git_helper import MakeRepo

from plansmith.cli import main
from plansmith.plan import layout
from plansmith.plan.parser import parse_document

PHASES = 300
PLAN_PATH = "specs/plans/001_big.md"


def big_plan(phases: int) -> str:
    body = "".join(
        f"### Phase {n}: Part {n}\n" + (f"Dependencies: {n - 1}\n" if n > 1 else "") + f"- [ ] task {n}\n\n"
        for n in range(1, phases + 1)
    )
    return f"# Plan: Big\n\n## Overview\nA big plan.\n\n## Implementation Phases\n\n{body}"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def repo(repo_here: MakeRepo) -> Path:
    return repo_here({PLAN_PATH: big_plan(PHASES)})


def _expand(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["expand", PLAN_PATH, "phase", str(PHASES // 2), "--yes"])
    _, err = capsys.readouterr()
    assert code == 0, err


def _proposal(repo: Path) -> tuple[str, str]:
    """The proposal's tree and message without its trailers (the run id and base differ per run)."""
    tree = git(repo, "rev-parse", "plansmith/001_big^{tree}")
    message = git(repo, "log", "-1", "--format=%B", "plansmith/001_big")
    return tree, message.split("\nPlansmith-")[0]


def test_expanding_one_phase_parses_each_main_plan_text_once(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: Counter[str] = Counter()

    def counting_parse(path: str, text: str, kind: layout.DocKind = "plan") -> object:
        if kind == "plan":
            parsed[text] += 1
        return parse_document(path, text, kind)

    before = snapshot_user_state(repo)
    monkeypatch.setattr(layout, "parse_document", counting_parse)
    _expand(capsys)
    assert snapshot_user_state(repo) == before
    # the committed text and the result; the text with the phase moved out is not parsed at all: its
    # metadata fields are edited where they are (plan/metadata_sync.py)
    assert len(parsed) == 2
    assert set(parsed.values()) == {1}, parsed.values()
    with_reuse = _proposal(repo)

    git(repo, "branch", "-D", "plansmith/001_big")
    monkeypatch.setattr(layout, "parsed_document", lambda path, text, kind: parse_document(path, text, kind))
    _expand(capsys)
    assert _proposal(repo) == with_reuse


def test_a_run_pauses_the_collector_and_holds_documents_only_while_it_runs(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[bool, int]] = []

    def watching_parse(path: str, text: str, kind: layout.DocKind = "plan") -> object:
        seen.append((gc.isenabled(), len(layout._HOLDERS)))
        return parse_document(path, text, kind)

    monkeypatch.setattr(layout, "parse_document", watching_parse)
    monkeypatch.setattr(layout, "_RECENT", type(layout._RECENT)())  # parsed again, not found held
    monkeypatch.setattr(layout, "_recent_size", 0)
    monkeypatch.setattr(layout, "_PARSED", type(layout._PARSED)())
    assert gc.isenabled()
    _expand(capsys)
    assert seen and all(state == (False, 1) for state in seen), seen
    assert gc.isenabled() and layout._HOLDERS == []


def test_the_cache_keeps_a_large_document_only_while_it_is_in_use() -> None:
    text = big_plan(5000)  # over the recent tier's size limit: held only while in use
    assert len(text) > layout._RECENT_BUDGET // 8
    doc = layout.parsed_document("p.md", text, "plan")
    assert layout.parsed_document("p.md", text, "plan") is doc
    assert doc == parse_document("p.md", text, "plan")
    assert layout.parsed_document("q.md", text, "plan") is not doc  # the path is part of the key
    del doc
    gc.collect()
    assert ("p.md", "plan", text) not in layout._PARSED


def test_a_run_holds_a_large_document_until_it_ends() -> None:
    """Finding the plan among a root's files parses it and lets it go; inside the run's scope the
    build that follows finds it (one parse, not two), and nothing is held after the run."""
    text = big_plan(5000)
    with layout.documents_held():
        doc_id = id(layout.parsed_document("held.md", text, "plan"))
        gc.collect()
        assert id(layout.parsed_document("held.md", text, "plan")) == doc_id
        assert ("held.md", "plan", text) in layout._PARSED
    gc.collect()
    assert ("held.md", "plan", text) not in layout._PARSED
    assert layout._HOLDERS == []


def test_recent_small_documents_are_held_within_the_text_budget() -> None:
    """Finding which files are plans and then validating them parses each once; the strong tier never
    holds more than its budget of text, however many plans pass through."""
    small = big_plan(5)
    doc = layout.parsed_document("small.md", small, "plan")
    del doc
    gc.collect()
    assert ("small.md", "plan", small) in layout._PARSED  # held by the recent tier
    for n in range(400):
        layout.parsed_document(f"other_{n}.md", small + f"\n<!-- {n} -->\n" * 300, "plan")
    assert sum(len(key[2]) for key in layout._RECENT) <= layout._RECENT_BUDGET
    assert ("small.md", "plan", small) not in layout._RECENT  # the oldest went first


def test_a_problem_the_plan_had_before_does_not_fail_the_run(
    make_repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    """The plan's own problems are read only when the result has some (issue 18: a second validation
    of a big plan), and then still excuse the result: an unknown dependency stays in the main plan."""
    text = big_plan(4).replace(
        "Dependencies: 3\n", "Dependencies: 9\n"
    )  # phase 4 -> a phase that is not there
    root: Path = make_repo({PLAN_PATH: text})
    monkeypatch.chdir(root)
    code = main(["expand", PLAN_PATH, "phase", "2", "--yes"])
    _, err = capsys.readouterr()
    assert code == 0, err
    assert "did not validate" not in err
    main_after = git(root, "show", "plansmith/001_big:specs/plans/001_big/001_big.md")
    assert "Dependencies: 9" in main_after
