"""Whole expand/collapse runs against real repositories, through the command-line entry point."""

from __future__ import annotations

import json
import posixpath
from pathlib import Path

import pytest
from git_backend.helpers import make_user_dirty, snapshot_user_state
from git_helper import run_git as git

from plansmith.cli import main

GROWN = "\n".join(f"- [ ] task {n} in `src/mod{n}.py` with migration and security review" for n in range(16))
PLAN = f"""# Feature: Plan

## Metadata
- **Date**: 2026-11-24

### Phase 1: Small
- [ ] one

### Phase 2: Large
**Objective**: A lot of work
{GROWN}

```python
tests()
```

### Phase 3: Also large
{GROWN}
"""


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object] | None, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if "--json" in args and out.strip() else None), err


@pytest.fixture
def repo(make_repo, monkeypatch: pytest.MonkeyPatch) -> Path:  # type: ignore[no-untyped-def]
    root: Path = make_repo(
        {"specs/plans/001_feature.md": PLAN, "src/app.py": "print('app')\n", "README.md": "# app\n"}
    )
    monkeypatch.chdir(root)
    return root


def test_auto_expansion_makes_a_proposal_and_touches_nothing_of_the_user(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_user_dirty(repo)
    before = snapshot_user_state(repo)
    code, doc, err = cli(capsys, "expand", "specs/plans/001_feature.md", "--auto-analysis", "--json")
    assert code == 0, err
    assert doc is not None
    assert doc["summary"] == {"total": 2, "successful": 2, "failed": 0}
    assert [o["item"] for o in doc["operations"]] == ["phase_2", "phase_3"]  # type: ignore[index]
    proposal = doc["proposal"]
    assert isinstance(proposal, dict) and proposal["branch"] == "plansmith/001_feature"
    assert snapshot_user_state(repo) == before
    assert "uncommitted changes" in err
    files = git(repo, "ls-tree", "-r", "--name-only", proposal["branch"]).split()
    assert "specs/plans/001_feature/phase_2_large.md" in files
    message = git(repo, "log", "-1", "--format=%B", proposal["branch"])
    assert "Plansmith-Plan: specs/plans/001_feature.md" in message
    assert "Plansmith-Items: phase_2, phase_3" in message or "Plansmith-Items: phase_2,phase_3" in message
    assert git(repo, "fsck", "--no-progress", "--no-dangling").strip() == ""


def test_dry_run_changes_nothing(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot_user_state(repo)
    code, doc, _ = cli(
        capsys, "expand", "specs/plans/001_feature.md", "--auto-analysis", "--dry-run", "--json"
    )
    assert code == 0 and doc is not None
    assert doc["proposal"] is None
    assert "specs/plans/001_feature/phase_2_large.md" in doc["changes"]["created"]  # type: ignore[index]
    assert snapshot_user_state(repo) == before
    assert "plansmith/" not in git(repo, "branch", "--list")


def test_nothing_to_do_is_exit_0_without_proposal(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, _ = cli(capsys, "collapse", "specs/plans/001_feature.md", "--auto-analysis", "--json")
    assert code == 0 and doc is not None
    assert doc["proposal"] is None and doc["operations"] == []


def test_partial_failure_keeps_the_successes_and_exits_1(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A stray file where phase 3's file would go makes that one item fail; phase 2 still lands.
    (repo / "specs/plans/001_feature").mkdir()
    (repo / "specs/plans/001_feature/phase_3_also_large.md").write_text("# not linked\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "stray file")
    code, doc, _ = cli(capsys, "expand", "specs/plans/001_feature.md", "--auto-analysis", "--json")
    assert code == 1 and doc is not None
    statuses = {o["item"]: o["status"] for o in doc["operations"]}  # type: ignore[union-attr]
    assert statuses == {"phase_2": "success", "phase_3": "failed"}
    assert doc["proposal"] is not None
    failed = next(o for o in doc["operations"] if o["status"] == "failed")  # type: ignore[union-attr]
    assert "already exists" in failed["error"]
    assert Path(failed["artifact"]).is_file()  # kept after a failure


def test_without_a_terminal_the_prompt_needs_yes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "expand", "specs/plans/001_feature.md", "phase", "2")
    assert code == 1 and "--yes" in err


def test_merge_flag_approves_right_away(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, _ = cli(
        capsys, "expand", "specs/plans/001_feature.md", "phase", "2", "--yes", "--merge", "--json"
    )
    assert code == 0 and doc is not None and doc["merged"] is True
    assert (repo / "specs/plans/001_feature/phase_2_large.md").is_file()
    assert not (repo / "specs/plans/001_feature.md").exists()
    assert cli(capsys, "validate")[0] == 0


# --- round trips through the real thing: expand, approve, collapse, approve ------------------------

from plan.corpus import corpus_files, corpus_plans, needs_corpus  # noqa: E402

CORPUS = corpus_files()
VALID_LEVEL0 = [
    loc
    for loc in corpus_plans(CORPUS)
    if loc.folder is None
    and not posixpath.basename(loc.main_path).startswith(("README", "circular", "invalid"))
]


@needs_corpus
@pytest.mark.parametrize("loc", VALID_LEVEL0, ids=lambda loc: loc.main_path)
def test_corpus_round_trip_through_proposals(make_repo, monkeypatch, capsys, loc) -> None:  # type: ignore[no-untyped-def]
    name = posixpath.basename(loc.main_path)
    if not name[:3].isdigit():
        name = f"900_{name.replace('-', '_')}"
    path = f"specs/plans/{name}"
    original = CORPUS[loc.main_path]
    root = make_repo({path: original})
    monkeypatch.chdir(root)
    code, doc, err = cli(capsys, "analyze", path, "--json")
    phases = [i["phase"] for i in doc["items"] if i["kind"] == "phase"]  # type: ignore[index]
    for n in phases:
        target = path if n == phases[0] else path[: -len(".md")]
        code, _, err = cli(capsys, "expand", target, "phase", str(n), "--yes", "--merge")
        assert code == 0, err
    assert cli(capsys, "validate")[0] == 0
    for n in phases:
        code, _, err = cli(capsys, "collapse", path[: -len(".md")], "phase", str(n), "--yes", "--merge")
        assert code == 0, err
    assert (root / path).read_bytes() == original.encode("utf-8")
    assert not (root / path[: -len(".md")]).exists()


def test_interactive_failure_prompt_offers_retry_skip_abort(repo: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from plansmith.engine.coordinator import OperationRequest, run_request
    from plansmith.terminal.reporting import ask_on_failure
    from plansmith.workspace import open_workspace

    (repo / "specs/plans/001_feature").mkdir()
    (repo / "specs/plans/001_feature/phase_3_also_large.md").write_text("# not linked\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "stray file")
    answers = iter(["x", "s"])  # an unknown answer is asked again
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    request = OperationRequest(
        plan="specs/plans/001_feature.md",
        operation="expand",
        auto=True,
        assume_yes=True,
        interactive=True,
        decide=ask_on_failure,  # the terminal's question, as the command passes it
    )
    outcome = run_request(open_workspace(None), request)
    statuses = {o.item: o.status for o in outcome.operations}
    assert statuses == {"phase_2": "success", "phase_3": "skipped"}
    assert outcome.proposal is not None and outcome.exit_code == 0


VALID_FOLDERS = [
    loc
    for loc in corpus_plans(CORPUS)
    if loc.folder is not None and loc.main_path.startswith("tests/fixtures/plans/test_progressive/")
]


@needs_corpus
@pytest.mark.parametrize("loc", VALID_FOLDERS, ids=lambda loc: loc.main_path)
def test_corpus_folder_plans_round_trip_through_proposals(make_repo, monkeypatch, capsys, loc) -> None:  # type: ignore[no-untyped-def]
    name = f"90{loc.folder[-1]}_{posixpath.basename(loc.folder)}"
    prefix = loc.folder + "/"
    originals = {
        f"specs/plans/{name}/" + (f"{name}.md" if p == loc.main_path else p[len(prefix) :]): text
        for p, text in CORPUS.items()
        if p.startswith(prefix)
    }
    root = make_repo(originals)
    monkeypatch.chdir(root)
    folder = f"specs/plans/{name}"
    code, doc, err = cli(capsys, "analyze", folder, "--json")
    assert code == 0, err
    inline = [(i["phase"], i["stage"]) for i in doc["items"] if not i["expanded"]]  # type: ignore[index]
    expanded_phases = {i["phase"] for i in doc["items"] if i["expanded"] and i["kind"] == "phase"}  # type: ignore[index]
    # inline phases, and inline stages of already expanded phases
    targets = [(p, s) for p, s in inline if (s is None) or p in expanded_phases]
    for phase, stage in targets:
        item = ["phase", str(phase)] + (["stage", str(stage)] if stage is not None else [])
        code, _, err = cli(capsys, "expand", folder, *item, "--yes", "--merge")
        assert code == 0, err
        code, _, err = cli(capsys, "collapse", folder, *item, "--yes", "--merge")
        assert code == 0, err
        for path, text in originals.items():
            assert (root / path).read_bytes() == text.encode("utf-8"), (item, path)
    assert targets


def test_second_round_expands_stages_still_too_complex(make_repo, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    heavy = "\n".join(f"- [ ] stage task {n} in `src/s{n}.py`, migration and security" for n in range(16))
    text = (
        "# Plan\n\n### Phase 1: Small\n- [ ] one\n\n"
        f"### Phase 2: Big\n#### Stage 1: Heavy\n{heavy}\n\n#### Stage 2: Light\n- [ ] two\n"
    )
    root = make_repo({"specs/plans/001_feature.md": text})
    monkeypatch.chdir(root)
    code, doc, err = cli(capsys, "expand", "specs/plans/001_feature.md", "--auto-analysis", "--yes", "--json")
    assert code == 0, err
    assert doc is not None
    assert [o["item"] for o in doc["operations"]] == ["phase_2", "phase_2_stage_1"]  # type: ignore[index]
    files = git(root, "ls-tree", "-r", "--name-only", "plansmith/001_feature").split()
    assert "specs/plans/001_feature/phase_2_big/stage_1_heavy.md" in files
    assert cli(capsys, "validate")[0] == 0


def test_the_coordinator_reports_progress_and_a_summary(repo: Path) -> None:
    from plansmith.engine.coordinator import OperationRequest, run_request
    from plansmith.engine.progress import ProgressEvent
    from plansmith.workspace import open_workspace

    events: list[ProgressEvent] = []
    request = OperationRequest(
        plan="specs/plans/001_feature.md",
        operation="expand",
        auto=True,
        assume_yes=True,
        progress=events.append,
    )
    outcome = run_request(open_workspace(None), request)
    assert outcome.proposal is not None
    for item in ("phase_2", "phase_3"):
        assert [e.state for e in events if e.item == item] == ["queued", "running", "done"]
    summary = outcome.summary
    assert summary is not None and (summary.total, summary.successful, summary.failed) == (2, 2, 0)
    assert summary.wall_s > 0 and summary.sequential_s > 0
