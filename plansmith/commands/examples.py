"""Two examples per subcommand, shown at the end of ``plansmith COMMAND --help`` (and of ``--help``).

Plain data for :mod:`plansmith.cli`'s parser, kept apart so that the parser stays short and a new
subcommand adds its two lines here. It must not import anything: ``--help`` must stay instant.
"""

from __future__ import annotations

TOP = (
    "plansmith analyze specs/plans/001_feature.md      # score every phase and stage",
    "plansmith expand specs/plans/001_feature.md --auto-analysis   # propose what scores >= 8",
)

EXAMPLES: dict[str, tuple[str, str]] = {
    "analyze": (
        "plansmith analyze specs/plans/001_feature.md",
        "plansmith analyze 001_feature --format mermaid",
    ),
    "review": ("plansmith review specs/plans/001_feature.md", "plansmith review 001_feature --json"),
    "waves": ("plansmith waves specs/plans/001_feature.md", "plansmith waves 001_feature --format mermaid"),
    "validate": ("plansmith validate", "plansmith validate --staged --strict"),
    "config": ("plansmith config", "plansmith config show --json"),
    "expand": (
        "plansmith expand specs/plans/001_feature.md phase 3 phase 4 --yes",
        "plansmith expand specs/plans/001_feature.md --auto-analysis --dry-run",
    ),
    "collapse": (
        "plansmith collapse specs/plans/001_feature phase 3",
        "plansmith collapse specs/plans/001_feature phase 2 stage 1 --yes",
    ),
    "orchestrate": (
        'plansmith orchestrate "add rate limiting to the API" --agent writer',
        'plansmith orchestrate "add rate limiting to the API" --phases wave:1 --yes',
    ),
    "proposals": ("plansmith proposals", "plansmith proposals show 001_feature --stat"),
    "checkpoints": ("plansmith checkpoints", "plansmith checkpoints restore CHECKPOINT_ID"),
    "daemon": ("plansmith daemon", "plansmith daemon --once"),
    "status": ("plansmith status", "plansmith status --json"),
    "hooks": ("plansmith hooks install", "plansmith hooks uninstall"),
    "service": ("plansmith service install", "plansmith service status"),
    "demo": ("plansmith demo", "plansmith demo --keep"),
    "mcp": ("plansmith mcp", "claude mcp add plansmith -- plansmith mcp"),
    "ci": ("plansmith ci", "plansmith ci --open-pr github"),
}


def epilog(lines: tuple[str, ...]) -> str:
    return "examples:\n" + "".join(f"  {line}\n" for line in lines)
