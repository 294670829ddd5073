"""The one place that starts ``git`` processes.

Deliberately free of GitPython so that the pre-commit hook's fast path stays cheap to import.
Every call gets a cleaned environment: ``GIT_*`` variables inherited from a hook (``GIT_DIR``,
``GIT_INDEX_FILE``, ``GIT_WORK_TREE`` ...) would silently redirect our commands to the user's
repository state, so they are dropped unless the caller names them in ``keep``.

The user's hooks do not run for plansmith's own work (``-c core.hooksPath=/dev/null``): its ref updates
(proposal branches, checkpoints, ``refs/plansmith/``), its scratch worktree and its pushes are not the
user's operations, and a ``reference-transaction`` or ``pre-push`` hook must neither see nor veto them.
Only what the user asked for runs them: approving (``git merge`` into their branch, ``user_hooks``).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from plansmith.errors import GitError

# Settings that make git quiet, predictable and independent of the user's pager/colour choices.
_BASE_CONFIG: tuple[str, ...] = (
    "-c",
    "color.ui=false",
    "-c",
    "core.pager=cat",
    "-c",
    "advice.detachedHead=false",
)


_NO_HOOKS = ("-c", "core.hooksPath=/dev/null")


@dataclass(frozen=True, slots=True)
class GitResult:
    args: tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: bytes

    @property
    def out(self) -> str:
        """Standard output decoded as UTF-8 (git prints paths and refs as UTF-8), trailing newline cut."""
        return self.stdout.decode("utf-8", "replace").rstrip("\n")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "replace").strip()


def clean_env(extra: Mapping[str, str] | None = None, keep: Iterable[str] = ()) -> dict[str, str]:
    """The process environment without inherited ``GIT_*`` variables (except ``keep``), plus ``extra``."""
    kept = set(keep)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in kept}
    # Never wait for a password or an editor: plansmith runs unattended.
    env["GIT_TERMINAL_PROMPT"] = "0"
    env.setdefault("GIT_EDITOR", "true")
    env["LC_ALL"] = env.get("LC_ALL") or "C"
    if extra:
        env.update(extra)
    return env


def git(
    args: Sequence[str],
    *,
    cwd: str | Path,
    input: bytes | None = None,
    env: Mapping[str, str] | None = None,
    keep_env: Iterable[str] = (),
    check: bool = True,
    optional_locks: bool = True,
    timeout: float | None = 120.0,
    user_hooks: bool = False,
) -> GitResult:
    """Run ``git ARGS`` in ``cwd`` and return its output.

    ``optional_locks=False`` adds ``--no-optional-locks`` so that reading the user's worktree
    (``git status`` and friends) never takes ``index.lock`` behind their back.
    ``user_hooks=True`` lets the user's hooks run (only for what the user asked for: approve).
    Raises :class:`GitError` when ``check`` is true and git exits non-zero.
    """
    argv = ["git", *_BASE_CONFIG, *(() if user_hooks else _NO_HOOKS)]
    if not optional_locks:
        argv.append("--no-optional-locks")
    argv.extend(args)
    try:
        proc = subprocess.run(
            argv,
            cwd=cwd,
            input=input,
            capture_output=True,
            env=clean_env(env, keep_env),
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise GitError("git is not installed or not on PATH", hint="install git 2.30 or newer") from exc
    except subprocess.TimeoutExpired as exc:
        raise GitError(f"git {' '.join(args)} did not finish within {timeout} s") from exc
    result = GitResult(tuple(args), proc.returncode, proc.stdout, proc.stderr)
    if check and proc.returncode != 0:
        raise GitError(
            f"git {' '.join(args)} failed ({proc.returncode}): {result.err or result.out}",
        )
    return result
