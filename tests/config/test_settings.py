"""load_settings: source order, provenance, validation, warnings, the trust rule."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from plansmith.config import (
    ROLES,
    LoadedSettings,
    Settings,
    check_ref_prefix,
    load_settings,
    user_config_path,
)
from plansmith.errors import ConfigError


def _user(text: str) -> Path:
    path = user_config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_defaults(tmp_path: Path) -> None:
    loaded = load_settings(tmp_path)
    s = loaded.settings
    assert s == Settings()
    # plans_dir (the old single folder) is unset by default; specs/plans is the first default root.
    assert s.plans_dir is None
    assert s.plans_dirs == DEFAULT_ROOTS
    assert (s.thresholds.expand, s.thresholds.collapse) == (8.0, 4.0)
    assert s.max_parallel == 4 and s.proposal_prefix == "plansmith/" and s.debounce_ms == 500
    assert s.agent is None and s.agent_required is False and s.agents == {}
    assert (s.retry.base_timeout_s, s.retry.factor, s.retry.max_attempts) == (120.0, 1.5, 3)
    assert s.commit.author == "plansmith <plansmith@localhost>"
    assert s.limits.max_plan_bytes == 5 * 1024 * 1024
    assert s.reconcile_interval_s == 300.0
    assert loaded.warnings == []
    assert all(src == "default" for _, _, src, _ in loaded.rows())


def test_user_config_path_follows_xdg(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert user_config_path() == isolated_home / ".config" / "plansmith" / "config.toml"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/ignored")
    assert user_config_path() == isolated_home / ".config" / "plansmith" / "config.toml"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert user_config_path() == isolated_home / ".config" / "plansmith" / "config.toml"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(isolated_home / "xdg"))
    assert user_config_path() == isolated_home / "xdg" / "plansmith" / "config.toml"


def test_every_source_in_priority_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.plansmith]\nplans_dir = "docs/plans"\ndebounce_ms = 100\n'
        "max_parallel = 2\nreconcile_interval_s = 60\n[tool.plansmith.thresholds]\nexpand = 9\ncollapse = 2\n"
    )
    (tmp_path / "plansmith.toml").write_text(
        "debounce_ms = 200\nmax_parallel = 3\n[thresholds]\nexpand = 8.5\n"
    )
    _user("max_parallel = 5\n[retry]\nfactor = 2.0\n[thresholds]\ncollapse = 3\n")
    monkeypatch.setenv("PLANSMITH_THRESHOLDS__EXPAND", "7.5")
    monkeypatch.setenv("PLANSMITH_MAX_PARALLEL", "6")
    loaded = load_settings(tmp_path, {"max_parallel": 1, "agent_required": None})
    s = loaded.settings
    assert s.plans_dir == "docs/plans" and loaded.source_of("plans_dir") == "pyproject.toml"
    assert s.reconcile_interval_s == 60
    assert s.debounce_ms == 200 and loaded.source_of("debounce_ms") == "plansmith.toml"
    assert s.retry.factor == 2.0 and loaded.source_of("retry.factor") == "user config"
    assert s.thresholds.collapse == 3 and loaded.source_of("thresholds.collapse") == "user config"
    assert s.thresholds.expand == 7.5 and loaded.source_of("thresholds.expand") == "env"
    assert loaded.origins["thresholds.expand"] == "PLANSMITH_THRESHOLDS__EXPAND"
    assert s.max_parallel == 1 and loaded.source_of("max_parallel") == "flag"
    assert loaded.source_of("agent_required") == "default"  # a None flag is "not given"
    assert loaded.source_of("retry.max_attempts") == "default"
    shown = loaded.show()
    assert "thresholds.expand" in shown and "[env (PLANSMITH_THRESHOLDS__EXPAND)]" in shown
    assert f"[pyproject.toml ({tmp_path / 'pyproject.toml'})]" in shown
    data = loaded.to_json()
    rows = {r["key"]: r for r in data["settings"]}  # type: ignore[union-attr,index]
    assert rows["debounce_ms"]["source"] == "plansmith.toml"  # type: ignore[index]
    assert {src for _, _, src, _ in loaded.rows()} == {
        "default",
        "pyproject.toml",
        "plansmith.toml",
        "user config",
        "env",
        "flag",
    }


def test_no_repository(tmp_path: Path) -> None:
    _user("debounce_ms = 50\n")
    loaded = load_settings(None)
    assert loaded.settings.debounce_ms == 50 and loaded.source_of("debounce_ms") == "user config"


def test_dotted_and_nested_overrides(tmp_path: Path) -> None:
    loaded = load_settings(tmp_path, {"thresholds.expand": 9, "retry": {"max_attempts": 5}})
    assert loaded.settings.thresholds.expand == 9 and loaded.settings.retry.max_attempts == 5
    assert loaded.source_of("retry.max_attempts") == "flag"


def test_malformed_toml_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "plansmith.toml").write_text('plans_dir = "a"\n\nmax_parallel = = 3\n')
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path)
    err = info.value
    assert err.path == str(tmp_path / "plansmith.toml") and err.line == 3
    assert str(err).startswith(f"{tmp_path / 'plansmith.toml'}:3: malformed TOML")
    assert "line 3" in err.hint


def test_malformed_user_config(tmp_path: Path) -> None:
    path = _user("[thresholds\n")
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path)
    assert info.value.path == str(path) and info.value.line == 1


def test_non_utf8_file(tmp_path: Path) -> None:
    (tmp_path / "plansmith.toml").write_bytes(b'plans_dir = "a"\nx = "\xff"\n')
    with pytest.raises(ConfigError, match="not UTF-8") as info:
        load_settings(tmp_path)
    assert info.value.line == 2


def test_unknown_keys_warn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "plansmith.toml").write_text("colour = 'blue'\n[thresholds]\nsplit = 3\n")
    _user("[agents.a]\ncommand = ['a']\nmodel = 'big'\n")
    monkeypatch.setenv("PLANSMITH_DEBUG", "1")  # not a setting: no warning, no error
    loaded = load_settings(tmp_path)
    assert len(loaded.warnings) == 3
    assert any("unknown setting 'colour'" in w for w in loaded.warnings)
    assert any("unknown setting 'thresholds.split'" in w for w in loaded.warnings)
    assert any("unknown setting 'agents.a.model'" in w for w in loaded.warnings)
    assert loaded.settings.agents["a"].command == ["a"]


def test_wrong_type_names_key_and_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "plansmith.toml").write_text("[thresholds]\nexpand = 'high'\n")
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path)
    assert "thresholds.expand" in info.value.message
    assert f"(from {tmp_path / 'plansmith.toml'})" in info.value.message
    (tmp_path / "plansmith.toml").unlink()
    monkeypatch.setenv("PLANSMITH_DEBOUNCE_MS", "soon")
    with pytest.raises(
        ConfigError, match=r"debounce_ms: .* \(from environment variable PLANSMITH_DEBOUNCE_MS\)"
    ):
        load_settings(tmp_path)


def test_thresholds_validated(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"collapse .* must be lower"):
        load_settings(tmp_path, {"thresholds.collapse": 8.5})
    with pytest.raises(ConfigError, match=r"thresholds\.expand"):
        load_settings(tmp_path, {"thresholds.expand": 11})
    with pytest.raises(ConfigError, match=r"thresholds\.collapse"):
        load_settings(tmp_path, {"thresholds.collapse": -1})


def test_max_parallel_above_six_needs_force(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="force_parallel") as info:
        load_settings(tmp_path, {"max_parallel": 7})
    assert "flag" in info.value.message
    assert load_settings(tmp_path, {"max_parallel": 7, "force_parallel": True}).settings.max_parallel == 7
    assert load_settings(tmp_path, {"max_parallel": 6}).settings.max_parallel == 6
    with pytest.raises(ConfigError):
        load_settings(tmp_path, {"max_parallel": 0})


@pytest.mark.parametrize(
    "prefix",
    ["plansmith", "/plansmith/", "a//b/", ".hidden/", "x.lock/", "a..b/", "sp ace/", "a:b/", "@/", "a~/"],
)
def test_bad_proposal_prefix(tmp_path: Path, prefix: str) -> None:
    assert check_ref_prefix(prefix) is not None
    with pytest.raises(ConfigError, match="proposal_prefix"):
        load_settings(tmp_path, {"proposal_prefix": prefix})


@pytest.mark.parametrize("prefix", ["plansmith/", "bots/plansmith/", "p-1_x/"])
def test_good_proposal_prefix(tmp_path: Path, prefix: str) -> None:
    assert load_settings(tmp_path, {"proposal_prefix": prefix}).settings.proposal_prefix == prefix


def test_other_validations(tmp_path: Path) -> None:
    for bad in (
        {"commit.author": "nobody"},
        {"plans_dir": "/abs"},
        {"plans_dir": "../out"},
        {"retry.factor": 0.5},
    ):
        with pytest.raises(ConfigError):
            load_settings(tmp_path, bad)
    assert load_settings(tmp_path, {"plans_dir": "plans/"}).settings.plans_dir == "plans"
    assert load_settings(tmp_path, {"plans_dir": "./specs//plans/"}).settings.plans_dir == "specs/plans"


def test_agents_from_user_config_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _user(
        'agent = "claude"\n[agents.claude]\ncommand = ["claude", "-p", "--allowedTools", "{tools}"]\n'
        'tools = ["Read", "Write", "Edit", "Bash"]\nfallback_tools = ["Read", "Write"]\ntimeout_s = 120\n'
        'max_attempts = 3\nroles = ["elaborate", "estimate"]\n'
    )
    monkeypatch.setenv("PLANSMITH_AGENTS__CLAUDE__TIMEOUT_S", "60")
    monkeypatch.setenv("PLANSMITH_AGENTS__LOCAL__COMMAND", '["python3", "my_agent.py"]')
    loaded = load_settings(tmp_path)
    s = loaded.settings
    assert s.agent == "claude" and loaded.source_of("agent") == "user config"
    claude = s.agents["claude"]
    assert claude.command[-1] == "{tools}" and claude.timeout_s == 60
    assert claude.effective_fallback_tools() == ["Read", "Write"]
    assert s.agents["local"].roles == list(ROLES) and s.agents["local"].effective_fallback_tools() == []
    assert loaded.source_of("agents.claude.tools") == "user config"
    assert loaded.origins["agents.claude.tools"] == str(path)
    assert loaded.source_of("agents.claude.timeout_s") == "env"
    assert loaded.source_of("agents.local") == "env"


def test_env_section_as_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANSMITH_RETRY", '{"factor": 2, "max_attempts": 4}')
    loaded = load_settings(tmp_path)
    assert loaded.settings.retry.factor == 2 and loaded.settings.retry.max_attempts == 4
    assert loaded.origins["retry.factor"] == "PLANSMITH_RETRY"


def test_bad_env_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANSMITH_AGENTS__X__COMMAND", "claude -p")
    with pytest.raises(ConfigError, match="PLANSMITH_AGENTS__X__COMMAND: not valid JSON"):
        load_settings(tmp_path)


def test_agent_must_be_defined(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"'ghost' .* is not defined") as info:
        load_settings(tmp_path, {"agent": "ghost"})
    assert str(user_config_path()) in info.value.hint


def test_bad_agent_spec(tmp_path: Path) -> None:
    _user("[agents.x]\ncommand = []\n")
    with pytest.raises(ConfigError, match=r"agents\.x\.command"):
        load_settings(tmp_path)
    _user("[agents.x]\ncommand = ['x']\nroles = ['dance']\n")
    with pytest.raises(ConfigError, match=r"agents\.x\.roles"):
        load_settings(tmp_path)


@pytest.mark.parametrize("where", ["plansmith.toml", "pyproject.toml"])
def test_trust_rule_repository_agents_ignored(tmp_path: Path, where: str) -> None:
    body = 'agent = "evil"\nmax_parallel = 2\n[agents.evil]\ncommand = ["sh", "-c", "touch PWNED"]\n'
    if where == "pyproject.toml":
        body = body.replace("[agents.evil]", "[tool.plansmith.agents.evil]")
        body = "[tool.plansmith]\n" + body
    (tmp_path / where).write_text(body)
    loaded = load_settings(tmp_path)
    assert loaded.settings.agents == {} and loaded.settings.agent is None
    assert loaded.settings.max_parallel == 2  # data settings still apply
    table = "[tool.plansmith.agents]" if where == "pyproject.toml" else "[agents]"
    (agents_warning,) = [w for w in loaded.warnings if "table is ignored" in w]
    assert table in agents_warning
    assert f"move the [agents.NAME] tables to your user settings file {user_config_path()}" in agents_warning
    (agent_warning,) = [w for w in loaded.warnings if 'agent = "evil" is ignored' in w]
    assert str(user_config_path()) in agent_warning and "--agent" in agent_warning
    assert loaded.source_of("agent") == "default"


def test_repository_cannot_select_users_agent(tmp_path: Path) -> None:
    _user('[agents.claude]\ncommand = ["claude", "-p"]\n')
    (tmp_path / "plansmith.toml").write_text('agent = "claude"\n')
    loaded = load_settings(tmp_path)
    assert loaded.settings.agent is None and "claude" in loaded.settings.agents
    assert load_settings(tmp_path, {"agent": "claude"}).settings.agent == "claude"


def test_loaded_settings_show_lists_every_setting(tmp_path: Path) -> None:
    loaded: LoadedSettings = load_settings(tmp_path)
    keys = [k for k, *_ in loaded.rows()]
    for key in ("plans_dir", "thresholds.expand", "retry.base_timeout_s", "commit.author", "agents"):
        assert key in keys


def test_import_has_no_side_effects(tmp_path: Path) -> None:
    code = (
        "import os, sys; before = dict(os.environ); import plansmith.config as c; "
        "assert dict(os.environ) == before; print('ok')"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "ok"
    assert list(tmp_path.iterdir()) == []


DEFAULT_ROOTS = [
    "specs/plans",
    "specs/*/plans",
    ".claude/specs/plans",
    ".claude/specs/*/plans",
    ".claude/plans",
    "thoughts/shared/plans",
    ".copilot-tracking/plans",
    ".copilot-tracking/plans/*",
    "docs/plans",
    "plans",
    "docs/09_roadmap/*/*/*",
]


def test_plans_dirs_from_each_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.plansmith]\nplans_dirs = ["a/*/plans"]\n')
    loaded = load_settings(tmp_path)
    assert loaded.settings.plans_dirs == ["a/*/plans"] and loaded.source_of("plans_dirs") == "pyproject.toml"
    (tmp_path / "plansmith.toml").write_text('plans_dirs = ["./b/", "b", "c/*/plans"]\n')
    assert load_settings(tmp_path).settings.plans_dirs == ["b", "c/*/plans"]  # normalised, no duplicates
    _user('plans_dirs = ["u"]\n')
    assert load_settings(tmp_path).settings.plans_dirs == ["u"]
    monkeypatch.setenv("PLANSMITH_PLANS_DIRS", '["e1", "e2/*/plans"]')
    assert load_settings(tmp_path).settings.plans_dirs == ["e1", "e2/*/plans"]
    monkeypatch.setenv("PLANSMITH_PLANS_DIRS", "e1, e2/*/plans")
    loaded = load_settings(tmp_path)
    assert loaded.settings.plans_dirs == ["e1", "e2/*/plans"]
    assert (loaded.source_of("plans_dirs"), loaded.origins["plans_dirs"]) == ("env", "PLANSMITH_PLANS_DIRS")
    assert load_settings(tmp_path, {"plans_dirs": ["f"]}).settings.plans_dirs == ["f"]


def test_the_old_plans_dir_is_the_one_root_unless_plans_dirs_is_set(tmp_path: Path) -> None:
    assert load_settings(tmp_path).settings.plans_dirs == DEFAULT_ROOTS
    (tmp_path / "plansmith.toml").write_text('plans_dir = "docs/plans"\n')
    loaded = load_settings(tmp_path)
    assert loaded.settings.plans_dirs == ["docs/plans"] and loaded.source_of("plans_dirs") == "plansmith.toml"
    assert loaded.warnings == []
    loaded = load_settings(tmp_path, {"plans_dirs": ["x/*/plans"]})
    assert loaded.settings.plans_dirs == ["x/*/plans"]
    assert any(
        "plans_dir (from" in w and "is ignored because plans_dirs is set" in w for w in loaded.warnings
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('["/abs"]', "'/abs' must be relative"),
        ('["ok", "../out"]', "'../out' must stay inside the repository"),
        ('["*/plans"]', "must start with a folder name"),
        ('["specs/**/plans"]', "'**' is not supported"),
        ("[]", "at least one"),
        ('"specs/plans"', "plans_dirs"),
    ],
)
def test_bad_plans_dirs_name_the_value_and_the_source(tmp_path: Path, value: str, message: str) -> None:
    (tmp_path / "plansmith.toml").write_text(f"plans_dirs = {value}\n")
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path)
    assert message in err.value.message and "plansmith.toml" in err.value.message


def test_a_bad_environment_list_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANSMITH_PLANS_DIRS", '["a", 3]')
    with pytest.raises(ConfigError, match="PLANSMITH_PLANS_DIRS: must be a JSON list of strings"):
        load_settings(tmp_path)
