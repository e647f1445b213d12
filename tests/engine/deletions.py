"""The shipped processes with one element deleted, as a process owner deletes it in the editor."""

from __future__ import annotations

from copy import deepcopy

from lxml import etree

from engine.config import PROJECT_ROOT
from engine.validation import BPMN_NS, NS, deployable_process, parse_xml

SHIPPED = ("cadre_approval", "coupon_issue", "enrollment", "reimbursement")
DI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
_ROOTS = {key: parse_xml((PROJECT_ROOT / "processes" / f"{key}.bpmn").read_bytes()) for key in SHIPPED}


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def deletable(key: str) -> list[str]:
    """Every task, gateway and event but the start event, and every sequence flow."""
    process = deployable_process(_ROOTS[key])
    kinds = ("Task", "task", "Gateway", "Event", "callActivity", "subProcess", "sequenceFlow")
    return [
        str(child.get("id"))
        for child in process
        if isinstance(child.tag, str)
        and child.get("id")
        and _local(child).endswith(kinds)
        and _local(child) != "startEvent"
    ]


def without(key: str, element_id: str) -> bytes:
    """The shipped process with one element deleted as the editor deletes it: with its flows,
    the boundary events attached to it, every reference to them and their diagram shapes."""
    root = deepcopy(_ROOTS[key])
    process = deployable_process(root)
    target = process.find(f"*[@id='{element_id}']")
    assert target is not None, element_id
    removed = {element_id}
    if _local(target) != "sequenceFlow":
        removed |= {
            str(e.get("id")) for e in process.iterfind("bpmn:boundaryEvent", NS) if e.get("attachedToRef") == element_id
        }
        removed |= {
            str(flow.get("id"))
            for flow in process.iterfind("bpmn:sequenceFlow", NS)
            if flow.get("sourceRef") in removed or flow.get("targetRef") in removed
        }
    for element in list(process):
        if element.get("id") in removed:
            process.remove(element)
    for ref in root.iter(f"{{{BPMN_NS}}}incoming", f"{{{BPMN_NS}}}outgoing", f"{{{BPMN_NS}}}flowNodeRef"):
        if (ref.text or "").strip() in removed:
            ref.getparent().remove(ref)
    for gateway in process.iter():
        if gateway.get("default") in removed:
            del gateway.attrib["default"]
    for shape in root.iter(f"{{{DI_NS}}}BPMNShape", f"{{{DI_NS}}}BPMNEdge"):
        if shape.get("bpmnElement") in removed:
            shape.getparent().remove(shape)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
