"""Settings: one validated ``Settings`` value built from layered sources, with the origin of every value.

Sources, lowest to highest priority:

1. built-in defaults;
2. ``[tool.plansmith]`` in the repository's ``pyproject.toml``;
3. ``plansmith.toml`` at the repository root;
4. the user settings file ``$XDG_CONFIG_HOME/plansmith/config.toml``
   (default ``~/.config/plansmith/config.toml``);
5. environment variables ``PLANSMITH_<KEY>``, nested keys joined by ``__``
   (``PLANSMITH_THRESHOLDS__EXPAND=7.5``);
6. explicit overrides (command-line flags), passed to :func:`load_settings` as a mapping.

Tables are merged key by key; a higher source replaces single values and whole lists.

Trust rule: the repository is untrusted input. Repository files (2 and 3) hold data only. Anything in them
that would make plansmith run a program is ignored with a warning saying how to move it to the user
settings file: the ``[agents]`` table, and ``agent`` (the default agent). ``agent`` only names an agent
whose command comes from the user's own settings, but honouring it would still let a cloned repository
switch on a program (with whatever tools the user granted it) over plan text written by someone else, so
the choice of agent is the user's alone: user settings, ``PLANSMITH_AGENT`` or ``--agent``.

Importing this module has no side effects (it reads no file and no environment variable); everything
happens in :func:`load_settings`.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from plansmith.errors import ConfigError
from plansmith.plan.roots import DEFAULT_ROOTS, normalise_pattern, normalise_patterns, parse_root_list

SourceLabel = Literal["default", "pyproject.toml", "plansmith.toml", "user config", "env", "flag"]

ENV_PREFIX = "PLANSMITH_"
ENV_NESTING = "__"
MAX_PARALLEL_UNFORCED = 6
ROLES: tuple[str, ...] = ("elaborate", "estimate", "research", "plan", "implement")
Role = Literal["elaborate", "estimate", "research", "plan", "implement"]
_ALL_ROLES: tuple[Role, ...] = ("elaborate", "estimate", "research", "plan", "implement")

# Keys that make plansmith run a program; never taken from repository files.
REPOSITORY_FORBIDDEN_KEYS: tuple[str, ...] = ("agents", "agent")

_AUTHOR_RE = re.compile(r"^[^<>\n]+ <[^<>\s]+>$")
_AGENT_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_REF_FORBIDDEN_CHARS = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Thresholds(_Section):
    """Complexity scores (0-10) above which an item is expanded and below which it is collapsed."""

    expand: float = Field(default=8.0, ge=0.0, le=10.0)
    collapse: float = Field(default=4.0, ge=0.0, le=10.0)

    @model_validator(mode="after")
    def _collapse_below_expand(self) -> Thresholds:
        if not self.collapse < self.expand:
            raise ValueError(
                f"thresholds.collapse ({self.collapse}) must be lower than thresholds.expand ({self.expand})"
            )
        return self


class Retry(_Section):
    """Timeouts and retries of operations and agent runs: attempt k waits base_timeout_s * factor**(k-1)."""

    base_timeout_s: float = Field(default=120.0, gt=0.0)
    factor: float = Field(default=1.5, ge=1.0)
    max_attempts: int = Field(default=3, ge=1, le=20)


class Commit(_Section):
    author: str = "plansmith <plansmith@localhost>"

    @field_validator("author")
    @classmethod
    def _author_format(cls, value: str) -> str:
        if not _AUTHOR_RE.match(value):
            raise ValueError("must look like 'Name <email>'")
        return value


class Limits(_Section):
    max_plan_bytes: int = Field(default=5 * 1024 * 1024, gt=0)


class AgentSpec(_Section):
    """One external agent program (user settings, environment or flags only)."""

    command: list[str] = Field(min_length=1)
    tools: list[str] = Field(default_factory=list)
    fallback_tools: list[str] | None = None  # None: the same as ``tools``
    timeout_s: float | None = Field(default=None, gt=0.0)  # None: retry.base_timeout_s
    max_attempts: int | None = Field(default=None, ge=1, le=20)  # None: retry.max_attempts
    roles: list[Role] = Field(default_factory=lambda: list(_ALL_ROLES))
    env: dict[str, str] = Field(default_factory=dict)

    @field_validator("command")
    @classmethod
    def _command_words(cls, value: list[str]) -> list[str]:
        if not value[0].strip():
            raise ValueError("the first word of the command (the program) must not be empty")
        return value

    @field_validator("env")
    @classmethod
    def _env_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not name or "=" in name or "\x00" in name:
                raise ValueError(f"invalid environment variable name {name!r}")
        return value

    def effective_fallback_tools(self) -> list[str]:
        return list(self.tools if self.fallback_tools is None else self.fallback_tools)


def check_ref_prefix(prefix: str) -> str | None:
    """Why ``prefix`` cannot prefix branch names (``None`` when it can). Rules of git check-ref-format."""
    if not prefix.endswith("/"):
        return "must end with '/'"
    if prefix.startswith("/"):
        return "must not start with '/'"
    for part in prefix[:-1].split("/"):
        if not part:
            return "must not contain an empty component ('//')"
        if part.startswith(".") or part.endswith(".lock") or part.endswith("."):
            return f"component {part!r} must not start with '.' or end with '.' or '.lock'"
        if ".." in part or "@{" in part or part == "@":
            return f"component {part!r} must not contain '..' or '@{{' or be '@'"
        if _REF_FORBIDDEN_CHARS.search(part):
            return f"component {part!r} contains a space, control or one of the characters ~^:?*[\\"
    return None


class Settings(BaseSettings):
    """The effective settings. Build it with :func:`load_settings`; ``Settings()`` alone gives the defaults.

    ``settings_customise_sources`` keeps only the init arguments: the layering (with its trust rule and
    its record of where each value came from) is done by :func:`load_settings`, not behind its back.
    """

    model_config = SettingsConfigDict(extra="forbid", validate_default=True)

    plans_dirs: list[str] = Field(default_factory=lambda: list(DEFAULT_ROOTS))
    plans_dir: str | None = None  # the old single root; see _plans_dir_is_one_root
    thresholds: Thresholds = Field(default_factory=Thresholds)
    max_parallel: int = Field(default=4, ge=1)
    force_parallel: bool = False
    proposal_prefix: str = "plansmith/"
    debounce_ms: int = Field(default=500, ge=0)
    agent: str | None = None
    agent_required: bool = False
    retry: Retry = Field(default_factory=Retry)
    commit: Commit = Field(default_factory=Commit)
    limits: Limits = Field(default_factory=Limits)
    reconcile_interval_s: float = Field(default=300.0, gt=0.0)
    agents: dict[str, AgentSpec] = Field(default_factory=dict)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)

    @field_validator("plans_dir")
    @classmethod
    def _plans_dir_relative(cls, value: str | None) -> str | None:
        # The same rules as the hook's cheap reader (plansmith.hooks.plans_dir): ./specs/plans/ -> specs/plans
        return None if value is None else normalise_pattern(value)

    @field_validator("plans_dirs")
    @classmethod
    def _plans_dirs_relative(cls, value: list[str]) -> list[str]:
        return list(normalise_patterns(value))

    @model_validator(mode="after")
    def _plans_dir_is_one_root(self) -> Settings:
        # The old single folder still works: set anywhere while plans_dirs is set nowhere, it is the one
        # root. When both are set, plans_dirs wins (load_settings warns).
        if self.plans_dir is not None and "plans_dirs" not in self.model_fields_set:
            self.plans_dirs = [self.plans_dir]
        return self

    @field_validator("proposal_prefix")
    @classmethod
    def _prefix_is_ref(cls, value: str) -> str:
        problem = check_ref_prefix(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("agents")
    @classmethod
    def _agent_names(cls, value: dict[str, AgentSpec]) -> dict[str, AgentSpec]:
        for name in value:
            if not _AGENT_NAME_RE.match(name):
                raise ValueError(f"agent name {name!r}: use letters, digits, '_', '-', '.'")
        return value

    @model_validator(mode="after")
    def _cross_checks(self) -> Settings:
        if self.max_parallel > MAX_PARALLEL_UNFORCED and not self.force_parallel:
            raise ValueError(
                f"max_parallel={self.max_parallel} is above {MAX_PARALLEL_UNFORCED}; "
                "set force_parallel = true to allow it"
            )
        return self

    def agent_spec(self, name: str) -> AgentSpec | None:
        return self.agents.get(name)


@dataclass
class LoadedSettings:
    """What :func:`load_settings` found: the settings, the warnings, and where every value came from."""

    settings: Settings
    warnings: list[str] = field(default_factory=list)
    sources: dict[str, SourceLabel] = field(default_factory=dict)  # dotted key -> source label
    origins: dict[str, str] = field(default_factory=dict)  # dotted key -> file path or env variable
    files: dict[str, Path] = field(default_factory=dict)  # source label -> file consulted

    def source_of(self, key: str) -> SourceLabel:
        return self.sources.get(key, "default")

    def rows(self) -> list[tuple[str, object, SourceLabel, str]]:
        """``(key, value, source, origin)`` for every setting, for ``plansmith config show``."""
        flat = _flatten(self.settings.model_dump(mode="json"), agents_as_leaves=True)
        keys = sorted(flat, key=_key_order)
        return [(k, flat[k], self.source_of(k), self.origins.get(k, "")) for k in keys]

    def show(self) -> str:
        """The text ``plansmith config show`` prints: one line per setting with its source."""
        rows = self.rows()
        width = max(len(k) for k, *_ in rows)
        lines = []
        for key, value, source, origin in rows:
            where = source if not origin else f"{source} ({origin})"
            lines.append(f"{key:<{width}}  {json.dumps(value, ensure_ascii=False)}  [{where}]")
        lines.extend(f"warning: {w}" for w in self.warnings)
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, object]:
        return {
            "settings": [
                {"key": k, "value": v, "source": s, "origin": o or None} for k, v, s, o in self.rows()
            ],
            "warnings": list(self.warnings),
        }


def user_config_dir() -> Path:
    """``$XDG_CONFIG_HOME/plansmith`` (an unset, empty or relative XDG_CONFIG_HOME means ``~/.config``)."""
    xdg = os.environ.get("XDG_CONFIG_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".config"
    return base / "plansmith"


def user_config_path() -> Path:
    return user_config_dir() / "config.toml"


def load_settings(repo_root: Path | None, overrides: Mapping[str, object] | None = None) -> LoadedSettings:
    """Read every source, apply the trust rule, merge, validate.

    ``overrides`` are command-line flags: nested mappings or dotted keys (``{"thresholds.expand": 7}``);
    ``None`` values are skipped, so unset flags can be passed as they are.

    Raises :class:`ConfigError` for malformed TOML (file and line), wrong types or values (key and source).
    Unknown keys and ignored repository keys produce warnings.
    """
    warnings: list[str] = []
    merged: dict[str, Any] = {}
    sources: dict[str, SourceLabel] = {}
    origins: dict[str, str] = {}
    files: dict[str, Path] = {}

    def apply(data: dict[str, Any], label: SourceLabel, origin: str, per_key_origin: dict[str, str]) -> None:
        data = _drop_unknown(data, label, origin, warnings)
        for key in _flatten(data, agents_as_leaves=False):
            sources[key] = label
            origins[key] = per_key_origin.get(key, origin)
            for agent_key in _agent_summary_keys(key):
                sources[agent_key] = label
                origins[agent_key] = origins[key]
        _deep_merge(merged, data)

    if repo_root is not None:
        pyproject = repo_root / "pyproject.toml"
        if pyproject.is_file():
            files["pyproject.toml"] = pyproject
            doc = _read_toml(pyproject)
            tool = doc.get("tool", {})
            section = tool.get("plansmith") if isinstance(tool, dict) else None
            if section is not None:
                if not isinstance(section, dict):
                    raise ConfigError(
                        f"[tool.plansmith] in {pyproject} must be a table",
                        path=str(pyproject),
                        hint="write it as a [tool.plansmith] table of settings",
                    )
                data = _untrusted(section, pyproject, "tool.plansmith", warnings)
                apply(data, "pyproject.toml", str(pyproject), {})
        repo_file = repo_root / "plansmith.toml"
        if repo_file.is_file():
            files["plansmith.toml"] = repo_file
            data = _untrusted(_read_toml(repo_file), repo_file, "", warnings)
            apply(data, "plansmith.toml", str(repo_file), {})

    user_file = user_config_path()
    if user_file.is_file():
        files["user config"] = user_file
        apply(_read_toml(user_file), "user config", str(user_file), {})

    env_data, env_names = _read_env(os.environ)
    if env_data:
        apply(env_data, "env", "", env_names)

    if overrides:
        flag_data = _overrides_to_tree(overrides)
        apply(flag_data, "flag", "", {})

    try:
        settings = Settings(**merged)
    except ValidationError as exc:
        raise _config_error(exc, sources, origins) from None
    _plan_roots_provenance(sources, origins, warnings)

    if settings.agent is not None and settings.agent not in settings.agents:
        key_src = sources.get("agent", "default")
        where = origins.get("agent") or key_src
        raise ConfigError(
            f"agent {settings.agent!r} (from {where}) is not defined",
            hint=(
                f"define it as an [agents.{settings.agent}] table with a 'command' in {user_config_path()}"
                " (agent definitions are read only from the user settings, the environment and flags)"
            ),
        )
    return LoadedSettings(settings=settings, warnings=warnings, sources=sources, origins=origins, files=files)


# --------------------------------------------------------------------------------------------- helpers


def _plan_roots_provenance(
    sources: dict[str, SourceLabel], origins: dict[str, str], warnings: list[str]
) -> None:
    """``config show`` names where the effective roots came from when the old ``plans_dir`` gave them."""
    if "plans_dir" not in sources:
        return
    if "plans_dirs" in sources:
        warnings.append(
            f"plans_dir (from {_describe_source(sources['plans_dir'], origins.get('plans_dir', ''))}) is "
            f"ignored because plans_dirs is set (from "
            f"{_describe_source(sources['plans_dirs'], origins.get('plans_dirs', ''))}); remove one of them"
        )
        return
    sources["plans_dirs"] = sources["plans_dir"]
    origins["plans_dirs"] = origins.get("plans_dir", "")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}", path=str(path)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path} is not UTF-8 text", path=str(path), line=line, hint="save the file as UTF-8"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line_no = int(found.group(1)) if found else None
        if line_no is None and "end of document" in str(exc):
            line_no = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
        reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        reason = reason or "invalid TOML"
        col = f" (column {found.group(2)})" if found else ""
        raise ConfigError(
            f"malformed TOML: {reason}{col}",
            path=str(path),
            line=line_no,
            hint=f"fix the TOML syntax of {path.name}"
            + (f" at line {line_no}" if line_no else "")
            + " (strings need quotes, tables are [name], lists are [a, b])",
        ) from None


def _untrusted(data: dict[str, Any], path: Path, table: str, warnings: list[str]) -> dict[str, Any]:
    """Repository data without the keys that would make plansmith run programs (with a warning each)."""
    kept = dict(data)
    user_file = user_config_path()
    prefix = f"{table}." if table else ""
    if "agents" in kept:
        del kept["agents"]
        warnings.append(
            f"{path}: the [{prefix}agents] table is ignored: "
            "a repository cannot make plansmith run programs. "
            f"To use these agents, move the [agents.NAME] tables to your user settings file {user_file}"
        )
    if "agent" in kept:
        value = kept.pop("agent")
        shown = (
            json.dumps(value, ensure_ascii=False) if isinstance(value, str | list | int | float) else "..."
        )
        warnings.append(
            f"{path}: {prefix}agent = {shown} is ignored: "
            "a repository cannot choose the agent plansmith runs. "
            f"To use it, set agent = {shown} in your user settings file {user_file}, "
            "or pass --agent NAME / PLANSMITH_AGENT=NAME"
        )
    return kept


def _field_model(model: type[BaseModel], name: str) -> type[BaseModel] | None:
    info = model.model_fields.get(name)
    if info is None:
        return None
    ann = info.annotation
    return ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None


def _drop_unknown(data: dict[str, Any], label: str, origin: str, warnings: list[str]) -> dict[str, Any]:
    where = origin or label

    def walk(model: type[BaseModel], node: dict[str, Any], path: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in node.items():
            dotted = f"{path}{key}"
            if key not in model.model_fields:
                warnings.append(f"{where}: unknown setting {dotted!r} ignored")
                continue
            sub = _field_model(model, key)
            if sub is not None and isinstance(value, dict):
                out[key] = walk(sub, value, f"{dotted}.")
            elif key == "agents" and model is Settings and isinstance(value, dict):
                agents: dict[str, Any] = {}
                for name, spec in value.items():
                    agents[name] = (
                        walk(AgentSpec, spec, f"{dotted}.{name}.") if isinstance(spec, dict) else spec
                    )
                out[key] = agents
            else:
                out[key] = value
        return out

    return walk(Settings, data, "")


def _flatten(data: Mapping[str, Any], *, agents_as_leaves: bool, prefix: str = "") -> dict[str, Any]:
    """Dotted keys to values. Empty tables and ``agents.NAME.env`` stay whole; with ``agents_as_leaves``
    each ``agents.NAME`` is one value (how ``config show`` prints an agent)."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        parts = dotted.split(".")
        whole = (
            not isinstance(value, dict)
            or not value
            or (agents_as_leaves and len(parts) == 2 and parts[0] == "agents")
            or (len(parts) == 3 and parts[0] == "agents" and parts[2] == "env")
        )
        if whole:
            flat[dotted] = value
        else:
            flat.update(_flatten(value, agents_as_leaves=agents_as_leaves, prefix=f"{dotted}."))
    return flat


def _agent_summary_keys(key: str) -> list[str]:
    """``agents.claude.timeout_s`` is also the source of the row ``agents.claude`` in ``config show``."""
    parts = key.split(".")
    return [f"agents.{parts[1]}"] if len(parts) > 2 and parts[0] == "agents" else []


def _key_order(key: str) -> tuple[int, str]:
    order = list(Settings.model_fields)
    head = key.split(".", 1)[0]
    return (order.index(head) if head in order else len(order), key)


def _deep_merge(into: dict[str, Any], data: Mapping[str, Any]) -> None:
    for key, value in data.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _deep_merge(into[key], value)
        elif isinstance(value, dict):
            into[key] = {}
            _deep_merge(into[key], value)
        else:
            into[key] = value


def _leaf_wants_json(path: list[str]) -> bool:
    """True when the setting at ``path`` is a list or a table (its environment value is JSON)."""
    if len(path) == 1 and _field_model(Settings, path[0]) is not None:
        return True  # a whole section: PLANSMITH_THRESHOLDS='{"expand": 9}'
    if path[0] == "agents":
        return len(path) <= 2 or path[-1] in {"command", "tools", "fallback_tools", "roles", "env"}
    return False


def _read_env(environ: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """``PLANSMITH_*`` variables naming a setting, as a nested dict, and the variable of each dotted key.

    Names are case-insensitive (taken lower case). Lists and tables are written as JSON
    (``PLANSMITH_AGENTS__CLAUDE__COMMAND='["claude", "-p"]'``). Variables that name no setting
    (``PLANSMITH_DEBUG``, the ``PLANSMITH_ROLE``... given to agents) are not settings and are skipped.
    """
    tree: dict[str, Any] = {}
    names: dict[str, str] = {}
    for var in sorted(environ):
        if not var.upper().startswith(ENV_PREFIX):
            continue
        path = [p.lower() for p in var[len(ENV_PREFIX) :].split(ENV_NESTING)]
        if not path or not path[0] or path[0] not in Settings.model_fields or any(not p for p in path):
            continue
        raw = environ[var]
        value: Any = raw
        if path == ["plans_dirs"]:
            try:
                value = parse_root_list(raw)  # a JSON list or comma-separated folders
            except ValueError as exc:
                raise ConfigError(
                    f"{var}: {exc}",
                    hint='e.g. \'["specs/plans", "specs/*/plans"]\' or specs/plans,docs/plans',
                ) from None
        elif _leaf_wants_json(path):
            try:
                value = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise ConfigError(
                    f"{var}: not valid JSON ({exc.msg} at character {exc.pos})",
                    hint='lists and tables in the environment are JSON, e.g. \'["claude", "-p"]\'',
                ) from None
        node = tree
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigError(f"{var}: conflicts with another PLANSMITH_ variable for {part!r}")
            node = child
        node[path[-1]] = value
        names[".".join(path)] = var
        if isinstance(value, dict):
            for sub in _flatten(value, agents_as_leaves=False, prefix=".".join(path) + "."):
                names[sub] = var
    return tree, names


def _overrides_to_tree(overrides: Mapping[str, object]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for key, value in overrides.items():
        if value is None:
            continue
        parts = key.split(".")
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        if isinstance(value, Mapping):
            sub: dict[str, Any] = node.setdefault(parts[-1], {})
            _deep_merge(sub, _overrides_to_tree(value))
        else:
            node[parts[-1]] = value
    return tree


def _describe_source(label: SourceLabel, origin: str) -> str:
    if label == "env" and origin:
        return f"environment variable {origin}"
    if label == "flag":
        return "command-line flag"
    if label in ("pyproject.toml", "plansmith.toml", "user config") and origin:
        return origin
    return label


def _config_error(
    exc: ValidationError, sources: dict[str, SourceLabel], origins: dict[str, str]
) -> ConfigError:
    messages: list[str] = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        key = ".".join(loc)
        msg = str(err["msg"]).removeprefix("Value error, ")
        if key in sources:
            candidates = [key]
        elif key:
            candidates = [k for k in sources if k.startswith(key + ".")]
        else:  # a check across settings (max_parallel / force_parallel)
            candidates = [k for k in ("max_parallel", "force_parallel") if k in sources]
        where = sorted({_describe_source(sources[k], origins.get(k, "")) for k in candidates}) or ["default"]
        section_check = not key or (len(loc) == 1 and _field_model(Settings, key) is not None)
        text = msg if section_check else f"{key}: {msg}"  # a section's own check names its keys
        messages.append(f"{text} (from {', '.join(where)})")
    return ConfigError(
        "invalid settings: " + "; ".join(messages),
        hint="fix the value where it is set; 'plansmith config show' lists every setting and its source",
    )
