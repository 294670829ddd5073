"""The arguments of an MCP tool call, checked against the tool's input schema before anything runs.

MCP callers are programs, not people, and JSON has types: ``"false"`` is a string, not false, and must
not count as true; ``42`` is no plan; a 300-character plan name or a list of ten thousand items is not a
request to act on. Every argument's type and size is checked here against the schema the tool
advertises (the schemas of :mod:`plansmith.mcp_server`: ``string``, ``boolean``, arrays of strings,
``enum``, ``maxLength``, ``maxItems``, ``required``), unknown arguments are refused, and items named
twice are kept once. A refusal is a :class:`~plansmith.errors.UsageError` whose hint lists the tool's
arguments (never the command line's ``--help``).

It must not import the MCP SDK (its tests run without a server) nor run anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plansmith.errors import UsageError

_KINDS = {"string": "a string", "boolean": "true or false (a JSON boolean)", "array": "a list"}


def arguments_hint(tool: str, schema: Mapping[str, Any]) -> str:
    """``the arguments of expand: plan (string, required), items (list of strings), ...``."""
    required = set(schema.get("required", ()))
    parts = []
    for name, spec in schema.get("properties", {}).items():
        kind = _describe(spec)
        parts.append(f"{name} ({kind}{', required' if name in required else ''})")
    listed = ", ".join(parts) if parts else "none"
    return f"the arguments of {tool}: {listed} (as tools/list describes them)"


# Command lines in hints, as the tool a caller can call instead (a caller has no shell to run them in).
_TOOL_FOR_COMMAND = {
    "run 'plansmith analyze PLAN'": "call the analyze tool",
    "run 'plansmith proposals list'": "call the proposals tool",
    "run 'plansmith proposals' to list them": "call the proposals tool to list them",
    "'plansmith proposals show ID'": "the show_proposal tool",
}


def hint_for_callers(tool: str, schema: Mapping[str, Any] | None, hint: str) -> str:
    """``hint`` as an MCP caller can follow it: the tool's arguments instead of ``--help``, and tools
    instead of the commands that do the same."""
    if "--help" in hint and schema is not None:
        return arguments_hint(tool, schema)
    for command, call in _TOOL_FOR_COMMAND.items():
        hint = hint.replace(command, call)
    return hint


def _describe(spec: Mapping[str, Any]) -> str:
    if "enum" in spec:
        return "one of " + ", ".join(str(v) for v in spec["enum"])
    kind = spec.get("type", "")
    if kind == "array":
        return f"list of {spec.get('items', {}).get('type', 'value')}s"
    return str(kind)


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null" if value is None else type(value).__name__


def check_arguments(tool: str, schema: Mapping[str, Any], args: Mapping[str, Any]) -> dict[str, Any]:
    """``args`` checked against ``schema`` (duplicates in lists removed); :class:`UsageError` otherwise."""
    hint = arguments_hint(tool, schema)
    properties: Mapping[str, Any] = schema.get("properties", {})
    unknown = sorted(set(args) - set(properties))
    if unknown:
        raise UsageError(f"{tool} takes no argument {unknown[0]!r}", hint=hint)
    for name in schema.get("required", ()):
        if args.get(name) is None:
            raise UsageError(f"the argument {name!r} is required", hint=hint)
    return {name: _checked(name, properties[name], value, hint) for name, value in args.items()}


def _checked(name: str, spec: Mapping[str, Any], value: Any, hint: str) -> Any:
    if "enum" in spec:
        if value not in spec["enum"]:
            allowed = ", ".join(str(v) for v in spec["enum"])
            raise UsageError(
                f"the argument {name!r} must be one of {allowed}, not {_shown(value)}", hint=hint
            )
        return value
    kind = spec.get("type")
    if kind == "array":
        return _checked_list(name, spec, value, hint)
    if kind == "boolean" and not isinstance(value, bool):
        raise UsageError(
            f"the argument {name!r} must be {_KINDS['boolean']}, not {_type_name(value)} {_shown(value)}",
            hint=hint,
        )
    if kind == "string":
        return _checked_string(f"the argument {name!r}", spec, value, hint)
    return value


def _checked_string(what: str, spec: Mapping[str, Any], value: Any, hint: str) -> str:
    if not isinstance(value, str):
        raise UsageError(f"{what} must be a string, not {_type_name(value)} {_shown(value)}", hint=hint)
    if not value:
        raise UsageError(f"{what} must not be empty", hint=hint)
    limit = spec.get("maxLength")
    if limit is not None and len(value) > limit:
        raise UsageError(f"{what} is {len(value)} characters long; at most {limit} are taken", hint=hint)
    if "\0" in value:
        raise UsageError(f"{what} must not hold a NUL character", hint=hint)
    return value


def _checked_list(name: str, spec: Mapping[str, Any], value: Any, hint: str) -> list[str]:
    if not isinstance(value, list):
        raise UsageError(
            f"the argument {name!r} must be a list of strings, not {_type_name(value)} {_shown(value)}",
            hint=hint,
        )
    limit = spec.get("maxItems")
    if limit is not None and len(value) > limit:
        raise UsageError(
            f"the argument {name!r} has {len(value)} entries; at most {limit} are taken", hint=hint
        )
    item_spec = spec.get("items", {})
    checked = [_checked_string(f"each entry of {name!r}", item_spec, v, hint) for v in value]
    return list(dict.fromkeys(checked))  # the same item named twice is one request
