# One entry point for people and CI. Every target installs what it needs into .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test lint typecheck unit demo bench clean render-deps pictures

# Mermaid, for the tests that render every diagram plansmith draws (with Debian's chromium, which
# .ci/run installs). Only dist/mermaid.min.js of the pinned npm package is kept, in .cache/render.
MERMAID_VERSION ?= 11.17.2
RENDER          := .cache/render
MERMAID_JS      := $(RENDER)/mermaid-$(MERMAID_VERSION).min.js

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check plansmith tests bench
	$(BIN)/ruff format --check plansmith tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) render-deps
	$(BIN)/pytest -q $(PYTEST_ARGS)

$(MERMAID_JS):
	rm -rf $(RENDER)/pack && mkdir -p $(RENDER)/pack
	cd $(RENDER)/pack && npm pack --silent mermaid@$(MERMAID_VERSION) >/dev/null
	tar -xzf $(RENDER)/pack/mermaid-$(MERMAID_VERSION).tgz -C $(RENDER)/pack package/dist/mermaid.min.js
	mv $(RENDER)/pack/package/dist/mermaid.min.js $@
	rm -rf $(RENDER)/pack

# Without npm or the registry the render tests say so: skipped locally, failed in CI (CI=true).
render-deps:
	@$(MAKE) --no-print-directory $(MERMAID_JS) && cp -f $(MERMAID_JS) $(RENDER)/mermaid.min.js || \
	  echo "note: could not fetch mermaid@$(MERMAID_VERSION) with npm; the render tests cannot run" >&2

pictures: $(STAMP) render-deps
	$(BIN)/python -m tests.render.make_pictures

test: lint typecheck unit

demo: $(STAMP)
	$(BIN)/plansmith demo

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .pytest_cache .ruff_cache .cache
