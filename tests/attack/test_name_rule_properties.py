"""The plan-name rule of plan/names.py against the commit message writer and reader: a hypothesis
property over any text. A name the rule accepts goes into the Plansmith-Plan trailer and comes back
unchanged; a name it refuses (line breaks, and other control characters, which terminals obey too) is
shown in messages on one line."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from plansmith.git_backend.messages import TRAILER_PLAN, format_message, message_trailers
from plansmith.plan.names import name_problem, shown

NAMES = st.text(
    alphabet=st.one_of(
        st.sampled_from("\n\r\t\x0b\x0c\x1c\x1e\x1b\x7f\x85\u2028\u2029 %:+"), st.characters()
    ),
    min_size=1,
    max_size=20,
).filter(lambda n: "/" not in n)


def round_trips(path: str) -> bool:
    try:
        message = format_message("plansmith: expand phase 1 of x", "body", {TRAILER_PLAN: path})
    except ValueError:
        return False
    return message_trailers(message).get(TRAILER_PLAN) == path


@settings(max_examples=300, deadline=None)
@given(NAMES)
def test_accepted_names_survive_the_trailer_and_refused_ones_are_shown_on_one_line(name: str) -> None:
    path = f"specs/plans/x{name}x.md"  # inside a path, as plansmith writes it (no leading/trailing space)
    if name_problem(path) is None:
        assert round_trips(path)
    else:
        assert "\n" not in shown(path) and "\r" not in shown(path)
        assert len(shown(path).splitlines()) == 1
