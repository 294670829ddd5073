"""Pull requests (GitHub) and merge requests (GitLab) for the proposals a CI run pushed.

With the host's command-line tool (``gh``, ``glab``) on ``PATH`` and its token in the environment, one
request per proposal branch is opened, or updated when one is open already; without them, the URL that
opens one by hand is derived from the remote's URL. The body says what the proposal does: its
operations, the analysis and the plan's structure before and after (a Mermaid picture the hosts draw).

Runs ``gh``/``glab`` with argument lists, the body on stdin or as one argument, never through a shell;
looks only at whether a token is set, never at its value. A failure is reported, not raised: the
proposal is pushed either way.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote, urlsplit

from plansmith.errors import PlansmithError
from plansmith.git_backend import proposals
from plansmith.plan.complexity import analyze_plan
from plansmith.plan.mermaid import structure_change_block
from plansmith.render.analysis_table import analysis_text
from plansmith.snapshot import Snapshot

if TYPE_CHECKING:
    from plansmith.ci.pending import Pending
    from plansmith.plan.collisions import Finding
    from plansmith.workspace import Workspace

Host = Literal["github", "gitlab"]
HOSTS: tuple[Host, ...] = ("github", "gitlab")
TOOLS: dict[str, tuple[str, tuple[str, ...]]] = {
    "github": ("gh", ("GH_TOKEN", "GITHUB_TOKEN")),
    "gitlab": ("glab", ("GITLAB_TOKEN",)),
}
TIMEOUT_S = 120.0
# What a failing tool run raises (callers report it, never raise it on).
TOOL_FAILURES = (OSError, subprocess.SubprocessError, ValueError)
_SCP_LIKE = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>[^/].*)$")


@dataclass(frozen=True, slots=True)
class ReviewRequest:
    action: Literal["created", "updated", "link", "failed"]
    url: str | None
    detail: str = ""

    def as_json(self) -> dict[str, str | None]:
        return {"action": self.action, "url": self.url, "detail": self.detail or None}


def web_location(remote_url: str) -> tuple[str, str] | None:
    """``(host, owner/repo)`` of a remote URL (https, ssh or scp-like), or ``None`` for a local path."""
    if "://" in remote_url:
        parts = urlsplit(remote_url)
        if parts.scheme not in ("https", "http", "ssh", "git") or not parts.hostname:
            return None
        host, path = parts.hostname, parts.path
    else:
        match = _SCP_LIKE.match(remote_url)
        if match is None:
            return None
        host, path = match["host"], match["path"]
    path = path.strip("/").removesuffix(".git")
    return (host, path) if "/" in path else None


def compare_url(host_kind: str, remote_url: str, base: str, branch: str) -> str | None:
    """The page that opens a request from ``branch`` into ``base`` by hand, or ``None`` when unknown."""
    where = web_location(remote_url)
    if where is None:
        return None
    host, path = where
    if host_kind == "gitlab":
        query = (
            f"merge_request%5Bsource_branch%5D={quote(branch, safe='')}"
            f"&merge_request%5Btarget_branch%5D={quote(base, safe='')}"
        )
        return f"https://{host}/{path}/-/merge_requests/new?{query}"
    return f"https://{host}/{path}/compare/{quote(base, safe='/')}...{quote(branch, safe='/')}?expand=1"


def request_review(
    ws: Workspace,
    host_kind: str,
    remote_url: str,
    base: str,
    pending: Pending,
    environ: Mapping[str, str],
    findings: Sequence[Finding] = (),
) -> ReviewRequest:
    """Open or update the request for one pushed proposal, or give the URL to open it by hand;
    ``findings``: the radar's, those about this plan go into the body."""
    tool, tokens = TOOLS[host_kind]
    program = shutil.which(tool, path=environ.get("PATH"))
    if program is None or not any(environ.get(name) for name in tokens):
        link = compare_url(host_kind, remote_url, base, pending.branch)
        missing = f"{tool} is not on PATH" if program is None else f"none of {', '.join(tokens)} is set"
        if link is None:  # a local path or an unknown scheme: there is no web page to point at
            why = f"the remote's URL {remote_url} is not a web host plansmith can link to"
            return ReviewRequest("link", None, f"{missing}, and {why}: open the request on the host by hand")
        return ReviewRequest("link", link, f"{missing}: open the request by hand")
    title, body = describe(ws, pending)
    body += collisions_section(pending, findings)
    where = web_location(remote_url)
    repo_arg = [] if where is None else ["--repo", "/".join(where)]
    run = _Runner(program, str(ws.root), environ)
    try:
        if host_kind == "gitlab":
            return _gitlab(run, repo_arg, base, pending.branch, title, body)
        return _github(run, repo_arg, base, pending.branch, title, body)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        return ReviewRequest("failed", compare_url(host_kind, remote_url, base, pending.branch), str(exc))


class _Runner:
    def __init__(self, program: str, cwd: str, environ: Mapping[str, str]) -> None:
        self.program, self.cwd, self.env = program, cwd, dict(environ)

    def __call__(self, args: Sequence[str], stdin: str | None = None) -> str:
        proc = subprocess.run(
            [self.program, *args],
            cwd=self.cwd,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        if proc.returncode != 0:
            raise ValueError(f"{args[0]} {args[1]} failed: {(proc.stderr or proc.stdout).strip()[:500]}")
        return proc.stdout.strip()


def _github(run: _Runner, repo: list[str], base: str, branch: str, title: str, body: str) -> ReviewRequest:
    found = json.loads(
        run(
            ["pr", "list", *repo, "--head", branch, "--base", base, "--state", "open", "--json", "number,url"]
        )
        or "[]"
    )
    if found:
        number, url = str(found[0]["number"]), found[0].get("url")
        run(["pr", "edit", number, *repo, "--title", title, "--body-file", "-"], stdin=body)
        return ReviewRequest("updated", url)
    out = run(
        ["pr", "create", *repo, "--head", branch, "--base", base, "--title", title, "--body-file", "-"], body
    )
    return ReviewRequest("created", out.splitlines()[-1] if out else None)


def _gitlab(run: _Runner, repo: list[str], base: str, branch: str, title: str, body: str) -> ReviewRequest:
    listing = ["mr", "list", *repo, "--source-branch", branch, "--target-branch", base, "--output", "json"]
    found = json.loads(run(listing) or "[]")
    if found:
        iid, url = str(found[0]["iid"]), found[0].get("web_url")
        run(["mr", "update", iid, *repo, "--title", title, "--description", body])
        return ReviewRequest("updated", url)
    create = ["mr", "create", *repo, "--source-branch", branch, "--target-branch", base]
    out = run([*create, "--title", title, "--description", body, "--yes"])
    return ReviewRequest("created", out.splitlines()[-1] if out else None)


def describe(ws: Workspace, pending: Pending) -> tuple[str, str]:
    """The request's title and body: the operations, the analysis, the structure before and after.

    Made from the plan at the proposal's base and tip, not parsed out of the commit message (whose
    layout is for people reading ``git log``, not for a Markdown page).
    """

    repo, prefix = ws.require_repo(), ws.settings.proposal_prefix
    subject = proposals.message(repo, pending.id, prefix=prefix).partition("\n")[0]
    rows = [
        f"| `{op.item}` | {op.operation} | {op.status} | {(op.error or '').replace('|', '/')} |"
        for op in pending.outcome.operations
    ]
    parts = [
        f"plansmith proposes this change to `{pending.plan.location.main_path}`. Merge to approve it; "
        "close the request **and delete the branch** to reject it (the same plan content is then not "
        "proposed again).",
        "### Operations\n\n| item | operation | status | note |\n| --- | --- | --- | --- |\n"
        + "\n".join(rows),
    ]
    parts += _analysis_and_structure(ws, pending)
    return subject, "\n\n".join(parts) + "\n"


def _analysis_and_structure(ws: Workspace, pending: Pending) -> list[str]:
    """The analysis table before the change and the Mermaid before/after (nothing when unreadable)."""

    try:  # the proposal commit's parent is the base it was made from
        before = Snapshot.at(ws, f"{pending.commit}^").plan(pending.plan.id)
        after = Snapshot.at(ws, pending.commit).plan(pending.plan.id)
    except PlansmithError:
        return []
    if before is None or after is None:
        return []
    limits = ws.settings.thresholds
    analysis, after_analysis = analyze_plan(before, limits), analyze_plan(after, limits)
    table = analysis_text(analysis).rstrip("\n").replace("`", "'")  # a title cannot end the fence
    block = structure_change_block(before, analysis, after, after_analysis)
    return [
        f"### Analysis before the change\n\n```text\n{table}\n```",
        f"### Structure before and after\n\n{block}",
    ]


def collisions_section(pending: Pending, findings: Sequence[Finding]) -> str:
    """The radar's findings about this proposal's plan, as a section of the body ("" when none)."""
    plan = pending.plan
    mine = [f for f in findings if f.plan == plan.id or plan.location.main_path in f.paths]
    if not mine:
        return ""
    lines = [f"- **{f.kind}**: {f.message}. {f.hint}." for f in mine]
    return "\n### Collisions with other branches\n\n" + "\n".join(lines) + "\n"
