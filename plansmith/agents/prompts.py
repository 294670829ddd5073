"""Prompt templates per role: packaged defaults, overridable by the user.

A template is Markdown with ``string.Template`` placeholders (``$item_text``, ``${plan_context}``...),
filled with safe substitution: unknown placeholders stay as written, and substituted values are never
substituted again, so plan text holding ``$`` or ``$(...)`` passes through unchanged.

User override: ``$XDG_CONFIG_HOME/plansmith/templates/<role>.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from string import Template

from plansmith.config import ROLES, user_config_dir
from plansmith.errors import AgentError


def user_template_dir() -> Path:
    return user_config_dir() / "templates"


def template_text(role: str, *, user_dir: Path | None = None) -> tuple[str, str]:
    """The template for ``role`` and where it came from (the user file path, or ``"packaged"``)."""
    if role not in ROLES:
        raise AgentError(f"unknown agent role {role!r}", hint=f"roles: {', '.join(ROLES)}")
    folder = user_template_dir() if user_dir is None else user_dir
    custom = folder / f"{role}.md"
    if custom.is_file():
        try:
            return custom.read_text(encoding="utf-8"), str(custom)
        except (OSError, UnicodeDecodeError) as exc:
            raise AgentError(
                f"cannot read the prompt template {custom}: {exc}",
                hint="fix or delete the file to use the packaged template",
            ) from None
    packaged = resources.files("plansmith.agents").joinpath("templates", f"{role}.md")
    return packaged.read_text(encoding="utf-8"), "packaged"


def render_prompt(role: str, values: Mapping[str, str], *, user_dir: Path | None = None) -> str:
    text, _ = template_text(role, user_dir=user_dir)
    return Template(text).safe_substitute(values)
