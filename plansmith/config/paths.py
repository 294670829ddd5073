"""Path rules of the settings that the pre-commit hook needs too: where the user settings file is, and
which plan roots a set of ``plans_dirs`` / ``plans_dir`` values gives.

Shared by the full settings (:mod:`plansmith.config.model`, :mod:`plansmith.config.load`) and the hook's
cheap reader (:mod:`plansmith.hooks.plans_dir`), so that the two cannot drift apart. It must stay cheap:
it imports no pydantic, no TOML parser, nothing of plansmith but :mod:`plansmith.errors` and the pure
:mod:`plansmith.plan.roots`; it reads no file.
It must not validate or load settings: that is :mod:`plansmith.config.load`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from plansmith.errors import ConfigError
from plansmith.plan.roots import DEFAULT_ROOTS, normalise_pattern, normalise_patterns

ROOTS_HINT = 'use repository-relative folders, e.g. plans_dirs = ["specs/plans", "specs/*/plans"]'


def user_config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/plansmith``; an unset, empty or relative XDG_CONFIG_HOME means ``~/.config``.

    The XDG Base Directory specification says a relative path in XDG_CONFIG_HOME is invalid and must be
    ignored: honouring it would read a different file in every working directory.
    """
    env = os.environ if environ is None else environ
    xdg = env.get("XDG_CONFIG_HOME", "")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "plansmith"
    home = env.get("HOME") or str(Path.home())
    return Path(home) / ".config" / "plansmith"


def user_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """The user settings file, ``$XDG_CONFIG_HOME/plansmith/config.toml``."""
    return user_config_dir(environ) / "config.toml"


def effective_plan_roots(
    plans_dirs: list[str] | tuple[str, ...] | None, plans_dir: str | None
) -> tuple[str, ...]:
    """The roots in force: ``plans_dirs`` when set anywhere; else the old ``plans_dir`` as the one root;
    else the four default roots. Values are already normalised."""
    if plans_dirs is not None:
        return tuple(plans_dirs)
    if plans_dir is not None:
        return (plans_dir,)
    return DEFAULT_ROOTS


def normalise_plans_dir(value: object, origin: str = "plans_dir") -> str:
    """``./specs/plans/`` -> ``specs/plans``, or a :class:`ConfigError` naming ``origin``."""
    if not isinstance(value, str):
        raise ConfigError(
            f"plans_dir in {origin} must be a string", hint='write it as plans_dir = "specs/plans"'
        )
    try:
        return normalise_pattern(value)
    except ValueError as exc:
        raise ConfigError(
            f"plans_dir {value!r} in {origin} {exc}",
            hint="use a repository-relative folder such as specs/plans",
        ) from None


def normalise_plans_dirs(value: object, origin: str) -> tuple[str, ...]:
    """A ``plans_dirs`` list normalised (duplicates dropped), or a :class:`ConfigError` naming ``origin``."""
    if not isinstance(value, list | tuple):
        raise ConfigError(f"plans_dirs in {origin} must be a list of folders", hint=ROOTS_HINT)
    try:
        return normalise_patterns(value)
    except ValueError as exc:
        raise ConfigError(f"plans_dirs in {origin}: {exc}", hint=ROOTS_HINT) from None
