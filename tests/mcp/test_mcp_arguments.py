"""Issue 18 (and 17's MCP messages): every tool argument's type and size is checked before anything runs.

``"false"`` is not false, ``42`` is no plan, a 300-character plan is an unknown plan (not an internal
error), an item named twice is one operation, and hints name the tool's arguments, never ``--help``.
Driven by the MCP SDK's own client against a real server process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp import ClientSession
from test_mcp_server import PLAN, call, document, drive, error_text, git, repo

from plansmith.errors import UsageError
from plansmith.mcp_arguments import check_arguments

__all__ = ["repo"]  # the fixture, shared with test_mcp_server


def error_of(result: Any) -> dict[str, Any]:
    error_text(result)  # a tool error, with no traceback
    error: dict[str, Any] = result.structured_content["error"]
    return error


def test_wrong_types_and_sizes_are_tool_errors_naming_the_arguments(repo: Path) -> None:
    async def script(session: ClientSession) -> None:
        auto = error_of(await call(session, "expand", plan=PLAN, auto="false"))
        assert auto["type"] == "usage"
        assert auto["message"] == (
            "the argument 'auto' must be true or false (a JSON boolean), not a string 'false'"
        )
        assert auto["hint"].startswith("the arguments of expand: plan (string, required), items (list")
        strict = error_of(await call(session, "validate", strict="false"))
        assert "'strict' must be true or false" in strict["message"]
        number = error_of(await call(session, "analyze", plan=42))
        assert number["message"] == "the argument 'plan' must be a string, not a number 42"
        assert "--help" not in number["hint"] and "the arguments of analyze: plan" in number["hint"]
        long_name = error_of(await call(session, "analyze", plan="a" * 300))
        assert long_name["type"] == "unknown-plan"
        too_long = error_of(await call(session, "analyze", plan="a" * 2000))
        assert too_long["message"] == "the argument 'plan' is 2000 characters long; at most 1024 are taken"
        many = error_of(await call(session, "expand", plan=PLAN, items=["phase_2"] * 65))
        assert "at most 64" in many["message"]
        unknown = error_of(await call(session, "analyze", plan=PLAN, plans=[PLAN]))
        assert unknown["message"] == "analyze takes no argument 'plans'"
        neither = error_of(await call(session, "expand", plan=PLAN))
        assert "--help" not in (neither["hint"] or "") and "the arguments of expand" in neither["hint"]
        fmt = error_of(await call(session, "waves", plan=PLAN, format="svg"))
        assert fmt["message"] == "the argument 'format' must be one of json, mermaid, not 'svg'"

    drive(repo, script)
    assert git(repo, "branch", "--list", "plansmith/*") == ""  # "false" made no proposal


def test_hints_name_tools_not_command_lines(repo: Path) -> None:
    async def script(session: ClientSession) -> None:
        missing = error_of(await call(session, "approve_proposal", id="nope"))
        assert missing["hint"] == "call the proposals tool"
        unknown_tool = error_of(await call(session, "frobnicate"))
        assert "plansmith " not in (unknown_tool["hint"] or "")

    drive(repo, script)


def test_an_item_named_twice_is_one_operation(repo: Path) -> None:
    async def script(session: ClientSession) -> None:
        doc = document(await call(session, "expand", plan=PLAN, items=["phase_2", "phase_2"]))
        assert [o["item"] for o in doc["operations"]] == ["phase_2"]
        assert doc["summary"]["failed"] == 0

    drive(repo, script)
    assert git(repo, "branch", "--list", "plansmith/*") == "plansmith/001_feature"


def test_approve_proposal_is_marked_destructive(repo: Path) -> None:
    async def script(session: ClientSession) -> None:
        tools = {t.name: t for t in (await session.list_tools()).tools}
        for name in ("approve_proposal", "reject_proposal"):
            annotations = tools[name].annotations
            assert annotations is not None and annotations.destructive_hint is True

    drive(repo, script)


SCHEMA = {
    "type": "object",
    "properties": {
        "plan": {"type": "string", "maxLength": 8},
        "items": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
        "auto": {"type": "boolean"},
    },
    "required": ["plan"],
}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({}, "the argument 'plan' is required"),
        ({"plan": None}, "the argument 'plan' is required"),
        ({"plan": ""}, "the argument 'plan' must not be empty"),
        ({"plan": ["x"]}, "the argument 'plan' must be a string, not a list ['x']"),
        (
            {"plan": "x", "auto": 1},
            "the argument 'auto' must be true or false (a JSON boolean), not a number 1",
        ),
        ({"plan": "x", "items": "phase_1"}, "the argument 'items' must be a list of strings, not a string"),
        ({"plan": "x", "items": [1]}, "each entry of 'items' must be a string, not a number 1"),
        ({"plan": "x\0"}, "the argument 'plan' must not hold a NUL character"),
    ],
)
def test_the_checker_refuses(args: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError) as info:
        check_arguments("t", SCHEMA, args)
    assert info.value.message.startswith(message)
    assert info.value.hint == (
        "the arguments of t: plan (string, required), items (list of strings), auto (boolean) "
        "(as tools/list describes them)"
    )


def test_the_checker_keeps_good_arguments_and_drops_duplicates() -> None:
    checked = check_arguments("t", SCHEMA, {"plan": "p", "items": ["a", "b", "a"], "auto": False})
    assert checked == {"plan": "p", "items": ["a", "b"], "auto": False}
