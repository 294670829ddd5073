"""The pictures in docs/images/ are what the code draws today (their Mermaid sources are compared, so
this needs no browser), and the README and docs/cli.md show them."""

from __future__ import annotations

from .make_pictures import IMAGES, diagrams
from .renderer import CHECKOUT


def test_pictures_are_current() -> None:
    for name, text in diagrams().items():
        source = IMAGES / f"{name}.mmd"
        assert source.read_text(encoding="utf-8") == text, f"{source.name} is stale: run 'make pictures'"
        png = (IMAGES / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000


def test_readme_and_cli_docs_show_the_pictures() -> None:
    readme = (CHECKOUT / "README.md").read_text(encoding="utf-8")
    cli = (CHECKOUT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert "(docs/images/waves.png)" in readme and "(docs/images/structure.png)" in readme
    for name in ("waves", "structure", "before-after"):
        assert f"(images/{name}.png)" in cli
