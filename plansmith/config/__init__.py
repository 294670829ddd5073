"""Settings: one validated ``Settings`` value built from layered sources, with the origin of every value.

The package is split by what each part needs: :mod:`.paths` (where the user file is, plan-root rules; no
pydantic, also used by the pre-commit hook), :mod:`.model` (the pydantic models and their checks),
:mod:`.sources` (pydantic-settings' own sources, plus the trust filter and the record of what each
source gave) and :mod:`.load` (:func:`load_settings`, errors and ``config show``).

Importing this package is cheap and has no side effects: the names below are loaded on first use, so a
command that never touches the settings never imports pydantic (~100 ms).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from plansmith.config.load import LoadedSettings, load_settings
    from plansmith.config.model import (
        MAX_PARALLEL_UNFORCED,
        REPOSITORY_FORBIDDEN_KEYS,
        ROLES,
        AgentSpec,
        Commit,
        Limits,
        Retry,
        Role,
        Settings,
        check_ref_prefix,
    )
    from plansmith.config.paths import user_config_dir, user_config_path
    from plansmith.config.sources import ENV_NESTING, ENV_PREFIX, SourceLabel

_WHERE: dict[str, str] = {
    "LoadedSettings": "load",
    "load_settings": "load",
    "MAX_PARALLEL_UNFORCED": "model",
    "REPOSITORY_FORBIDDEN_KEYS": "model",
    "ROLES": "model",
    "AgentSpec": "model",
    "Commit": "model",
    "Limits": "model",
    "Retry": "model",
    "Role": "model",
    "Settings": "model",
    "check_ref_prefix": "model",
    "user_config_dir": "paths",
    "user_config_path": "paths",
    "ENV_NESTING": "sources",
    "ENV_PREFIX": "sources",
    "SourceLabel": "sources",
}

__all__ = [
    "ENV_NESTING",
    "ENV_PREFIX",
    "MAX_PARALLEL_UNFORCED",
    "REPOSITORY_FORBIDDEN_KEYS",
    "ROLES",
    "AgentSpec",
    "Commit",
    "Limits",
    "LoadedSettings",
    "Retry",
    "Role",
    "Settings",
    "SourceLabel",
    "check_ref_prefix",
    "load_settings",
    "user_config_dir",
    "user_config_path",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # the next lookup is an ordinary one
    return value
