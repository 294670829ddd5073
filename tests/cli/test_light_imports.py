"""Commands that need no heavy library do not import one (issue 10: fast start for --version and validate).

Each case runs in a fresh interpreter and reads ``sys.modules`` after the command returns.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# Libraries only some commands need: git objects, settings models, the MCP server, rich output, Markdown.
HEAVY = ("git", "pydantic", "pydantic_settings", "rich", "mcp", "markdown_it", "watchdog", "apscheduler")
PLAN = "# Plan\n\n## Implementation Phases\n\n### Phase 1: One\n- [ ] task\n"


def modules_after(args: list[str], cwd: Path) -> set[str]:
    program = (
        "import sys\nfrom plansmith.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-P", "-c", program], cwd=cwd, capture_output=True, text=True, check=True
    )
    return set(proc.stdout.splitlines()[-1].split())


def test_version_imports_nothing_heavy(tmp_path: Path) -> None:
    assert sorted(modules_after(["--version"], tmp_path) & set(HEAVY)) == []


def test_validate_imports_no_git_objects_markdown_or_rich(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    plans = tmp_path / "specs" / "plans"
    plans.mkdir(parents=True)
    (plans / "001_one.md").write_text(PLAN, encoding="utf-8")
    loaded = modules_after(["validate", "specs/plans/001_one.md"], tmp_path)
    assert "plansmith" in loaded
    # settings are pydantic models (config/model.py), so validate may load pydantic; nothing else heavy
    assert sorted(loaded & {"git", "rich", "mcp", "markdown_it", "watchdog", "apscheduler"}) == []
