"""The unit template, its rendering, instance names, and what systemd itself says about them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plansmith.daemon.systemd_unit import escape_path, render_unit, template_text, unit_name

ROOT = Path(__file__).resolve().parents[2]
ANALYZE = shutil.which("systemd-analyze")
ESCAPE = shutil.which("systemd-escape")
needs_analyze = pytest.mark.skipif(
    ANALYZE is None, reason="systemd-analyze is missing (Debian package 'systemd'; CI installs it)"
)
needs_escape = pytest.mark.skipif(
    ESCAPE is None, reason="systemd-escape is missing (Debian package 'systemd'; CI installs it)"
)


def directives(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))


def test_the_source_tree_copy_is_the_packaged_template() -> None:
    assert (ROOT / "systemd" / "plansmith@.service").read_text() == template_text()
    assert (ROOT / "plansmith" / "data" / "plansmith@.service").read_text() == template_text()


def test_the_template_says_what_the_contract_says() -> None:
    found = directives(template_text())
    expected = {
        "Type": "notify",
        "NotifyAccess": "main",
        "ExecStart": "plansmith daemon --repo %f",
        "WatchdogSec": "30",
        "Restart": "on-failure",
        "RestartSec": "5",
        "TimeoutStopSec": "15",
        "NoNewPrivileges": "yes",
        "WantedBy": "default.target",
    }
    assert {key: found.get(key) for key in expected} == expected


def test_render_names_the_interpreter_and_keeps_the_rest() -> None:
    rendered = render_unit("/opt/venv/bin/python")
    assert directives(rendered)["ExecStart"] == "/opt/venv/bin/python -P -m plansmith daemon --repo %f"
    untouched = [line for line in template_text().splitlines() if not line.startswith("ExecStart=")]
    assert [line for line in rendered.splitlines() if not line.startswith("ExecStart=")] == untouched


def test_render_quotes_spaces_percent_and_dollar() -> None:
    line = directives(render_unit("/opt/my env/50%/$x/python"))["ExecStart"]
    assert line == '"/opt/my env/50%%/$$x/python" -P -m plansmith daemon --repo %f'


@pytest.mark.parametrize(
    ("path", "escaped"),
    [
        ("/", "-"),
        ("/home/me/src/app", "home-me-src-app"),
        ("/home/me/my-repo", "home-me-my\\x2drepo"),
        ("//srv//x/./y/", "srv-x-y"),
        ("/.hidden/.dot", "\\x2ehidden-.dot"),
        ("/a b/ü", "a\\x20b-\\xc3\\xbc"),
        ("/x:y_z.w", "x:y_z.w"),
    ],
)
def test_escape_path_examples(path: str, escaped: str) -> None:
    assert escape_path(path) == escaped


def test_escape_path_refuses_dot_dot_and_unit_name_relative_paths() -> None:
    with pytest.raises(ValueError, match="normalized"):
        escape_path("/a/../b")
    with pytest.raises(ValueError, match="absolute"):
        unit_name("relative/path")
    with pytest.raises(ValueError, match="too long"):
        unit_name("/" + "x" * 300)
    assert unit_name("/home/me/app") == "plansmith@home-me-app.service"


paths = st.lists(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00/"),
        min_size=1,
        max_size=8,
    ).filter(lambda part: part != ".."),
    min_size=0,
    max_size=4,
).map(lambda parts: "/" + "/".join(parts))


@needs_escape
@settings(max_examples=60, deadline=None)
@given(path=paths)
def test_escape_path_agrees_with_systemd_escape(path: str) -> None:
    real = subprocess.run([ESCAPE, "--path", path], capture_output=True, check=True)  # type: ignore[list-item]
    assert escape_path(path) == real.stdout.decode().rstrip("\n")


def verify(unit_dir: Path, name: str, text: str, runtime: Path) -> subprocess.CompletedProcess[str]:
    """``systemd-analyze --user verify`` of ``text`` installed as ``name``."""
    (unit_dir / name).write_text(text)
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "SYSTEMD_LOG_COLOR": "0"}
    return subprocess.run(
        [ANALYZE, "--user", "verify", "--man=no", str(unit_dir / name)],  # type: ignore[list-item]
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


@needs_analyze
def test_systemd_analyze_verify_accepts_the_rendered_unit(tmp_path: Path) -> None:
    repo = tmp_path / "my repo-1"
    (repo / ".git").mkdir(parents=True)
    result = verify(tmp_path, unit_name(repo), render_unit(sys.executable), tmp_path / "runtime")
    assert (result.returncode, result.stderr) == (0, "")


@needs_analyze
def test_systemd_analyze_verify_accepts_an_interpreter_path_with_spaces(tmp_path: Path) -> None:
    odd = tmp_path / "with space"
    odd.mkdir()
    (odd / "python").symlink_to(sys.executable)
    result = verify(tmp_path, unit_name(tmp_path), render_unit(str(odd / "python")), tmp_path / "runtime")
    assert (result.returncode, result.stderr) == (0, "")


@needs_analyze
def test_the_verify_check_would_see_a_bad_unit(tmp_path: Path) -> None:
    """The check above is meaningful: a bad value exits 0 but complains on stderr."""
    bad = render_unit(sys.executable).replace("WatchdogSec=30", "WatchdogSec=thirty")
    result = verify(tmp_path, unit_name(tmp_path), bad, tmp_path / "runtime")
    assert "WatchdogSec" in result.stderr or "thirty" in result.stderr
