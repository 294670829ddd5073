"""Installing and removing plansmith's git hooks without losing anybody else's.

Where: ``core.hooksPath`` when set (a relative value is relative to the worktree root, as git runs hooks
there), else ``<git common dir>/hooks`` (shared by all linked worktrees).

What happens to a hook that is already there and is not plansmith's (a *foreign* hook):

* ``install`` renames it to ``HOOK.plansmith-chained`` and plansmith's script runs it first, with the
  same arguments and standard input; when it fails, the commit fails as before.
* ``install --force`` renames it to ``HOOK.plansmith-disabled`` instead: kept, but no longer run
  (for a broken or obsolete hook). ``--force`` on an installed hook with a chained one disables it too.
* ``uninstall`` removes plansmith's script and renames the kept hook back: same bytes, same mode.

Nothing that is not plansmith's is ever deleted. When another tool has replaced plansmith's hook while
a kept hook still waits beside it, ``install`` refuses and says which files to sort out. husky's hooks
cannot be chained (they find their script by their own file name): ``install`` refuses and says how to
call plansmith from husky instead.
Installing again is idempotent: plansmith's own script is recognised by its marker line and rewritten.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

import plansmith
from plansmith.atomic import write_text_atomic
from plansmith.errors import GitError, HookError
from plansmith.git_backend.paths import hooks_folder
from plansmith.hooks.script import CHAINED_SUFFIX, DISABLED_SUFFIX, is_plansmith_hook, render_hook_script

HOOKS: tuple[str, ...] = ("pre-commit",)


@dataclass(frozen=True, slots=True)
class HookReport:
    """What ``install``/``uninstall`` did to one hook. ``action`` is a stable word for scripts and tests."""

    hook: str
    path: Path
    action: str  # installed | updated | unchanged | removed | restored | not-installed
    kept: Path | None = None  # the foreign hook now beside ours (chained or disabled)
    notes: tuple[str, ...] = field(default_factory=tuple)

    def render(self) -> str:
        lines = [f"{self.hook}: {self.action} ({self.path})"]
        lines += [f"  {note}" for note in self.notes]
        return "\n".join(lines)


def hooks_dir(repo: Path) -> Path:
    """The folder git takes hooks from for the repository containing ``repo``."""
    if not repo.is_dir():
        raise HookError(f"{repo} is not a folder", hint="pass the repository's folder with --repo DIR")
    try:
        return hooks_folder(repo)
    except GitError as exc:
        raise HookError(exc.message, hint=exc.hint) from None


def install(
    repo: Path,
    *,
    force: bool = False,
    hooks: tuple[str, ...] = HOOKS,
    python: str | None = None,
) -> list[HookReport]:
    """Install plansmith's hooks for the repository at ``repo`` (see the module documentation)."""
    folder = hooks_dir(repo)
    folder.mkdir(parents=True, exist_ok=True)
    interpreter, package = python or sys.executable, str(_package_dir())
    return [
        _install_one(folder, hook, render_hook_script(hook, interpreter, package), force) for hook in hooks
    ]


def uninstall(repo: Path, *, hooks: tuple[str, ...] = HOOKS) -> list[HookReport]:
    """Remove plansmith's hooks and put back the hooks they had set aside."""
    folder = hooks_dir(repo)
    return [_uninstall_one(folder, hook) for hook in hooks]


def _install_one(folder: Path, hook: str, script: str, force: bool) -> HookReport:
    target = folder / hook
    chained = folder / (hook + CHAINED_SUFFIX)
    disabled = folder / (hook + DISABLED_SUFFIX)
    if not os.path.lexists(target):
        _write_script(target, script)
        kept = _existing(chained, disabled)
        first = (f"runs {chained.name} first",) if kept == chained else ()
        return HookReport(hook, target, "installed", kept, first)

    if _is_ours(target):
        disabling = force and os.path.lexists(chained) and not os.path.lexists(disabled)
        if disabling:
            chained.rename(disabled)
        unchanged = target.read_bytes() == script.encode() and not disabling
        if not unchanged:
            _write_script(target, script)
        notes = (f"{chained.name} is no longer run: kept as {disabled.name}",) if disabling else ()
        action = "unchanged" if unchanged else "updated"
        return HookReport(hook, target, action, _existing(chained, disabled), notes)

    # A foreign hook.
    if target.is_dir() and not target.is_symlink():
        raise HookError(f"{target} is a folder, not a hook", hint="move it away and install again")
    occupied = _existing(chained, disabled)
    if occupied is not None:
        raise HookError(
            f"{target} is not plansmith's hook, and {occupied.name} (a hook plansmith set aside before) "
            "is still beside it",
            hint="keep one of them (merge them by hand if both matter), remove or rename the other, "
            "then run 'plansmith hooks install' again",
        )
    if not force and _is_husky(folder, target):
        raise HookError(
            f"{target} belongs to husky, which finds the script to run by the hook's own file name: "
            "renamed to chain it, it would silently do nothing",
            hint="add the line 'plansmith hooks run pre-commit' to .husky/pre-commit instead "
            "(or 'plansmith hooks install --force' to replace husky's hook, keeping it aside unused)",
        )
    aside = disabled if force else chained
    target.rename(aside)  # the same inode: bytes, mode and symlink-ness are kept as they were
    _write_script(target, script)
    note = (
        f"the existing hook is kept as {aside.name} and no longer run (--force)"
        if force
        else f"the existing hook is kept as {aside.name} and runs first"
    )
    return HookReport(hook, target, "installed", aside, (note,))


def _uninstall_one(folder: Path, hook: str) -> HookReport:
    target = folder / hook
    chained = folder / (hook + CHAINED_SUFFIX)
    disabled = folder / (hook + DISABLED_SUFFIX)
    kept = _existing(chained, disabled)
    if os.path.lexists(target) and not _is_ours(target):
        notes = (f"{target.name} is not plansmith's hook; {kept.name} was left as it is",) if kept else ()
        return HookReport(hook, target, "not-installed", kept, notes)
    action = "not-installed"
    if os.path.lexists(target):
        target.unlink()
        action = "removed"
    if kept is None:
        return HookReport(hook, target, action)
    kept.rename(target)
    other = _existing(chained, disabled)
    restored = [f"put back the hook kept as {kept.name}"]
    if other is not None:
        restored.append(f"{other.name} was left as it is")
    action = "restored" if action == "not-installed" else "removed"
    return HookReport(hook, target, action, other, tuple(restored))


def _is_ours(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return is_plansmith_hook(handle.read(512))
    except OSError:  # a dangling symbolic link, a folder, unreadable: not ours
        return False


def _is_husky(folder: Path, hook: Path) -> bool:
    if ".husky" in folder.parts:
        return True
    try:
        with hook.open("rb") as handle:
            return b"husky" in handle.read(4096)
    except OSError:
        return False


def _existing(*paths: Path) -> Path | None:
    return next((p for p in paths if os.path.lexists(p)), None)


def _write_script(target: Path, script: str) -> None:
    """Write ``script`` executable at ``target`` atomically (readers never see half a hook)."""
    write_text_atomic(
        target, script, mode=stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH
    )


def _package_dir() -> Path:
    """The folder of the ``plansmith`` package the hook will start (checked by the script)."""

    return Path(plansmith.__file__).resolve().parent
