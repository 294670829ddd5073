"""``plansmith ci --dashboard`` and ``plansmith dashboard``: one document of every plan, kept up to date.

Without ``gh`` it is ``DASHBOARD.md`` on the remote's ``plansmith/dashboard`` (a commit only when the
file changed); with a stand-in ``gh`` on PATH and a token it is one issue, created once and edited only
when its body changed. Real git, a bare remote, real processes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plansmith.cli import main

from .helpers import BRANCH, PLAN, TEXT, Remote, ci, git, install_fake_gh, remote_refs

DASHBOARD = "refs/heads/plansmith/dashboard"
FAKE_GH = """#!/usr/bin/env python3
import json, os, sys
log, state = os.environ["FAKE_GH_LOG"], os.environ["FAKE_GH_STATE"]
args = sys.argv[1:]
body = sys.stdin.read() if "--body-file" in args else None
with open(log, "a") as f:
    f.write(json.dumps({"args": args, "body": body}) + "\\n")
issues = json.load(open(state)) if os.path.exists(state) else []
if args[:2] == ["issue", "list"]:
    print(json.dumps(issues))
elif args[:2] == ["issue", "create"]:
    url = "https://github.example/acme/app/issues/3"
    issues.append({"number": 3, "title": args[args.index("--title") + 1], "body": body, "url": url})
    json.dump(issues, open(state, "w"))
    print(url)
elif args[:2] == ["issue", "edit"]:
    for issue in issues:
        if str(issue["number"]) == args[2]:
            issue["body"] = body
    json.dump(issues, open(state, "w"))
elif args[:2] == ["pr", "list"]:
    print("[]")
elif args[:2] == ["pr", "create"]:
    print("https://github.example/acme/app/pull/7")
"""


@pytest.fixture
def fake_gh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return install_fake_gh(tmp_path, monkeypatch, FAKE_GH, "gh-issues.json")


def _calls(log: Path) -> list[list[str]]:
    return [json.loads(line)["args"] for line in log.read_text().splitlines()]


def _dashboard_file(remote: Remote) -> str:
    return git(remote.bare, "show", f"{DASHBOARD}:DASHBOARD.md")


def test_the_first_run_creates_the_file_and_a_second_run_changes_nothing(
    remote: Remote, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = ci(capsys, remote.runner(), "--dashboard")
    assert code == 0 and doc["dashboard"] == {
        "action": "created",
        "mode": "branch",
        "where": "plansmith/dashboard",
        "detail": None,
    }
    first = remote_refs(remote.bare)[DASHBOARD]
    text = _dashboard_file(remote)
    assert text.startswith("# plansmith dashboard\n") and f"`{BRANCH.removeprefix('plansmith/')}`" in text
    assert "## Open proposals (1)" in text and "```mermaid\nflowchart TB" in text
    assert "| `001_feature` | 0/17 (0%) |" in text

    code, doc = ci(capsys, remote.runner(), "--dashboard")
    assert doc["dashboard"]["action"] == "unchanged"  # type: ignore[index]
    assert remote_refs(remote.bare)[DASHBOARD] == first  # no new commit


def test_a_change_updates_the_file_with_a_commit_on_top(
    remote: Remote, capsys: pytest.CaptureFixture[str]
) -> None:
    ci(capsys, remote.runner(), "--dashboard")
    first = remote_refs(remote.bare)[DASHBOARD]
    remote.write({PLAN: TEXT.replace("- [ ] one", "- [x] one")}, "phase 1 done")
    _code, doc = ci(capsys, remote.runner(), "--dashboard")
    assert doc["dashboard"]["action"] == "updated"  # type: ignore[index]
    second = remote_refs(remote.bare)[DASHBOARD]
    assert git(remote.bare, "rev-parse", f"{second}^") == first
    assert "| `001_feature` | 1/17 (5%) |" in _dashboard_file(remote)


def test_with_gh_and_a_token_it_is_one_issue_edited_in_place(
    remote: Remote, fake_gh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = ci(capsys, remote.runner(), "--dashboard")
    assert code == 0 and doc["dashboard"]["action"] == "created"  # type: ignore[index]
    assert doc["dashboard"]["where"] == "https://github.example/acme/app/issues/3"  # type: ignore[index]
    calls = _calls(fake_gh)
    create = next(c for c in calls if c[:2] == ["issue", "create"])
    assert create[create.index("--title") + 1] == "plansmith dashboard"
    assert DASHBOARD not in remote_refs(remote.bare)  # no file when the issue exists

    fake_gh.write_text("")
    _code, doc = ci(capsys, remote.runner(), "--dashboard")
    assert doc["dashboard"]["action"] == "unchanged"  # type: ignore[index]
    assert [c[:2] for c in _calls(fake_gh)] == [["issue", "list"]]  # no edit call

    remote.write({PLAN: TEXT.replace("- [ ] one", "- [x] one")}, "phase 1 done")
    fake_gh.write_text("")
    _code, doc = ci(capsys, remote.runner(), "--dashboard")
    assert doc["dashboard"]["action"] == "updated"  # type: ignore[index]
    edits = [json.loads(line) for line in fake_gh.read_text().splitlines() if '"edit"' in line]
    (edit,) = edits
    assert edit["args"][:3] == ["issue", "edit", "3"] and "| `001_feature` | 1/17 (5%) |" in edit["body"]


def test_radar_findings_reach_the_dashboard_and_the_review_request(
    remote: Remote, fake_gh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    grown = TEXT + "\n### Phase 3: Docs\n- [ ] write the docs\n"
    remote.write({PLAN: grown.replace("Docs", "Manual")}, "manual", branch="team/manual")
    git(remote.dev, "checkout", "-q", "main")
    git(remote.dev, "reset", "-q", "--hard", "origin/main")
    remote.write({PLAN: grown}, "docs", branch="team/docs")
    git(remote.dev, "checkout", "-q", "main")
    git(remote.dev, "reset", "-q", "--hard", "origin/main")
    runner = remote.runner()
    code, doc = ci(capsys, runner, "--open-pr", "github", "--dashboard")
    assert code == 0
    (finding,) = doc["radar"]  # type: ignore[misc]
    assert finding["kind"] == "same-phase" and finding["item"] == "phase_3"
    calls = [json.loads(line) for line in fake_gh.read_text().splitlines()]
    pr = next(c for c in calls if c["args"][:2] == ["pr", "create"])
    assert "### Collisions with other branches" in pr["body"] and "phase_3" in pr["body"]
    issue = next(c for c in calls if c["args"][:2] == ["issue", "create"])
    assert "## Collisions across branches (1)" in issue["body"]


def test_plansmith_dashboard_prints_the_same_document_locally(
    remote: Remote, capsys: pytest.CaptureFixture[str]
) -> None:
    runner = remote.runner()
    ci(capsys, runner, "--dashboard")
    git(runner, "fetch", "-q", "origin")
    assert main(["dashboard", "--repo", str(runner)]) == 0
    assert capsys.readouterr().out == _dashboard_file(remote) + "\n"


def test_a_rejected_proposal_is_remembered_and_its_phase_waits_with_the_reason(
    remote: Remote, capsys: pytest.CaptureFixture[str]
) -> None:
    ci(capsys, remote.runner())
    git(remote.dev, "push", "-q", "origin", f":{BRANCH}")  # rejected: deleted without being merged
    code, doc = ci(capsys, remote.runner(), "--dashboard")
    assert code == 0 and doc["dashboard"]["action"] == "created"  # type: ignore[index]
    text = _dashboard_file(remote)
    assert "## Open proposals (0)" in text and "## Rejected content remembered (1)" in text
    assert "| `specs/plans/001_feature.md` | `001_feature` |" in text
    assert (
        "| `001_feature` | `phase_2` |" in text
        and "rejected: a proposal for this content was deleted" in text
    )


FAKE_GLAB = """#!/usr/bin/env python3
import json, os, sys
log, state = os.environ["FAKE_GH_LOG"], os.environ["FAKE_GH_STATE"]
args = sys.argv[1:]
with open(log, "a") as f:
    f.write(json.dumps({"args": args}) + "\\n")
issues = json.load(open(state)) if os.path.exists(state) else []
if args[:2] == ["issue", "list"] or args[:2] == ["mr", "list"]:
    print(json.dumps(issues if args[0] == "issue" else []))
elif args[:2] == ["issue", "create"]:
    url = "https://gitlab.example/acme/app/-/issues/5"
    text = args[args.index("--description") + 1]
    issues.append({"iid": 5, "title": args[args.index("--title") + 1], "description": text, "web_url": url})
    json.dump(issues, open(state, "w"))
    print(url)
elif args[:2] == ["issue", "update"]:
    issues[0]["description"] = args[args.index("--description") + 1]
    json.dump(issues, open(state, "w"))
elif args[:2] == ["mr", "create"]:
    print("https://gitlab.example/acme/app/-/merge_requests/9")
"""


def test_with_glab_and_a_token_it_is_one_gitlab_issue(
    remote: Remote, fake_gh: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    glab = fake_gh.parent / "bin" / "glab"
    glab.write_text(FAKE_GLAB)
    glab.chmod(0o755)
    monkeypatch.setenv("GITLAB_TOKEN", "not-a-real-token")
    _code, doc = ci(capsys, remote.runner(), "--open-pr", "gitlab", "--dashboard")
    assert doc["dashboard"]["action"] == "created"  # type: ignore[index]
    assert doc["dashboard"]["where"] == "https://gitlab.example/acme/app/-/issues/5"  # type: ignore[index]
    fake_gh.write_text("")
    _code, doc = ci(capsys, remote.runner(), "--open-pr", "gitlab", "--dashboard")
    assert doc["dashboard"]["action"] == "unchanged"  # type: ignore[index]
    assert not any(c[:2] == ["issue", "update"] for c in _calls(fake_gh))
    remote.write({PLAN: TEXT.replace("- [ ] one", "- [x] one")}, "phase 1 done")
    _code, doc = ci(capsys, remote.runner(), "--open-pr", "gitlab", "--dashboard")
    assert doc["dashboard"]["action"] == "updated"  # type: ignore[index]
    (update,) = [c for c in _calls(fake_gh) if c[:2] == ["issue", "update"]]
    assert update[2] == "5" and "1/17 (5%)" in update[update.index("--description") + 1]


def test_the_text_report_says_where_the_dashboard_went(
    remote: Remote, capsys: pytest.CaptureFixture[str]
) -> None:
    runner = remote.runner()
    assert main(["--repo", str(runner), "ci", "--dashboard"]) == 0
    assert "dashboard created: branch plansmith/dashboard" in capsys.readouterr().out
    assert main(["--repo", str(runner), "ci", "--dashboard"]) == 0
    assert "dashboard unchanged: branch plansmith/dashboard" in capsys.readouterr().out


def test_status_drift_is_shown_per_plan(remote: Remote, capsys: pytest.CaptureFixture[str]) -> None:
    """A marker that lies about its boxes shows in the drift column (the rules of `validate`)."""
    lying = TEXT.replace("### Phase 1: Small", "### Phase 1: Small [COMPLETED]")
    remote.write({PLAN: lying}, "phase 1 marked done, its box still open")
    ci(capsys, remote.runner(), "--dashboard")
    board = _dashboard_file(remote)
    assert "| plan | tasks done | status drift |" in board
    assert "| `001_feature` | 0/17 (0%) | 1 marker disagrees: phase 1 |" in board
    assert "| `002_small` | 0/1 (0%) | none |" in board
