"""The systemd user service of one repository: install, uninstall, status (the command is
:mod:`plansmith.commands.service`).

One template unit, ``plansmith@.service``, is written to ``$XDG_CONFIG_HOME/systemd/user/`` (default
``~/.config/systemd/user/``); each repository is an instance of it, named after the repository's path
(:func:`plansmith.daemon.systemd_unit.unit_name`). All repositories share the template, so its
``ExecStart`` names the interpreter of the latest ``plansmith service install``.

When ``systemctl --user`` works (probe: ``systemctl --user show-environment`` succeeds), the commands
are run: ``daemon-reload``, then ``enable --now`` / ``disable --now``. When it does not (no systemd, no
user bus, e.g. in a container or over ``su``), the files are written anyway and the report lists the
exact commands to run, plus ``loginctl enable-linger $USER`` for running without a login session.
It must not start a daemon itself nor touch the repository: only the unit files and ``systemctl``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from plansmith.atomic import write_text_atomic
from plansmith.daemon.systemd_unit import TEMPLATE_NAME, UNIT_PREFIX, UNIT_SUFFIX, render_unit, unit_name
from plansmith.errors import ServiceError
from plansmith.git_backend.paths import toplevel_or_none

WANTS_DIR = "default.target.wants"
LINGER_HINT = "loginctl enable-linger $USER"
_PROBE_TIMEOUT_S = 5.0
_COMMAND_TIMEOUT_S = 120.0  # enable --now waits for READY=1 from the daemon


@dataclass(slots=True)
class ServiceReport:
    """What is known about (and what was done to) one repository's service."""

    repo: Path
    unit: str  # plansmith@<escaped path>.service
    unit_file: Path  # the template file all instances share
    installed: bool  # the template file exists
    enabled: bool | None = None  # None: unknown
    active: str | None = None  # e.g. "active (running)"; None: unknown (no systemctl)
    systemctl: bool = False  # whether systemctl --user was used
    done: list[str] = field(default_factory=list)  # what this command did
    todo: list[str] = field(default_factory=list)  # commands the user still has to run, in order
    notes: list[str] = field(default_factory=list)

    def render(self) -> str:
        lines = [f"{self.unit} ({self.repo})"]
        state = "installed" if self.installed else "not installed"
        if self.enabled is not None:
            state += ", enabled" if self.enabled else ", not enabled"
        if self.active is not None:
            state += f", {self.active}"
        lines.append(f"  state: {state}")
        lines.append(f"  unit file: {self.unit_file}")
        lines += [f"  {item}" for item in self.done]
        lines += [f"note: {note}" for note in self.notes]
        if self.todo:
            lines.append("to finish, run:")
            lines += [f"  {command}" for command in self.todo]
        return "\n".join(lines)

    def as_json(self) -> dict[str, object]:
        return {
            "repo": str(self.repo),
            "unit": self.unit,
            "unit_file": str(self.unit_file),
            "installed": self.installed,
            "enabled": self.enabled,
            "active": self.active,
            "systemctl": self.systemctl,
            "done": list(self.done),
            "todo": list(self.todo),
            "notes": list(self.notes),
        }


def user_unit_dir() -> Path:
    """``$XDG_CONFIG_HOME/systemd/user`` (default ``~/.config/systemd/user``)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


def systemctl_usable() -> bool:
    """Whether ``systemctl --user`` can talk to a user service manager."""
    if shutil.which("systemctl") is None:
        return False
    try:
        probe = subprocess.run(
            ["systemctl", "--user", "show-environment"],
            capture_output=True,
            timeout=_PROBE_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def install_service(repo: Path, *, systemctl: bool | None = None, python: str | None = None) -> ServiceReport:
    """Write the unit and enable and start the repository's instance (or say how to)."""
    root = _repository(repo, must_exist=True)
    report = _new_report(root)
    text = render_unit(python or sys.executable)
    report.unit_file.parent.mkdir(parents=True, exist_ok=True)
    if report.installed and report.unit_file.read_text(encoding="utf-8") == text:
        report.done.append(f"unit file unchanged: {report.unit_file}")
    else:
        write_text_atomic(report.unit_file, text)
        report.done.append(f"wrote {report.unit_file}")
    report.installed = True
    quoted = _sh_quote(report.unit)
    if _use_systemctl(systemctl):
        report.systemctl = True
        _run(report, "daemon-reload")
        _run(report, "enable", "--now", report.unit)
        _refresh_state(report)
        if not _lingering():
            report.notes.append(
                f"the service stops when you log out; to keep it running without a login: {LINGER_HINT}"
            )
    else:
        report.enabled = _wants_link(report.unit).is_symlink()
        report.notes.append("systemctl --user is not usable here (no systemd user manager or user bus)")
        report.todo += [
            "systemctl --user daemon-reload",
            f"systemctl --user enable --now {quoted}",
            f"{LINGER_HINT}   # to keep it running when you are not logged in",
        ]
    report.notes.append(f"logs: journalctl --user -u {quoted}")
    return report


def uninstall_service(repo: Path, *, systemctl: bool | None = None) -> ServiceReport:
    """Stop and disable the repository's instance; remove the template when no other repository uses it."""
    root = _repository(repo, must_exist=False)
    report = _new_report(root)
    use = _use_systemctl(systemctl)
    report.systemctl = use
    link = _wants_link(report.unit)
    if use and (report.installed or link.is_symlink()):
        _run(report, "disable", "--now", report.unit)
    if link.is_symlink():  # what 'disable' removes; done by hand when systemctl cannot
        link.unlink()
        report.done.append(f"removed {link}")
    others = _other_instances(report.unit)
    if report.installed and not others:
        report.unit_file.unlink()
        report.done.append(f"removed {report.unit_file}")
        report.installed = False
    elif report.installed:
        report.notes.append(f"{report.unit_file} is kept: {len(others)} other repositories use it")
    if use:
        _run(report, "daemon-reload")
        _refresh_state(report)
    else:
        report.enabled = False
        report.notes.append("systemctl --user is not usable here (no systemd user manager or user bus)")
        report.todo += [f"systemctl --user stop {_sh_quote(report.unit)}", "systemctl --user daemon-reload"]
    if not report.done:
        report.done.append("nothing to remove: the service was not installed")
    return report


def service_status(repo: Path, *, systemctl: bool | None = None) -> ServiceReport:
    """Whether the unit is installed, enabled and active (the last two from systemctl when usable)."""
    root = _repository(repo, must_exist=False)
    report = _new_report(root)
    if _use_systemctl(systemctl):
        report.systemctl = True
        _refresh_state(report)
    else:
        report.enabled = _wants_link(report.unit).is_symlink()
        report.notes.append(
            "systemctl --user is not usable here: enabled is read from the files, active is unknown"
        )
    if report.installed:
        report.notes.append(f"logs: journalctl --user -u {_sh_quote(report.unit)}")
    else:
        report.notes.append(f"to install it: plansmith service install --repo {_sh_quote(str(root))}")
    return report


def _repository(repo: Path, *, must_exist: bool) -> Path:
    """The worktree root containing ``repo``; for uninstall/status also a repository that is gone."""
    found = toplevel_or_none(repo)
    if found is not None:
        return found
    if must_exist:
        reason = "no such folder" if not repo.is_dir() else "no git repository there"
        raise ServiceError(
            f"{repo} is not inside a git working tree: {reason}",
            hint="run the command inside the repository, or pass --repo DIR",
        )
    return repo.resolve()


def _new_report(root: Path) -> ServiceReport:
    try:
        name = unit_name(root)
    except ValueError as exc:
        raise ServiceError(str(exc), hint="move the repository to a shorter path") from None
    unit_file = user_unit_dir() / TEMPLATE_NAME
    return ServiceReport(repo=root, unit=name, unit_file=unit_file, installed=unit_file.is_file())


def _use_systemctl(choice: bool | None) -> bool:
    return systemctl_usable() if choice is None else choice


def _run(report: ServiceReport, *args: str) -> str:
    argv = ["systemctl", "--user", *args]
    shown = " ".join(_sh_quote(arg) if arg.startswith(UNIT_PREFIX) else arg for arg in argv)
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=_COMMAND_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ServiceError(f"{shown} failed: {exc}", hint=f"run it by hand: {shown}") from None
    if proc.returncode != 0:
        raise ServiceError(
            f"{shown} failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}",
            hint=f"see: systemctl --user status {_sh_quote(report.unit)}; "
            f"journalctl --user -u {_sh_quote(report.unit)} -n 50",
        )
    if args[0] != "show":
        report.done.append(f"ran: {shown}")
    return proc.stdout


def _refresh_state(report: ServiceReport) -> None:
    out = _run(report, "show", report.unit, "--property=UnitFileState,ActiveState,SubState")
    props = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    report.enabled = props.get("UnitFileState") == "enabled"
    active, sub = props.get("ActiveState", ""), props.get("SubState", "")
    report.active = f"{active} ({sub})" if sub and sub != active else active or None


def _lingering() -> bool:
    """Whether the user's manager keeps running without a login (``loginctl enable-linger``)."""
    try:
        proc = subprocess.run(
            ["loginctl", "show-user", str(os.getuid()), "--property=Linger", "--value"],
            capture_output=True,
            text=True,
            timeout=_PROBE_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0 and proc.stdout.strip() == "yes"


def _wants_link(unit: str) -> Path:
    return user_unit_dir() / WANTS_DIR / unit


def _other_instances(unit: str) -> list[Path]:
    """Enabled instances of the template other than ``unit`` (links in any ``*.wants`` folder)."""
    return [
        link
        for link in user_unit_dir().glob(f"*.wants/{UNIT_PREFIX}*{UNIT_SUFFIX}")
        if link.name != unit and link.name != TEMPLATE_NAME
    ]


def _sh_quote(word: str) -> str:
    return "'" + word.replace("'", "'\\''") + "'"
