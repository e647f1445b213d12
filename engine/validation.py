"""Checks a BPMN document must pass before it is deployed.

Every reason names the element id, so a process owner can find it in the editor.
Parsing is done on our own hardened lxml parser (no entities, no network, no huge
trees) because the XML comes from people and from other modelling tools.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lxml import etree

from engine.instructions_check import check_instructions
from engine.lanes import LANE_ROLES
from engine.sandbox import SandboxError, compile_expression, compile_script
from engine.statuses import ALL_STATUSES

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
MAX_XML_BYTES = 5 * 1024 * 1024

# Elements whose text is evaluated as a Python expression by the engine.
_EXPRESSION_TAGS = (
    "conditionExpression",
    "condition",
    "timeDate",
    "timeDuration",
    "timeCycle",
    "completionCondition",
    "loopCardinality",
)
_UNSUPPORTED_EVENTS = {
    "linkEventDefinition": "link events are not supported",
    "compensateEventDefinition": "compensation events are not supported",
}


def parse_xml(xml: bytes) -> etree._Element:
    """Parse untrusted XML safely; raise ValueError with a readable reason."""
    if len(xml) > MAX_XML_BYTES:
        raise ValueError(f"the file is larger than {MAX_XML_BYTES // (1024 * 1024)} MB")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(xml, parser=parser)
    except etree.XMLSyntaxError as error:
        raise ValueError(f"not well-formed XML: {error}") from error
    if root is None or etree.QName(root).namespace != BPMN_NS or etree.QName(root).localname != "definitions":
        raise ValueError("not a BPMN 2.0 document (the root must be bpmn:definitions)")
    return root


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


def check_static(process: etree._Element) -> list[str]:
    """Checks on the XML alone: unsupported events and every script or expression."""
    problems: list[str] = []
    for element in process.iter():
        name = _local(element.tag)
        if name in _UNSUPPORTED_EVENTS:
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
    return problems


def _check_code(element: etree._Element, compile_fn: Any) -> Iterable[str]:
    text = (element.text or "").strip()
    if not text:
        return []
    try:
        compile_fn(text)
    except SandboxError as error:
        where = f" (line {error.line})" if error.line else ""
        return [f"{_owner_id(element)}: {_local(element.tag)}{where} refused by the script sandbox: {error}"]
    return []


def check_user_tasks(process_spec: Any, forms_dir: Path) -> list[str]:
    """Every user task sits in a known lane and names a form that exists and parses."""
    problems: list[str] = []
    for spec in process_spec.task_specs.values():
        if type(spec).__name__ != "UserTask":
            continue
        lane = getattr(spec, "lane", None)
        if not lane:
            problems.append(f"{spec.name}: user task is not in a lane")
        elif lane not in LANE_ROLES:
            known = ", ".join(LANE_ROLES)
            problems.append(f"{spec.name}: lane '{lane}' is not a role lane (use one of: {known})")
        properties = spec.extensions.get("properties", {})
        problems.extend(_check_form(spec.name, properties.get("formJsonSchemaFilename"), forms_dir))
        problems.extend(_check_status(spec.name, properties.get("applicationStatus")))
    for spec in process_spec.task_specs.values():
        status = getattr(spec, "extensions", {}).get("properties", {}).get("applicationStatus")
        if type(spec).__name__ != "UserTask":
            problems.extend(_check_status(spec.name, status))
    return problems


def _check_form(task: str, filename: str | None, forms_dir: Path) -> list[str]:
    if not filename:
        return [f"{task}: user task has no formJsonSchemaFilename property"]
    path = forms_dir / filename
    if "/" in filename or "\\" in filename or not filename.endswith(".schema.json") or not path.is_file():
        return [f"{task}: form '{filename}' does not exist in forms/"]
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        return [f"{task}: form '{filename}' is not valid JSON: {error}"]
    return []


def _check_status(task: str, status: str | None) -> list[str]:
    if status is None or status in ALL_STATUSES:
        return []
    return [f"{task}: applicationStatus '{status}' is not an application status"]
