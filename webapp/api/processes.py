"""Process definitions: list, deploy, fetch XML."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from sqlalchemy import select

from engine.definitions import deploy, get_definition
from engine.errors import TooLarge
from engine.models import ProcessDefinition
from engine.validation import MAX_XML_BYTES
from webapp.api.blueprint import api
from webapp.api.identity import authenticated, caller, require_role
from webapp.api.presenters import definition_json
from webapp.core.database import commit, session, settings


@api.get("/process-definitions")
@authenticated
def definitions() -> Any:
    require_role("process_owner", "dopt")
    rows = session().scalars(select(ProcessDefinition).order_by(ProcessDefinition.key, ProcessDefinition.version))
    return jsonify([definition_json(row) for row in rows])


@api.post("/process-definitions")
@authenticated
def deploy_definition() -> Any:
    require_role("process_owner")
    xml = request.get_data(cache=False)
    if len(xml) > MAX_XML_BYTES:
        raise TooLarge("The BPMN file is larger than 5 MB")
    # The charset of Content-Type, when sent, names the body's encoding (RFC 7303); else the XML says.
    charset = request.mimetype_params.get("charset")
    result = deploy(session(), xml, caller().username, settings().forms_dir, charset)
    commit()
    return jsonify({"key": result.key, "version": result.version}), 201 if result.created else 200


@api.get("/process-definitions/<key>/versions/<int:version>")
@authenticated
def definition_xml(key: str, version: int) -> Any:
    require_role("process_owner", "dopt")
    row = get_definition(session(), key, version)
    return Response(row.xml, mimetype="application/xml")
