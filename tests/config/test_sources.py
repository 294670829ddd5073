"""The sources behind load_settings: each one, their precedence, the environment's nesting, the trust
filter, the provenance rows, and the path rules shared with the pre-commit hook's cheap reader."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plansmith.config import Settings, load_settings, user_config_path
from plansmith.config.paths import effective_plan_roots, user_config_dir
from plansmith.errors import ConfigError
from plansmith.hooks.plans_dir import read_plan_roots

LAYERS = ("pyproject.toml", "plansmith.toml", "user config", "env", "flag")


def _write_layers(root: Path, monkeypatch: pytest.MonkeyPatch, layers: tuple[str, ...]) -> dict[str, object]:
    """debounce_ms set to a different value in each of ``layers``; returns the flags to pass."""
    values = {layer: 100 + i for i, layer in enumerate(LAYERS)}
    if "pyproject.toml" in layers:
        (root / "pyproject.toml").write_text(f"[tool.plansmith]\ndebounce_ms = {values['pyproject.toml']}\n")
    if "plansmith.toml" in layers:
        (root / "plansmith.toml").write_text(f"debounce_ms = {values['plansmith.toml']}\n")
    if "user config" in layers:
        user_config_path().parent.mkdir(parents=True, exist_ok=True)
        user_config_path().write_text(f"debounce_ms = {values['user config']}\n")
    if "env" in layers:
        monkeypatch.setenv("PLANSMITH_DEBOUNCE_MS", str(values["env"]))
    return {"debounce_ms": values["flag"]} if "flag" in layers else {}


@pytest.mark.parametrize("top", range(len(LAYERS) + 1))
def test_each_source_beats_the_ones_below(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, top: int) -> None:
    """defaults < pyproject < plansmith.toml < user file < env < flags: the highest layer present wins."""
    flags = _write_layers(tmp_path, monkeypatch, LAYERS[:top])
    loaded = load_settings(tmp_path, flags)
    expected_source = "default" if top == 0 else LAYERS[top - 1]
    assert loaded.source_of("debounce_ms") == expected_source
    assert loaded.settings.debounce_ms == (500 if top == 0 else 100 + top - 1)


@pytest.mark.parametrize("layer", LAYERS)
def test_each_source_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layer: str) -> None:
    flags = _write_layers(tmp_path, monkeypatch, (layer,))
    loaded = load_settings(tmp_path, flags)
    assert loaded.source_of("debounce_ms") == layer
    assert loaded.settings.debounce_ms == 100 + LAYERS.index(layer)


def test_tables_merge_key_by_key_and_lists_are_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "plansmith.toml").write_text(
        'plans_dirs = ["a", "b"]\n[retry]\nfactor = 2.0\nmax_attempts = 5\n'
    )
    monkeypatch.setenv("PLANSMITH_RETRY__MAX_ATTEMPTS", "7")
    monkeypatch.setenv("PLANSMITH_PLANS_DIRS", "c")
    s = load_settings(tmp_path).settings
    assert (s.retry.factor, s.retry.max_attempts) == (2.0, 7)
    assert s.plans_dirs == ["c"]


def test_environment_nesting_and_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANSMITH_THRESHOLDS__EXPAND", "7.5")
    monkeypatch.setenv("plansmith_thresholds__collapse", "2")  # names are case-insensitive
    monkeypatch.setenv("PLANSMITH_ROLE", "estimate")  # given to agents; not a setting, not an error
    loaded = load_settings(tmp_path)
    assert loaded.settings.thresholds.expand == 7.5 and loaded.settings.thresholds.collapse == 2
    assert loaded.origins["thresholds.expand"] == "PLANSMITH_THRESHOLDS__EXPAND"
    assert loaded.source_of("thresholds.collapse") == "env" and loaded.warnings == []


def test_a_bad_variable_is_named_among_good_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANSMITH_AGENTS__X__TOOLS", '["Read"]')
    monkeypatch.setenv("PLANSMITH_AGENTS__X__COMMAND", "claude -p")
    with pytest.raises(ConfigError, match=r"^PLANSMITH_AGENTS__X__COMMAND: not valid JSON") as info:
        load_settings(tmp_path)
    assert "JSON" in info.value.hint


def test_unknown_environment_keys_warn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANSMITH_THRESHOLDS__SPLIT", "3")
    loaded = load_settings(tmp_path)
    assert loaded.warnings == ["env: unknown setting 'thresholds.split' ignored"]


def test_settings_alone_reads_no_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.plansmith]\ndebounce_ms = 1\n")
    (tmp_path / "plansmith.toml").write_text("debounce_ms = 2\n")
    monkeypatch.setenv("PLANSMITH_DEBOUNCE_MS", "3")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nor does it warn about the pyproject table it does not read
        assert Settings().debounce_ms == 500
        assert Settings(debounce_ms=4).debounce_ms == 4
        assert load_settings(None).settings.debounce_ms == 3


def test_pyproject_errors_name_the_file(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n[tool]\nplansmith = 3\n')
    with pytest.raises(ConfigError, match=r"\[tool.plansmith\] .* must be a table") as info:
        load_settings(tmp_path)
    assert info.value.path == str(pyproject)
    pyproject.write_text('[project]\nname = "x"\n\n[tool.plansmith]\ndebounce_ms = \n')
    with pytest.raises(ConfigError, match="malformed TOML") as info:
        load_settings(tmp_path)
    assert (info.value.path, info.value.line) == (str(pyproject), 5)
    pyproject.write_text('[project]\nname = "x"\n')  # no [tool] at all: nothing for plansmith
    assert load_settings(tmp_path).files == {"pyproject.toml": pyproject}


def test_trust_filter_keeps_agents_from_the_user_environment_and_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "plansmith.toml").write_text('[agents.repo]\ncommand = ["evil"]\n')
    user_config_path().parent.mkdir(parents=True, exist_ok=True)
    user_config_path().write_text('[agents.user]\ncommand = ["u"]\n')
    monkeypatch.setenv("PLANSMITH_AGENTS__ENV__COMMAND", '["e"]')
    loaded = load_settings(tmp_path, {"agents": {"flag": {"command": ["f"]}}})
    assert sorted(loaded.settings.agents) == ["env", "flag", "user"]
    assert [loaded.source_of(f"agents.{n}") for n in ("env", "flag", "user")] == [
        "env",
        "flag",
        "user config",
    ]
    (warning,) = loaded.warnings
    assert warning.startswith(f"{tmp_path / 'plansmith.toml'}: the [agents] table is ignored")
    assert str(user_config_path()) in warning


def test_provenance_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "plansmith.toml").write_text('plans_dir = "old/plans"\n')
    monkeypatch.setenv("PLANSMITH_RETRY", '{"factor": 2}')
    rows = {key: (value, source, origin) for key, value, source, origin in load_settings(tmp_path).rows()}
    repo_file = str(tmp_path / "plansmith.toml")
    assert rows["plans_dir"] == ("old/plans", "plansmith.toml", repo_file)
    assert rows["plans_dirs"] == (["old/plans"], "plansmith.toml", repo_file)  # the old key gave the roots
    assert rows["retry.factor"] == (2.0, "env", "PLANSMITH_RETRY")
    assert rows["retry.max_attempts"] == (3, "default", "")


# ------------------------------------------------------------------ the path rules shared with the hook


def test_relative_xdg_config_home_is_ignored_by_both_readers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    monkeypatch.chdir(tmp_path)
    honoured = tmp_path / "rel" / "plansmith" / "config.toml"  # where a relative value would point
    honoured.parent.mkdir(parents=True)
    honoured.write_text('plans_dirs = ["wrong"]\ndebounce_ms = 1\n')
    home_file = isolated_home / ".config" / "plansmith" / "config.toml"
    home_file.parent.mkdir(parents=True)
    home_file.write_text('plans_dirs = ["right"]\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", "rel")
    assert user_config_dir() == isolated_home / ".config" / "plansmith"
    loaded = load_settings(repo)
    assert loaded.settings.plans_dirs == ["right"] and loaded.settings.debounce_ms == 500
    assert loaded.origins["plans_dirs"] == str(home_file)
    assert read_plan_roots(repo) == ("right",)
    assert read_plan_roots(repo, {"XDG_CONFIG_HOME": "rel", "HOME": str(isolated_home)}) == ("right",)


def test_effective_plan_roots_rule() -> None:
    assert effective_plan_roots(["a", "b"], "old") == ("a", "b")
    assert effective_plan_roots(None, "old") == ("old",)
    assert effective_plan_roots(None, None)[0] == "specs/plans"


_ROOT_VALUES = st.sampled_from(['["a"]', '["./b/", "c/*/plans"]', '["../out"]', '"a"'])
_DIR_VALUES = st.sampled_from(['"x"', '"./y/"', '"/abs"'])
_FILES = ("pyproject.toml", "plansmith.toml", "user", "relative xdg")


def _place(root: Path, where: str, text: str) -> None:
    paths = {
        "pyproject.toml": root / "pyproject.toml",
        "plansmith.toml": root / "plansmith.toml",
        "user": Path(os.environ["HOME"]) / ".config" / "plansmith" / "config.toml",
        "relative xdg": root / "rel" / "plansmith" / "config.toml",
    }
    path = paths[where]
    path.parent.mkdir(parents=True, exist_ok=True)
    body = ("[tool.plansmith]\n" if where == "pyproject.toml" else "") + text
    path.write_text(body)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    files=st.dictionaries(
        st.sampled_from(_FILES),
        st.tuples(st.none() | _ROOT_VALUES, st.none() | _DIR_VALUES),
        max_size=4,
    ),
    env_roots=st.none() | st.sampled_from(['["e"]', "e1, e2/*/plans", "[oops"]),
    env_dir=st.none() | st.sampled_from(["d", "../d"]),
    relative_xdg=st.booleans(),
)
def test_the_hook_reads_the_same_roots_as_the_full_settings(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    files: dict[str, tuple[str | None, str | None]],
    env_roots: str | None,
    env_dir: str | None,
    relative_xdg: bool,
) -> None:
    root = tmp_path_factory.mktemp("repo")
    home = tmp_path_factory.mktemp("home")
    with monkeypatch.context() as patch:
        patch.setenv("HOME", str(home))
        patch.chdir(root)
        patch.setenv("XDG_CONFIG_HOME", "rel" if relative_xdg else str(home / ".config"))
        for name, value in (("PLANSMITH_PLANS_DIRS", env_roots), ("PLANSMITH_PLANS_DIR", env_dir)):
            if value is None:
                patch.delenv(name, raising=False)
            else:
                patch.setenv(name, value)
        for where, (roots, one_dir) in files.items():
            lines = [
                f"plans_dirs = {roots}\n" if roots else "",
                f"plans_dir = {one_dir}\n" if one_dir else "",
            ]
            _place(root, where, "".join(lines))
        try:
            full: object = tuple(load_settings(root).settings.plans_dirs)
        except ConfigError:
            full = ConfigError
        try:
            hook: object = read_plan_roots(root)
        except ConfigError:
            hook = ConfigError
        assert hook == full


def test_the_hook_path_and_the_package_do_not_import_pydantic(tmp_path: Path) -> None:
    (tmp_path / "plansmith.toml").write_text('plans_dirs = ["a/*/plans"]\n')
    code = (
        "import sys; from pathlib import Path; import plansmith.config; "
        "from plansmith.hooks.plans_dir import read_plan_roots; "
        f"assert read_plan_roots(Path({str(tmp_path)!r})) == ('a/*/plans',); "
        "assert 'pydantic' not in sys.modules and 'pydantic_settings' not in sys.modules, 'pydantic'; "
        "from plansmith.config import Settings; assert 'pydantic_settings' in sys.modules; print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
