"""The hook's cheap reader of ``plans_dir`` agrees with the documented sources and their order."""

from __future__ import annotations

from pathlib import Path

import pytest

from plansmith.errors import ConfigError
from plansmith.hooks.plans_dir import read_plan_roots, read_plans_dir


def test_default(tmp_path: Path) -> None:
    assert read_plans_dir(tmp_path, {}) == "specs/plans"


def test_sources_in_order(tmp_path: Path) -> None:
    home = tmp_path / "config"
    env = {"XDG_CONFIG_HOME": str(home)}
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.plansmith]\nplans_dir = "a"\n')
    assert read_plans_dir(tmp_path, env) == "a"
    (tmp_path / "plansmith.toml").write_text('plans_dir = "./b/"\n')
    assert read_plans_dir(tmp_path, env) == "b"
    (home / "plansmith").mkdir(parents=True)
    (home / "plansmith" / "config.toml").write_text('plans_dir = "c"\n')
    assert read_plans_dir(tmp_path, env) == "c"
    assert read_plans_dir(tmp_path, {**env, "PLANSMITH_PLANS_DIR": "d/e"}) == "d/e"


def test_a_pyproject_without_the_key_is_not_parsed(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("this is [not toml\n")
    assert read_plans_dir(tmp_path, {}) == "specs/plans"


@pytest.mark.parametrize("value", ['"/abs"', '"../out"', '""', "3"])
def test_bad_values_are_config_errors(tmp_path: Path, value: str) -> None:
    (tmp_path / "plansmith.toml").write_text(f"plans_dir = {value}\n")
    with pytest.raises(ConfigError, match="plans_dir"):
        read_plans_dir(tmp_path, {})


def test_malformed_toml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "plansmith.toml").write_text("plans_dir = \n")
    with pytest.raises(ConfigError, match=r"plansmith\.toml"):
        read_plans_dir(tmp_path, {})


def test_agrees_with_the_full_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = pytest.importorskip("plansmith.config")
    (tmp_path / "pyproject.toml").write_text('[tool.plansmith]\nplans_dir = "from/pyproject"\n')
    assert read_plans_dir(tmp_path) == config.load_settings(tmp_path).settings.plans_dir
    (tmp_path / "plansmith.toml").write_text('plans_dir = "from/plansmith/"\n')
    assert read_plans_dir(tmp_path) == config.load_settings(tmp_path).settings.plans_dir
    monkeypatch.setenv("PLANSMITH_PLANS_DIR", "from/env")
    assert read_plans_dir(tmp_path) == config.load_settings(tmp_path).settings.plans_dir


DEFAULTS = tuple(
    [
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
)


def test_default_roots(tmp_path: Path) -> None:
    assert read_plan_roots(tmp_path, {}) == DEFAULTS


def test_plans_dirs_from_every_source_and_the_environment_forms(tmp_path: Path) -> None:
    home = tmp_path / "config"
    env = {"XDG_CONFIG_HOME": str(home)}
    (tmp_path / "pyproject.toml").write_text('[tool.plansmith]\nplans_dirs = ["a/*/plans"]\n')
    assert read_plan_roots(tmp_path, env) == ("a/*/plans",)
    (tmp_path / "plansmith.toml").write_text('plans_dirs = ["./b/", "b"]\n')
    assert read_plan_roots(tmp_path, env) == ("b",)
    (home / "plansmith").mkdir(parents=True)
    (home / "plansmith" / "config.toml").write_text('plans_dirs = ["c", "d/*/plans"]\n')
    assert read_plan_roots(tmp_path, env) == ("c", "d/*/plans")
    assert read_plan_roots(tmp_path, {**env, "PLANSMITH_PLANS_DIRS": '["e", "f/*/x"]'}) == ("e", "f/*/x")
    assert read_plan_roots(tmp_path, {**env, "PLANSMITH_PLANS_DIRS": "e, f/*/x"}) == ("e", "f/*/x")


def test_plans_dirs_set_anywhere_wins_over_plans_dir(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.plansmith]\nplans_dirs = ["a/*/plans"]\n')
    assert read_plan_roots(tmp_path, {"PLANSMITH_PLANS_DIR": "old"}) == ("a/*/plans",)
    (tmp_path / "pyproject.toml").unlink()
    assert read_plan_roots(tmp_path, {"PLANSMITH_PLANS_DIR": "old"}) == ("old",)


@pytest.mark.parametrize("value", ['["../out"]', '["*/plans"]', '"specs/plans"', "[]", "[3]"])
def test_bad_plans_dirs_are_config_errors(tmp_path: Path, value: str) -> None:
    (tmp_path / "plansmith.toml").write_text(f"plans_dirs = {value}\n")
    with pytest.raises(ConfigError, match="plans_dirs"):
        read_plan_roots(tmp_path, {})


def test_a_bad_environment_list_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="PLANSMITH_PLANS_DIRS"):
        read_plan_roots(tmp_path, {"PLANSMITH_PLANS_DIRS": "[oops"})


@pytest.mark.parametrize(
    "setting",
    [
        'plans_dirs = ["x/*/plans", "y"]',
        'plans_dir = "old"',
        'plans_dir = "old"\nplans_dirs = ["new/*/plans"]',
    ],
)
def test_roots_agree_with_the_full_settings(tmp_path: Path, setting: str) -> None:
    config = pytest.importorskip("plansmith.config")
    (tmp_path / "plansmith.toml").write_text(setting + "\n")
    assert read_plan_roots(tmp_path) == tuple(config.load_settings(tmp_path).settings.plans_dirs)
