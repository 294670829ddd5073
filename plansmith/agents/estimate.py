"""Reading the answer of the ``estimate`` role: one JSON object ``{"score": 0-10, "reasons": [...]}``.

It must not run the agent or touch files: it only parses the text it is given.
"""

from __future__ import annotations

import json
import math
import re

from plansmith.agents.base import Estimate

_FENCE = re.compile(r"^```(?:json)?[ \t]*\n(?P<body>.*?)\n```$", re.DOTALL)


def parse_estimate(stdout: str) -> tuple[Estimate | None, str | None]:
    """``(estimate, None)`` or ``(None, warning)``.

    Accepted: exactly one JSON object on stdout (surrounding white space allowed, or the object alone in
    one fenced code block, as chat-style programs print it). ``score`` is a number in 0..10;
    ``reasons`` (optional) a list of strings. Anything else is rejected with a warning saying why.
    """
    text = stdout.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group("body").strip()
    if not text:
        return None, "estimate: the agent printed nothing; expected one JSON object"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        excerpt = text[:60].replace("\n", " ")
        return None, f"estimate: output is not one JSON object ({exc.msg}): {excerpt!r}"
    if not isinstance(data, dict):
        return None, f"estimate: expected a JSON object, got {type(data).__name__}"
    score = data.get("score")
    if isinstance(score, bool) or not isinstance(score, int | float) or not math.isfinite(score):
        return None, f"estimate: 'score' must be a number from 0 to 10, got {score!r}"
    if not 0 <= score <= 10:
        return None, f"estimate: 'score' {score} is outside 0..10"
    reasons = data.get("reasons", [])
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        return None, "estimate: 'reasons' must be a list of strings"
    return Estimate(score=float(score), reasons=tuple(reasons)), None
