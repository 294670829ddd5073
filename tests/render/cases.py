"""The plans whose pictures the render tests draw: the real corpus, the wave fixtures, hostile titles, and
plans expanded to levels 1 and 2. Each case knows the plan it came from, so the tests can check the
rendered SVG against the plan (not against the Mermaid text)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from plan.corpus import CORPUS, corpus_plans  # tests/ is on sys.path (rootdir-less test packages)
from speckit.plans import FEATURE, feature_files

from plansmith.plan.complexity import Analysis, analyze_plan
from plansmith.plan.layout import PlanLocation, build_plan, find_plans, plan_files
from plansmith.plan.mermaid import structure_change, structure_tree, waves_flowchart
from plansmith.plan.model import Plan
from plansmith.plan.transforms import expand_phase, expand_stage
from plansmith.plan.waves import Waves, compute_waves

PLANS_DIR = "specs/plans"
Kind = Literal["waves", "tree", "change"]


@dataclass(frozen=True)
class Case:
    name: str
    kind: Kind
    plan: Plan
    analysis: Analysis
    waves: Waves
    diagram: str
    before: Plan | None = None  # for "change": the plan before


def waves_of(plan: Plan) -> Waves:
    return compute_waves({p.number: list(p.dependencies) for p in plan.phases})


def _cases_of(name: str, plan: Plan) -> list[Case]:
    analysis, waves = analyze_plan(plan), waves_of(plan)
    return [
        Case(f"waves:{name}", "waves", plan, analysis, waves, waves_flowchart(plan, waves, analysis)),
        Case(f"tree:{name}", "tree", plan, analysis, waves, structure_tree(plan, analysis)),
    ]


HOSTILE_TITLES = (
    "Quotes \"double\" and 'single' and `backticks` ```",
    "<script>alert(1)</script><img src=x onerror=alert(2)>",
    '%%{init: {"theme": "dark", "securityLevel": "loose"}}%% directive',
    "Brackets ]) }} [[ (( |pipes| ;semicolons; --> -.-> ==> end",
    "click n1 call alert(1) &amp; &lt;b&gt; #35;",
    "#lt;b#gt; \ufb02\u00b0\u00b035\u00b6\u00df \ufb02\u00b0lt\u00b6\u00df forged entities",
    "emoji 🚀🧪👩‍💻 and accents é ü ß and CJK 漢字",
    "a very long title " + "that goes on and on " * 15,
    "tab\there and\u2028line separator and\x85NEL and $$x^2$$ math",
)


def hostile_plan() -> Plan:
    phases = []
    for n, title in enumerate(HOSTILE_TITLES, 1):
        deps = "[]" if n == 1 else f"[{n // 2}]" if n % 3 else f"[{n - 1}, {n - 2}]"
        status = " [COMPLETE]" if n == 1 else " [IN PROGRESS]" if n == 2 else ""
        phases.append(f"### Phase {n}: {title}{status}\n**Dependencies**: {deps}\n- [ ] task {n}\n\n")
    text = '# Plan <b>bold</b> `title` "x"\n\n## Implementation Phases\n\n' + "".join(phases)
    files = {f"{PLANS_DIR}/001_hostile.md": text}
    (loc,) = find_plans(files, PLANS_DIR)
    return build_plan(files, loc)


def _heavy(n: int) -> str:
    return "".join(f"- [ ] migrate `src/db/part_{i % 7}.py` step {i}, with tests\n" for i in range(n))


def expanded_plans() -> tuple[Plan, Plan, Plan]:
    """One plan at levels 0, 1 (phase 2 expanded) and 2 (also its stage 2)."""
    text = (
        "# Storage rewrite\n\n## Implementation Phases\n\n"
        "### Phase 1: Setup [COMPLETE]\n**Dependencies**: []\n- [x] scaffold\n\n"
        "### Phase 2: Database\n**Dependencies**: [1]\n\n#### Stage 1: Schema\n- [ ] tables\n\n"
        f"#### Stage 2: Migration\n{_heavy(18)}\n"
        "### Phase 3: API\n**Dependencies**: [1]\n- [ ] endpoints\n\n"
        "### Phase 4: Release\n**Dependencies**: [2, 3]\n- [ ] ship\n"
    )
    files = {f"{PLANS_DIR}/007_storage.md": text}
    (loc,) = find_plans(files, PLANS_DIR)
    level0 = build_plan(files, loc)
    one = expand_phase(files, loc, 2)
    level1 = build_plan(one.files, one.location)
    two = expand_stage(one.files, one.location, 2, 2)
    return level0, level1, build_plan(two.files, two.location)


def speckit_plan() -> Plan:
    """spec-kit's template tasks.md: Setup -> Foundational -> the stories side by side -> Polish."""
    files = feature_files()
    (loc,) = find_plans(files, FEATURE)
    return build_plan(files, loc)


def progress_plan() -> Plan:
    """Markers that lie and boxes that tell (issue 20): the colours follow the boxes."""
    text = (
        "# Progress\n\n## Implementation Phases\n\n"
        "### Phase 1: Ticked but marked not started [NOT STARTED]\n- [x] a\n- [x] b\n\n"
        "### Phase 2: Marked done, a box open [COMPLETED]\n**Dependencies**: [1]\n- [x] c\n- [ ] d\n\n"
        "### Phase 3: Blocked half way [BLOCKED]\n**Dependencies**: [1]\n- [x] e\n- [ ] f\n\n"
        "### Phase 4: Untouched\n**Dependencies**: [2, 3]\n- [ ] g\n"
    )
    files = {f"{PLANS_DIR}/009_progress.md": text}
    (loc,) = find_plans(files, PLANS_DIR)
    return build_plan(files, loc)


def _corpus_cases() -> list[Case]:
    if not CORPUS.is_dir():
        return []
    files = {
        str(p.relative_to(CORPUS)): p.read_text(encoding="utf-8")
        for p in sorted(CORPUS.rglob("*.md"))
        if p.name != "SOURCES.md"
    }
    cases: list[Case] = []
    for loc in corpus_plans(files):
        plan = build_plan(plan_files(files, loc), loc)
        if plan.phases:
            cases += _cases_of(_short(loc), plan)
    return cases


def _short(loc: PlanLocation) -> str:
    return re.sub(r"\.md$", "", loc.main_path.rsplit("/", 1)[-1])


def dashboard_case() -> Case:
    """The waves picture as the dashboard document carries it (issue 21), for the hostile plan."""
    from plansmith.render.dashboard_markdown import DashboardData, PlanProgressRow, render

    plan = hostile_plan()
    analysis, waves = analyze_plan(plan), waves_of(plan)
    chart = waves_flowchart(plan, waves, analysis)
    board = DashboardData(
        "main", "0" * 40, plans=[PlanProgressRow("001_hostile", plan.main_path, 0, 9, None, chart)]
    )
    diagram = render(board).split("```mermaid\n", 1)[1].split("\n```", 1)[0] + "\n"
    return Case("waves:dashboard", "waves", plan, analysis, waves, diagram)


def all_cases() -> list[Case]:
    level0, level1, level2 = expanded_plans()
    cases = _corpus_cases() + _cases_of("hostile", hostile_plan()) + [dashboard_case()]
    cases += _cases_of("progress", progress_plan())
    cases += _cases_of("storage-level1", level1) + _cases_of("storage-level2", level2)
    cases += _cases_of("speckit", speckit_plan())
    before, after = analyze_plan(level0), analyze_plan(level2)
    change = structure_change(level0, before, level2, after)
    cases.append(Case("change:storage", "change", level2, after, waves_of(level2), change, level0))
    return cases
