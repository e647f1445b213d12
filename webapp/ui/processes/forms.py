"""The deploy form of the BPMN editor: the XML, the confirmation, and the version edited."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from engine.validation import MAX_XML_BYTES

CONFIRM_FIELD = "confirm"
CONFIRM_LABEL = "I understand this changes the process for new applications"
XML_LABEL = "BPMN XML"


@dataclass
class DeployForm:
    """What the editor posts; `problems` lists what stops a deploy before the engine sees it."""

    key: str
    version: int
    xml: str
    confirmed: bool
    problems: list[str] = field(default_factory=list)
    too_large: bool = False

    @property
    def xml_bytes(self) -> bytes:
        return self.xml.encode("utf-8")


def deploy_form(form: Mapping[str, str]) -> DeployForm:
    """Read the posted form. Browsers send a textarea's line breaks as CRLF; the files use LF."""
    xml = form.get("xml", "").replace("\r\n", "\n")
    version = form.get("version", "")
    parsed = DeployForm(
        key=form.get("key", "").strip(),
        version=int(version) if version.isdigit() else 0,
        xml=xml,
        confirmed=form.get(CONFIRM_FIELD) == "yes",
    )
    if len(parsed.xml_bytes) > MAX_XML_BYTES:
        parsed.too_large = True
        parsed.problems.append(
            f"The BPMN XML is {len(parsed.xml_bytes) / 1024 / 1024:.1f} MB; the largest that can be deployed is "
            f"{MAX_XML_BYTES // 1024 // 1024} MB."
        )
    elif not xml.strip():
        parsed.problems.append(f"{XML_LABEL}: enter the BPMN XML of the process.")
    if not parsed.confirmed:
        parsed.problems.append(f"Tick “{CONFIRM_LABEL}” to deploy.")
    return parsed
