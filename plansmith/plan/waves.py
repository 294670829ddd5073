"""Execution waves: phases whose dependencies are all done can run together.

Generic over the node type: phase and stage ids (:class:`~plansmith.plan.ids.ItemId`, ordered
naturally) for plans, plain integers for the orchestrator's steps. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from plansmith.plan.ids import ItemId

Node = TypeVar("Node", ItemId, int)


def _json(node: ItemId | int) -> int | str:
    return node.as_json() if isinstance(node, ItemId) else node


@dataclass(frozen=True, slots=True)
class Waves(Generic[Node]):
    waves: tuple[tuple[Node, ...], ...] | None  # None when there is a cycle
    cycle: tuple[Node, ...] | None  # the phases of one cycle, in dependency order

    def as_json(self, plan: str) -> dict[str, object]:
        """Ids as in the analyze JSON: integers for integer ids, text for others (``"2.5"``)."""
        return {
            "plan": plan,
            "waves": None if self.waves is None else [[_json(n) for n in w] for w in self.waves],
            "cycle": None if self.cycle is None else [_json(n) for n in self.cycle],
        }


def find_cycle(graph: Mapping[Node, Sequence[Node]]) -> tuple[Node, ...] | None:
    """One cycle of ``graph`` (phase -> phases it depends on), or None. Deterministic: the search
    starts from the lowest phase (natural order)."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(graph, WHITE)
    for root in sorted(graph):
        if colour[root] != WHITE:
            continue
        path: list[Node] = []
        stack: list[tuple[Node, int]] = [(root, 0)]
        while stack:
            node, next_child = stack.pop()
            if next_child == 0:
                colour[node] = GREY
                path.append(node)
            deps = sorted(d for d in graph.get(node, ()) if d in graph)
            if next_child < len(deps):
                stack.append((node, next_child + 1))
                child = deps[next_child]
                if colour[child] == GREY:
                    cycle = list(reversed(path[path.index(child) :]))
                    start = cycle.index(min(cycle))  # a stable rotation: lowest phase first
                    return tuple(cycle[start:] + cycle[:start])
                if colour[child] == WHITE:
                    stack.append((child, 0))
            else:
                colour[node] = BLACK
                path.pop()
    return None


def compute_waves(graph: Mapping[Node, Sequence[Node]]) -> Waves[Node]:
    """Layer the phases: wave k holds the phases whose dependencies are all in earlier waves, in
    natural order. References to phases that do not exist are ignored here (validation reports them)."""
    cycle = find_cycle(graph)
    if cycle is not None:
        return Waves(None, cycle)
    remaining = {n: {d for d in deps if d in graph and d != n} for n, deps in graph.items()}
    done: set[Node] = set()
    waves: list[tuple[Node, ...]] = []
    while remaining:
        ready = tuple(sorted(n for n, deps in remaining.items() if deps <= done))
        waves.append(ready)
        done.update(ready)
        for n in ready:
            del remaining[n]
    return Waves(tuple(waves), None)
