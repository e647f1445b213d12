"""Checks a BPMN document must pass before it is deployed.

Every reason names the element id, so a process owner can find it in the editor.
Parsing is done on our own hardened lxml parser (no entities, no network, no huge
trees) because the XML comes from people and from other modelling tools.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from typing import Any

from lxml import etree

from engine.instructions import HINDI_INSTRUCTIONS
from engine.instructions_check import check_instructions
from engine.lanes import LANE_ROLES
from engine.loop_checks import check_joins_on_loops
from engine.sandbox import SandboxError, compile_expression, compile_script
from engine.statuses import ALL_STATUSES
from engine.timer_values import TIMER_KINDS, timer_problem, timer_text

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
MAX_XML_BYTES = 5 * 1024 * 1024
_SPACE = re.compile(rb"\s*")

# Elements whose text is evaluated as a Python expression by the engine (timers: when not a literal).
_EXPRESSION_TAGS = (
    "conditionExpression",
    "condition",
    "completionCondition",
    "loopCardinality",
)
_UNSUPPORTED_EVENTS = {
    "linkEventDefinition": "link events are not supported",
    "compensateEventDefinition": "compensation events are not supported",
}


def parse_xml(xml: bytes, stored: bool = False) -> etree._Element:
    """Parse untrusted XML safely and return its root element (a bpmn:definitions).

    `xml` is the file's bytes (UTF-8 once `utf8_xml` has read it). Raises ValueError with
    a readable reason when it is too large, has a DOCTYPE (a BPMN file needs none, and a
    DTD can declare entities that read files or expand without bound), is not well-formed,
    or is not BPMN 2.0. A `stored` version (deployed already) is not refused for its
    DOCTYPE, which versions deployed before DOCTYPEs were refused may have: its entities
    are never resolved, so instances started on it keep running.
    """
    if len(xml) > MAX_XML_BYTES:
        raise ValueError(f"the file is larger than {MAX_XML_BYTES // (1024 * 1024)} MB")
    doctype = None if stored else _prolog_doctype(xml)
    if doctype:
        raise ValueError(_doctype_problem(doctype))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(xml, parser=parser)
    except etree.XMLSyntaxError as error:
        raise ValueError(f"not well-formed XML: {error}") from error
    if not stored and root is not None and root.getroottree().docinfo.internalDTD is not None:
        raise ValueError(_doctype_problem(root.getroottree().docinfo.doctype))
    if root is None or etree.QName(root).namespace != BPMN_NS or etree.QName(root).localname != "definitions":
        raise ValueError("not a BPMN 2.0 document (the root must be bpmn:definitions)")
    return root


def _prolog_doctype(xml: bytes) -> str | None:
    """The DOCTYPE declaration of the prolog (after the XML declaration, comments and
    processing instructions: the only place one can be), read before parsing, since an
    entity it declares can make the document unparseable."""
    position = 0
    while True:
        position = _SPACE.match(xml, position).end()  # type: ignore[union-attr]
        for opening, closing in ((b"<?", b"?>"), (b"<!--", b"-->")):
            if xml.startswith(opening, position):
                end = xml.find(closing, position)
                if end < 0:
                    return None
                position = end + len(closing)
                break
        else:
            if not xml.startswith(b"<!DOCTYPE", position):
                return None
            subset_end = xml.find(b"]>", position)
            tag_end = xml.find(b">", position)
            end = subset_end + 1 if b"[" in xml[position:tag_end] and subset_end > 0 else tag_end
            return xml[position : end + 1 if end >= 0 else None].decode("utf-8", errors="replace")


def _doctype_problem(doctype: str) -> str:
    entities = re.findall(r"<!ENTITY\s+(?:%\s+)?([^\s>]+)", doctype)
    declares = f" declaring the entities {', '.join(entities[:5])}" if entities else ""
    shown = doctype if len(doctype) <= 120 else doctype[:117] + "..."
    return (
        f"the file has a DOCTYPE ({shown}){declares}: BPMN files need none, and a DOCTYPE can declare "
        "entities that read other files or expand without bound; remove it"
    )


def deployable_process(root: etree._Element) -> etree._Element:
    """The one process a file deploys: its only process, or its only executable one."""
    processes = root.findall("bpmn:process", NS)
    if not processes:
        raise ValueError("the file holds no bpmn:process")
    if len(processes) == 1:
        return processes[0]
    executable = [p for p in processes if p.get("isExecutable") == "true"]
    if len(executable) == 1:
        return executable[0]
    ids = ", ".join(p.get("id") or "?" for p in processes)
    raise ValueError(
        f"the file holds {len(processes)} processes ({ids}) and not exactly one is executable; "
        "deploy one process per file"
    )


def _owner_id(element: etree._Element) -> str:
    node: etree._Element | None = element
    while node is not None:
        if node.get("id"):
            return str(node.get("id"))
        node = node.getparent()
    return "?"


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _event_id(element: etree._Element) -> str:
    """The id of the event a timer belongs to (what the process owner sees in the editor)."""
    node: etree._Element | None = element
    while node is not None:
        if _local(node.tag).endswith("Event") and node.get("id"):
            return str(node.get("id"))
        node = node.getparent()
    return _owner_id(element)


def check_static(process: etree._Element) -> list[str]:
    """Checks on the XML alone: unsupported events, every script or expression, timer values,
    and joins on loops. Returns one reason per problem, each starting with the element id."""
    problems: list[str] = []
    for element in process.iter():
        name = _local(element.tag)
        if name in TIMER_KINDS and etree.QName(element).namespace == BPMN_NS:
            problems.extend(_check_timer(element, name))
        elif name in _UNSUPPORTED_EVENTS:
            problems.append(f"{_owner_id(element)}: {_UNSUPPORTED_EVENTS[name]}")
        elif name == "serviceTask" and etree.QName(element).namespace == BPMN_NS:
            problems.append(f"{_owner_id(element)}: service tasks are not supported (scripts cannot call out)")
        elif name == "script" and etree.QName(element).namespace == BPMN_NS:
            problems.extend(_check_code(element, compile_script))
        elif name in ("preScript", "postScript") and etree.QName(element).namespace == SPIFF_NS:
            problems.extend(_check_code(element, compile_script))
        elif name in _EXPRESSION_TAGS and etree.QName(element).namespace == BPMN_NS:
            problems.extend(_check_code(element, compile_expression))
        elif name == "instructionsForEndUser" and element.text:
            problems.extend(f"{_owner_id(element)}: {problem}" for problem in check_instructions(element.text))
        elif name == "property" and element.get("name") == HINDI_INSTRUCTIONS and element.get("value"):
            problems.extend(f"{_owner_id(element)}: {problem}" for problem in check_instructions(element.get("value")))
    problems.extend(check_joins_on_loops(process))
    return problems


def _check_timer(element: etree._Element, kind: Any) -> Iterable[str]:
    """A literal must be one SpiffWorkflow reads right; an expression must pass the sandbox."""
    text = timer_text(element.text)
    if text.expression is not None:
        return _check_code(element, compile_expression, _event_id(element))
    problem = timer_problem(kind, text.literal)
    return [f"{_event_id(element)}: timer {kind}: {problem}"] if problem else []


def _check_code(element: etree._Element, compile_fn: Any, where: str | None = None) -> Iterable[str]:
    text = (element.text or "").strip()
    if not text:
        return []
    try:
        compile_fn(text)
    except SandboxError as error:
        line = f" (line {error.line})" if error.line else ""
        return [f"{where or _owner_id(element)}: {_local(element.tag)}{line} refused by the script sandbox: {error}"]
    return []


def check_user_tasks(process_spec: Any, forms: Collection[str]) -> list[str]:
    """Every user task sits in a known lane and names one of `forms`, the form files found
    (and checked) for this deploy (engine/form_versions.py).

    Reasons name the BPMN id (a multi-instance task's instances are specs of their own,
    named `<id> [child]` by SpiffWorkflow).
    """
    problems: list[str] = []
    for spec in process_spec.task_specs.values():
        task = getattr(spec, "bpmn_id", None) or spec.name
        if type(spec).__name__ != "UserTask":
            status = (getattr(spec, "extensions", None) or {}).get("properties", {}).get("applicationStatus")
            problems.extend(_check_status(task, status))
            continue
        lane = getattr(spec, "lane", None)
        if not lane:
            problems.append(f"{task}: user task is not in a lane")
        elif lane not in LANE_ROLES:
            known = ", ".join(LANE_ROLES)
            problems.append(f"{task}: lane '{lane}' is not a role lane (use one of: {known})")
        properties = spec.extensions.get("properties", {})
        problems.extend(_check_form(task, properties.get("formJsonSchemaFilename"), forms))
        problems.extend(_check_status(task, properties.get("applicationStatus")))
    return problems


def _check_form(task: str, filename: str | None, forms: Collection[str]) -> list[str]:
    if not filename:
        return [f"{task}: user task has no formJsonSchemaFilename property"]
    if filename not in forms:
        return [f"{task}: form '{filename}' does not exist: deploy it with the process, or use a deployed form"]
    return []


def _check_status(task: str, status: str | None) -> list[str]:
    if status is None or status in ALL_STATUSES:
        return []
    return [f"{task}: applicationStatus '{status}' is not an application status"]
