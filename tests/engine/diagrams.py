"""Whole BPMN diagrams for tests, as a process owner draws them: a pool with lanes, user tasks
with their forms, and diagram interchange laid out on a grid so bpmn-js can show them."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

_SIZES = {"Task": (100, 80), "Gateway": (50, 50), "Event": (36, 36)}
_COLUMN = 150
_LANE_HEIGHT = 140
_LEFT = 190


@dataclass(frozen=True)
class Node:
    """One flow node: `kind` is the BPMN element name (`userTask`, `parallelGateway`, ...).

    `inner` is XML placed inside the element (extension elements, a script, event or loop
    definitions); `attrs` are extra attributes; `column` places it left to right.
    """

    id: str
    kind: str
    column: int
    name: str = ""
    lane: str = "System"
    inner: str = ""
    attrs: str = ""
    row: int = 0


@dataclass(frozen=True)
class Flow:
    """A sequence flow, with an optional condition expression."""

    id: str
    source: str
    target: str
    condition: str | None = None


def properties(form: str | None = None, status: str | None = None, post_script: str | None = None) -> str:
    """The spiffworkflow extension elements our deploy checks look for."""
    rows = []
    if form:
        rows.append(f'<spiffworkflow:property name="formJsonSchemaFilename" value="{form}" />')
    if status:
        rows.append(f'<spiffworkflow:property name="applicationStatus" value="{status}" />')
    inner = f"<spiffworkflow:properties>{''.join(rows)}</spiffworkflow:properties>" if rows else ""
    if post_script:
        inner += f"<spiffworkflow:postScript>{escape(post_script)}</spiffworkflow:postScript>"
    return f"<bpmn:extensionElements>{inner}</bpmn:extensionElements>"


def user_task(
    id: str, column: int, lane: str, form: str, name: str = "", inner: str = "", post_script: str | None = None
) -> Node:
    """A user task in a role lane with its form."""
    return Node(
        id,
        "userTask",
        column,
        name or id.replace("_", " ").capitalize(),
        lane,
        properties(form, post_script=post_script) + inner,
    )


def timer(kind: str, value: str) -> str:
    """A timerEventDefinition with one timeDate, timeDuration or timeCycle."""
    return (
        f'<bpmn:timerEventDefinition><bpmn:{kind} xsi:type="bpmn:tFormalExpression">{escape(value)}'
        f"</bpmn:{kind}></bpmn:timerEventDefinition>"
    )


def diagram(key: str, nodes: list[Node], flows: list[Flow], name: str = "") -> bytes:
    """A complete BPMN file (UTF-8): collaboration, lanes, the process and its diagram."""
    lanes: list[str] = []
    for node in nodes:
        if node.lane not in lanes:
            lanes.append(node.lane)
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for flow in flows:
        outgoing.setdefault(flow.source, []).append(flow.id)
        incoming.setdefault(flow.target, []).append(flow.id)
    lane_xml = "".join(
        f'<bpmn:lane id="lane_{index}" name="{lane}">'
        + "".join(f"<bpmn:flowNodeRef>{n.id}</bpmn:flowNodeRef>" for n in nodes if n.lane == lane)
        + "</bpmn:lane>"
        for index, lane in enumerate(lanes)
    )
    node_xml = "".join(_node_xml(node, incoming.get(node.id, []), outgoing.get(node.id, [])) for node in nodes)
    flow_xml = "".join(_flow_xml(flow) for flow in flows)
    bounds = {node.id: _bounds(node, lanes, nodes) for node in nodes}
    width = _LEFT + _COLUMN * (max(node.column for node in nodes) + 2)
    shapes = [
        f'<bpmndi:BPMNShape id="pool_di" bpmnElement="pool" isHorizontal="true">'
        f'<dc:Bounds x="160" y="80" width="{width}" height="{_LANE_HEIGHT * len(lanes)}" /></bpmndi:BPMNShape>'
    ]
    shapes += [
        f'<bpmndi:BPMNShape id="lane_{index}_di" bpmnElement="lane_{index}" isHorizontal="true">'
        f'<dc:Bounds x="{_LEFT}" y="{80 + _LANE_HEIGHT * index}" width="{width - 30}" height="{_LANE_HEIGHT}" />'
        "</bpmndi:BPMNShape>"
        for index in range(len(lanes))
    ]
    shapes += [
        f'<bpmndi:BPMNShape id="{node.id}_di" bpmnElement="{node.id}">'
        f'<dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}" /></bpmndi:BPMNShape>'
        for node in nodes
        for x, y, w, h in [bounds[node.id]]
    ]
    edges = [_edge_xml(flow, bounds) for flow in flows]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
        'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
        f'id="defs_{key}" targetNamespace="http://bpmn.io/schema/bpmn">\n'
        f'<bpmn:collaboration id="collaboration"><bpmn:participant id="pool" name={quoteattr(name or key)} '
        f'processRef="{key}" /></bpmn:collaboration>\n'
        f'<bpmn:process id="{key}" name={quoteattr(name or key)} isExecutable="true">\n'
        f'<bpmn:laneSet id="lanes">{lane_xml}</bpmn:laneSet>\n{node_xml}\n{flow_xml}\n</bpmn:process>\n'
        '<bpmndi:BPMNDiagram id="diagram"><bpmndi:BPMNPlane id="plane" bpmnElement="collaboration">'
        + "".join(shapes)
        + "".join(edges)
        + "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n</bpmn:definitions>\n"
    ).encode("utf-8")


def _node_xml(node: Node, incoming: list[str], outgoing: list[str]) -> str:
    name = f" name={quoteattr(node.name)}" if node.name else ""
    attrs = f" {node.attrs}" if node.attrs else ""
    flows = "".join(f"<bpmn:incoming>{f}</bpmn:incoming>" for f in incoming)
    flows += "".join(f"<bpmn:outgoing>{f}</bpmn:outgoing>" for f in outgoing)
    return f'<bpmn:{node.kind} id="{node.id}"{name}{attrs}>{node.inner}{flows}</bpmn:{node.kind}>\n'


def _flow_xml(flow: Flow) -> str:
    head = f'<bpmn:sequenceFlow id="{flow.id}" sourceRef="{flow.source}" targetRef="{flow.target}"'
    if flow.condition is None:
        return head + " />\n"
    return (
        head + f'><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{escape(flow.condition)}'
        "</bpmn:conditionExpression></bpmn:sequenceFlow>\n"
    )


def _bounds(node: Node, lanes: list[str], nodes: list[Node]) -> tuple[int, int, int, int]:
    family = next((f for f in _SIZES if node.kind.endswith(f)), "Task")
    width, height = _SIZES[family]
    if node.kind == "boundaryEvent":
        host = next(n for n in nodes if f'attachedToRef="{n.id}"' in node.attrs)
        x, y, w, h = _bounds(host, lanes, nodes)
        return x + w - 36 - 10 * node.row, y + h - 18, width, height
    lane_top = 80 + _LANE_HEIGHT * lanes.index(node.lane)
    x = _LEFT + 40 + _COLUMN * node.column + (100 - width) // 2
    y = lane_top + (_LANE_HEIGHT - height) // 2
    return x, y, width, height


def _edge_xml(flow: Flow, bounds: dict[str, tuple[int, int, int, int]]) -> str:
    sx, sy, sw, sh = bounds[flow.source]
    tx, ty, tw, th = bounds[flow.target]
    return (
        f'<bpmndi:BPMNEdge id="{flow.id}_di" bpmnElement="{flow.id}">'
        f'<di:waypoint x="{sx + sw // 2}" y="{sy + sh // 2}" /><di:waypoint x="{tx + tw // 2}" y="{ty + th // 2}" />'
        "</bpmndi:BPMNEdge>"
    )


def parallel_reviews_in_a_loop(key: str = "parallel_reviews") -> bytes:
    """A CCA review and a DoPT review in parallel, joined; a CCA "return" loops back through
    the officer's clarification into the split (issue 7's example of a join a loop re-enters)."""
    nodes = [
        Node("start", "startEvent", 0, "Nomination received"),
        Node("to_review", "exclusiveGateway", 1),
        Node("split_reviews", "parallelGateway", 2),
        user_task("cca_review", 3, "CCA", "cca_approval.schema.json", post_script="cca_decision = decision"),
        user_task("dopt_review", 3, "DoPT", "dopt_confirmation.schema.json", post_script="dopt_decision = decision"),
        Node("join_reviews", "parallelGateway", 4),
        Node("returned", "exclusiveGateway", 5, "Returned?", attrs='default="flow_done"'),
        user_task("respond_clarification", 5, "Officer", "respond_clarification.schema.json"),
        Node("done", "endEvent", 6, "Reviewed"),
    ]
    flows = [
        Flow("flow_start", "start", "to_review"),
        Flow("flow_review", "to_review", "split_reviews"),
        Flow("flow_to_cca", "split_reviews", "cca_review"),
        Flow("flow_to_dopt", "split_reviews", "dopt_review"),
        Flow("flow_cca_done", "cca_review", "join_reviews"),
        Flow("flow_dopt_done", "dopt_review", "join_reviews"),
        Flow("flow_joined", "join_reviews", "returned"),
        Flow("flow_returned", "returned", "respond_clarification", 'cca_decision == "return"'),
        Flow("flow_clarified", "respond_clarification", "to_review"),
        Flow("flow_done", "returned", "done"),
    ]
    return diagram(key, nodes, flows, "Parallel reviews")


def multi_instance_review(
    key: str = "panel_review", loop: bool = True, cardinality: str | None = "2", sequential: bool = False
) -> bytes:
    """A multi-instance CCA review collecting each reviewer's decision into `decisions`; with
    `loop`, a "return" goes through the officer's clarification back into the review.

    With `cardinality` the instances are counted; without, one per item of `reviewers`.
    """
    source = (
        f"<bpmn:loopCardinality>{cardinality}</bpmn:loopCardinality>"
        if cardinality
        else "<bpmn:loopDataInputRef>reviewers</bpmn:loopDataInputRef>"
    )
    item = "" if cardinality else '<bpmn:inputDataItem id="reviewer" name="reviewer" />'
    characteristics = (
        f'<bpmn:multiInstanceLoopCharacteristics isSequential="{str(sequential).lower()}">{source}'
        f"<bpmn:loopDataOutputRef>decisions</bpmn:loopDataOutputRef>{item}"
        '<bpmn:outputDataItem id="decision" name="decision" /></bpmn:multiInstanceLoopCharacteristics>'
    )
    nodes = [
        Node("start", "startEvent", 0, "Nomination received"),
        user_task("review", 1, "CCA", "cca_approval.schema.json", "Review nomination", inner=characteristics),
        Node("returned", "exclusiveGateway", 2, "Returned?", attrs='default="flow_done"'),
        Node("done", "endEvent", 3, "Reviewed"),
    ]
    flows = [
        Flow("flow_start", "start", "review"),
        Flow("flow_reviewed", "review", "returned"),
        Flow("flow_done", "returned", "done"),
    ]
    if loop:
        nodes.append(user_task("respond_clarification", 2, "Officer", "respond_clarification.schema.json"))
        flows += [
            Flow("flow_returned", "returned", "respond_clarification", '"return" in decisions'),
            Flow("flow_clarified", "respond_clarification", "review"),
        ]
    else:
        nodes.append(Node("record_return", "endEvent", 4, "Returned"))
        flows.append(Flow("flow_returned", "returned", "record_return", '"return" in decisions'))
    return diagram(key, nodes, flows, "Panel review")


def timer_diagram(where: str, kind: str, value: str, key: str = "timed") -> bytes:
    """A timer (`timeDate`, `timeDuration` or `timeCycle` with `value` as written) on a
    `boundary` event of a CCA task (event id `reminder`), as an `intermediate` catch event
    (`wait`) or on the `start` event (`start`)."""
    definition = timer(kind, value)
    if where == "boundary":
        nodes = [
            Node("start", "startEvent", 0),
            user_task("work", 1, "CCA", "cca_approval.schema.json", "Approve nomination"),
            Node(
                "reminder",
                "boundaryEvent",
                1,
                "Reminder",
                "CCA",
                definition,
                'attachedToRef="work" cancelActivity="false"',
            ),
            Node("reminded", "endEvent", 2, "Reminded", "CCA"),
            Node("end", "endEvent", 3),
        ]
        flows = [Flow("f1", "start", "work"), Flow("f2", "work", "end"), Flow("f3", "reminder", "reminded")]
    elif where == "intermediate":
        nodes = [
            Node("start", "startEvent", 0),
            Node("wait", "intermediateCatchEvent", 1, "Wait", inner=definition),
            Node("end", "endEvent", 2),
        ]
        flows = [Flow("f1", "start", "wait"), Flow("f2", "wait", "end")]
    else:
        nodes = [Node("start", "startEvent", 0, "Every so often", inner=definition), Node("end", "endEvent", 1)]
        flows = [Flow("f1", "start", "end")]
    return diagram(key, nodes, flows, "Timed")


def parallel_reviews(gateway: str = "parallelGateway", key: str = "parallel_reviews") -> bytes:
    """A CCA review and a DoPT review in parallel (or inclusive, both flows taken), joined, no loop:
    each review records its decision in its own variable."""
    condition = "True" if gateway == "inclusiveGateway" else None
    nodes = [
        Node("start", "startEvent", 0, "Nomination received"),
        Node("split_reviews", gateway, 1),
        user_task("cca_review", 2, "CCA", "cca_approval.schema.json", post_script="cca_decision = decision"),
        user_task("dopt_review", 2, "DoPT", "dopt_confirmation.schema.json", post_script="dopt_decision = decision"),
        Node("join_reviews", gateway, 3),
        Node("done", "endEvent", 4, "Reviewed"),
    ]
    flows = [
        Flow("flow_start", "start", "split_reviews"),
        Flow("flow_to_cca", "split_reviews", "cca_review", condition),
        Flow("flow_to_dopt", "split_reviews", "dopt_review", condition),
        Flow("flow_cca_done", "cca_review", "join_reviews"),
        Flow("flow_dopt_done", "dopt_review", "join_reviews"),
        Flow("flow_joined", "join_reviews", "done"),
    ]
    return diagram(key, nodes, flows, "Parallel reviews")
