"""The four processes are real BPMN with diagram interchange: every node and flow is drawn,
every node sits in exactly one lane, and every enrollment end event names a final status."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from engine.config import PROJECT_ROOT
from engine.statuses import FINAL_STATUSES
from engine.validation import NS

DI = {"bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI", **NS}
FILES = sorted((PROJECT_ROOT / "processes").glob("*.bpmn"))
NODE_TAGS = (
    "task",
    "userTask",
    "scriptTask",
    "callActivity",
    "startEvent",
    "endEvent",
    "exclusiveGateway",
    "parallelGateway",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
)


def _root(path: Path) -> etree._Element:
    return etree.parse(str(path)).getroot()


def _nodes(root: etree._Element) -> list[etree._Element]:
    return [el for tag in NODE_TAGS for el in root.iterfind(f".//bpmn:process/bpmn:{tag}", NS)]


def test_the_four_processes_exist() -> None:
    assert [path.stem for path in FILES] == ["cadre_approval", "coupon_issue", "enrollment", "reimbursement"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_node_and_flow_is_drawn(path: Path) -> None:
    root = _root(path)
    drawn = {el.get("bpmnElement") for el in root.iterfind(".//bpmndi:BPMNShape", DI)}
    edges = {el.get("bpmnElement") for el in root.iterfind(".//bpmndi:BPMNEdge", DI)}
    nodes = {el.get("id") for el in _nodes(root)}
    flows = {el.get("id") for el in root.iterfind(".//bpmn:sequenceFlow", NS)}
    assert nodes and nodes <= drawn
    assert flows and flows <= edges


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_node_is_in_exactly_one_lane(path: Path) -> None:
    root = _root(path)
    refs = [ref.text for ref in root.iterfind(".//bpmn:lane/bpmn:flowNodeRef", NS)]
    nodes = [el.get("id") for el in _nodes(root)]
    assert sorted(refs) == sorted(nodes)


def _reminder_branch(root: Any) -> set[str]:
    """The elements reached from a non-interrupting boundary event (a reminder's branch)."""
    targets: dict[str, list[str]] = {}
    for flow in root.iterfind(".//bpmn:sequenceFlow", NS):
        targets.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    todo = [b.get("id") for b in root.iterfind(".//bpmn:boundaryEvent", NS) if b.get("cancelActivity") == "false"]
    seen: set[str] = set()
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(targets.get(node, []))
    return seen


def test_every_enrollment_end_event_names_a_final_status_but_a_reminders_end() -> None:
    root = _root(PROJECT_ROOT / "processes" / "enrollment.bpmn")
    reminders = _reminder_branch(root)
    assert "result_reminded" in reminders
    statuses = set()
    for end in root.iterfind(".//bpmn:endEvent", NS):
        if end.get("id") in reminders:
            continue
        prop = end.find(".//spiffworkflow:property[@name='applicationStatus']", NS)
        assert prop is not None, end.get("id")
        statuses.add(prop.get("value"))
    assert statuses == set(FINAL_STATUSES) - {"withdrawn", "cancelled"}
