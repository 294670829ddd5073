"""plansmith over the Model Context Protocol: the plan commands as tools for coding agents, on stdio.

Built on the official ``mcp`` SDK's low-level :class:`mcp.server.lowlevel.Server`, so that the tool
definitions are written out here, small (agents pay for every byte of them in context), and every
result and error is shaped by plansmith rather than by the SDK.

What it must and must not do:

* each tool calls its command's document function (:mod:`plansmith.commands`) and returns that JSON
  document (as text, and as structured content); nothing is re-implemented here;
* a failure is a tool error (``isError``) with plansmith's message and hint; never a traceback (an
  unexpected one goes to the server's stderr, which clients keep as its log);
* ``expand``/``collapse`` never merge; only ``approve_proposal`` writes the user's branch, as the
  command does;
* the trust rule: a caller may name only agents defined in the user's own settings;
* the repository is the server's working folder, or ``--repo``; it is opened afresh for every call,
  so edited settings apply at once.

Importing this module imports the SDK (heavy): only ``plansmith mcp`` does.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import anyio
import anyio.to_thread
from mcp import types
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server

from plansmith import __version__
from plansmith.commands import waves
from plansmith.commands.common import open_workspace, plan_arg
from plansmith.commands.next import next_document
from plansmith.commands.operation import ITEM_USAGE, _item_number, operation_document
from plansmith.commands.validate import validate_document
from plansmith.config import user_config_path
from plansmith.engine.coordinator import OperationRequest
from plansmith.errors import ConfigError, PlansmithError, UsageError
from plansmith.mcp_arguments import check_arguments, hint_for_callers

if TYPE_CHECKING:
    from plansmith.plan.ids import ItemId
    from plansmith.workspace import Workspace

log = logging.getLogger("plansmith.mcp")
Arguments = Mapping[str, Any]
Document = dict[str, Any]

_PLAN = {
    "type": "string",
    "maxLength": 1024,
    "description": "plan file, folder or id, e.g. specs/plans/001_feature.md",
}
_ID = {"type": "object", "properties": {"id": {"type": "string", "maxLength": 512}}, "required": ["id"]}
_NONE: dict[str, Any] = {"type": "object", "properties": {}}
_ONLY_PLAN = {"type": "object", "properties": {"plan": _PLAN}, "required": ["plan"]}
_ITEM = re.compile(r"^phase_(?P<phase>[^_\s]+)(?:_stage_(?P<stage>[^_\s]+))?$")
_OPERATION_SCHEMA = {
    "type": "object",
    "properties": {
        "plan": _PLAN,
        "items": {
            "type": "array",
            "items": {"type": "string", "maxLength": 64},
            "maxItems": 64,
            "description": 'e.g. ["phase_3"]',
        },
        "auto": {"type": "boolean", "description": "every item the analysis recommends"},
        "agent": {
            "type": "string",
            "maxLength": 64,
            "description": "an agent defined in the user's settings",
        },
    },
    "required": ["plan"],
}
_READ = types.ToolAnnotations(read_only_hint=True)
_WRITE = types.ToolAnnotations(read_only_hint=False, destructive_hint=False)


def _tool(name: str, description: str, schema: dict[str, Any], hints: types.ToolAnnotations) -> types.Tool:
    return types.Tool(name=name, description=description, input_schema=schema, annotations=hints)


def tool_definitions() -> list[types.Tool]:
    """Every tool, as ``tools/list`` returns them (their JSON stays under 12 KB: tests/mcp checks it)."""
    operation = "into a proposal branch (never merged); give items or auto. Result: the `{} --json` document"
    return [
        _tool("analyze", "Score every phase and stage; recommend expand/collapse/keep.", _ONLY_PLAN, _READ),
        _tool(
            "validate",
            "Check plans' structure and metadata (all plans when none given); run it before committing.",
            {
                "type": "object",
                "properties": {
                    "plans": {
                        "type": "array",
                        "items": {"type": "string", "maxLength": 1024},
                        "maxItems": 1000,
                    },
                    "strict": {"type": "boolean", "description": "warnings fail too"},
                },
            },
            _READ,
        ),
        _tool(
            "waves",
            "Execution waves from phase dependencies, as JSON or a Mermaid flowchart.",
            {
                "type": "object",
                "properties": {"plan": _PLAN, "format": {"enum": ["json", "mermaid"]}},
                "required": ["plan"],
            },
            _READ,
        ),
        _tool(
            "review", "Hierarchy review: balance, still-complex items, merge candidates.", _ONLY_PLAN, _READ
        ),
        _tool("expand", "Expand phases/stages " + operation.format("expand"), _OPERATION_SCHEMA, _WRITE),
        _tool(
            "collapse", "Collapse phases/stages " + operation.format("collapse"), _OPERATION_SCHEMA, _WRITE
        ),
        _tool("proposals", "Open proposals: id, branch, plan, operation, state.", _NONE, _READ),
        _tool("show_proposal", "A proposal's commit message (analysis) and diff.", _ID, _READ),
        _tool(
            "approve_proposal",
            "Merge a proposal into the current branch.",
            _ID,
            types.ToolAnnotations(read_only_hint=False, destructive_hint=True),  # it writes the user's branch
        ),
        _tool(
            "reject_proposal",
            "Delete a proposal branch; the same plan content is not proposed again.",
            _ID,
            types.ToolAnnotations(read_only_hint=False, destructive_hint=True),
        ),
        _tool("status", "Daemon state, last runs, open proposals, errors.", _NONE, _READ),
        *_progress_tools(),
    ]


def _progress_tools() -> list[types.Tool]:
    """Progress you can trust (docs/progress.md): what is ready next, and ticks no commit backs."""
    budget = {"type": "integer", "minimum": 1, "description": "about this many tokens (whole tasks)"}
    return [
        _tool(
            "next",
            "Phases ready to work on (dependencies done by their boxes), open tasks and files; all plans "
            "when none given.",
            {"type": "object", "properties": {"plan": _PLAN, "budget": budget}},
            _READ,
        ),
        _tool(
            "verify",
            "Ticked tasks naming files that no later commit changed (unbacked ticks).",
            {"type": "object", "properties": {"plan": _PLAN}},
            _READ,
        ),
    ]


# --- the calls: each one the document function of its command ------------------------------------------


def _text(args: Arguments, name: str) -> str:
    value = args.get(name)
    if not isinstance(value, str) or not value:
        raise UsageError(f"the argument {name!r} is required (a non-empty string)")
    return value


def _texts(args: Arguments, name: str) -> list[str]:
    value = args.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"the argument {name!r} must be a list of strings")
    return value


def _optional_plan(args: Arguments) -> list[str]:
    """``[plan]`` when the argument is given, else ``[]`` (every plan)."""
    return [] if args.get("plan") is None else [_text(args, "plan")]


def _items(names: list[str]) -> tuple[tuple[ItemId, ItemId | None], ...]:
    """``["phase_3", "phase_4_stage_1"]`` -> the engine's items, read as the command line reads them."""

    found = []
    for name in names:
        match = _ITEM.match(name)
        if match is None:
            raise UsageError(
                f"{name!r} is not an item name", hint="name items like phase_3 or phase_3_stage_1"
            )
        stage = match["stage"]
        try:
            found.append((_item_number(match["phase"]), None if stage is None else _item_number(stage)))
        except UsageError:
            raise UsageError(f"{name!r} is not an item name", hint=ITEM_USAGE) from None
    return tuple(found)


class Tools:
    """The tool calls on one repository (``repo`` None: the server's working folder)."""

    def __init__(self, repo: str | None) -> None:
        self.repo = repo
        self.schemas = {tool.name: tool.input_schema for tool in tool_definitions()}
        self._lock = threading.Lock()  # one call at a time: runs share the scratch worktree
        self.calls: dict[str, Callable[[Arguments], Document | str]] = {
            "analyze": lambda a: self._doc("analyze", "analyze_document", _text(a, "plan")),
            "validate": self._validate,
            "waves": self._waves,
            "review": lambda a: self._doc("review", "review_document", _text(a, "plan")),
            "expand": lambda a: self._operation("expand", a),
            "collapse": lambda a: self._operation("collapse", a),
            "proposals": lambda a: self._doc("proposals", "list_document"),
            "show_proposal": lambda a: self._doc("proposals", "show_document", _text(a, "id")),
            "approve_proposal": lambda a: self._doc("proposals", "approve_document", _text(a, "id")),
            "reject_proposal": lambda a: self._doc("proposals", "reject_document", _text(a, "id")),
            "status": lambda a: self._doc("status", "status_document"),
            "next": self._next,
            "verify": lambda a: self._doc("verify", "verify_document", *_optional_plan(a)),
        }

    def call(self, name: str, args: Arguments) -> Document | str:
        """The result of tool ``name``: a JSON document, or text (a Mermaid chart); raises on failure."""
        run = self.calls.get(name)
        if run is None:
            raise UsageError(f"there is no tool named {name!r}", hint=f"tools: {', '.join(self.calls)}")
        checked = check_arguments(name, self.schemas[name], args)  # types and sizes, before anything runs
        with self._lock:
            return run(checked)

    def _workspace(self, **flags: object) -> Workspace:
        return open_workspace(self.repo, **flags)

    def _doc(self, command: str, function: str, *args: str) -> Document:
        import importlib

        document: Document = getattr(importlib.import_module(f"plansmith.commands.{command}"), function)(
            self._workspace(), *args
        )
        return document

    def _next(self, args: Arguments) -> Document:
        budget = args.get("budget")
        if budget is not None and (not isinstance(budget, int) or isinstance(budget, bool) or budget < 1):
            raise UsageError("the argument 'budget' must be a positive number of tokens", hint="e.g. 2000")
        plan = _optional_plan(args)
        return next_document(self._workspace(), plan[0] if plan else None, budget)

    def _validate(self, args: Arguments) -> Document:
        strict = bool(args.get("strict", False))
        return validate_document(self._workspace(), _texts(args, "plans"), strict=strict)

    def _waves(self, args: Arguments) -> Document | str:
        plan, form = _text(args, "plan"), args.get("format", "json")
        if form not in ("json", "mermaid"):
            raise UsageError(f"format {form!r} is not known", hint="use json or mermaid")
        if form == "json":
            return waves.waves_document(self._workspace(), plan)
        mermaid: str = waves.waves_mermaid(self._workspace(), plan)
        return mermaid

    def _operation(self, verb: str, args: Arguments) -> Document:
        plan, names, auto = _text(args, "plan"), _texts(args, "items"), bool(args.get("auto", False))
        if bool(names) == auto:
            raise UsageError('give either items (e.g. ["phase_3"]) or auto: true')
        agent = args.get("agent")
        if agent is not None:
            self._require_trusted_agent(agent)
        ws = self._workspace(agent=agent)
        items = _items(names)
        request = OperationRequest(
            plan=plan_arg(ws, plan),
            operation="expand" if verb == "expand" else "collapse",
            phase=items[0][0] if items else None,
            stage=items[0][1] if items else None,
            items=items,
            auto=auto,
            merge=False,  # agents propose; people approve
            assume_yes=True,
            interactive=False,
            agent=ws.settings.agent,
            agent_required=ws.settings.agent_required,
        )
        return operation_document(ws, request)

    def _require_trusted_agent(self, agent: object) -> None:
        """The trust rule: an agent is a program to run, so only the user may define one."""

        known = self._workspace().settings.agents
        if not isinstance(agent, str) or agent not in known:
            raise ConfigError(
                f"agent {agent!r} is not defined in your settings; an MCP caller can only name agents you "
                f"defined ({', '.join(sorted(known)) or 'none'})",
                hint=f"define it as an [agents.NAME] table in {user_config_path()}",
            )


# --- the MCP shell ---------------------------------------------------------------------------------------


def failure(kind: str, message: str, hint: str | None) -> types.CallToolResult:
    """A tool error as plansmith prints errors: ``plansmith: error: ...`` and ``hint: ...`` lines."""
    lines = [f"plansmith: error: {message}", *(f"hint: {h}" for h in (hint or "").splitlines())]
    return types.CallToolResult(
        content=[types.TextContent(text="\n".join(lines))],
        structured_content={"error": {"type": kind, "message": message, "hint": hint or None}},
        is_error=True,
    )


def result_of(tools: Tools, name: str, args: Arguments) -> types.CallToolResult:
    """Call one tool; every outcome, failures included, as a tool result."""
    try:
        value = tools.call(name, args)
    except PlansmithError as exc:
        message = exc.located() if exc.path and not exc.message.startswith(exc.path) else exc.message
        return failure(exc.kind, message, hint_for_callers(name, tools.schemas.get(name), exc.hint))
    except Exception as exc:
        log.exception("tool %s failed", name)  # the traceback goes to stderr, the client's log
        hint = "the details are in the plansmith mcp server's log (its stderr)"
        return failure("internal", f"unexpected internal error: {exc!r}", hint)
    if isinstance(value, str):
        return types.CallToolResult(
            content=[types.TextContent(text=value)], structured_content={"text": value}
        )
    text = json.dumps(value, ensure_ascii=False, default=str)
    return types.CallToolResult(content=[types.TextContent(text=text)], structured_content=json.loads(text))


def build_server(repo: str | None) -> Server[Any]:
    tools = Tools(repo)
    definitions = tool_definitions()

    async def list_tools(ctx: Any, params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        return types.ListToolsResult(tools=definitions)

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        args = dict(params.arguments or {})
        return await anyio.to_thread.run_sync(result_of, tools, params.name, args)

    return Server(
        "plansmith",
        version=__version__,
        instructions="Keep Markdown implementation plans in shape. Validate a plan before you commit it; "
        "when a phase grows, ask for an expansion proposal (expand) and let the user approve it.",
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )


def serve(repo: str | None) -> None:
    """Serve on stdin/stdout until the client closes the connection."""
    logging.basicConfig(level=logging.WARNING, format="plansmith mcp: %(levelname)s: %(message)s")
    server = build_server(repo)

    async def main() -> None:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())

    anyio.run(main)
