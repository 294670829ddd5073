"""plansmith's hook through the pre-commit framework, as users of it run it: the shipped
``.pre-commit-hooks.yaml`` with ``pre-commit try-repo`` (pre-commit builds plansmith into an environment
of its own), and the ``repo: local`` configuration docs/hooks.md gives to copy. Each runs in a temporary
repository holding a plan with a duplicate phase in every default plan root (read from
``DEFAULT_ROOTS`` at test time, so roots added later are covered) and must fail with plansmith's
message. Real pre-commit, real git, real plansmith."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from plansmith.plan.roots import DEFAULT_ROOTS
from plansmith.plan.speckit_folders import is_feature_pattern

from .helpers import DUPLICATE_PHASE, git, write

CHECKOUT = Path(__file__).resolve().parents[2]
HOOK_ID = "plansmith-validate"
# Where pre-commit keeps what it downloads between runs; ignored by git (.cache/ in .gitignore).
CACHE = CHECKOUT / ".cache"


def pre_commit() -> str | None:
    return shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")


def plan_paths() -> list[str]:
    """One plan in every default root; a ``*`` (a topic folder) becomes ``042_topic``, and a spec-kit
    feature pattern (``specs/*``) gets a feature folder whose plan is its ``tasks.md``."""
    paths = []
    for n, root in enumerate(DEFAULT_ROOTS, 1):
        if is_feature_pattern(root.split("/")):
            paths.append(f"{root.replace('*', f'{n:03}-demo')}/tasks.md")
        else:
            paths.append(f"{root.replace('*', '042_topic')}/{n:03}_demo.md")
    return paths


def repo_with_broken_plans(tmp_path: Path) -> Path:
    repo = tmp_path / "project"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    for path in plan_paths():
        write(repo, path, DUPLICATE_PHASE)
    git(repo, "add", "-A")
    return repo


def run_pre_commit(repo: Path, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(CACHE / "pre-commit"),
        "PIP_CACHE_DIR": str(CACHE / "pip"),
        # language: system finds plansmith where this interpreter's environment has it
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    found = pre_commit()
    assert found is not None
    return subprocess.run(
        [found, *args], cwd=repo, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def assert_refused_with_plansmiths_message(result: subprocess.CompletedProcess[str]) -> None:
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "plansmith validate" in out and "Failed" in out, out
    for path in plan_paths():
        assert f"{path}:9: phase 1 is numbered again (first at line 6)" in out, out
    assert f"plansmith: error: {len(plan_paths())} errors found" in out, out


def docs_local_config() -> str:
    text = (CHECKOUT / "docs" / "hooks.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)
    (local,) = [b for b in blocks if "repo: local" in b]
    return local


def test_the_hook_files_patterns_follow_the_default_roots() -> None:
    """pre-commit runs a hook only when a changed file matches its ``files``: every root must match."""
    shipped = yaml.safe_load((CHECKOUT / ".pre-commit-hooks.yaml").read_text())
    documented = yaml.safe_load(docs_local_config())["repos"][0]["hooks"]
    for hook in (*shipped, *documented):
        assert hook["id"] == HOOK_ID and hook["pass_filenames"] is False
        for path in plan_paths():
            assert re.search(hook["files"], path), (hook["files"], path)


@pytest.mark.skipif(pre_commit() is None, reason="pre-commit is not installed (pip install -e '.[test]')")
def test_the_documented_local_config_refuses_a_duplicate_phase_in_every_root(tmp_path: Path) -> None:
    repo = repo_with_broken_plans(tmp_path)
    (repo / ".pre-commit-config.yaml").write_text(docs_local_config())
    assert_refused_with_plansmiths_message(run_pre_commit(repo, "run", "--all-files"))


@pytest.mark.timeout(300)
@pytest.mark.skipif(pre_commit() is None, reason="pre-commit is not installed (pip install -e '.[test]')")
@pytest.mark.skipif(
    subprocess.run(["git", "-C", str(CHECKOUT), "rev-parse"], capture_output=True).returncode != 0,
    reason="the tests do not run from a git checkout: try-repo needs one",
)
def test_try_repo_runs_the_shipped_hook_and_refuses_a_duplicate_phase_in_every_root(tmp_path: Path) -> None:
    repo = repo_with_broken_plans(tmp_path)
    # try-repo snapshots the checkout (uncommitted changes too) and builds plansmith from it with pip.
    result = run_pre_commit(repo, "try-repo", str(CHECKOUT), HOOK_ID, "--all-files")
    out = result.stdout + result.stderr
    if "plansmith validate" not in out and (
        "An unexpected error has occurred" in out or "CalledProcessError" in out
    ):
        pytest.skip(f"pre-commit could not build the hook's environment (PyPI out of reach?): {out[-500:]}")
    assert_refused_with_plansmiths_message(result)
