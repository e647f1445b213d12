"""The shape of a process: every element on a path from the start to an end, every split decided.

A process owner who deletes a task in the editor also deletes its flows, which leaves the
elements around it cut off: reachable from nowhere, or leading nowhere. SpiffWorkflow
runs such a diagram until an instance reaches the cut and then stops with no error
anyone can act on, so deploy refuses it here, naming the element and the rule broken.
The rules read the XML only (no engine), so they are cheap and run before anything else.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator

from lxml import etree

from engine.validation import BPMN_NS

REACH_RULE = "every element must be reachable from the start event"
END_RULE = "every element must have a path to an end event"
SPLIT_RULE = "every outgoing flow of an exclusive or inclusive gateway needs a condition or must be the default flow"

# Flow nodes: what sequence flows connect. Everything else inside a process (lanes,
# data objects, annotations, associations) takes no part in the path of an instance.
_ACTIVITIES = frozenset(
    {
        "task",
        "userTask",
        "manualTask",
        "scriptTask",
        "serviceTask",
        "sendTask",
        "receiveTask",
        "businessRuleTask",
        "callActivity",
        "subProcess",
        "transaction",
        "adHocSubProcess",
    }
)
_EVENTS = frozenset({"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"})
_GATEWAYS = frozenset(
    {"exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway"}
)
_DECIDING_GATEWAYS = frozenset({"exclusiveGateway", "inclusiveGateway"})
_SCOPES = frozenset({"subProcess", "transaction", "adHocSubProcess"})


def _local(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    qname = etree.QName(tag)
    return qname.localname if qname.namespace == BPMN_NS else ""


def _label(element: etree._Element) -> str:
    name = (element.get("name") or "").strip()
    return f"{element.get('id')} ('{name}')" if name else str(element.get("id"))


def check_graph(process: etree._Element) -> list[str]:
    """Every reason the process's graph cannot run as drawn, one line per element and rule.

    `process` is a `bpmn:process` element; each embedded sub-process is checked as a
    graph of its own (its start and ends are its own). Rules (ARCHITECTURE.md, Safe
    deploys; issue 7): every flow node reachable from a start event, a boundary event
    counting as reached through the activity it is attached to, and an event
    sub-process through its own start; every flow node with a path of sequence flows to
    an end event; every outgoing flow of an exclusive or inclusive gateway that splits
    (two or more outgoing flows) carries a condition or is the gateway's default.
    Returns an empty list when the graph is sound.
    """
    problems: list[str] = []
    for scope in _scopes(process):
        problems.extend(_check_scope(scope))
    return problems


def _scopes(process: etree._Element) -> Iterator[etree._Element]:
    yield process
    for element in process.iter():
        if element is not process and _local(element) in _SCOPES:
            yield element


def _check_scope(scope: etree._Element) -> list[str]:
    nodes = {str(child.get("id")): child for child in scope if _local(child) in _ACTIVITIES | _EVENTS | _GATEWAYS}
    flows = [child for child in scope if _local(child) == "sequenceFlow"]
    problems = _dangling_flows(flows, nodes)
    forward: dict[str, list[str]] = {node: [] for node in nodes}
    backward: dict[str, list[str]] = {node: [] for node in nodes}
    for flow in flows:
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        if source in nodes and target in nodes:
            forward[str(source)].append(str(target))
            backward[str(target)].append(str(source))
    for node_id, node in nodes.items():
        host = node.get("attachedToRef")
        if _local(node) == "boundaryEvent" and host in nodes:
            forward[str(host)].append(node_id)
        elif _local(node) == "boundaryEvent":
            problems.append(f"{_label(node)}: boundary event is attached to '{host}', which is not in the process")

    starts = [node_id for node_id, node in nodes.items() if _is_root(node)]
    ends = [node_id for node_id, node in nodes.items() if _local(node) == "endEvent"]
    if not starts:
        problems.append(f"{_label(scope)}: has no start event ({REACH_RULE})")
    if not ends:
        problems.append(f"{_label(scope)}: has no end event ({END_RULE})")
    if not starts or not ends:
        return problems

    reached = _closure(starts, forward)
    ending = _closure(ends, backward)
    for node_id, node in nodes.items():
        if node_id not in reached:
            problems.append(f"{_label(node)}: cannot be reached from the start event ({REACH_RULE})")
        elif node_id not in ending:
            problems.append(f"{_label(node)}: no path leads from here to an end event ({END_RULE})")
    problems.extend(_undecided_splits(nodes, flows))
    return problems


def _is_root(node: etree._Element) -> bool:
    # An event sub-process starts by its own trigger, not by a flow from the start event.
    return _local(node) == "startEvent" or (_local(node) in _SCOPES and node.get("triggeredByEvent") == "true")


def _dangling_flows(flows: Iterable[etree._Element], nodes: dict[str, etree._Element]) -> list[str]:
    problems = []
    for flow in flows:
        for end, ref in (("source", flow.get("sourceRef")), ("target", flow.get("targetRef"))):
            if ref not in nodes:
                problems.append(f"{_label(flow)}: its {end} '{ref}' is not an element of the process")
    return problems


def _closure(roots: Iterable[str], edges: dict[str, list[str]]) -> set[str]:
    seen = set(roots)
    pending = deque(seen)
    while pending:
        for following in edges[pending.popleft()]:
            if following not in seen:
                seen.add(following)
                pending.append(following)
    return seen


def _undecided_splits(nodes: dict[str, etree._Element], flows: list[etree._Element]) -> list[str]:
    problems = []
    for node_id, node in nodes.items():
        if _local(node) not in _DECIDING_GATEWAYS:
            continue
        outgoing = [flow for flow in flows if flow.get("sourceRef") == node_id]
        default = node.get("default")
        if default and default not in {flow.get("id") for flow in outgoing}:
            problems.append(f"{_label(node)}: its default flow '{default}' is not one of its outgoing flows")
        if len(outgoing) < 2:
            continue
        for flow in outgoing:
            condition = flow.find(f"{{{BPMN_NS}}}conditionExpression")
            has_condition = condition is not None and bool((condition.text or "").strip())
            if not has_condition and flow.get("id") != default:
                problems.append(f"{_label(flow)}: leaves gateway {_label(node)} without a condition ({SPLIT_RULE})")
    return problems
