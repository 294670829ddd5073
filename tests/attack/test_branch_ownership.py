"""Issue 18: repository files are untrusted, so they cannot make plansmith delete the user's branches.

A ``plansmith.toml`` asking for ``proposal_prefix = "wip/"`` is ignored with a warning (a repository's
prefix must lie under ``plansmith/``), and even with such a prefix from the user's own settings,
plansmith deletes only branches whose tip it made.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from git_backend.helpers import git_out

from plansmith.cli import main
from plansmith.config.load import load_settings
from plansmith.errors import ConflictError
from plansmith.git_backend import proposals
from plansmith.git_backend.repo import RepoPaths


def test_a_repository_prefix_outside_plansmith_is_ignored_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "plansmith.toml").write_text('proposal_prefix = "wip/"\n')
    loaded = load_settings(tmp_path)
    assert loaded.settings.proposal_prefix == "plansmith/"
    (warning,) = loaded.warnings
    assert 'proposal_prefix = "wip/" is ignored' in warning and "'plansmith/'" in warning


def test_a_repository_prefix_under_plansmith_is_kept(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.plansmith]\nproposal_prefix = "plansmith/team/"\n')
    loaded = load_settings(tmp_path)
    assert loaded.settings.proposal_prefix == "plansmith/team/"
    assert loaded.warnings == []


def test_reject_cannot_be_pointed_at_the_users_branch_by_the_repository(
    plans_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (plans_repo / "plansmith.toml").write_text('proposal_prefix = "wip/"\n')
    git_out(plans_repo, "add", "plansmith.toml")
    git_out(plans_repo, "commit", "-qm", "a hostile setting")
    git_out(plans_repo, "branch", "wip/002_other")
    tip = git_out(plans_repo, "rev-parse", "wip/002_other")
    monkeypatch.chdir(plans_repo)
    assert main(["proposals", "reject", "002_other"]) == 1
    err = capsys.readouterr().err
    assert "no proposal named '002_other'" in err and "is ignored" in err
    assert "Traceback" not in err
    assert git_out(plans_repo, "rev-parse", "wip/002_other") == tip


def test_plansmith_deletes_only_branches_whose_tip_it_made(paths: RepoPaths, plans_repo: Path) -> None:
    # Even under a prefix the user chose, a branch of the user's own commits is not plansmith's.
    git_out(plans_repo, "branch", "wip/002_other")
    tip = git_out(plans_repo, "rev-parse", "wip/002_other")
    (found,) = proposals.list_proposals(paths, prefix="wip/")
    assert not proposals.owned(found)
    with pytest.raises(ConflictError) as info:
        proposals.reject(paths, "002_other", content_hash=lambda p: "sha256:0", prefix="wip/")
    assert "was not made by plansmith" in info.value.message
    assert "git branch -D wip/002_other" in info.value.hint
    assert git_out(plans_repo, "rev-parse", "wip/002_other") == tip
