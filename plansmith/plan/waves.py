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
    starts from the lowest phase (natural order). Linear apart from sorting: each node's dependencies
    are sorted once, and the open path's positions are kept in a dict."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(graph, WHITE)
    sorted_deps: dict[Node, list[Node]] = {}
    for root in sorted(graph):
        if colour[root] != WHITE:
            continue
        path: list[Node] = []
        position: dict[Node, int] = {}  # node on the open path -> its index in ``path``
        stack: list[tuple[Node, int]] = [(root, 0)]
        while stack:
            node, next_child = stack.pop()
            if next_child == 0:
                colour[node] = GREY
                position[node] = len(path)
                path.append(node)
                sorted_deps[node] = sorted({d for d in graph.get(node, ()) if d in graph})
            deps = sorted_deps[node]
            if next_child < len(deps):
                stack.append((node, next_child + 1))
                child = deps[next_child]
                if colour[child] == GREY:
                    cycle = list(reversed(path[position[child] :]))
                    start = cycle.index(min(cycle))  # a stable rotation: lowest phase first
                    return tuple(cycle[start:] + cycle[:start])
                if colour[child] == WHITE:
                    stack.append((child, 0))
            else:
                colour[node] = BLACK
                del position[path.pop()]
    return None


def compute_waves(graph: Mapping[Node, Sequence[Node]]) -> Waves[Node]:
    """Layer the phases: wave k holds the phases whose dependencies are all in earlier waves, in
    natural order. References to phases that do not exist are ignored here (validation reports them).

    Kahn's layering: each node counts its unmet dependencies and each dependency knows its
    dependents, so every edge is looked at once (an 80,000-long chain was quadratic when each wave
    rescanned all the remaining nodes, issue 18)."""
    cycle = find_cycle(graph)
    if cycle is not None:
        return Waves(None, cycle)
    unmet: dict[Node, int] = {}
    dependents: dict[Node, list[Node]] = {n: [] for n in graph}
    for n, deps in graph.items():
        distinct = {d for d in deps if d in graph and d != n}
        unmet[n] = len(distinct)
        for d in distinct:
            dependents[d].append(n)
    ready = sorted(n for n, count in unmet.items() if count == 0)
    waves: list[tuple[Node, ...]] = []
    while ready:
        waves.append(tuple(ready))
        following: list[Node] = []
        for n in ready:
            for m in dependents[n]:
                unmet[m] -= 1
                if unmet[m] == 0:
                    following.append(m)
        ready = sorted(following)
    return Waves(tuple(waves), None)
