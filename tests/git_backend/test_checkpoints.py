"""Checkpoints: commit + ref + record, validated before they are restored."""

from __future__ import annotations

import json

import pytest

from plansmith.errors import GitError, PlansmithError
from plansmith.git_backend import checkpoints
from plansmith.git_backend.repo import RepoPaths
from plansmith.git_backend.worktree import ScratchWorktree

from .helpers import git_out


@pytest.fixture
def scratch(paths: RepoPaths) -> ScratchWorktree:
    return ScratchWorktree.ensure(paths)


def test_create_records_commit_ref_and_json(scratch: ScratchWorktree, paths: RepoPaths) -> None:
    base = scratch.head()
    (scratch.path / "specs/plans/001_feature.md").write_text("step 1\n")
    commit = scratch.commit("step 1")
    cp = checkpoints.create(
        paths,
        commit,
        plan="specs/plans/001_feature.md",
        operation="expand",
        items=["phase_1"],
        base=base,
        created="2026-11-24T10:00:00+00:00",
        checkpoint_id="run1-before",
    )
    assert cp.ref == "refs/plansmith/checkpoints/run1-before"
    assert git_out(paths.worktree, "rev-parse", cp.ref).strip() == commit
    record = json.loads((paths.state_dir / "checkpoints" / "run1-before.json").read_text())
    assert record == {
        "id": "run1-before",
        "plan": "specs/plans/001_feature.md",
        "operation": "expand",
        "items": ["phase_1"],
        "base": base,
        "commit": commit,
        "tree": git_out(paths.worktree, "rev-parse", f"{commit}^{{tree}}").strip(),
        "created": "2026-11-24T10:00:00+00:00",
    }
    assert checkpoints.validate(paths, "run1-before") == []
    assert checkpoints.list_checkpoints(paths) == [cp]


def test_generated_ids_are_unique_and_sorted_by_time(scratch: ScratchWorktree, paths: RepoPaths) -> None:
    made = [checkpoints.create(paths, scratch.head(), plan="p", operation="expand") for _ in range(3)]
    assert len({c.id for c in made}) == 3
    assert made[0].created.endswith("+00:00")
    assert {c.id for c in checkpoints.list_checkpoints(paths)} == {c.id for c in made}


def test_an_existing_id_is_never_overwritten(scratch: ScratchWorktree, paths: RepoPaths) -> None:
    checkpoints.create(paths, scratch.head(), plan="p", operation="o", checkpoint_id="same")
    with pytest.raises(GitError):
        checkpoints.create(paths, "HEAD", plan="p", operation="o", checkpoint_id="same")
    with pytest.raises(PlansmithError):
        checkpoints.create(paths, "HEAD", plan="p", operation="o", checkpoint_id="../escape")


def test_restore_resets_the_scratch_worktree(scratch: ScratchWorktree, paths: RepoPaths) -> None:
    cp = checkpoints.create(paths, scratch.head(), plan="p", operation="o")
    (scratch.path / "specs/plans/001_feature.md").write_text("later\n")
    scratch.commit("later")
    (scratch.path / "specs/plans/001_feature.md").write_text("dirty\n")
    restored = checkpoints.restore(scratch, cp.id)
    assert restored == cp
    assert scratch.head() == cp.commit
    assert scratch.changed_paths() == []
    assert "Phase 1" in (scratch.path / "specs/plans/001_feature.md").read_text()


def test_validate_finds_each_kind_of_damage(scratch: ScratchWorktree, paths: RepoPaths) -> None:
    first = checkpoints.create(paths, scratch.head(), plan="p", operation="o", checkpoint_id="moved")
    (scratch.path / "specs/plans/001_feature.md").write_text("2\n")
    other = scratch.commit("2")
    git_out(paths.worktree, "update-ref", first.ref, other)
    assert checkpoints.validate(paths, "moved") == [
        f"ref {first.ref} points at {other}, recorded {first.commit}"
    ]

    gone = checkpoints.create(paths, other, plan="p", operation="o", checkpoint_id="no-ref")
    git_out(paths.worktree, "update-ref", "-d", gone.ref)
    assert checkpoints.validate(paths, "no-ref") == [f"ref {gone.ref} is missing"]

    tampered = checkpoints.create(paths, other, plan="p", operation="o", checkpoint_id="tree")
    record = paths.state_dir / "checkpoints" / "tree.json"
    data = json.loads(record.read_text())
    data["tree"] = "0" * 40
    record.write_text(json.dumps(data))
    assert "has tree" in checkpoints.validate(paths, "tree")[0]

    checkpoints.create(paths, other, plan="p", operation="o", checkpoint_id="missing")
    data = json.loads((paths.state_dir / "checkpoints" / "missing.json").read_text())
    data["commit"] = "1" * 40
    (paths.state_dir / "checkpoints" / "missing.json").write_text(json.dumps(data))
    assert "missing from the object database" in checkpoints.validate(paths, "missing")[0]
    with pytest.raises(PlansmithError) as info:
        checkpoints.restore(scratch, "missing")
    assert "validate" in info.value.hint
    assert scratch.head() == other  # a refused restore changed nothing

    (paths.state_dir / "checkpoints" / "broken.json").write_text("{not json")
    git_out(paths.worktree, "update-ref", "refs/plansmith/checkpoints/orphan", other)
    report = checkpoints.validate_all(paths)
    assert report["orphan"] == ["ref refs/plansmith/checkpoints/orphan has no record orphan.json"]
    assert report["broken"] and report["moved"] and report["no-ref"] and report["tree"]
    assert report.get("missing") and tampered.id in report


def test_delete_removes_ref_and_record(scratch: ScratchWorktree, paths: RepoPaths) -> None:
    cp = checkpoints.create(paths, scratch.head(), plan="p", operation="o")
    checkpoints.delete(paths, cp.id)
    assert checkpoints.list_checkpoints(paths) == []
    assert git_out(paths.worktree, "for-each-ref", "refs/plansmith/") == ""
    with pytest.raises(PlansmithError):
        checkpoints.delete(paths, cp.id)


def test_delete_refuses_when_the_ref_moved(scratch: ScratchWorktree, paths: RepoPaths) -> None:
    cp = checkpoints.create(paths, scratch.head(), plan="p", operation="o")
    (scratch.path / "specs/plans/001_feature.md").write_text("2\n")
    git_out(paths.worktree, "update-ref", cp.ref, scratch.commit("2"))
    with pytest.raises(GitError):
        checkpoints.delete(paths, cp.id)
    assert (paths.state_dir / "checkpoints" / f"{cp.id}.json").exists()  # kept for inspection


def test_checkpoints_survive_gc(scratch: ScratchWorktree, paths: RepoPaths) -> None:
    (scratch.path / "specs/plans/001_feature.md").write_text("precious\n")
    cp = checkpoints.create(paths, scratch.commit("precious"), plan="p", operation="o")
    scratch.reset_to("main")
    git_out(paths.worktree, "gc", "-q", "--prune=now")
    assert checkpoints.validate(paths, cp.id) == []
    assert scratch.admin_dir.is_dir()  # the prune lock kept gc from removing the scratch worktree
