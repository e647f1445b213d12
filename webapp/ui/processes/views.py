"""Every deployed version of every process, and one version's diagram (bpmn-js viewer)."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template
from sqlalchemy import select

from engine.definitions import get_definition
from engine.models import ProcessDefinition
from webapp.core.database import session
from webapp.ui.identity import require_any_role, signed_in
from webapp.ui.processes.blueprint import processes

READERS = ("process_owner", "dopt")


@processes.get("/processes")
@signed_in
def definitions() -> Any:
    require_any_role(*READERS)
    query = select(ProcessDefinition).order_by(ProcessDefinition.key, ProcessDefinition.version.desc())
    return render_template("processes/list.html", definitions=session().scalars(query).all())


@processes.get("/processes/<key>/<int:version>")
@signed_in
def diagram(key: str, version: int) -> Any:
    require_any_role(*READERS)
    return render_template("processes/diagram.html", definition=_definition(key, version))


@processes.get("/processes/<key>/<int:version>.bpmn")
@signed_in
def diagram_xml(key: str, version: int) -> Any:
    require_any_role(*READERS)
    return Response(_definition(key, version).xml, mimetype="application/xml")


def _definition(key: str, version: int) -> ProcessDefinition:
    return get_definition(session(), key, version)
