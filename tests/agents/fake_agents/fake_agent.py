"""A fake agent program for the tests: behaves according to its first argument.

Every run appends one JSON line (argv, PLANSMITH_* environment, stdin) to $FAKE_LOG when it is set.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path


def log(extra=None):
    path = os.environ.get("FAKE_LOG")
    if not path:
        return
    entry = {
        "argv": sys.argv,
        "env": {k: v for k, v in os.environ.items() if k.startswith(("PLANSMITH_", "FAKE_", "GIT_"))},
        "stdin": STDIN,
        "cwd": os.getcwd(),
        "pid": os.getpid(),
        "time": time.time(),
    }
    entry.update(extra or {})
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry) + "\n")


def target() -> Path:
    return Path(os.environ["PLANSMITH_TARGET"])


def workflow() -> None:
    """Mode ``workflow [key=value ...]``: plays the orchestrate roles by $PLANSMITH_ROLE.

    research: sleeps ``research_sleep`` seconds, writes a report to $PLANSMITH_ARTIFACT;
    plan: sleeps ``plan_sleep`` seconds, writes a plan to $PLANSMITH_TARGET (``plan=complex``: phase 1
    is complex enough to be expanded; ``plan=bad``: a plan that does not validate);
    implement: adds ``src/feature.py``, edits ``src/app.py`` when it exists, ticks the first task of
    $PLANSMITH_TARGET and writes a report (``implement=fail``: leaves a file behind and exits 1).
    ``plan=waves`` writes a five-phase plan in three waves (1 and 2; 3 after 1, 4 after 2; 5 after 3 and
    4); then implement sleeps ``implement_sleep`` seconds, adds ``src/<item>.py``, ticks the first task
    of its own phase, logs its end, and fails when its item is in ``implement_fail`` (comma-separated);
    ``implement_conflict=1``: every phase also writes ``src/shared.py`` with its own content.
    """
    opts = dict(arg.split("=", 1) for arg in sys.argv[2:])
    role = os.environ["PLANSMITH_ROLE"]
    if role == "research":
        time.sleep(float(opts.get("research_sleep", "0")))
        topic = re.search(r"Topic: (.*)", STDIN)
        about = topic.group(1) if topic else "?"
        item = os.environ["PLANSMITH_ITEM"]
        Path(os.environ["PLANSMITH_ARTIFACT"]).write_text(
            f"# Research notes\n\nTopic: {about}\n\nRESEARCH-MARKER {item}\n"
        )
    elif role == "plan":
        time.sleep(float(opts.get("plan_sleep", "0")))
        if opts.get("plan") == "waves":
            target().parent.mkdir(parents=True, exist_ok=True)
            target().write_text(WAVES_PLAN)
            return
        if opts.get("plan") == "bad":
            target().parent.mkdir(parents=True, exist_ok=True)
            target().write_text("# Plan\n\n### Phase 1: One\n\n### Phase 1: Again\n")
            return
        tasks = "\n".join(
            f"- [ ] step {n} in `src/m{n}.py` with a migration and security review" for n in range(16)
        )
        notes = STDIN.count("RESEARCH-MARKER")
        target().parent.mkdir(parents=True, exist_ok=True)
        target().write_text(
            "# Plan: written by the fake agent\n\n## Metadata\n- **Date**: 2026-01-01\n"
            "- **Structure Level**: 0\n- **Expanded Phases**: []\n\n"
            f"## Overview\n\nResearch notes seen: {notes}\n\n"
            f"### Phase 1: Build the feature [NOT STARTED]\n**Objective**: build it\n\n{tasks}\n\n"
            "### Phase 2: Check it [NOT STARTED]\n**Dependencies**: [1]\n\n- [ ] test it\n"
        )
    elif role == "implement" and opts.get("plan") == "waves":
        implement_phase(opts)
    elif role == "implement":
        if opts.get("implement") == "fail":
            Path("src").mkdir(exist_ok=True)
            Path("src/half_done.py").write_text("broken\n")
            sys.exit("implement: giving up")
        src = Path("src")
        src.mkdir(exist_ok=True)
        (src / "feature.py").write_text("def feature():\n    return 42\n")
        app = src / "app.py"
        if app.exists():
            app.write_text(app.read_text() + "# implemented by the fake agent\n")
        text = target().read_text()
        target().write_text(text.replace("- [ ]", "- [x]", 1))
        Path(os.environ["PLANSMITH_ARTIFACT"]).write_text("# implemented\nsrc/feature.py\n")
    else:
        sys.exit(f"workflow: unexpected role {role}")


WAVES_PLAN = (
    "# Plan: three waves\n\n## Metadata\n- **Date**: 2026-01-01\n"
    "- **Structure Level**: 0\n- **Expanded Phases**: []\n\n## Overview\n\nFive phases.\n\n"
    + "".join(
        f"### Phase {n}: Part {n} [NOT STARTED]\n**Objective**: part {n}\n"
        + (f"**Dependencies**: [{deps}]\n" if deps else "")
        + f"\n- [ ] build part {n}\n- [ ] test part {n}\n\n"
        for n, deps in ((1, ""), (2, ""), (3, "1"), (4, "2"), (5, "3, 4"))
    )
)


def implement_phase(opts: dict) -> None:
    """The ``plan=waves`` implementer: one file per phase, its own phase's first task ticked."""
    item = os.environ["PLANSMITH_ITEM"]
    time.sleep(float(opts.get("implement_sleep", "0")))
    if item in opts.get("implement_fail", "").split(","):
        sys.exit(f"implement {item}: giving up")
    Path("src").mkdir(exist_ok=True)
    Path(f"src/{item}.py").write_text(f"# {item}\n")
    if opts.get("implement_conflict"):  # every phase writes the same new file differently
        Path("src/shared.py").write_text(f"WHO = {item!r}\n")
    number = item.removeprefix("phase_")
    lines = target().read_text().splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(f"### Phase {number}:"))
    task = next(i for i in range(start, len(lines)) if lines[i].startswith("- [ ]"))
    lines[task] = lines[task].replace("- [ ]", "- [x]", 1)
    target().write_text("".join(lines))
    Path(os.environ["PLANSMITH_ARTIFACT"]).write_text(f"# implemented {item}\n")
    log({"end": time.time()})


def add_tasks(text: str) -> str:
    return text.rstrip("\n") + "\n- [ ] Added by the agent: write tests\n- [ ] Added by the agent: docs\n"


mode = sys.argv[1]
STDIN = sys.stdin.read() if mode not in ("hang", "ignore-term", "no-stdin") else ""
log()

if mode == "elaborate":
    target().write_text(add_tasks(target().read_text()))
elif mode == "sleep":
    time.sleep(float(sys.argv[2]))
    target().write_text(add_tasks(target().read_text()))
elif mode == "hang":
    time.sleep(600)
elif mode == "flaky":
    if os.environ["PLANSMITH_ATTEMPT"] == "1":
        time.sleep(600)
    target().write_text(add_tasks(target().read_text()))
elif mode == "ignore-term":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)",
        ]
    )
    Path(sys.argv[2]).write_text(f"{os.getpid()} {child.pid}")
    time.sleep(600)
elif mode == "background":
    # exits at once but leaves a child behind in its process group
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    Path(sys.argv[2]).write_text(str(child.pid))
elif mode == "fail":
    sys.stderr.write("something went wrong\n")
    sys.exit(3)
elif mode == "garbage":
    print("I would say this is about a 7 out of 10, mostly because of the migrations.")
elif mode == "estimate":
    print(json.dumps({"score": 7.5, "reasons": ["12 tasks", "touches the database"]}))
elif mode == "drop-task":
    text = target().read_text()
    lines = text.splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if re.match(r"\s*- \[[ xX]\]", line))
    del lines[first]
    target().write_text(add_tasks("".join(lines)))
elif mode == "untick":
    target().write_text(add_tasks(target().read_text().replace("- [x]", "- [ ]")))
elif mode == "retitle":
    text = re.sub(r"^(#+) Phase \d+", r"\1 Phase 99", target().read_text(), count=1, flags=re.M)
    target().write_text(text)
elif mode == "outside":
    target().write_text(add_tasks(target().read_text()))
    Path("stray.md").write_text("not allowed\n")
elif mode == "modify-other":
    target().write_text(add_tasks(target().read_text()))
    other = Path(sys.argv[2])
    other.write_text(other.read_text() + "\nsneaky edit\n")
elif mode == "report":
    target().write_text(add_tasks(target().read_text()))
    Path(os.environ["PLANSMITH_ARTIFACT"]).write_text("# report\nall good\n")
elif mode == "chatty":
    chunk = "x" * 1023 + "\n"
    for _ in range(2048):  # 2 MiB
        sys.stdout.write(chunk)
    sys.stdout.write("THE END\n")
elif mode == "workflow":
    workflow()
elif mode == "record":
    pass
elif mode == "marker":
    Path(sys.argv[2]).write_text("the repository made plansmith run me\n")
else:
    sys.exit(f"unknown mode {mode}")
