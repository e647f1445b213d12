"""Refusing a join that a loop leads back into: SpiffWorkflow 3.2.0 runs it wrongly.

A parallel (or inclusive) gateway that merges branches and lies on a loop fires, on the
loop's second pass, as soon as one branch is done: it counts the first pass's finished
branches as tokens of this pass, and carries on the first pass's results of the other
branches (reproduced in tests/engine/test_quirks.py). Making it right would mean replacing
how the library decides a join may fire, for every shape of loop its task tree can take;
such a diagram is refused at deploy instead, with the loop and what to draw.
"""

from __future__ import annotations

from collections import deque

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_JOINS = {"parallelGateway": "parallel", "inclusiveGateway": "inclusive"}


def check_joins_on_loops(process: etree._Element) -> list[str]:
    """One reason per merging parallel or inclusive gateway that lies on a loop of `process`.

    The graph is the sequence flows of the process and of its sub-processes (a sub-process
    starts afresh each time, so a loop around it does not loop its inside), plus an edge
    from each activity to the boundary events attached to it.
    """
    successors: dict[str, list[str]] = {}
    incoming: dict[str, int] = {}
    for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        source, target = flow.get("sourceRef") or "", flow.get("targetRef") or ""
        successors.setdefault(source, []).append(target)
        incoming[target] = incoming.get(target, 0) + 1
    for boundary in process.iter(f"{{{BPMN_NS}}}boundaryEvent"):
        successors.setdefault(boundary.get("attachedToRef") or "", []).append(boundary.get("id") or "")
    problems: list[str] = []
    for tag, kind in _JOINS.items():
        for gateway in process.iter(f"{{{BPMN_NS}}}{tag}"):
            join = gateway.get("id") or ""
            if incoming.get(join, 0) < 2:
                continue
            loop = _loop_through(join, successors)
            if loop:
                problems.append(
                    f"{join}: this {kind} join is on a loop ({' -> '.join(loop)}); SpiffWorkflow 3.2.0 runs that "
                    "wrongly: on the loop's next pass the join goes on as soon as one branch is done, carrying the "
                    "previous pass's results of the others. Draw the branches one after the other inside the loop, "
                    f"and bring a loop back in through an exclusive gateway, not a {kind} one"
                )
    return problems


def _loop_through(start: str, successors: dict[str, list[str]]) -> list[str]:
    """The shortest path from `start` back to itself (start ... start), or [] when there is none."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for following in successors.get(node, []):
            if following == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if following not in came_from:
                came_from[following] = node
                queue.append(following)
    return []
