"""``plansmith radar`` in real repositories with a bare remote: each finding kind, from local and from
remote-tracking branches; edits to different phases are not reported; renames are followed; nothing
in the repository changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plansmith.cli import main

from .helpers import BASE, Team, git, plan_text, snapshot

EDIT_PHASE_2 = plan_text("base", {1: "set up the schema", 2: "write the API with paging", 3: "ship it"})
OTHER_PHASE_2 = plan_text("base", {1: "set up the schema", 2: "write the API with auth", 3: "ship it"})
EDIT_PHASE_3 = plan_text("base", {1: "set up the schema", 2: "write the API", 3: "ship it on Friday"})


@pytest.fixture
def team(tmp_path: Path) -> Team:
    return Team(tmp_path)


def radar(capsys: pytest.CaptureFixture[str], repo: Path, *args: str) -> tuple[int, dict[str, object]]:
    capsys.readouterr()
    code = main(["radar", "--json", "--repo", str(repo), *args])
    return code, json.loads(capsys.readouterr().out)


def findings(doc: dict[str, object], kind: str) -> list[dict[str, object]]:
    listed = doc["findings"]
    assert isinstance(listed, list)
    return [f for f in listed if f["kind"] == kind]


def test_two_branches_adding_the_same_number_collide_and_the_hint_names_the_next_free_one(
    team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    team.commit("auth", {"specs/plans/002_auth.md": plan_text("auth", {1: "tokens"})}, "auth plan")
    team.commit("billing", {"specs/plans/002_billing.md": plan_text("billing", {1: "invoices"})}, "billing")
    code, doc = radar(capsys, team.dev)
    assert code == 1 and doc["ok"] is False
    (found,) = findings(doc, "number-collision")
    assert found["branches"] == ["auth", "billing"]
    assert found["paths"] == ["specs/plans/002_auth.md", "specs/plans/002_billing.md"]
    assert "003" in str(found["hint"])


def test_a_number_the_default_branch_took_since_the_branch_left_collides(
    team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    team.commit("auth", {"specs/plans/002_auth.md": plan_text("auth", {1: "tokens"})}, "auth plan")
    team.commit("main", {"specs/plans/002_search.md": plan_text("search", {1: "index"})}, "search", new=False)
    team.commit("main", {"specs/plans/003_logs.md": plan_text("logs", {1: "ship"})}, "logs", new=False)
    code, doc = radar(capsys, team.dev)
    (found,) = findings(doc, "number-collision")
    assert code == 1 and found["branches"] == ["auth", "main"]
    assert "004" in str(found["hint"])


def test_two_branches_changing_the_same_phase_collide_naming_both_and_the_phase(
    team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    team.commit("paging", {BASE: EDIT_PHASE_2}, "paging")
    team.commit("auth", {BASE: OTHER_PHASE_2}, "auth")
    code, doc = radar(capsys, team.dev)
    (found,) = findings(doc, "same-phase")
    assert code == 1
    assert (found["branches"], found["plan"], found["item"]) == (["auth", "paging"], "001_base", "phase_2")


def test_changes_to_different_phases_of_one_plan_are_not_reported(
    team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    team.commit("paging", {BASE: EDIT_PHASE_2}, "paging")
    team.commit("friday", {BASE: EDIT_PHASE_3}, "friday")
    code, doc = radar(capsys, team.dev)
    assert (code, doc["findings"], doc["ok"]) == (0, [], True)
    assert sorted(b["branch"] for b in doc["branches"]) == ["friday", "paging"]  # type: ignore[attr-defined]


def test_a_branch_built_on_another_shares_its_change_without_colliding(
    team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    team.commit("paging", {BASE: EDIT_PHASE_2}, "paging")
    team.commit("paging-2", {"README.md": "# more\n"}, "more", start="paging")
    code, doc = radar(capsys, team.dev)
    assert (code, doc["findings"]) == (0, [])


def test_the_same_plan_id_in_two_roots_across_branches_collides(
    team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    team.commit("one", {"specs/plans/007_cache.md": plan_text("cache", {1: "redis"})}, "cache")
    team.commit("two", {".claude/specs/plans/007_cache.md": plan_text("cache", {1: "memcached"})}, "cache")
    code, doc = radar(capsys, team.dev)
    (found,) = findings(doc, "id-collision")
    assert code == 1 and findings(doc, "number-collision") == []
    assert found["plan"] == "007_cache" and found["branches"] == ["one", "two"]


def test_findings_come_from_remote_tracking_branches_too(
    team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    team.commit(
        "auth", {"specs/plans/002_auth.md": plan_text("auth", {1: "tokens"}), BASE: EDIT_PHASE_2}, "a"
    )
    team.commit("billing", {"specs/plans/002_billing.md": plan_text("b", {1: "x"}), BASE: OTHER_PHASE_2}, "b")
    team.commit("one", {"specs/plans/007_cache.md": plan_text("cache", {1: "redis"})}, "cache")
    team.commit("two", {".claude/specs/plans/007_cache.md": plan_text("cache", {1: "memcached"})}, "cache")
    team.push("auth", "billing", "one", "two")
    clone = team.clone("runner")
    code, doc = radar(capsys, clone)
    kinds = sorted(str(f["kind"]) for f in doc["findings"])  # type: ignore[attr-defined]
    assert code == 1 and kinds == ["id-collision", "number-collision", "same-phase"]
    assert findings(doc, "same-phase")[0]["branches"] == ["origin/auth", "origin/billing"]
    _code, only = radar(capsys, clone, "--remote", "origin")
    assert only["findings"] == doc["findings"]


def test_a_local_branch_collides_with_a_remote_tracking_one(
    team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    team.commit("paging", {BASE: EDIT_PHASE_2}, "paging")
    team.push("paging")
    clone = team.clone("mine")
    git(clone, "checkout", "-q", "-b", "auth")
    (clone / BASE).write_text(OTHER_PHASE_2)
    git(clone, "commit", "-qam", "auth")
    git(clone, "checkout", "-q", "main")
    _code, doc = radar(capsys, clone)
    assert findings(doc, "same-phase")[0]["branches"] == ["auth", "origin/paging"]


def test_a_renamed_plan_is_followed_to_its_new_name(team: Team, capsys: pytest.CaptureFixture[str]) -> None:
    team.move("rename", BASE, "specs/plans/001_core.md", EDIT_PHASE_2.replace("base", "core"))
    team.commit("auth", {BASE: OTHER_PHASE_2}, "auth")
    _code, doc = radar(capsys, team.dev)
    (found,) = findings(doc, "same-phase")
    assert (found["plan"], found["item"], found["branches"]) == ("001_base", "phase_2", ["auth", "rename"])
    assert findings(doc, "number-collision") == []  # a rename adds no plan


def test_a_plan_renumbered_by_a_rename_claims_its_new_number(
    team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    team.commit("auth", {"specs/plans/002_auth.md": plan_text("auth", {1: "tokens"})}, "auth plan")
    team.move("renumber", BASE, "specs/plans/002_base.md")
    code, doc = radar(capsys, team.dev)
    (found,) = findings(doc, "number-collision")
    assert code == 1 and found["branches"] == ["auth", "renumber"]
    assert found["paths"] == ["specs/plans/002_auth.md", "specs/plans/002_base.md"]
    assert "003" in str(found["hint"])


def test_a_renumbering_into_a_number_the_default_branch_took_collides(
    team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    team.move("renumber", BASE, "specs/plans/002_base.md")
    team.commit("main", {"specs/plans/002_search.md": plan_text("search", {1: "index"})}, "search", new=False)
    code, doc = radar(capsys, team.dev)
    (found,) = findings(doc, "number-collision")
    assert code == 1 and found["branches"] == ["main", "renumber"]


def test_a_plan_moved_into_its_folder_is_the_same_plan(
    team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    team.move("folder", BASE, "specs/plans/001_base/001_base.md")
    team.commit("friday", {BASE: EDIT_PHASE_3}, "friday")
    code, doc = radar(capsys, team.dev)
    assert (code, doc["findings"]) == (0, [])


def test_proposal_branches_and_merged_branches_are_left_out(
    team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    team.commit("plansmith/001_base", {BASE: EDIT_PHASE_2}, "a proposal")
    team.commit("auth", {BASE: OTHER_PHASE_2}, "auth")
    git(team.dev, "branch", "old", "main")
    code, doc = radar(capsys, team.dev)
    assert (code, doc["findings"]) == (0, [])
    branches = {b["branch"]: b["merge_base"] for b in doc["branches"]}  # type: ignore[attr-defined]
    assert set(branches) == {"auth", "old"} and branches["old"] is None


def test_radar_writes_nothing_to_the_repository(team: Team, capsys: pytest.CaptureFixture[str]) -> None:
    team.commit(
        "auth", {"specs/plans/002_auth.md": plan_text("auth", {1: "tokens"}), BASE: EDIT_PHASE_2}, "a"
    )
    team.commit("billing", {"specs/plans/002_billing.md": plan_text("b", {1: "x"}), BASE: OTHER_PHASE_2}, "b")
    team.push("auth")
    (team.dev / "README.md").write_text("uncommitted work\n")
    before = snapshot(team.dev)
    radar(capsys, team.dev)
    assert main(["radar", "--repo", str(team.dev)]) == 1
    assert snapshot(team.dev) == before


def test_the_text_report_names_each_finding_and_its_hint(
    team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    team.commit("paging", {BASE: EDIT_PHASE_2}, "paging")
    team.commit("auth", {BASE: OTHER_PHASE_2}, "auth")
    assert main(["radar", "--repo", str(team.dev)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "same-phase: auth and paging both change phase_2 of 001_base"
    assert out[1].startswith("  hint: ") and out[-1] == "2 branches compared with main: 1 collision"


def test_an_unknown_remote_is_a_clear_error(team: Team, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["radar", "--repo", str(team.dev), "--remote", "upstream"]) == 1
    err = capsys.readouterr().err
    assert "no remote named 'upstream'" in err and "Traceback" not in err
