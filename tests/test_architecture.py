"""The layout rules of docs/architecture.md that code review alone would let slip.

- every exception class of the package is defined in ``plansmith/errors.py``, in one tree, each with a
  kind of its own (the ``"type"`` of the JSON error document);
- nothing raises the bare ``PlansmithError`` (its kind ``error`` tells a script nothing);
- ``cli.py`` parses arguments and maps errors to exit codes; the glue of each command is a module of
  ``plansmith/commands/`` with a ``main(args)``, and every subcommand of the parser has one;
- one shape a newcomer can hold (issue 9): no module over 450 lines, no function over 60, every module
  opens with a docstring, no git command line outside ``plansmith/git_backend/``, ``subprocess`` only in
  the few modules that run other programs, and ``plansmith/plan/`` imports only itself, ``errors`` and
  the standard library;
- the layer table of docs/architecture.md holds at runtime (issue 19): every plansmith import outside
  ``if TYPE_CHECKING:``, at module level or inside a function, goes to a layer the table allows, and the
  runtime import graph has no cycles; the known exceptions are listed, with a reason, so the debt shows;
- plansmith imports sit at the top of modules, so the graph shows; the few late ones a start-up budget
  needs are listed per module with their reason (``LAZY_IMPORTS_ALLOWED``).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import sys
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


MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 60

# Being reworked for speed in issue 10 (branch h/parse); remove each entry when that function is split.
LONG_FUNCTIONS_ALLOWED: set[str] = set()

# The modules that may start other programs, and what they start. Git is run only by git_backend/.
SUBPROCESS_ALLOWED = {
    "git_backend/cmd.py": "git itself, the one place it runs",
    "agents/process.py": "the configured agent programs",
    "daemon/systemd_install.py": "systemctl --user",
    "ci/review_requests.py": "gh / glab to open a review request",
    "commands/demo.py": "plansmith itself, in the demo repository",
}


def _relative(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def test_no_module_is_longer_than_the_limit() -> None:
    long = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            long[_relative(path)] = lines
    assert long == {}


def test_no_function_is_longer_than_the_limit() -> None:
    long = {}
    for path, tree in _sources().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                key = f"{_relative(path)}:{node.name}"
                if lines > MAX_FUNCTION_LINES and key not in LONG_FUNCTIONS_ALLOWED:
                    long[key] = lines
    assert long == {}


def test_the_long_function_allow_list_has_no_stale_entries() -> None:
    """An entry for a function that got short (or went away) must leave the list, so the guard tightens."""
    still_long = set()
    for path, tree in _sources().items():
        for node in ast.walk(tree):
            is_function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            if is_function and (node.end_lineno or node.lineno) - node.lineno + 1 > MAX_FUNCTION_LINES:
                still_long.add(f"{_relative(path)}:{node.name}")
    assert LONG_FUNCTIONS_ALLOWED - still_long == set()


def test_every_module_opens_with_a_docstring() -> None:
    missing = [_relative(p) for p, tree in _sources().items() if not (ast.get_docstring(tree) or "").strip()]
    assert missing == []


def _imported_modules(tree: ast.Module) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.lineno, "." * node.level + (node.module or "")))
    return found


def test_subprocess_is_imported_only_where_other_programs_run() -> None:
    found = []
    for path, tree in _sources().items():
        names = [name for _, name in _imported_modules(tree)]
        if "subprocess" in names and _relative(path) not in SUBPROCESS_ALLOWED:
            found.append(_relative(path))
        if "os" in names and any(
            isinstance(n, ast.Attribute) and n.attr in ("system", "popen", "execvp", "spawnvp")
            for n in ast.walk(tree)
        ):
            found.append(f"{_relative(path)} (os.system/popen/exec)")
    assert found == []


def _is_git_argv(node: ast.AST) -> bool:
    if isinstance(node, ast.List | ast.Tuple) and node.elts:
        first = node.elts[0]
        return isinstance(first, ast.Constant) and first.value == "git"
    return False


def test_no_git_command_line_outside_git_backend() -> None:
    found = []
    for path, tree in _sources().items():
        if _relative(path).startswith("git_backend/"):
            continue
        for node in ast.walk(tree):
            if _is_git_argv(node):
                found.append(f"{_relative(path)}:{getattr(node, 'lineno', 0)}")
            elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if node.args[0].value == "git" and name in ("run", "Popen", "check_output", "call"):
                    found.append(f"{_relative(path)}:{node.lineno}")
    assert found == []


def test_the_git_argv_check_sees_a_git_command_line() -> None:
    """The check above would pass on anything if it recognised nothing: show it catches the real shape."""
    tree = ast.parse('subprocess.run(["git", "status"], check=True)')
    assert any(_is_git_argv(node) for node in ast.walk(tree))
    git_cmd = ast.parse((PACKAGE / "git_backend" / "cmd.py").read_text(encoding="utf-8"))
    assert any(_is_git_argv(node) for node in ast.walk(git_cmd))


def test_the_plan_core_imports_only_itself_errors_and_the_standard_library() -> None:
    allowed_stdlib = set(sys.stdlib_module_names) | {"__future__"}
    found = []
    for path, tree in _sources().items():
        if not _relative(path).startswith("plan/"):
            continue
        for lineno, name in _imported_modules(tree):
            # relative imports are not used in the package: an absolute name is checked by its text
            ok = not name.startswith(".") and (
                name.split(".")[0] in allowed_stdlib
                or name == "plansmith.errors"
                or name == "plansmith.plan"
                or name.startswith("plansmith.plan.")
            )
            if not ok:
                found.append(f"{_relative(path)}:{lineno} {name}")
    assert found == []


# The layer table of docs/architecture.md: each layer and the layers it may import at runtime (its own
# always). Lowest first. Imports under `if TYPE_CHECKING:` are for the type checker and are not counted.
LAYER_IMPORTS: dict[str, set[str]] = {
    "base": set(),  # errors.py, atomic.py, events.py: the standard library only
    "plan": {"base"},
    "render": {"base", "plan"},
    "config": {"base", "plan"},
    "git_backend": {"base", "plan", "render"},
    "agents": {"base", "plan", "config"},
    "workspace": {"base", "plan", "config", "git_backend"},  # discovery.py, workspace.py
    "hooks": {"base", "plan", "config", "git_backend", "workspace"},
    "engine": {"base", "plan", "render", "config", "git_backend", "agents", "workspace"},
    "daemon": {"base", "plan", "render", "config", "git_backend", "agents", "workspace", "engine"},
    "ci": {"base", "plan", "render", "config", "git_backend", "agents", "workspace", "engine"},
    "terminal": {"base", "plan", "render", "config", "git_backend"},
    "commands": {"base", "plan", "render", "config", "git_backend", "agents", "workspace", "hooks"}
    | {"engine", "daemon", "ci", "terminal", "commands"},
    "cli": {"base", "commands", "terminal"},
}
# Single modules a layer may import beyond its layers (the table names them).
MODULE_IMPORTS_ALLOWED = {"terminal": {"plansmith.engine.progress"}}
_LAYER_OF_MODULE = {
    "plansmith": "base",
    "plansmith.errors": "base",
    "plansmith.atomic": "base",
    "plansmith.events": "base",
    "plansmith.run_events": "base",
    "plansmith.discovery": "workspace",
    "plansmith.workspace": "workspace",
    "plansmith.snapshot": "workspace",
    "plansmith.mcp_server": "commands",
    "plansmith.mcp_arguments": "commands",
    "plansmith.cli": "cli",
}

# Known runtime imports against the table, each a debt with its reason; remove an entry when it is paid
# (a stale entry fails the test below). Empty: the radar's reading went to engine/radar.py and the
# dashboard's document to render/ (issue 19).
LAYER_VIOLATIONS_ALLOWED: set[str] = set()

# Known runtime import cycles (each a set of modules importing one another, one of them late). Empty:
# approve.py is called directly, DASHBOARD_BRANCH lives with the dashboard's data, and the structure
# check the coordinator asks is engine/structure_decisions.py (issue 19).
IMPORT_CYCLES_ALLOWED: list[set[str]] = []

# The plansmith imports inside functions, per module, and why each stays late: a measured start-up
# budget (``--version``, the hook < 150 ms, ``validate``) or a heavy library (pydantic, rich, watchdog,
# APScheduler) that only some paths need. Everything else is imported at the top, where it shows.
LAZY_IMPORTS_ALLOWED = {
    "__main__.py": (1, "``python -m plansmith`` loads the parser only when it runs"),
    "commands/common.py": (1, "cli.py imports it, and --version must not load the plan core"),
    "commands/daemon.py": (2, "watchdog and APScheduler only when the daemon really starts"),
    "commands/hooks.py": (4, "the hook's fast path loads neither argparse, the workspace nor the installer"),
    "commands/status.py": (2, "the daemon package (watchdog, APScheduler) and rich's dashboard"),
    "hooks/precommit.py": (1, "the hook's fast path (no plan staged) parses nothing"),
    "terminal/output.py": (4, "rich, only for a terminal that shows it"),
    "terminal/show.py": (1, "rich, only for a terminal that shows it"),
    "workspace.py": (1, "pydantic settings, not for --version or the hook's fast path"),
    # plan/ is being edited on another branch; these two are plan-internal and cost nothing at start
    "plan/mermaid.py": (1, "plan-internal (progress), left to the plan core's owners"),
    "plan/progress.py": (1, "plan-internal (waves), left to the plan core's owners"),
}


def _lazy_imports() -> dict[str, int]:
    """Per module, the plansmith imports inside a function (``from plansmith...`` / ``import plansmith``)."""
    counts: dict[str, int] = {}
    for path, tree in _sources().items():
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        inner = {id(n): n for f in functions for n in ast.walk(f) if n is not f}
        found = sum(
            1
            for n in inner.values()
            if (isinstance(n, ast.ImportFrom) and (n.module or "").startswith("plansmith"))
            or (isinstance(n, ast.Import) and any(a.name.startswith("plansmith") for a in n.names))
        )
        if found:
            counts[_relative(path)] = found
    return counts


def test_plansmith_imports_inside_functions_are_only_the_listed_ones() -> None:
    allowed = {module: count for module, (count, _reason) in LAZY_IMPORTS_ALLOWED.items()}
    assert _lazy_imports() == allowed


def _module_name(path: Path) -> str:
    parts = ["plansmith", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> str:
    if module.endswith(".__main__"):
        return "cli"  # an entry point (``python -m plansmith``, ``python -m plansmith.hooks``)
    return _LAYER_OF_MODULE.get(module) or module.split(".")[1]


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(tree: ast.Module, modules: set[str]) -> set[str]:
    """The plansmith modules ``tree`` imports when it runs: at module level and inside functions, not
    under ``if TYPE_CHECKING:``. ``from a.b import c`` counts as ``a.b.c`` when that is a module."""
    found: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        for child in ast.iter_child_nodes(stack.pop()):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                stack.extend(child.orelse)
            elif isinstance(child, ast.Import):
                found |= {alias.name for alias in child.names}
            elif isinstance(child, ast.ImportFrom) and child.module and not child.level:
                names = {f"{child.module}.{alias.name}" for alias in child.names}
                found |= (names & modules) | ({child.module} if names - modules else set())
            else:
                stack.append(child)
    return found & modules


def _runtime_graph() -> dict[str, set[str]]:
    sources = {_module_name(path): tree for path, tree in _sources().items()}
    modules = set(sources)
    return {name: _runtime_imports(tree, modules) - {name} for name, tree in sources.items()}


def test_every_module_belongs_to_a_layer_of_the_table() -> None:
    assert {name: _layer(name) for name in _runtime_graph() if _layer(name) not in LAYER_IMPORTS} == {}


def _layer_violations() -> set[str]:
    found = set()
    for module, imported in _runtime_graph().items():
        layer = _layer(module)
        allowed = LAYER_IMPORTS[layer] | {layer}
        for target in imported:
            if _layer(target) not in allowed and target not in MODULE_IMPORTS_ALLOWED.get(layer, set()):
                found.add(f"{module} -> {target}")
    return found


def test_runtime_imports_follow_the_layer_table() -> None:
    assert _layer_violations() - LAYER_VIOLATIONS_ALLOWED == set()


def test_the_layer_violation_allow_list_has_no_stale_entries() -> None:
    assert LAYER_VIOLATIONS_ALLOWED - _layer_violations() == set()


def _import_cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[set[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    work.append((target, iter(sorted(graph[target]))))
                elif target in stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while not component or node not in component:
                    component.add(stack.pop())
                if len(component) > 1:
                    cycles.append(component)
    return cycles


def test_no_runtime_import_cycles_between_plansmith_modules() -> None:
    cycles = _import_cycles(_runtime_graph())
    assert [c for c in cycles if c not in IMPORT_CYCLES_ALLOWED] == []
    assert [c for c in IMPORT_CYCLES_ALLOWED if c not in cycles] == [], "a listed cycle is gone: remove it"


def test_the_checks_see_a_violation_and_a_cycle() -> None:
    """The checks above would pass on anything if they recognised nothing: show they catch the shapes."""
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from plansmith.cli import build_parser\n"
        "def late():\n    from plansmith.terminal import text\n"
    )
    modules = {"plansmith.cli", "plansmith.terminal", "plansmith.terminal.text"}
    assert _runtime_imports(tree, modules) == {"plansmith.terminal.text"}
    assert _layer("plansmith.terminal.text") not in LAYER_IMPORTS["git_backend"]
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _import_cycles(graph) == [{"a", "b", "c"}]


def test_no_two_classes_of_one_name_in_the_package() -> None:
    """A name says which thing it is (issue 19): ``_Run``, ``Item``, ``Thresholds`` were each two or
    three different things."""
    homes: dict[str, list[str]] = {}
    for path, tree in _sources().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                homes.setdefault(node.name, []).append(_relative(path))
    assert {name: where for name, where in homes.items() if len(where) > 1} == {}


# What in plansmith/engine/ would talk to a person directly; the engine tells run events instead
# (plansmith/run_events.py) and asks through the request's callables (issue 19). Empty: nothing needs it.
ENGINE_TERMINAL_USE_ALLOWED: dict[str, str] = {}
_PERSON_STREAMS = {"out", "stdout", "stderr", "err"}


def _talks_to_a_person(node: ast.AST) -> str | None:
    """``input(``/``print(``, any ``sys.stdout``/``sys.stderr``, a ``.write`` on an ``out`` stream, a
    ``TextIO`` parameter: what the check below refuses in the engine."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("input", "print"):
        return f"{node.func.id}("
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "sys"
        and node.attr in ("stdout", "stderr", "stdin")
    ):
        return f"sys.{node.attr}"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "write":
        target = node.func.value
        name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", "")
        if name in _PERSON_STREAMS:
            return f"{name}.write("
    if isinstance(node, ast.Name) and node.id == "TextIO":
        return "TextIO"
    return None


def test_the_engine_never_writes_to_a_person_nor_reads_from_one() -> None:
    found = {}
    for path, tree in _sources().items():
        where = _relative(path)
        if not where.startswith("engine/") or where in ENGINE_TERMINAL_USE_ALLOWED:
            continue
        for node in ast.walk(tree):
            what = _talks_to_a_person(node)
            if what is not None:
                found[f"{where}:{getattr(node, 'lineno', 0)}"] = what
    assert found == {}


def test_the_engine_output_check_sees_each_way_of_talking() -> None:
    source = (
        "import sys\nfrom typing import TextIO\n"
        "def f(out: TextIO, run):\n"
        "    print('x')\n    input('y')\n    sys.stderr.flush()\n    out.write('z')\n    run.out.write('w')\n"
        "    fh.write('a file is fine')\n"
    )
    seen = {what for node in ast.walk(ast.parse(source)) if (what := _talks_to_a_person(node))}
    assert seen == {"print(", "input(", "sys.stderr", "out.write(", "TextIO"}
