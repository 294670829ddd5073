"""Publish the dashboard: one issue edited in place, or one file on a branch of the remote.

With the host's tool (``gh``/``glab``) on ``PATH`` and its token set, the dashboard is the one open issue
titled "plansmith dashboard": created the first time, its body edited when the document changed, left
alone when it did not (no edit call). Without them it is ``DASHBOARD.md`` on the remote's branch
``plansmith/dashboard``: a new commit on top of the last one, pushed with a lease like every proposal,
only when the file's content changed; a lost race fetches again and retries.

The tools run through :class:`plansmith.ci.review_requests._Runner` (argument lists, never a shell);
only whether a token is set is looked at, never its value. Writes only the dashboard branch on the
remote (never a local branch, the index or a working tree) and the issue.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from plansmith.ci.dashboard import DASHBOARD_BRANCH, dashboard_data
from plansmith.ci.review_requests import TOOL_FAILURES, TOOLS, _Runner, web_location
from plansmith.errors import GitError
from plansmith.git_backend.remote import (
    RefUpdate,
    commit_files,
    fetch_refs,
    push_with_lease,
    read_file_at,
)
from plansmith.render.dashboard_markdown import TITLE, render

if TYPE_CHECKING:
    from plansmith.plan.collisions import Finding
    from plansmith.workspace import Workspace

DASHBOARD_REF = f"refs/heads/{DASHBOARD_BRANCH}"
FILE_NAME = "DASHBOARD.md"
PUSH_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class DashboardResult:
    action: Literal["created", "updated", "unchanged", "failed"]
    mode: Literal["issue", "branch"]
    where: str | None  # the issue's URL, or the branch
    detail: str = ""

    def as_json(self) -> dict[str, str | None]:
        return {"action": self.action, "mode": self.mode, "where": self.where, "detail": self.detail or None}


def host_of(remote_url: str, open_pr: str | None) -> str:
    """The kind of host the dashboard issue lives on: ``--open-pr``'s, else guessed from the URL."""
    if open_pr is not None:
        return open_pr
    where = web_location(remote_url)
    return "gitlab" if where is not None and "gitlab" in where[0] else "github"


def publish(
    ws: Workspace, remote: str, remote_url: str, host_kind: str, text: str, environ: Mapping[str, str]
) -> DashboardResult:
    """Put ``text`` where the team looks (see the module doc); never raises for a tool's failure."""
    tool, tokens = TOOLS[host_kind]
    program = shutil.which(tool, path=environ.get("PATH"))
    if program is None or not any(environ.get(name) for name in tokens):
        return publish_to_branch(ws, remote, text)
    where = web_location(remote_url)
    repo_arg = [] if where is None else ["--repo", "/".join(where)]
    run = _Runner(program, str(ws.root), environ)
    try:
        if host_kind == "gitlab":
            return _gitlab_issue(run, repo_arg, text)
        return _github_issue(run, repo_arg, text)
    except TOOL_FAILURES as exc:
        return DashboardResult("failed", "issue", None, str(exc))


def _github_issue(run: _Runner, repo: list[str], text: str) -> DashboardResult:
    listing = ["issue", "list", *repo, "--state", "open", "--search", f"{TITLE} in:title"]
    found = [
        i
        for i in json.loads(run([*listing, "--json", "number,title,body,url"]) or "[]")
        if i.get("title") == TITLE
    ]
    if found:
        issue = found[0]
        if str(issue.get("body", "")).strip() == text.strip():
            return DashboardResult("unchanged", "issue", issue.get("url"))
        run(["issue", "edit", str(issue["number"]), *repo, "--body-file", "-"], stdin=text)
        return DashboardResult("updated", "issue", issue.get("url"))
    out = run(["issue", "create", *repo, "--title", TITLE, "--body-file", "-"], stdin=text)
    return DashboardResult("created", "issue", out.splitlines()[-1] if out else None)


def _gitlab_issue(run: _Runner, repo: list[str], text: str) -> DashboardResult:
    listing = ["issue", "list", *repo, "--search", TITLE, "--output", "json"]
    found = [
        i for i in json.loads(run(listing) or "[]") if i.get("title") == TITLE and i.get("state") != "closed"
    ]
    if found:
        issue = found[0]
        if str(issue.get("description", "")).strip() == text.strip():
            return DashboardResult("unchanged", "issue", issue.get("web_url"))
        run(["issue", "update", str(issue["iid"]), *repo, "--description", text])
        return DashboardResult("updated", "issue", issue.get("web_url"))
    out = run(["issue", "create", *repo, "--title", TITLE, "--description", text, "--yes"])
    return DashboardResult("created", "issue", out.splitlines()[-1] if out else None)


def publish_to_branch(ws: Workspace, remote: str, text: str) -> DashboardResult:
    """``DASHBOARD.md`` on the remote's ``plansmith/dashboard``: a commit only when the file changed."""

    repo = ws.require_repo()
    data = text.encode("utf-8")
    why = ""
    for _attempt in range(PUSH_ATTEMPTS):
        try:
            # A pattern, so that a remote without the branch yet is no error (the '*' matches nothing).
            old = fetch_refs(repo, remote, [f"{DASHBOARD_REF}*"]).get(DASHBOARD_REF)
            if old is not None and read_file_at(repo, old, FILE_NAME) == data:
                return DashboardResult("unchanged", "branch", DASHBOARD_BRANCH)
            commit = commit_files(
                repo,
                {FILE_NAME: data},
                parent=old,
                message="plansmith: dashboard",
                author=ws.settings.commit.author,
            )
            (result,) = push_with_lease(repo, remote, [RefUpdate(DASHBOARD_REF, commit, old)])
        except GitError as exc:
            return DashboardResult("failed", "branch", DASHBOARD_BRANCH, exc.message)
        if result.pushed:
            return DashboardResult("created" if old is None else "updated", "branch", DASHBOARD_BRANCH)
        why = result.summary  # someone else moved it meanwhile: look again
    return DashboardResult(
        "failed", "branch", DASHBOARD_BRANCH, f"the branch kept changing on {remote}: {why}"
    )


def refresh(
    ws: Workspace,
    remote: str,
    remote_url: str,
    branch: str,
    open_pr: str | None,
    findings: Sequence[Finding],
    environ: Mapping[str, str],
) -> DashboardResult:
    """Gather, render and publish the dashboard of ``branch`` (what ``plansmith ci --dashboard`` does)."""

    host_kind = host_of(remote_url, open_pr)
    where = web_location(remote_url)
    web = None if where is None else (host_kind, *where)
    # HEAD: the commit this run read the plans from (a CI checkout may have no local branch).
    text = render(dashboard_data(ws, branch=branch, rev="HEAD", findings=findings, web=web))
    return publish(ws, remote, remote_url, host_kind, text, environ)
