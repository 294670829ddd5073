"""``plansmith mcp`` as coding agents use it: a real server process on stdio, driven by the MCP SDK's own
client, on a real repository. Results are the commands' JSON documents; failures are tool errors with
plansmith's message and hint, never a traceback.

This folder has no ``__init__.py`` on purpose: as a package named ``mcp`` it would hide the SDK."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client

PLAN = "specs/plans/001_feature.md"
GROWN = "\n".join(f"- [ ] task {n} in `src/mod{n}.py` with migration and security review" for n in range(16))
TEXT = f"""# Feature: Plan

### Phase 1: Small
- [ ] one

### Phase 2: Large
**Dependencies**: Phase 1
{GROWN}

### Phase 3: Docs
**Dependencies**: Phase 1
- [ ] write them
"""
TOOLS = {
    "analyze",
    "validate",
    "waves",
    "review",
    "expand",
    "collapse",
    "proposals",
    "show_proposal",
    "approve_proposal",
    "reject_proposal",
    "status",
    "next",
    "verify",
}
MAX_DEFINITIONS_BYTES = 12 * 1024


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def repo(make_repo: Callable[..., Path]) -> Path:
    return make_repo({PLAN: TEXT, "specs/plans/002_broken.md": "# Broken: Plan\n\n### Phase 1: A\n- [ ] a\n"})


@asynccontextmanager
async def connected(cwd: Path, *args: str) -> AsyncIterator[ClientSession]:
    env = {key: os.environ[key] for key in ("HOME", "XDG_CONFIG_HOME", "PATH", "GIT_CONFIG_NOSYSTEM")}
    server = StdioServerParameters(
        command=sys.executable, args=["-m", "plansmith", "mcp", *args], cwd=cwd, env=env
    )
    with (cwd.parent / f"{cwd.name}-mcp-stderr.log").open("w") as errlog:
        async with (
            stdio_client(server, errlog=errlog) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            yield session


def drive(cwd: Path, script: Callable[[ClientSession], Awaitable[None]], *args: str) -> None:
    async def main() -> None:
        async with connected(cwd, *args) as session:
            await script(session)

    anyio.run(main)


async def call(session: ClientSession, tool: str, **arguments: Any) -> types.CallToolResult:
    result = await session.call_tool(tool, arguments)
    assert isinstance(result, types.CallToolResult)
    return result


def document(result: types.CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    [content] = result.content
    assert isinstance(content, types.TextContent)
    doc: dict[str, Any] = json.loads(content.text)
    assert result.structured_content == doc
    return doc


def error_text(result: types.CallToolResult) -> str:
    assert result.is_error
    [content] = result.content
    assert isinstance(content, types.TextContent)
    assert "Traceback" not in content.text
    return content.text


def test_the_tools_are_the_documented_set_and_small(repo: Path) -> None:
    async def script(session: ClientSession) -> None:
        listed = await session.list_tools()
        assert {t.name for t in listed.tools} == TOOLS
        size = len(json.dumps(listed.model_dump(mode="json", by_alias=True, exclude_none=True)))
        assert size <= MAX_DEFINITIONS_BYTES, size
        for tool in listed.tools:
            assert tool.description and tool.input_schema["type"] == "object"

    drive(repo, script)


def test_plan_tools_answer_with_the_commands_documents(repo: Path) -> None:
    async def script(session: ClientSession) -> None:
        analysis = document(await call(session, "analyze", plan=PLAN))
        assert analysis["plan"] == PLAN
        phase_2 = next(i for i in analysis["items"] if i["id"] == "phase_2")
        assert phase_2["recommendation"] == "expand"

        problems = document(await call(session, "validate"))
        assert problems["ok"] is True
        broken = "# Broken: Plan\n\n### Phase 1: A\n- [ ] a\n\n### Phase 1: B\n- [ ] b\n"  # twice phase 1
        (repo / "specs/plans/002_broken.md").write_text(broken)
        problems = document(await call(session, "validate", plans=["specs/plans/002_broken.md"]))
        assert problems["ok"] is False and problems["problems"]
        assert {p["path"] for p in problems["problems"]} == {"specs/plans/002_broken.md"}
        assert "duplicate-phase" in {p["code"] for p in problems["problems"]}

        waves = document(await call(session, "waves", plan=PLAN))
        assert waves["waves"] == [[1], [2, 3]] and waves["cycle"] is None
        chart = await call(session, "waves", plan=PLAN, format="mermaid")
        assert not chart.is_error
        [text] = chart.content
        assert isinstance(text, types.TextContent) and text.text.startswith("flowchart")

        review = document(await call(session, "review", plan=PLAN))
        assert isinstance(review, dict)
        assert document(await call(session, "proposals")) == {"proposals": []}
        assert "proposals" in document(await call(session, "status"))

    drive(repo, script)


def test_expand_makes_a_proposal_and_approve_merges_it(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")

    async def script(session: ClientSession) -> None:
        done = document(await call(session, "expand", plan=PLAN, items=["phase_2"]))
        assert done["merged"] is False and done["summary"]["successful"] == 1
        branch = done["proposal"]["branch"]
        assert git(repo, "branch", "--list", branch).strip().endswith(branch)
        assert git(repo, "rev-parse", "HEAD") == head  # the user's branch is untouched

        [listed] = document(await call(session, "proposals"))["proposals"]
        assert listed["id"] == done["proposal"]["id"] and listed["state"] == "open"
        shown = document(await call(session, "show_proposal", id=listed["id"]))
        assert "specs/plans/001_feature/" in shown["diff"]

        approved = document(await call(session, "approve_proposal", id=listed["id"]))
        assert approved["kind"] == "fast-forward"

    drive(repo, script)
    assert git(repo, "rev-parse", "HEAD") != head
    assert (repo / "specs/plans/001_feature/001_feature.md").exists()
    assert git(repo, "branch", "--list", "plansmith/*") == ""


def test_auto_and_reject(repo: Path) -> None:
    async def script(session: ClientSession) -> None:
        done = document(await call(session, "expand", plan=PLAN, auto=True))
        pid = done["proposal"]["id"]
        rejected = document(await call(session, "reject_proposal", id=pid))
        assert rejected == {"rejected": pid, "branch": done["proposal"]["branch"]}
        again = document(await call(session, "expand", plan=PLAN, auto=True))
        assert again["proposal"] is None and "rejected before" in again["skipped"]

    drive(repo, script)


def test_failures_are_tool_errors_with_message_and_hint(repo: Path) -> None:
    async def script(session: ClientSession) -> None:
        missing = await call(session, "analyze", plan="specs/plans/404_missing.md")
        text = error_text(missing)
        assert text.startswith("plansmith: error: ") and "\nhint: " in text
        assert missing.structured_content["error"]["type"] == "unknown-plan"  # type: ignore[index]

        unknown = error_text(await call(session, "expand", plan=PLAN, items=["phase_42"]))
        assert "there is no phase 42" in unknown and "hint: the plan has: phase 1" in unknown
        assert "plansmith: error:" in error_text(await call(session, "expand", plan=PLAN))
        assert "not an item name" in error_text(await call(session, "collapse", plan=PLAN, items=["3"]))
        assert "'id' is required" in error_text(await call(session, "show_proposal"))
        assert "no proposal named" in error_text(await call(session, "approve_proposal", id="nope"))

    drive(repo, script)
    assert git(repo, "branch", "--list", "plansmith/*") == ""


def test_an_agent_not_in_the_users_settings_is_refused(repo: Path, isolated_home: Path) -> None:
    # The repository defines an agent: repositories are untrusted, so it does not count.
    (repo / "plansmith.toml").write_text('[agents.evil]\ncommand = ["sh", "-c", "touch pwned"]\n')
    settings = isolated_home / ".config" / "plansmith" / "config.toml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text('[agents.mine]\ncommand = ["true"]\n')

    async def script(session: ClientSession) -> None:
        for name in ("evil", "nobody"):
            result = await call(session, "expand", plan=PLAN, items=["phase_2"], agent=name)
            text = error_text(result)
            assert f"agent '{name}' is not defined in your settings" in text and "mine" in text
            assert result.structured_content["error"]["type"] == "config"  # type: ignore[index]

    drive(repo, script)
    assert not (repo / "pwned").exists()
    assert git(repo, "branch", "--list", "plansmith/*") == ""


def test_repo_option_serves_another_folder(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    async def script(session: ClientSession) -> None:
        assert document(await call(session, "analyze", plan=PLAN))["plan"] == PLAN

    drive(elsewhere, script, "--repo", str(repo))


def test_several_items_make_one_proposal(repo: Path) -> None:
    async def script(session: ClientSession) -> None:
        done = document(await call(session, "expand", plan=PLAN, items=["phase_2", "phase_3"]))
        assert [o["item"] for o in done["operations"]] == ["phase_2", "phase_3"]
        assert done["summary"] == {"total": 2, "successful": 2, "failed": 0}
        [listed] = document(await call(session, "proposals"))["proposals"]
        assert listed["items"] == ["phase_2", "phase_3"]

    drive(repo, script)


def test_the_sdk_is_imported_only_by_the_mcp_command(repo: Path) -> None:
    probe = (
        "import sys\n"
        "from plansmith.cli import main\n"
        "for args in (['validate'], ['analyze', sys.argv[1]], ['proposals']):\n"
        "    assert main(['--repo', sys.argv[2], *args, '--json']) == 0\n"
        "print(sorted(m for m in sys.modules if m == 'mcp' or m.startswith(('mcp.', 'mcp_types'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, PLAN, str(repo)], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_item_names_take_every_id_form() -> None:
    from plansmith.errors import UsageError
    from plansmith.mcp_server import _items

    parsed = _items(["phase_3", "phase_2.5", "phase_CF-1_stage_2", "phase_5a"])
    assert [(str(p), None if s is None else str(s)) for p, s in parsed] == [
        ("3", None),
        ("2.5", None),
        ("CF-1", "2"),
        ("5a", None),
    ]
    for bad in ("3", "phase_", "phase_3_stage_", "stage_1", "phase 3"):
        with pytest.raises(UsageError):
            _items([bad])


def test_next_and_verify_answer_with_the_commands_documents(repo: Path) -> None:
    """Issue 20: the ready work (with a token budget) and the ticks no commit backs, over the SDK."""
    (repo / PLAN).write_text(TEXT.replace("- [ ] one", "- [x] one in `src/one.py`"))
    git(repo, "commit", "-qam", "tick phase 1")

    async def script(session: ClientSession) -> None:
        ready = document(await call(session, "next", plan=PLAN))
        assert [r["id"] for r in ready["ready"]] == ["phase_2", "phase_3"] and ready["left_out"] == 0
        assert ready["ready"][0]["tasks"][0]["files"] == ["src/mod0.py"]
        trimmed = document(await call(session, "next", budget=60))
        assert 0 < len(trimmed["ready"][0]["tasks"]) < 16 and trimmed["left_out"] > 0
        assert "positive" in error_text(await call(session, "next", budget=0))
        ticks = document(await call(session, "verify"))
        assert ticks == {
            "unbacked": [{"path": PLAN, "line": 4, "task": "one in `src/one.py`", "files": ["src/one.py"]}],
            "backed": 0,
            "unjudged": 0,
        }

    drive(repo, script)
