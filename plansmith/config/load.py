"""``load_settings``: build the effective settings from their sources and say where each value came from.

It installs the sources (:mod:`plansmith.config.sources`) for one ``Settings()`` call, then reads the
reports the sources left to derive the provenance (``config show``), the warnings in source order, and
errors that name the key and the source of a bad value. It must not parse files or the environment
itself (the sources do) nor write anything.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from plansmith.config.model import Settings, sources_installed
from plansmith.config.paths import user_config_path
from plansmith.config.sources import LoadPlan, SourceLabel, SourceReport, build_sources, field_model, flatten
from plansmith.errors import ConfigError


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
        flat = flatten(self.settings.model_dump(mode="json"), agents_as_leaves=True)
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


def load_settings(repo_root: Path | None, overrides: Mapping[str, object] | None = None) -> LoadedSettings:
    """Read every source, apply the trust rule, merge, validate.

    ``overrides`` are command-line flags: nested mappings or dotted keys (``{"thresholds.expand": 7}``);
    ``None`` values are skipped, so unset flags can be passed as they are.

    Raises :class:`ConfigError` for malformed TOML (file and line), wrong types or values (key and source).
    Unknown keys and ignored repository keys produce warnings.
    """
    plan = LoadPlan(repo_root, user_config_path(), _overrides_to_tree(overrides or {}))
    with sources_installed(partial(build_sources, plan)):
        try:
            settings = Settings()
        except ValidationError as exc:
            sources, origins, _ = _provenance(plan.reports)
            raise _config_error(exc, sources, origins) from None
    sources, origins, warnings = _provenance(plan.reports)
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
    files: dict[str, Path] = {
        report.label: Path(report.origin)
        for report in reversed(plan.reports)
        if report.origin and Path(report.origin).is_file()
    }
    return LoadedSettings(settings=settings, warnings=warnings, sources=sources, origins=origins, files=files)


_PRIORITY: tuple[SourceLabel, ...] = (
    "default",
    "pyproject.toml",
    "plansmith.toml",
    "user config",
    "env",
    "flag",
)


def _provenance(
    reports: list[SourceReport],
) -> tuple[dict[str, SourceLabel], dict[str, str], list[str]]:
    """Source label and origin of every dotted key set anywhere, the highest source winning; warnings in
    source order (lowest first, as the files are read)."""
    sources: dict[str, SourceLabel] = {}
    origins: dict[str, str] = {}
    warnings: list[str] = []
    for report in sorted(reports, key=lambda r: _PRIORITY.index(r.label)):
        warnings.extend(report.warnings)
        for key in flatten(report.data, agents_as_leaves=False):
            sources[key] = report.label
            origins[key] = report.key_origins.get(key, report.origin)
            for agent_key in _agent_summary_keys(key):
                sources[agent_key] = report.label
                origins[agent_key] = origins[key]
    return sources, origins, warnings


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
        section_check = not key or (len(loc) == 1 and field_model(Settings, key) is not None)
        text = msg if section_check else f"{key}: {msg}"  # a section's own check names its keys
        messages.append(f"{text} (from {', '.join(where)})")
    return ConfigError(
        "invalid settings: " + "; ".join(messages),
        hint="fix the value where it is set; 'plansmith config show' lists every setting and its source",
    )
