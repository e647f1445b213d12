"""Extraction of the texts people read from BPMN diagrams, for the gettext catalogue.

The names of the flow elements and lanes in the shipped diagrams (processes/) are shown
on pages (a task's title, who a task waits for, the elements of an instance on the
monitor). pybabel runs `extract` on every .bpmn file named in babel.cfg, so those
names are in the catalogue beside the code's texts, and the web layer translates them
like any other msgid. A name that a process owner deploys later and the catalogue lacks
is shown as written.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from lxml import etree

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SHOWN_ELEMENTS = tuple(
    f"{BPMN}{kind}"
    for kind in (
        "userTask",
        "manualTask",
        "scriptTask",
        "serviceTask",
        "sendTask",
        "receiveTask",
        "businessRuleTask",
        "task",
        "callActivity",
        "subProcess",
        "startEvent",
        "endEvent",
        "intermediateCatchEvent",
        "intermediateThrowEvent",
        "boundaryEvent",
        "exclusiveGateway",
        "inclusiveGateway",
        "parallelGateway",
        "eventBasedGateway",
        "lane",
    )
)


def extract(
    fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str], options: Mapping[str, Any]
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel's extractor interface: (line, function name, message, comments) for each `name`
    of a flow element or lane. Raises lxml's XMLSyntaxError for a file that is not XML."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.parse(fileobj, parser).getroot()
    for element in root.iter(*SHOWN_ELEMENTS):
        name = (element.get("name") or "").strip()
        if name:
            kind = element.tag.removeprefix(BPMN)
            yield element.sourceline or 0, "", name, [f"BPMN {kind} {element.get('id')}"]
