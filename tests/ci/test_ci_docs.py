"""The CI setups shipped in docs/: the GitHub Actions workflow passes actionlint, and what docs/ci.md
shows is exactly the files under docs/examples/ (so the two cannot drift apart)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"
WORKFLOW = DOCS / "examples" / "github-workflow.yml"
GITLAB = DOCS / "examples" / "gitlab-ci.yml"


def _actionlint() -> str:
    # Installed with the test extras (its wheel carries the binary) next to this interpreter.
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    assert found, "actionlint is missing: install the test extras (pip install -e '.[test]')"
    return found


def test_the_github_workflow_passes_actionlint() -> None:
    result = subprocess.run([_actionlint(), "-no-color", str(WORKFLOW)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_does_find_mistakes(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("runs-on:", "runs_on:"))
    result = subprocess.run([_actionlint(), "-no-color", str(broken)], capture_output=True, text=True)
    assert result.returncode == 1 and "runs_on" in result.stdout


def test_docs_show_the_example_files_and_both_run_plansmith_ci() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", (DOCS / "ci.md").read_text(), flags=re.DOTALL)
    assert blocks == [WORKFLOW.read_text(), GITLAB.read_text()]
    assert "plansmith ci --open-pr github --dashboard" in WORKFLOW.read_text()
    gitlab = GITLAB.read_text()
    assert "plansmith ci --open-pr gitlab --dashboard" in gitlab and "$CI_DEFAULT_BRANCH" in gitlab


def test_cli_reference_links_both_commands() -> None:
    text = (DOCS / "cli.md").read_text()
    assert "(ci.md)" in text and "(mcp.md)" in text
