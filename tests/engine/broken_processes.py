"""Shipped diagrams edited the way a process owner might, for failure and repair tests.

A script that fails only for officers of STUCK_CCA (a CCA no shipped scenario uses) lets
one application get stuck while the others, and any rehearsal of the process, go on.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.config import Settings
from engine.definitions import deploy
from engine.models import ProcessDefinition
from tests.factories import make_cca

STUCK_CCA = "HP-DOP"

# Every kind of exception a script can raise that is not an ordinary error.
BASE_EXCEPTIONS = {
    "SystemExit": "raise SystemExit",
    "KeyboardInterrupt": "raise KeyboardInterrupt",
    "GeneratorExit": "raise GeneratorExit",
    "GeneratorExit through throw": "def numbers():\n        yield 1\n    gen = numbers()\n"
    "    for n in gen:\n        gen.throw(GeneratorExit)",
    "MemoryError": "raise MemoryError",
    "RecursionError": "def deeper(n):\n        return deeper(n + 1)\n    deeper(0)",
}
# How an incident names each: the script budget reports running out of memory and too deep
# a recursion in words; the others by the exception's name.
_SAID = {"MemoryError": "ran out of memory", "RecursionError": "call themselves too deeply"}


def failure_words(kind: str) -> str:
    """What the incident of a BASE_EXCEPTIONS kind says."""
    return _SAID.get(kind, kind.split()[0])


def shipped(settings: Settings, name: str) -> str:
    """The text of a shipped diagram."""
    return (settings.processes_dir / f"{name}.bpmn").read_text(encoding="utf-8")


def failing_for_stuck_cca(xml: str, script_task: str, statement: str) -> str:
    """The diagram with `statement` run first in `script_task`, for officers of STUCK_CCA only.

    `statement` is indented by four spaces after its first line, as the body of an `if`.
    """
    start = xml.index(f'<bpmn:scriptTask id="{script_task}"')
    at = xml.index("<bpmn:script>", start) + len("<bpmn:script>")
    guard = f'if officer["cca"] == "{STUCK_CCA}":\n    {statement}\n'
    return xml[:at] + guard + xml[at:]


def deploy_text(session: Session, settings: Settings, xml: str) -> int:
    """Deploy a diagram as a process owner would; its new version."""
    return deploy(session, xml.encode("utf-8"), "owner", settings.forms_dir).version


def store_unchecked(session: Session, key: str, xml: str) -> int:
    """Store a version without deploy's checks (graph rules and scenarios would refuse it); its number."""
    version = len(session.scalars(select(ProcessDefinition.id).where(ProcessDefinition.key == key)).all()) + 1
    digest = hashlib.sha256(xml.encode("utf-8")).hexdigest()
    session.add(ProcessDefinition(key=key, version=version, sha256=digest, xml=xml, deployed_by="test"))
    session.flush()
    return version


def add_stuck_cca(session: Session) -> None:
    """The CCA whose officers the failing scripts stop (approval required)."""
    make_cca(session, STUCK_CCA, approval_required=True)


def approval_task_renamed(xml: str) -> str:
    """cadre_approval with its user task cca_approval under another id, as if deleted and drawn anew."""
    for attribute in ("id", "attachedToRef", "sourceRef", "targetRef", "bpmnElement"):
        xml = xml.replace(f'{attribute}="cca_approval"', f'{attribute}="cca_review"')
    # Without the loop back from the officer's answer, nothing lines the new task up with the old one.
    return xml.replace("<bpmn:incoming>flow_clarified</bpmn:incoming>", "")
