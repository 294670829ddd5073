"""The layout rules of docs/architecture.md that code review alone would let slip.

- every exception class of the package is defined in ``plansmith/errors.py``, in one tree, each with a
  kind of its own (the ``"type"`` of the JSON error document);
- nothing raises the bare ``PlansmithError`` (its kind ``error`` tells a script nothing);
- ``cli.py`` parses arguments and maps errors to exit codes; the glue of each command is a module of
  ``plansmith/commands/`` with a ``main(args)``, and every subcommand of the parser has one.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import plansmith
from plansmith import errors
from plansmith.cli import build_parser

PACKAGE = Path(plansmith.__file__).parent


def _modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages([str(PACKAGE)], prefix="plansmith."))


def _sources() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(PACKAGE.rglob("*.py"))}


def test_every_exception_class_is_defined_in_errors_py() -> None:
    outside = []
    for name in _modules():
        if name.endswith("__main__"):
            continue
        module = importlib.import_module(name)
        if name == "plansmith.errors":
            continue
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == name:
                outside.append(f"{name}.{obj.__qualname__}")
    assert outside == []


def test_no_exception_class_statement_outside_errors_py() -> None:
    """The same rule read from the source: also classes in functions, and in modules not imported."""
    known = {cls.__name__ for cls in vars(errors).values() if inspect.isclass(cls)}
    bases = known | {"Exception", "BaseException", "RuntimeError", "ValueError", "OSError", "KeyError"}
    found = []
    for path, tree in _sources().items():
        if path.name == "errors.py" and path.parent == PACKAGE:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                names = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}
                if names & bases or node.name.endswith(("Error", "Exception")):
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}")
    assert found == []


def test_the_error_tree_has_one_specific_kind_per_class() -> None:
    defined = [c for c in vars(errors).values() if inspect.isclass(c) and c.__module__ == "plansmith.errors"]
    classes = [c for c in defined if issubclass(c, errors.PlansmithError)]
    assert classes == defined, "a class in errors.py outside the tree"
    assert len(classes) >= 15
    kinds = [cls.kind for cls in classes]
    assert len(kinds) == len(set(kinds)), "two classes share a kind"
    for cls in classes:
        assert "kind" in vars(cls), f"{cls.__name__} inherits its kind"
        assert cls.__name__ in (errors.__doc__ or ""), f"{cls.__name__} is missing from the documented tree"
        assert f"[{cls.kind}" in (errors.__doc__ or ""), f"the kind of {cls.__name__} is not documented"
    # kinds scripts and tests rely on keep their meaning
    assert errors.UnknownItemError.kind == "unknown-item"
    assert errors.PlanTooLargeError.kind == "plan-too-large"
    assert errors.UsageError.kind == "usage" and errors.ConflictError.kind == "conflict"


def test_nothing_raises_the_bare_base_class() -> None:
    bare = []
    for path, tree in _sources().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                func = node.exc.func
                if isinstance(func, ast.Name) and func.id == "PlansmithError":
                    bare.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert bare == []


def test_cli_py_holds_no_command_glue() -> None:
    tree = ast.parse((PACKAGE / "cli.py").read_text(encoding="utf-8"))
    functions = [n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    assert [f for f in functions if f.startswith("cmd_")] == []
    imported = {
        alias.name if isinstance(node, ast.Import) else (node.module or "")
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    engine_side = ("plansmith.engine", "plansmith.git_backend", "plansmith.daemon", "plansmith.plan")
    assert [m for m in imported if m.startswith(engine_side)] == []


def test_every_subcommand_has_a_commands_module_with_main() -> None:
    parser = build_parser()
    choices = next(a for a in parser._actions if a.dest == "command").choices
    assert isinstance(choices, dict)
    for name, sub in choices.items():
        module = importlib.import_module(f"plansmith.commands.{sub.get_default('module')}")
        assert callable(getattr(module, "main", None)), name
    old_homes = ["plansmith/engine/proposals_cmd.py", "plansmith/engine/checkpoints_cmd.py"]
    old_homes += ["plansmith/hooks/cli_hooks.py", "plansmith/demo.py"]
    assert [p for p in old_homes if (PACKAGE.parent / p).exists()] == []
