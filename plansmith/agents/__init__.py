"""Agent backends behind one protocol.

- :class:`StructuralAgent`: built in, used when no agent is configured; adds nothing creative.
- :class:`CommandAgent`: an external program from the user's ``[agents.NAME]`` settings.

:func:`agent_from_settings` picks the one the settings (or ``--agent``) name.
"""

from __future__ import annotations

from plansmith.agents.acceptance import changed_paths, check_elaboration, snapshot_tree
from plansmith.agents.base import Agent, AgentRequest, AgentResult, AttemptRecord, Estimate
from plansmith.agents.command import AttemptOutcome, CommandAgent, agent_environment, expand_command
from plansmith.agents.estimate import parse_estimate
from plansmith.agents.process import ProcessResult, run_program
from plansmith.agents.prompts import render_prompt, template_text
from plansmith.agents.structural import StructuralAgent
from plansmith.config import Settings, user_config_path
from plansmith.errors import ConfigError


def agent_from_settings(settings: Settings, name: str | None = None, **kwargs: object) -> Agent:
    """The agent called ``name`` (default: ``settings.agent``); the structural agent when none is named.

    ``kwargs`` go to :class:`CommandAgent` (``grace_s``, ``same_item``, ``tasks_of``, ``restore``...).
    Only ``settings.agents`` is consulted, and :func:`plansmith.config.load_settings` never fills it from
    repository files.
    """
    chosen = name if name is not None else settings.agent
    if chosen is None:
        return StructuralAgent()
    if chosen == StructuralAgent.name and chosen not in settings.agents:
        return StructuralAgent()
    if chosen not in settings.agents:
        raise ConfigError(
            f"no agent named {chosen!r} is defined",
            hint=f"add an [agents.{chosen}] table with a 'command' to {user_config_path()}",
        )
    return CommandAgent.from_settings(chosen, settings, **kwargs)


__all__ = [
    "Agent",
    "AgentRequest",
    "AgentResult",
    "AttemptOutcome",
    "AttemptRecord",
    "CommandAgent",
    "Estimate",
    "ProcessResult",
    "StructuralAgent",
    "agent_environment",
    "agent_from_settings",
    "changed_paths",
    "check_elaboration",
    "expand_command",
    "parse_estimate",
    "render_prompt",
    "run_program",
    "snapshot_tree",
    "template_text",
]
