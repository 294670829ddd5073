"""The settings model: ``Settings`` and its sections, their defaults and every check on their values.

The meaning of each setting lives here; where values come from does not. ``Settings()`` alone gives the
defaults; :func:`plansmith.config.load.load_settings` installs the layered sources (see
:mod:`plansmith.config.sources`) for the one call that builds the effective settings, through
:func:`sources_installed`. Importing this module reads no file and no environment variable.

Trust rule (enforced by the sources, recorded here because it shapes the model): the repository is
untrusted input, so ``agents`` and ``agent`` are never taken from repository files. ``agent`` only names
an agent whose command comes from the user's own settings, but honouring it would still let a cloned
repository switch on a program over plan text written by someone else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from plansmith.config.paths import effective_plan_roots
from plansmith.plan.roots import DEFAULT_ROOTS, normalise_pattern, normalise_patterns
from plansmith.plan.thresholds import Thresholds

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


# Builds the sources of one load_settings call: (settings class) -> sources, highest priority first.
SourceBuilder = Callable[[type[BaseSettings]], tuple[PydanticBaseSettingsSource, ...]]
_INSTALLED_SOURCES: ContextVar[SourceBuilder | None] = ContextVar("plansmith_settings_sources", default=None)


@contextmanager
def sources_installed(builder: SourceBuilder) -> Iterator[None]:
    """Within the block, ``Settings()`` reads the sources ``builder`` gives (per thread and task)."""
    token = _INSTALLED_SOURCES.set(builder)
    try:
        yield
    finally:
        _INSTALLED_SOURCES.reset(token)


class Settings(BaseSettings):
    """The effective settings. Build it with ``load_settings``; ``Settings()`` alone gives the defaults."""

    # [tool.plansmith]: the pyproject.toml table pydantic-settings' PyprojectTomlConfigSettingsSource reads.
    model_config = SettingsConfigDict(
        extra="forbid", validate_default=True, pyproject_toml_table_header=("tool", "plansmith")
    )

    plans_dirs: list[str] = Field(default_factory=lambda: list(DEFAULT_ROOTS))
    plans_dir: str | None = None  # the old single root; see _plans_dir_is_one_root
    # The plan core's own value (plan/thresholds.py): pydantic validates it, the scorer takes it as is.
    thresholds: Thresholds = Field(default_factory=Thresholds)
    max_parallel: int = Field(default=4, ge=1)
    force_parallel: bool = False
    proposal_prefix: str = "plansmith/"
    debounce_ms: int = Field(default=500, ge=0)
    sync_status: bool = True  # the daemon and CI propose status markers the boxes say (docs/progress.md)
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
        # Outside load_settings only the init arguments count: Settings() never reads files behind the
        # caller's back. Inside, the sources are pyproject < plansmith.toml < user file < env < flags.
        builder = _INSTALLED_SOURCES.get()
        return (init_settings,) if builder is None else builder(settings_cls)

    @staticmethod
    def _settings_warn_unused_config_keys(
        sources: tuple[object, ...], model_config: SettingsConfigDict
    ) -> None:
        # pydantic-settings warns that pyproject_toml_table_header is unused whenever no pyproject source
        # is installed: intended for Settings() alone and for load_settings without a repository.
        return None

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
        # root. When both are set, plans_dirs wins (load_settings warns). The hook's reader shares the rule.
        given = self.plans_dirs if "plans_dirs" in self.model_fields_set else None
        roots = list(effective_plan_roots(given, self.plans_dir))
        if roots != self.plans_dirs:
            self.plans_dirs = roots
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
