"""spec-kit feature folders written for these tests (in the shape of spec-kit's two task templates;
no text of anyone's real plan), and the files spec-kit keeps beside ``tasks.md``."""

from __future__ import annotations

FEATURE = "specs/001-photo-albums"
TASKS = f"{FEATURE}/tasks.md"

# The current template: Setup, Foundational, one phase per user story, Polish, and the bullets that
# say how the phases depend on each other.
TEMPLATE_TASKS = """\
# Tasks: Photo albums

**Input**: Design documents from `specs/001-photo-albums/`
**Prerequisites**: plan.md (required), spec.md

## Format: `[ID] [P?] [Story] Description`

- **[P]**: can run in parallel (different files)
- **[Story]**: the user story a task serves (US1, US2, US3)

---

## Phase 1: Setup (Shared Infrastructure)

**Purpose**: The package skeleton

- [X] T001 Create the package layout in src/albums/__init__.py
- [ ] T002 [P] Add lint settings to pyproject.toml

---

## Phase 2: Foundational (Blocking Prerequisites)

**Purpose**: What every story needs before it can start

- [ ] T003 Add the album table in src/albums/migrations/0001_albums.py
- [ ] T004 [P] Write the storage adapter in src/albums/storage.py

**Checkpoint**: the stories can start

---

## Phase 3: User Story 1 - Create an album (Priority: P1) 🎯 MVP

**Goal**: A signed-in person creates an album and adds photos to it

### Tests for User Story 1

- [ ] T005 [P] [US1] Contract test for POST /albums in tests/contract/test_create_album.py

### Implementation for User Story 1

- [ ] T006 [US1] Album service in src/albums/service.py
- [ ] T007 [US1] POST /albums endpoint in src/albums/api.py

---

## Phase 4: User Story 2 - Share an album (Priority: P2)

**Goal**: The owner shares an album by link

- [ ] T008 [P] [US2] Share links in src/albums/sharing.py
- [ ] T009 [US2] GET /shared/{token} endpoint in src/albums/api.py

---

## Phase 5: User Story 3 - Sort photos (Priority: P3)

- [ ] T010 [US3] Sort orders in src/albums/ordering.py

---

## Phase 6: Polish & Cross-Cutting Concerns

- [ ] T011 [P] Write docs/albums.md
- [ ] T012 Walk through quickstart.md

---

## Dependencies & Execution Order

### Phase Dependencies

- **Setup (Phase 1)**: No dependencies - can start at once
- **Foundational (Phase 2)**: Depends on Setup completion - BLOCKS all user stories
- **User Stories (Phase 3+)**: All depend on Foundational phase completion
  - the stories can then go side by side
- **Polish (Final Phase)**: Depends on all desired user stories being complete

### User Story Dependencies

- **User Story 1 (P1)**: Can start after Foundational (Phase 2)

## Parallel Example: User Story 1

```bash
Task: "T005 Contract test for POST /albums"
- [ ] T005 an example line inside a fence is not a task
```
"""

# The older template: decimal phase ids 3.1-3.5 (phase 3 of the /plan workflow), task-level
# dependencies only.
OLDER_TASKS = """\
# Tasks: Link checker

**Input**: Design documents from `specs/002-link-checker/`

## Phase 3.1: Setup
- [ ] T001 Create the project layout per plan.md
- [x] T002 [P] Configure the formatter in pyproject.toml

## Phase 3.2: Tests First (TDD) ⚠️ MUST COMPLETE BEFORE 3.3
- [ ] T003 [P] Contract test in tests/contract/test_check.py
- [ ] T004 [P] Integration test in tests/integration/test_crawl.py

## Phase 3.3: Core Implementation (ONLY after tests are failing)
- [ ] T005 Crawler in src/linkcheck/crawl.py
- [ ] T005a Robots rules in src/linkcheck/robots.py

## Phase 3.4: Integration
- [ ] T006 Wire the CLI in src/linkcheck/cli.py

## Phase 3.5: Polish
- [ ] T007 [P] Unit tests in tests/unit/test_urls.py

## Dependencies
- Tests (T003-T004) before implementation (T005)
- T005 blocks T006

## Parallel Example
```
# Launch T003 and T004 together:
Task: "Contract test in tests/contract/test_check.py"
```
"""

# spec-kit's own files beside tasks.md: never plans, never changed by plansmith.
SPECKIT_FILES = {
    f"{FEATURE}/spec.md": "# Feature Specification: Photo albums\n\n## User Scenarios\n",
    f"{FEATURE}/plan.md": (
        "# Implementation Plan: Photo albums\n\n## Phase 0: Outline & Research\n\n"
        "## Phase 1: Design & Contracts\n"
    ),
    f"{FEATURE}/research.md": "# Research\n",
    f"{FEATURE}/data-model.md": "# Data model\n",
    f"{FEATURE}/quickstart.md": "# Quickstart\n",
    f"{FEATURE}/contracts/albums.md": "# Contract\n\n## Phase 1: not a plan\n",
}


def feature_files(tasks: str = TEMPLATE_TASKS) -> dict[str, str]:
    """The whole feature folder: tasks.md and spec-kit's other files."""
    return {TASKS: tasks, **SPECKIT_FILES}
