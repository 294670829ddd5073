"""Installing, re-installing, forcing and removing the hook; the hook script itself."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from plansmith.commands.hooks import main_hooks
from plansmith.hooks import install as installer
from plansmith.hooks.script import MARKER, is_plansmith_hook, render_hook_script
from plansmith.plan.roots import DEFAULT_ROOTS, files_regex, split_root

from .helpers import PLAN, VALID, commit, foreign_hook, git, install_hooks, write


def hooks_of(repo: Path) -> Path:
    return repo / ".git" / "hooks"


def test_install_writes_an_executable_marked_script(make_repo) -> None:
    repo = make_repo()
    (report,) = install_hooks(repo)
    hook = hooks_of(repo) / "pre-commit"
    assert report.action == "installed" and report.path == hook and report.kept is None
    text = hook.read_text()
    assert text.startswith("#!/bin/sh\n" + MARKER + "\n")
    assert os.access(hook, os.X_OK)
    assert sys.executable in text


def test_installing_again_is_idempotent(make_repo) -> None:
    repo = make_repo()
    install_hooks(repo)
    before = (hooks_of(repo) / "pre-commit").read_bytes()
    (again,) = install_hooks(repo)
    assert again.action == "unchanged"
    assert (hooks_of(repo) / "pre-commit").read_bytes() == before
    assert sorted(p.name for p in hooks_of(repo).iterdir() if "plansmith" in p.name) == []


def test_installing_from_another_interpreter_updates_in_place(make_repo, tmp_path: Path) -> None:
    repo = make_repo()
    install_hooks(repo)
    (report,) = installer.install(repo, python=str(tmp_path / "other" / "python"))
    assert report.action == "updated"
    assert str(tmp_path / "other" / "python") in (hooks_of(repo) / "pre-commit").read_text()
    assert not (hooks_of(repo) / "pre-commit.plansmith-chained").exists()


def test_force_sets_a_foreign_hook_aside_without_running_it(make_repo, tmp_path: Path) -> None:
    repo = make_repo()
    marker = tmp_path / "ran"
    original = foreign_hook(marker, status=1).encode()
    (hooks_of(repo) / "pre-commit").write_bytes(original)
    (hooks_of(repo) / "pre-commit").chmod(0o700)
    (report,) = install_hooks(repo, force=True)
    assert report.kept == hooks_of(repo) / "pre-commit.plansmith-disabled"
    write(repo, PLAN, VALID)
    git(repo, "add", PLAN)
    assert commit(repo).returncode == 0
    assert not marker.exists()
    installer.uninstall(repo)
    assert (hooks_of(repo) / "pre-commit").read_bytes() == original
    assert stat.S_IMODE((hooks_of(repo) / "pre-commit").stat().st_mode) == 0o700


def test_force_on_an_installed_hook_disables_the_chained_one(make_repo, tmp_path: Path) -> None:
    repo = make_repo()
    (hooks_of(repo) / "pre-commit").write_text(foreign_hook(tmp_path / "ran"))
    (hooks_of(repo) / "pre-commit").chmod(0o755)
    install_hooks(repo)
    (report,) = install_hooks(repo, force=True)
    assert report.action == "updated"
    assert not (hooks_of(repo) / "pre-commit.plansmith-chained").exists()
    assert (hooks_of(repo) / "pre-commit.plansmith-disabled").exists()


def test_a_symlinked_foreign_hook_is_kept_as_a_symlink(make_repo, tmp_path: Path) -> None:
    repo = make_repo()
    real = tmp_path / "shared-hook"
    real.write_text(foreign_hook(tmp_path / "ran"))
    real.chmod(0o755)
    (hooks_of(repo) / "pre-commit").symlink_to(real)
    install_hooks(repo)
    assert (hooks_of(repo) / "pre-commit.plansmith-chained").is_symlink()
    installer.uninstall(repo)
    assert os.readlink(hooks_of(repo) / "pre-commit") == str(real)


def test_install_refuses_when_another_tool_replaced_ours_and_a_kept_hook_waits(make_repo) -> None:
    repo = make_repo()
    hook = hooks_of(repo) / "pre-commit"
    hook.write_text("#!/bin/sh\nexit 0\n")
    install_hooks(repo)
    hook.write_text("#!/bin/sh\n# another tool\nexit 0\n")  # e.g. a hook manager re-installed itself
    with pytest.raises(installer.HookError, match=r"pre-commit.plansmith-chained"):
        install_hooks(repo)
    with pytest.raises(installer.HookError):
        install_hooks(repo, force=True)
    assert hook.read_text().endswith("# another tool\nexit 0\n")
    (report,) = installer.uninstall(repo)  # never deletes what is not ours
    assert report.action == "not-installed"
    assert hook.read_text().endswith("# another tool\nexit 0\n")
    assert (hooks_of(repo) / "pre-commit.plansmith-chained").exists()


def test_uninstall_without_install_changes_nothing(make_repo) -> None:
    repo = make_repo()
    (report,) = installer.uninstall(repo)
    assert report.action == "not-installed"
    assert not (hooks_of(repo) / "pre-commit").exists()


def test_uninstall_puts_back_a_kept_hook_even_if_ours_was_deleted(make_repo) -> None:
    repo = make_repo()
    (hooks_of(repo) / "pre-commit").write_text("#!/bin/sh\nexit 0\n")
    install_hooks(repo)
    (hooks_of(repo) / "pre-commit").unlink()
    (report,) = installer.uninstall(repo)
    assert report.action == "restored"
    assert (hooks_of(repo) / "pre-commit").read_text() == "#!/bin/sh\nexit 0\n"


def test_outside_a_repository_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(installer.HookError, match="not inside a git working tree"):
        installer.install(tmp_path)


def test_the_chained_hook_gets_the_arguments_and_stdin(make_repo, tmp_path: Path) -> None:
    repo = make_repo()
    marker = tmp_path / "ran"
    (hooks_of(repo) / "pre-commit").write_text(foreign_hook(marker))
    (hooks_of(repo) / "pre-commit").chmod(0o755)
    install_hooks(repo)
    proc = subprocess.run(
        [str(hooks_of(repo) / "pre-commit"), "one", "two words"],
        cwd=repo,
        input=b"standard input\n",
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert marker.read_text() == "args:one two words\nstandard input\n"


@pytest.mark.parametrize("shell", ["sh", "dash", "bash"])
def test_the_script_is_valid_posix_sh(shell: str, tmp_path: Path) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    script = tmp_path / "pre-commit"
    script.write_text(render_hook_script("pre-commit", "/opt/it's here/python", "/opt/pkg"))
    args = [shell, "--posix", "-n", str(script)] if shell == "bash" else [shell, "-n", str(script)]
    assert subprocess.run(args, capture_output=True, check=False).returncode == 0
    assert is_plansmith_hook(script.read_bytes())
    assert "python='/opt/it'\\''s here/python'" in script.read_text()


def test_without_plansmith_the_hook_warns_and_lets_the_commit_go_on(tmp_path: Path) -> None:
    script = tmp_path / "hooks" / "pre-commit"
    script.parent.mkdir()
    script.write_text(render_hook_script("pre-commit", str(tmp_path / "gone" / "python"), str(tmp_path)))
    script.chmod(0o755)
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    env = {"PATH": f"{empty_bin}:/usr/bin:/bin", "HOME": str(tmp_path)}
    if shutil.which("plansmith", path=env["PATH"]):
        pytest.skip("a plansmith executable is installed system-wide")
    proc = subprocess.run([str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0
    assert "plansmith: warning: the pre-commit hook cannot find plansmith" in proc.stderr
    assert "hint: run 'plansmith hooks install' again" in proc.stderr


def test_the_path_fallback_is_used_when_the_interpreter_is_gone(tmp_path: Path) -> None:
    script = tmp_path / "hooks" / "pre-commit"
    script.parent.mkdir()
    script.write_text(render_hook_script("pre-commit", str(tmp_path / "gone" / "python"), str(tmp_path)))
    script.chmod(0o755)
    fake = tmp_path / "bin" / "plansmith"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\necho "fallback $*"\nexit 1\n')
    fake.chmod(0o755)
    env = {"PATH": f"{fake.parent}:/usr/bin:/bin"}
    proc = subprocess.run([str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert (proc.returncode, proc.stdout) == (1, "fallback hooks run pre-commit\n")


def test_main_hooks_command_line(make_repo, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    repo = make_repo()
    monkeypatch.chdir(repo)
    assert main_hooks(["install"]) == 0
    assert "pre-commit: installed" in capsys.readouterr().out
    assert main_hooks(["uninstall", "--repo", str(repo)]) == 0
    assert "pre-commit: removed" in capsys.readouterr().out
    assert main_hooks(["bogus"]) == 2
    assert main_hooks(["run", "post-merge"]) == 2
    assert "unknown hook 'post-merge'" in capsys.readouterr().err
    assert main_hooks(["install", "--repo", str(repo.parent / "nowhere")]) == 1
    assert "plansmith: error:" in capsys.readouterr().err


def test_the_pre_commit_framework_manifest() -> None:
    manifest = Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml"
    lines = {line.strip() for line in manifest.read_text().splitlines()}
    for expected in (
        "- id: plansmith-validate",
        "entry: plansmith validate",
        "language: python",
        "pass_filenames: false",
    ):
        assert expected in lines


def test_the_manifest_files_pattern_follows_the_default_roots() -> None:
    """``files`` decides when the pre-commit framework runs the hook: it must name every default root
    (a root added to DEFAULT_ROOTS without it here would leave its plans unchecked)."""
    manifest = Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml"
    found = [line.strip() for line in manifest.read_text().splitlines() if line.strip().startswith("files:")]
    assert found == [f"files: '{files_regex(DEFAULT_ROOTS)}'"]
    files = re.compile(files_regex(DEFAULT_ROOTS))
    inside = [
        "specs/plans/001_x.md",
        "specs/042/plans/a.md",
        ".claude/specs/plans/b.md",
        ".claude/specs/7/plans/c.md",
        ".claude/plans/plan.md",
        "thoughts/shared/plans/2026-01-02-x.md",
        ".copilot-tracking/plans/20260101-x-plan.instructions.md",
        ".copilot-tracking/plans/2026-02-26/x.plan.md",
        "docs/plans/x.md",
        "plans/20260101-slug/plan.md",
        "docs/09_roadmap/pending/high/backend/task/task-index.md",
    ]
    outside = ["docs/readme.md", "README.md", "thoughts/shared/research/x.md", "src/plans.md", "plans/x.txt"]
    for path in inside + outside:
        assert bool(files.search(path)) == (path in inside), path
        in_root = split_root(path, DEFAULT_ROOTS) is not None and path.endswith(".md")
        assert in_root == (path in inside), path


def test_main_hooks_takes_the_options_before_the_command(make_repo, tmp_path: Path, monkeypatch) -> None:
    """As ``plansmith --repo DIR hooks ...`` passes them."""
    repo = make_repo()
    monkeypatch.chdir(tmp_path)
    assert main_hooks(["--repo", str(repo), "--force", "install"]) == 0
    assert (hooks_of(repo) / "pre-commit").exists()
    write(repo, PLAN, VALID)
    git(repo, "add", PLAN)
    assert main_hooks(["--repo", str(repo), "run", "pre-commit"]) == 0
    assert main_hooks(["--repo", str(tmp_path / "nowhere"), "run", "pre-commit"]) == 1


def test_husky_hooks_are_not_chained_but_explained(make_repo) -> None:
    repo = make_repo()
    husky = repo / ".husky" / "_"
    husky.mkdir(parents=True)
    (husky / "pre-commit").write_text('#!/usr/bin/env sh\n. "$(dirname "$0")/h"\n')
    git(repo, "config", "core.hooksPath", ".husky/_")
    with pytest.raises(installer.HookError, match="husky") as caught:
        install_hooks(repo)
    assert "plansmith hooks run pre-commit" in caught.value.hint
    assert not (husky / "pre-commit.plansmith-chained").exists()
