"""The sources of the settings: pydantic-settings' own source classes, plus what the library lacks.

Reading TOML, walking ``[tool.plansmith]``, splitting ``PLANSMITH_THRESHOLDS__EXPAND`` into nested keys
and decoding JSON values is the library's job (``PyprojectTomlConfigSettingsSource``,
``TomlConfigSettingsSource``, ``EnvSettingsSource``, ``InitSettingsSource``). plansmith adds, on what each
source returned:

- the trust filter: repository sources (pyproject.toml, plansmith.toml) lose ``agents`` and ``agent``,
  with a warning naming the user settings file to move them to, and a ``proposal_prefix`` that is not
  under ``plansmith/`` (it would let a repository make plansmith delete the user's branches);
- unknown keys dropped with a warning (the model forbids extras; a typo must not stop plansmith);
- a :class:`SourceReport` per source (its label, file or variables, warnings), from which
  :mod:`plansmith.config.load` derives the provenance that ``config show`` prints;
- errors a user can act on: malformed TOML names the file and line, a bad environment value names the
  variable.

This module must not merge, validate or decide precedence: pydantic-settings merges the sources in the
order :func:`build_sources` gives them, and the model validates.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    PyprojectTomlConfigSettingsSource,
    TomlConfigSettingsSource,
)

from plansmith.config.model import AgentSpec, Settings
from plansmith.config.paths import user_config_path
from plansmith.errors import ConfigError
from plansmith.plan.roots import parse_root_list

SourceLabel = Literal["default", "pyproject.toml", "plansmith.toml", "user config", "env", "flag"]
ENV_PREFIX = "PLANSMITH_"
ENV_NESTING = "__"
# Repository files are untrusted: a proposal_prefix they set must lie under this one, so that it can
# never name branches of the user's (``wip/``, ``feature/``).
REPOSITORY_PREFIX_ROOT = "plansmith/"


@dataclass
class SourceReport:
    """What one source gave, after the trust filter and the unknown keys were taken out."""

    label: SourceLabel
    origin: str  # the file read; "" for the environment and flags
    data: dict[str, Any] = field(default_factory=dict)
    key_origins: dict[str, str] = field(default_factory=dict)  # dotted key -> environment variable
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LoadPlan:
    """Everything one ``load_settings`` call reads: the repository, the user file and the flags."""

    repo_root: Path | None
    user_file: Path
    flags: dict[str, Any]
    reports: list[SourceReport] = field(default_factory=list)  # filled as pydantic-settings calls them

    def report(self, label: SourceLabel, origin: str) -> SourceReport:
        new = SourceReport(label, origin)
        self.reports.append(new)
        return new


def build_sources(plan: LoadPlan, settings_cls: type[BaseSettings]) -> tuple[PydanticBaseSettingsSource, ...]:
    """The sources in pydantic-settings' order: highest priority first (flags, env, user file, ...)."""
    sources: list[PydanticBaseSettingsSource] = [
        FlagSource(settings_cls, plan.flags, plan.report("flag", "")),
        EnvSource(settings_cls, plan.report("env", "")),
        TomlFileSource(settings_cls, plan.user_file, plan.report("user config", str(plan.user_file))),
    ]
    if plan.repo_root is not None:
        repo_file = plan.repo_root / "plansmith.toml"
        pyproject = plan.repo_root / "pyproject.toml"
        sources.append(TomlFileSource(settings_cls, repo_file, plan.report("plansmith.toml", str(repo_file))))
        sources.append(
            PyprojectSource(settings_cls, pyproject, plan.report("pyproject.toml", str(pyproject)))
        )
    return tuple(sources)


# ------------------------------------------------------------------------------------------- the sources


class FlagSource(InitSettingsSource):
    """Command-line flags, as a nested mapping (``None`` values already left out)."""

    def __init__(self, settings_cls: type[BaseSettings], flags: dict[str, Any], report: SourceReport):
        super().__init__(settings_cls, flags)
        self._report = report

    def __call__(self) -> dict[str, Any]:
        return _accept(self._report, super().__call__())


class TomlFileSource(TomlConfigSettingsSource):
    """A TOML file whose top level is the settings: ``plansmith.toml`` or the user settings file."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path, report: SourceReport):
        self._report = report  # before the library reads the file: its errors name report.origin
        super().__init__(settings_cls, toml_file=path)

    def _read_file(self, file_path: Any) -> dict[str, Any]:
        read = super()._read_file
        return _read_toml_reporting_errors(lambda: read(file_path), Path(self._report.origin))

    def __call__(self) -> dict[str, Any]:
        untrusted = "" if self._report.label == "plansmith.toml" else None
        return _accept(self._report, super().__call__(), untrusted_table=untrusted)


class PyprojectSource(PyprojectTomlConfigSettingsSource):
    """``[tool.plansmith]`` of the repository's ``pyproject.toml`` (the table named in the model config)."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path, report: SourceReport):
        self._report = report  # before the library reads the file: its errors name report.origin
        super().__init__(settings_cls, toml_file=path)

    def _read_file(self, file_path: Any) -> dict[str, Any]:
        read = super()._read_file
        doc = _read_toml_reporting_errors(lambda: read(file_path), Path(self._report.origin))
        tool = doc.get("tool")
        if not isinstance(tool, dict):  # no [tool] tables at all: nothing for plansmith
            return {}
        section = tool.get("plansmith")
        if section is not None and not isinstance(section, dict):
            raise ConfigError(
                f"[tool.plansmith] in {self._report.origin} must be a table",
                path=self._report.origin,
                hint="write it as a [tool.plansmith] table of settings",
            )
        return doc

    def __call__(self) -> dict[str, Any]:
        return _accept(self._report, super().__call__(), untrusted_table="tool.plansmith")


class EnvSource(EnvSettingsSource):
    """``PLANSMITH_<KEY>`` variables, any case, nested keys joined by ``__``; lists and tables as JSON.

    Variables that name no setting (``PLANSMITH_DEBUG``, the ``PLANSMITH_ROLE``... given to agents) are
    not settings and the library skips them. ``PLANSMITH_PLANS_DIRS`` may also be comma-separated.
    """

    def __init__(self, settings_cls: type[BaseSettings], report: SourceReport):
        super().__init__(
            settings_cls, case_sensitive=False, env_prefix=ENV_PREFIX, env_nested_delimiter=ENV_NESTING
        )
        self._report = report

    def decode_complex_value(self, field_name: str, field: FieldInfo, value: Any) -> Any:
        if field is self.settings_cls.model_fields["plans_dirs"]:
            return parse_root_list(value)  # a JSON list or comma-separated folders
        return super().decode_complex_value(field_name, field, value)

    def prepare_field_value(
        self, field_name: str, field: FieldInfo, value: Any, value_is_complex: bool
    ) -> Any:
        try:
            return super().prepare_field_value(field_name, field, value, value_is_complex)
        except ValueError as exc:
            raise self._env_error(field_name, field, exc) from None

    def __call__(self) -> dict[str, Any]:
        data = super().__call__()
        self._report.key_origins = self._variables_of(data)
        return _accept(self._report, data)

    def _variable(self, path: list[str]) -> str:
        return (ENV_PREFIX + ENV_NESTING.join(path)).lower()

    def _variables_of(self, data: dict[str, Any]) -> dict[str, str]:
        """Dotted key -> the variable that set it: the variable of the key itself or of a table above it
        (``PLANSMITH_RETRY='{"factor": 2}'`` sets ``retry.factor``)."""
        found: dict[str, str] = {}
        names = {name.lower(): name for name in self.env_vars}
        for key in flatten(data, agents_as_leaves=False):
            path = key.split(".")
            for end in range(len(path), 0, -1):
                name = names.get(self._variable(path[:end]))
                if name is not None:
                    found[key] = name.upper()
                    break
        return found

    def _env_error(self, field_name: str, field: FieldInfo, exc: ValueError) -> ConfigError:
        """The variable whose value could not be decoded, found by asking the library one at a time."""
        own = self._variable([field_name])
        culprit = own.upper()
        everything = self.env_vars
        try:
            for name in sorted(n for n in everything if n == own or n.startswith(own + ENV_NESTING)):
                self.env_vars = {name: everything[name]}
                value, _, is_complex = self._get_resolved_field_value(field, field_name)
                try:
                    super().prepare_field_value(field_name, field, value, is_complex)
                except ValueError as single:
                    culprit, exc = name.upper(), single
                    break
        finally:
            self.env_vars = everything
        if isinstance(exc, json.JSONDecodeError):
            return ConfigError(
                f"{culprit}: not valid JSON ({exc.msg} at character {exc.pos})",
                hint='lists and tables in the environment are JSON, e.g. \'["claude", "-p"]\'',
            )
        if field_name == "plans_dirs":
            return ConfigError(
                f"{culprit}: {exc}",
                hint='e.g. \'["specs/plans", "specs/*/plans"]\' or specs/plans,docs/plans',
            )
        return ConfigError(f"{culprit}: {exc}")


# ------------------------------------------------------------------------------------- the filters


def _accept(
    report: SourceReport, data: dict[str, Any], *, untrusted_table: str | None = None
) -> dict[str, Any]:
    """``data`` without what plansmith does not take from this source, recorded in ``report``."""
    if untrusted_table is not None:
        data = untrusted(data, report.origin, untrusted_table, report.warnings)
    data = drop_unknown(data, report.origin or report.label, report.warnings)
    report.data = data
    return data


def untrusted(data: dict[str, Any], origin: str, table: str, warnings: list[str]) -> dict[str, Any]:
    """Repository data without the keys that would make plansmith run programs (with a warning each)."""
    kept = dict(data)
    user_file = user_config_path()
    prefix = f"{table}." if table else ""
    if "agents" in kept:
        del kept["agents"]
        warnings.append(
            f"{origin}: the [{prefix}agents] table is ignored: "
            "a repository cannot make plansmith run programs. "
            f"To use these agents, move the [agents.NAME] tables to your user settings file {user_file}"
        )
    if "agent" in kept:
        value = kept.pop("agent")
        shown = (
            json.dumps(value, ensure_ascii=False) if isinstance(value, str | list | int | float) else "..."
        )
        warnings.append(
            f"{origin}: {prefix}agent = {shown} is ignored: "
            "a repository cannot choose the agent plansmith runs. "
            f"To use it, set agent = {shown} in your user settings file {user_file}, "
            "or pass --agent NAME / PLANSMITH_AGENT=NAME"
        )
    prefix_value = kept.get("proposal_prefix")
    if prefix_value is not None and not _under_plansmith(prefix_value):
        del kept["proposal_prefix"]
        warnings.append(
            f"{origin}: {prefix}proposal_prefix = {json.dumps(prefix_value)} is ignored: "
            f"a repository may only choose a prefix under {REPOSITORY_PREFIX_ROOT!r} "
            "(it decides which branches plansmith moves and deletes). "
            f"Use one like {REPOSITORY_PREFIX_ROOT + 'team/'!r}, "
            f"or set it in your user settings file {user_file}"
        )
    return kept


def _under_plansmith(value: object) -> bool:
    return isinstance(value, str) and value.startswith(REPOSITORY_PREFIX_ROOT)


def field_model(model: type[BaseModel], name: str) -> type | None:
    """The class of a section field (``retry`` -> ``Retry``, ``thresholds`` -> the plan core's
    ``Thresholds`` dataclass); ``None`` for a plain value."""
    info = model.model_fields.get(name)
    if info is None:
        return None
    ann = info.annotation
    if isinstance(ann, type) and (issubclass(ann, BaseModel) or is_dataclass(ann)):
        return ann
    return None


def section_keys(section: type) -> set[str]:
    """The keys a section (a pydantic model or a dataclass) knows."""
    if issubclass(section, BaseModel):
        return set(section.model_fields)
    return {f.name for f in fields(section)} if is_dataclass(section) else set()


def drop_unknown(data: dict[str, Any], where: str, warnings: list[str]) -> dict[str, Any]:
    """``data`` without keys the model does not know (a warning each), at every level."""

    def walk(model: type, node: dict[str, Any], path: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        known = section_keys(model)
        for key, value in node.items():
            dotted = f"{path}{key}"
            if key not in known:
                warnings.append(f"{where}: unknown setting {dotted!r} ignored")
                continue
            sub = field_model(model, key) if issubclass(model, BaseModel) else None
            if sub is not None and isinstance(value, dict):
                out[key] = walk(sub, value, f"{dotted}.")
            elif key == "agents" and model is Settings and isinstance(value, dict):
                out[key] = {
                    name: walk(AgentSpec, spec, f"{dotted}.{name}.") if isinstance(spec, dict) else spec
                    for name, spec in value.items()
                }
            else:
                out[key] = value
        return out

    return walk(Settings, data, "")


def flatten(data: Mapping[str, Any], *, agents_as_leaves: bool, prefix: str = "") -> dict[str, Any]:
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
            flat.update(flatten(value, agents_as_leaves=agents_as_leaves, prefix=f"{dotted}."))
    return flat


# ------------------------------------------------------------------------------------------ TOML errors


def _read_toml_reporting_errors(read: Callable[[], dict[str, Any]], path: Path) -> dict[str, Any]:
    """The library's reading of a TOML file, with its failures turned into errors naming file and line."""
    try:
        doc: dict[str, Any] = read()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}", path=str(path)) from None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path} is not UTF-8 text", path=str(path), line=line, hint="save the file as UTF-8"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise _malformed_toml(path, exc) from None
    return doc


def _malformed_toml(path: Path, exc: tomllib.TOMLDecodeError) -> ConfigError:
    found = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
    line_no = int(found.group(1)) if found else None
    if line_no is None and "end of document" in str(exc):
        text = path.read_text(encoding="utf-8", errors="replace")
        line_no = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
    reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc)) or "invalid TOML"
    col = f" (column {found.group(2)})" if found else ""
    return ConfigError(
        f"malformed TOML: {reason}{col}",
        path=str(path),
        line=line_no,
        hint=f"fix the TOML syntax of {path.name}"
        + (f" at line {line_no}" if line_no else "")
        + " (strings need quotes, tables are [name], lists are [a, b])",
    )
