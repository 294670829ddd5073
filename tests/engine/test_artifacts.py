"""Artifacts: atomic per-operation records, references-only aggregation, validation, cleanup."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plansmith.engine.artifacts import (
    SCHEMA,
    ArtifactRecord,
    aggregate,
    artifact_path,
    cleanup,
    context_reduction,
    new_run_dir,
    read_artifact,
    record_for,
    validate_artifact,
    write_artifact,
)

TASKS = "".join(
    f"- [ ] Task {i}: implement the {i}th part of the token service with tests\n" for i in range(25)
)


def realistic_record(i: int, status: str = "success") -> ArtifactRecord:
    """About what an expand operation with an agent records: attempts, the agent's output, a diff summary."""
    item = f"phase_{i}"
    stdout = "".join(
        f"[agent] step {n}: read file, edited section {n}, ran checks ... ok\n" for n in range(60)
    )
    diff = "".join(f" specs/plans/001_feature/phase_{i}_x.md | {n} ++++--\n" for n in range(10))
    return ArtifactRecord(
        operation="expand",
        item=item,
        status=status,  # type: ignore[arg-type]
        files_created=(f"specs/plans/001_feature/phase_{i}_x.md",),
        files_modified=("specs/plans/001_feature/001_feature.md",),
        error=None if status != "failed" else "agent timed out after 3 attempts",
        duration_s=12.5 + i,
        attempts=tuple(
            {
                "number": n,
                "timeout_s": 120 * 1.5 ** (n - 1),
                "tools": ["Read", "Write"],
                "exit_code": 0,
                "duration_s": 4.2,
                "ok": n == 2,
                "reason": "" if n == 2 else "timed out",
            }
            for n in (1, 2)
        ),
        warnings=("agent 'claude' needed 2 attempts",),
        details={"agent": "claude", "stdout_tail": stdout, "stderr_tail": "", "diff_summary": diff},
    )


def test_write_read_roundtrip_and_name(tmp_path: Path) -> None:
    rec = realistic_record(3)
    path = write_artifact(tmp_path, rec)
    assert path == tmp_path / "expand_phase_3.json" == artifact_path(tmp_path, "expand", "phase_3")
    assert validate_artifact(path) == []
    assert read_artifact(path) == rec
    data = json.loads(path.read_text())
    assert data["schema"] == SCHEMA
    assert set(data) >= {
        "operation",
        "item",
        "status",
        "files_created",
        "files_modified",
        "error",
        "duration_s",
        "attempts",
        "warnings",
    }
    assert [p.name for p in tmp_path.iterdir()] == ["expand_phase_3.json"]  # no temporary file left


def test_write_is_atomic_replace(tmp_path: Path) -> None:
    write_artifact(tmp_path, realistic_record(1, "failed"))
    write_artifact(tmp_path, realistic_record(1, "success"))
    assert read_artifact(tmp_path / "expand_phase_1.json").status == "success"


def test_names_are_sanitised(tmp_path: Path) -> None:
    path = artifact_path(tmp_path, "expand", "../../etc/passwd")
    assert path.parent == tmp_path and "/" not in path.name and not path.name.startswith(".")


def test_invalid_records_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="status"):
        write_artifact(tmp_path, ArtifactRecord("expand", "phase_1", "weird"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="error"):
        write_artifact(tmp_path, ArtifactRecord("expand", "phase_1", "failed"))


def test_validate_lists_problems(tmp_path: Path) -> None:
    bad = tmp_path / "x_y.json"
    bad.write_text(
        json.dumps(
            {
                "schema": SCHEMA,
                "operation": "",
                "status": "done",
                "files_created": "a",
                "error": 3,
                "duration_s": -1,
                "attempts": {},
                "warnings": [],
            }
        )
    )
    problems = validate_artifact(bad)
    assert any("'operation'" in p for p in problems)
    assert any("'item'" in p for p in problems)
    assert any("'status'" in p for p in problems)
    assert any("'files_created' must be a list" in p for p in problems)
    assert any("'files_modified' is missing" in p for p in problems)
    assert any("'error' must be" in p for p in problems)
    assert any("'duration_s'" in p for p in problems)
    assert any("'attempts'" in p for p in problems)
    (tmp_path / "z.json").write_text("{not json")
    assert validate_artifact(tmp_path / "z.json")[0].startswith("not JSON")
    assert validate_artifact(tmp_path / "missing.json")[0].startswith("cannot read")


def test_aggregate_is_references_only(tmp_path: Path) -> None:
    write_artifact(tmp_path, realistic_record(1))
    write_artifact(tmp_path, realistic_record(2, "failed"))
    write_artifact(tmp_path, ArtifactRecord("collapse", "phase_3", "skipped", error="nothing to do"))
    (tmp_path / "expand_phase_9.json").write_text("garbage")
    refs = aggregate(tmp_path)
    assert [(r.operation, r.item, r.status) for r in refs] == [
        ("collapse", "phase_3", "skipped"),
        ("expand", "phase_1", "success"),
        ("expand", "phase_2", "failed"),
        ("expand", "phase_9", "failed"),  # invalid record: reported as failed
    ]
    assert set(refs[0].to_json()) == {"path", "operation", "item", "status"}
    assert "stdout_tail" not in json.dumps([r.to_json() for r in refs])


def test_cleanup_keeps_failed_runs(tmp_path: Path) -> None:
    run = new_run_dir(tmp_path / "runs", "expand")
    write_artifact(run, realistic_record(1))
    write_artifact(run, realistic_record(2, "failed"))
    assert cleanup(run) is False and run.exists()
    assert cleanup(run, keep_on_failure=False) is True and not run.exists()
    ok_run = new_run_dir(tmp_path / "runs")
    write_artifact(ok_run, realistic_record(1))
    assert cleanup(ok_run) is True and not ok_run.exists()
    assert cleanup(ok_run) is True  # already gone


def test_context_reduction_measured(tmp_path: Path) -> None:
    run = tmp_path / "run"
    worktree = tmp_path / "wt"
    for i in range(1, 9):
        write_artifact(run, realistic_record(i, "failed" if i == 5 else "success"))
        phase = worktree / f"specs/plans/001_feature/phase_{i}_x.md"
        phase.parent.mkdir(parents=True, exist_ok=True)
        phase.write_text(f"# Phase {i}: Part {i}\n\n{TASKS}")
    (worktree / "specs/plans/001_feature/001_feature.md").write_text("# Plan\n" + TASKS)
    records_only = context_reduction(run)
    with_files = context_reduction(run, referenced_root=worktree)
    assert records_only.artifacts == 8
    assert with_files.full_bytes > records_only.full_bytes > records_only.aggregate_bytes
    assert records_only.reduction > 0.85
    assert with_files.reduction > 0.9
    agg, full, files = records_only.aggregate_bytes, records_only.full_bytes, with_files.full_bytes
    print(
        f"\ncontext reduction: aggregate {agg} B vs records {full} B ({records_only.reduction:.1%}); "
        f"with referenced files {files} B ({with_files.reduction:.1%})"
    )


def test_record_for_runner_outcome(tmp_path: Path) -> None:
    from plansmith.engine.runner import Operation, OpOutcome, run_operations

    result = run_operations(
        [
            Operation("expand_phase_1", lambda ctx: OpOutcome.ok(warnings=["kept structural result"])),
            Operation("expand_phase_2", lambda ctx: OpOutcome.fail("agent failed")),
        ],
        max_attempts=2,
    )
    ok = record_for("expand", "phase_1", result.outcomes[0], files_created=["a.md"])
    bad = record_for("expand", "phase_2", result.outcomes[1], details={"stdout_tail": "..."})
    for rec in (ok, bad):
        assert validate_artifact(write_artifact(tmp_path, rec)) == []
    assert ok.warnings == ("kept structural result",) and ok.error is None
    assert bad.status == "failed" and bad.error == "agent failed" and len(bad.attempts) == 2
    assert bad.attempts[1]["fallback"] is True
