"""``plansmith service install|uninstall|status`` with and without a usable ``systemctl --user``.

Without: ``systemctl=False`` (also what the probe finds in a container). With: a stand-in ``systemctl``
first on PATH that records its arguments, as no test may talk to the real user manager.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from plansmith.cli import main
from plansmith.daemon.systemd_install import (
    install_service,
    service_status,
    systemctl_usable,
    uninstall_service,
)
from plansmith.daemon.systemd_unit import render_unit, unit_name
from plansmith.errors import ServiceError

FAKE_SYSTEMCTL = """#!/bin/sh
printf '%s\\n' "$*" >> "{log}"
case "$*" in
  *" show "*) printf 'UnitFileState=enabled\\nActiveState=active\\nSubState=running\\n' ;;
  *"enable --now"*) exit {enable_status} ;;
esac
exit 0
"""


def unit_dir(home: Path) -> Path:
    return home / ".config" / "systemd" / "user"


@pytest.fixture
def fake_systemctl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Install stand-ins for systemctl and loginctl; returns a function reading the systemctl log."""
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    log = tmp_path / "systemctl.log"

    def make(enable_status: int = 0) -> Path:
        (bin_dir / "systemctl").write_text(FAKE_SYSTEMCTL.format(log=log, enable_status=enable_status))
        (bin_dir / "loginctl").write_text("#!/bin/sh\necho no\n")
        for tool in ("systemctl", "loginctl"):
            (bin_dir / tool).chmod(0o755)
        monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
        return log

    return make


def test_install_without_systemctl_writes_the_unit_and_says_exactly_what_to_run(
    make_repo, isolated_home: Path
) -> None:
    repo = make_repo()
    report = install_service(repo, systemctl=False)
    name = unit_name(repo.resolve())
    unit_file = unit_dir(isolated_home) / "plansmith@.service"
    assert report.unit == name and report.unit_file == unit_file
    assert unit_file.read_text() == render_unit(sys.executable)
    assert report.installed and report.enabled is False and report.active is None
    assert report.todo == [
        "systemctl --user daemon-reload",
        f"systemctl --user enable --now '{name}'",
        "loginctl enable-linger $USER   # to keep it running when you are not logged in",
    ]
    text = report.render()
    assert "to finish, run:\n  systemctl --user daemon-reload\n" in text
    assert f"journalctl --user -u '{name}'" in text
    assert install_service(repo, systemctl=False).done == [f"unit file unchanged: {unit_file}"]


def test_uninstall_without_systemctl_removes_what_it_can(make_repo, isolated_home: Path) -> None:
    repo = make_repo()
    install_service(repo, systemctl=False)
    name = unit_name(repo.resolve())
    wants = unit_dir(isolated_home) / "default.target.wants"
    wants.mkdir()
    (wants / name).symlink_to("../plansmith@.service")  # as if enabled by hand
    assert service_status(repo, systemctl=False).enabled is True
    report = uninstall_service(repo, systemctl=False)
    assert not (wants / name).is_symlink()
    assert not (unit_dir(isolated_home) / "plansmith@.service").exists()
    assert report.todo == [f"systemctl --user stop '{name}'", "systemctl --user daemon-reload"]
    status = service_status(repo, systemctl=False)
    assert (status.installed, status.enabled) == (False, False)
    assert uninstall_service(repo, systemctl=False).done == [
        "nothing to remove: the service was not installed"
    ]


def test_the_template_stays_while_another_repository_uses_it(make_repo, isolated_home: Path) -> None:
    first, second = make_repo(), make_repo()
    install_service(first, systemctl=False)
    wants = unit_dir(isolated_home) / "default.target.wants"
    wants.mkdir()
    (wants / unit_name(second.resolve())).symlink_to("../plansmith@.service")
    report = uninstall_service(first, systemctl=False)
    assert (unit_dir(isolated_home) / "plansmith@.service").exists()
    assert any("1 other repositories use it" in note for note in report.notes)


def test_uninstall_and_status_work_for_a_repository_that_is_gone(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    report = service_status(gone, systemctl=False)
    assert report.unit == unit_name(gone) and not report.installed
    assert uninstall_service(gone, systemctl=False).installed is False


def test_install_outside_a_repository_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ServiceError, match="not inside a git working tree"):
        install_service(tmp_path, systemctl=False)


def test_install_with_systemctl_reloads_enables_and_starts(make_repo, fake_systemctl) -> None:  # type: ignore[no-untyped-def]
    log = fake_systemctl()
    repo = make_repo()
    name = unit_name(repo.resolve())
    assert systemctl_usable()
    log.write_text("")
    report = install_service(repo)  # probes systemctl itself
    assert log.read_text().splitlines() == [
        "--user show-environment",
        "--user daemon-reload",
        f"--user enable --now {name}",
        f"--user show {name} --property=UnitFileState,ActiveState,SubState",
    ]
    assert report.systemctl and report.enabled and report.active == "active (running)"
    assert report.todo == []
    assert any("loginctl enable-linger $USER" in note for note in report.notes)

    log.write_text("")
    uninstall_service(repo)
    calls = log.read_text().splitlines()
    assert calls[1] == f"--user disable --now {name}"
    assert "--user daemon-reload" in calls


def test_a_failing_systemctl_is_reported_with_where_to_look(make_repo, fake_systemctl) -> None:  # type: ignore[no-untyped-def]
    fake_systemctl(enable_status=1)
    repo = make_repo()
    with pytest.raises(ServiceError, match="enable --now") as caught:
        install_service(repo, systemctl=True)
    assert "journalctl --user -u" in caught.value.hint


def test_the_probe_says_no_without_systemctl(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert systemctl_usable() is False


def test_the_service_command_prints_the_report(make_repo, tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    no_bus = tmp_path / "no-bus"
    no_bus.mkdir()
    (no_bus / "systemctl").write_text("#!/bin/sh\necho 'Failed to connect to bus' >&2\nexit 1\n")
    (no_bus / "systemctl").chmod(0o755)
    monkeypatch.setenv("PATH", f"{no_bus}{os.pathsep}{os.environ['PATH']}")
    repo = make_repo()
    assert main(["service", "install", "--repo", str(repo)]) == 0
    out = capsys.readouterr().out
    assert "to finish, run:" in out and "systemctl --user enable --now 'plansmith@" in out
    assert main(["--repo", str(repo), "service", "status", "--json"]) == 0
    assert '"installed": true' in capsys.readouterr().out
    assert main(["service", "install", "--repo", str(tmp_path / "not-a-repo")]) == 1
    assert "plansmith: error:" in capsys.readouterr().err
    assert main(["service", "install", "--repo", str(tmp_path / "not-a-repo"), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["error"]["type"] == "service"
    assert main(["service", "uninstall", "--repo", str(repo)]) == 0
