"""The plans folder, read cheaply for the pre-commit hook.

The full settings (:mod:`plansmith.config`) need pydantic-settings, ~120 ms to import: too slow for a
hook that runs on every commit. This module reads only the one key the hook needs, ``plans_dir``, from
the same sources in the same order (lowest to highest priority): ``[tool.plansmith]`` in
``pyproject.toml``, ``plansmith.toml`` (top-level key), the user settings file
``$XDG_CONFIG_HOME/plansmith/config.toml``, then ``PLANSMITH_PLANS_DIR``. ``tomllib`` is imported only
when a file mentions ``plans_dir`` at all.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from plansmith.errors import ConfigError

DEFAULT_PLANS_DIR = "specs/plans"
ENV_VAR = "PLANSMITH_PLANS_DIR"


def read_plans_dir(root: Path, environ: Mapping[str, str] | None = None) -> str:
    """The repository-relative plans folder of the repository at ``root`` (``specs/plans`` by default)."""
    env = os.environ if environ is None else environ
    value: object = DEFAULT_PLANS_DIR
    origin = "the default"

    pyproject = root / "pyproject.toml"
    doc = _read_if_mentioned(pyproject)
    if doc is not None:
        tool = doc.get("tool")
        section = tool.get("plansmith") if isinstance(tool, dict) else None
        if isinstance(section, dict) and "plans_dir" in section:
            value, origin = section["plans_dir"], f"[tool.plansmith] in {pyproject}"

    for path in (root / "plansmith.toml", _user_config(env)):
        doc = _read_if_mentioned(path)
        if doc is not None and "plans_dir" in doc:
            value, origin = doc["plans_dir"], str(path)

    if env.get(ENV_VAR):
        value, origin = env[ENV_VAR], ENV_VAR
    return normalise_plans_dir(value, origin)


def normalise_plans_dir(value: object, origin: str = "plans_dir") -> str:
    """``./specs/plans/`` -> ``specs/plans``; the same rules as the full settings."""
    if not isinstance(value, str):
        raise ConfigError(
            f"plans_dir in {origin} must be a string", hint='write it as plans_dir = "specs/plans"'
        )
    text = value.strip().replace("\\", "/").rstrip("/")
    parts = [part for part in text.split("/") if part not in ("", ".")]
    reason = None
    if not parts:
        reason = "must not be empty"
    elif text.startswith("/") or re.match(r"^[A-Za-z]:", text):
        reason = "must be relative to the repository root"
    elif ".." in parts:
        reason = "must stay inside the repository (no '..')"
    if reason is not None:
        raise ConfigError(
            f"plans_dir {value!r} in {origin} {reason}",
            hint="use a repository-relative folder such as specs/plans",
        )
    return "/".join(parts)


def _user_config(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME") or Path.home()) / ".config")
    return Path(base) / "plansmith" / "config.toml"


def _read_if_mentioned(path: Path) -> dict[str, Any] | None:
    """The TOML document at ``path`` if it exists and mentions ``plans_dir``; ``None`` otherwise."""
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}", path=str(path)) from None
    if b"plans_dir" not in raw:
        return None
    import tomllib  # only now: ~5 ms that most commits never pay

    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"cannot read plans_dir from {path}: {exc}",
            path=str(path),
            hint=f"fix the TOML syntax of {path.name}",
        ) from None
