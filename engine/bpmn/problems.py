"""Where a deploy's reasons point in the diagram: each reason with the element it names.

Every reason a deploy gives starts with the id of the element it is about (engine/validation.py,
engine/bpmn/graph.py: "flow_x ('Yes'): leaves gateway ..."), and a scenario's result names the
element where it failed. The editor marks those elements on the canvas; a reason whose first
word is not an element of this diagram (a form, another process, the file itself) is shown in
the list only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from engine.bpmn.rehearsal import ScenarioResult
from engine.validation import parse_xml

# "<id>", "<id> [child]" (a multi-instance task's instances) or "<id> ('<name>')", then ": ".
_LEADING_ID = re.compile(r"^(?P<id>[^\s:()\[\]']+)(?: \[child\])?(?: \('.*?'\))?: ")


@dataclass(frozen=True)
class Problem:
    """One reason a deploy is refused, and the id of the diagram's element it is about (or None)."""

    element: str | None
    message: str


def element_ids(xml: bytes) -> set[str]:
    """Every id of the BPMN document (elements and their diagram shapes); empty when it does not parse."""
    try:
        root = parse_xml(xml)
    except ValueError:
        return set()
    return {str(node.get("id")) for node in root.iter() if isinstance(node.tag, str) and node.get("id")}


def locate(reasons: Iterable[str], ids: set[str]) -> list[Problem]:
    """Each reason with the element of `ids` it starts with, else None."""
    located = []
    for reason in reasons:
        match = _LEADING_ID.match(reason)
        element = match.group("id") if match and match.group("id") in ids else None
        located.append(Problem(element, reason))
    return located


def scenario_element(result: ScenarioResult, ids: set[str]) -> str | None:
    """The element of this diagram where a scenario failed, when it is one of `ids`."""
    if result.passed or not result.element:
        return None
    element = result.element.removesuffix(" [child]")
    return element if element in ids else None
