"""The plan roots, read cheaply for the pre-commit hook.

The full settings (:mod:`plansmith.config`) need pydantic-settings, ~120 ms to import: too slow for a
hook that runs on every commit. This module reads only the two keys the hook needs, ``plans_dirs`` (the
root patterns) and the older ``plans_dir`` (one root), from the same sources in the same order (lowest
to highest priority): ``[tool.plansmith]`` in ``pyproject.toml``, ``plansmith.toml`` (top-level key),
the user settings file ``$XDG_CONFIG_HOME/plansmith/config.toml``, then ``PLANSMITH_PLANS_DIRS`` (a JSON
list or comma-separated) and ``PLANSMITH_PLANS_DIR``. The rule is the full settings' one:
``plans_dirs`` set anywhere wins; else ``plans_dir`` set anywhere is the one root; else the defaults.
The path rules (where the user file is, a relative XDG_CONFIG_HOME ignored, how roots are normalised,
which key wins) are the full settings' own, from :mod:`plansmith.config.paths`. ``tomllib`` is imported
only when a file mentions ``plans_dir`` at all. It must not import pydantic, GitPython or the parser.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from plansmith.config.paths import (
    ROOTS_HINT,
    effective_plan_roots,
    normalise_plans_dir,
    normalise_plans_dirs,
    user_config_path,
)
from plansmith.errors import ConfigError
from plansmith.plan.roots import parse_root_list

DEFAULT_PLANS_DIR = "specs/plans"
ENV_VAR = "PLANSMITH_PLANS_DIR"
ENV_VAR_ROOTS = "PLANSMITH_PLANS_DIRS"

__all__ = ["normalise_plans_dir", "read_plan_roots", "read_plans_dir"]


def read_plan_roots(root: Path, environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The root patterns of the repository at ``root`` (the four default roots unless configured)."""
    env = os.environ if environ is None else environ
    found: dict[str, tuple[object, str]] = {}  # key -> (value, where), the highest source last

    pyproject = root / "pyproject.toml"
    doc = _read_if_mentioned(pyproject)
    if doc is not None:
        tool = doc.get("tool")
        section = tool.get("plansmith") if isinstance(tool, dict) else None
        if isinstance(section, dict):
            _take(found, section, f"[tool.plansmith] in {pyproject}")
    for path in (root / "plansmith.toml", user_config_path(env)):
        doc = _read_if_mentioned(path)
        if doc is not None:
            _take(found, doc, str(path))
    if env.get(ENV_VAR_ROOTS):
        try:
            found["plans_dirs"] = (parse_root_list(env[ENV_VAR_ROOTS]), ENV_VAR_ROOTS)
        except ValueError as exc:
            raise ConfigError(f"{ENV_VAR_ROOTS}: {exc}", hint=ROOTS_HINT) from None
    if env.get(ENV_VAR):
        found["plans_dir"] = (env[ENV_VAR], ENV_VAR)

    plans_dirs = normalise_plans_dirs(*found["plans_dirs"]) if "plans_dirs" in found else None
    plans_dir = normalise_plans_dir(*found["plans_dir"]) if "plans_dir" in found else None
    return effective_plan_roots(plans_dirs, plans_dir)


def read_plans_dir(root: Path, environ: Mapping[str, str] | None = None) -> str:
    """The first root (the only one when a single ``plans_dir`` is configured)."""
    return read_plan_roots(root, environ)[0]


def _take(found: dict[str, tuple[object, str]], table: Mapping[str, Any], origin: str) -> None:
    for key in ("plans_dirs", "plans_dir"):
        if key in table:
            found[key] = (table[key], origin)


def _read_if_mentioned(path: Path) -> dict[str, Any] | None:
    """The TOML document at ``path`` if it exists and mentions ``plans_dir``; ``None`` otherwise."""
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}", path=str(path)) from None
    if b"plans_dir" not in raw:  # also finds plans_dirs
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
