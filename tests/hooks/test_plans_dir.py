"""The hook's cheap reader of ``plans_dir`` agrees with the documented sources and their order."""

from __future__ import annotations

from pathlib import Path

import pytest

from plansmith.errors import ConfigError
from plansmith.hooks.plans_dir import read_plans_dir


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
