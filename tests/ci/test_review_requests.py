"""``plansmith ci --open-pr``: a pull request per pushed proposal through ``gh`` (a stand-in on PATH
that records its arguments), created first and updated later; without the tool, the URL to open one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plansmith.ci.review_requests import compare_url, web_location
from plansmith.cli import main

from .helpers import BRANCH, PLAN, TEXT, Remote, ci, install_fake_gh

FAKE_GH = """#!/usr/bin/env python3
import json, os, sys
log, state = os.environ["FAKE_GH_LOG"], os.environ["FAKE_GH_STATE"]
args = sys.argv[1:]
body = sys.stdin.read() if "--body-file" in args else None
with open(log, "a") as f:
    f.write(json.dumps({"args": args, "body": body}) + "\\n")
if args[:2] == ["pr", "list"]:
    print(open(state).read() if os.path.exists(state) else "[]")
elif args[:2] == ["pr", "create"]:
    open(state, "w").write(json.dumps([{"number": 7, "url": "https://github.example/acme/app/pull/7"}]))
    print("https://github.example/acme/app/pull/7")
"""


@pytest.fixture
def fake_gh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return install_fake_gh(tmp_path, monkeypatch, FAKE_GH, "gh-state.json")


def _calls(log: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_open_pr_creates_then_updates_one_pull_request(
    remote: Remote, fake_gh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = ci(capsys, remote.runner(), "--open-pr", "github")
    assert code == 0, doc
    [pushed] = doc["pushed"]  # type: ignore[misc]
    assert pushed["review"] == {
        "action": "created",
        "url": "https://github.example/acme/app/pull/7",
        "detail": None,
    }
    calls = _calls(fake_gh)
    assert [c["args"][:2] for c in calls] == [["pr", "list"], ["pr", "create"]]  # type: ignore[index]
    create = calls[1]["args"]
    assert create[create.index("--head") + 1] == BRANCH and create[create.index("--base") + 1] == "main"  # type: ignore[union-attr]
    assert create[create.index("--title") + 1] == "plansmith: expand phase 2 of 001_feature"  # type: ignore[union-attr]
    body = str(calls[1]["body"])
    assert "### Operations" in body and "`phase_2` | expand | success" in body
    assert "### Analysis before the change" in body and "phase_2" in body
    assert PLAN in body
    assert "### Structure before and after\n\n```mermaid\nflowchart" in body and "Before" in body
    assert body.count("```mermaid") == 1 and body.count("```") == 4  # two fences, none nested
    assert "Plansmith-Plan:" not in body  # the commit's trailers are not for the page

    # New plan content: the proposal is refreshed and its open pull request updated, not a second one.
    remote.write({PLAN: TEXT + "\n### Phase 3: Docs\n- [ ] write them\n"}, "add phase 3")
    code, doc = ci(capsys, remote.runner(), "--open-pr", "github")
    assert code == 0
    assert doc["pushed"][0]["review"]["action"] == "updated"  # type: ignore[index]
    calls = _calls(fake_gh)[2:]
    assert [c["args"][:3] for c in calls] == [["pr", "list", "--head"], ["pr", "edit", "7"]]  # type: ignore[index]
    # Nothing new: nothing pushed, so no request is touched.
    assert ci(capsys, remote.runner(), "--open-pr", "github")[1]["pushed"] == []
    assert len(_calls(fake_gh)) == 4


def test_without_gh_or_a_token_the_run_gives_a_link(
    remote: Remote, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no gh here
    code, doc = ci(capsys, remote.runner(), "--open-pr", "github")
    assert code == 0
    review = doc["pushed"][0]["review"]  # type: ignore[index]
    assert review["action"] == "link" and "gh is not on PATH" in review["detail"]


@pytest.mark.parametrize(
    ("url", "where"),
    [
        ("https://github.com/acme/app.git", ("github.com", "acme/app")),
        ("https://x-access-token:secret@github.com/acme/app", ("github.com", "acme/app")),
        ("git@github.com:acme/app.git", ("github.com", "acme/app")),
        ("ssh://git@gitlab.example.com:2222/group/sub/app.git", ("gitlab.example.com", "group/sub/app")),
        ("/srv/git/app.git", None),
        ("file:///srv/git/app.git", None),
    ],
)
def test_the_web_location_of_a_remote_url(url: str, where: tuple[str, str] | None) -> None:
    assert web_location(url) == where


def test_compare_urls() -> None:
    assert (
        compare_url("github", "git@github.com:acme/app.git", "main", BRANCH)
        == "https://github.com/acme/app/compare/main...plansmith/001_feature?expand=1"
    )
    assert compare_url("gitlab", "https://gitlab.com/g/app.git", "main", BRANCH) == (
        "https://gitlab.com/g/app/-/merge_requests/new?merge_request%5Bsource_branch%5D=plansmith%2F001_feature"
        "&merge_request%5Btarget_branch%5D=main"
    )
    assert compare_url("github", "/srv/git/app.git", "main", BRANCH) is None


def test_without_gh_and_without_a_web_remote_the_text_says_why_there_is_no_link(
    remote: Remote, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no gh here; the remote is a local path
    clone = remote.runner()
    assert main(["--repo", str(clone), "ci", "--open-pr", "github"]) == 0
    out = capsys.readouterr().out.splitlines()
    at = next(i for i, line in enumerate(out) if line.startswith("pushed plansmith/001_feature"))
    assert out[at + 1 : at + 3] == [
        "  review request: none (no link)",
        f"  (gh is not on PATH, and the remote's URL {remote.bare} is not a web host plansmith can link to: "
        "open the request on the host by hand)",
    ]
