"""Process definitions: list, deploy (with forms and a comment), check without deploying, fetch XML,
every version of one, roll back; preview a user task's instructions; their scenarios."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from engine.definitions import deploy, get_definition, list_definitions
from engine.errors import Invalid, TooLarge
from engine.form_versions import MAX_FORM_BYTES
from engine.services.process_versions import instructions_preview, list_versions, roll_back, validate_diagram
from engine.services.scenarios import (
    MAX_SCENARIO_BYTES,
    delete_scenario,
    get_scenario,
    list_scenarios,
    put_scenario,
)
from engine.validation import MAX_XML_BYTES
from webapp.api.blueprint import api
from webapp.api.identity import authenticated, caller, require_role
from webapp.api.paging import paged
from webapp.api.presenters import (
    definition_json,
    deploy_json,
    scenario_json,
    scenario_result_json,
    validation_json,
    version_json,
)
from webapp.api.request_data import json_object
from webapp.core.database import commit, now, session, settings
from webapp.core.paging import requested_page

READERS = ("process_owner", "dopt")


@api.get("/process-definitions")
@authenticated
def definitions() -> Any:
    require_role(*READERS)
    page = requested_page()
    rows, total = list_definitions(session(), page.size, page.offset)
    return paged([definition_json(row) for row in rows], total, page)


@api.post("/process-definitions")
@authenticated
def deploy_definition() -> Any:
    require_role("process_owner")
    xml, forms, comment = _deploy_body()
    # The charset of Content-Type, when sent, names the body's encoding (RFC 7303); else the XML says.
    charset = request.mimetype_params.get("charset")
    result = deploy(session(), xml, caller().username, settings().forms_dir, forms, charset, comment)
    commit()
    return jsonify(deploy_json(result)), 201 if result.created else 200


@api.post("/process-definitions/validate")
@authenticated
def validate_definition() -> Any:
    require_role("process_owner")
    xml, forms, _comment = _deploy_body()
    charset = request.mimetype_params.get("charset")
    report = validate_diagram(session(), caller(), xml, settings().forms_dir, forms, charset)
    return jsonify(validation_json(report))


def _deploy_body() -> tuple[bytes, dict[str, bytes], str | None]:
    """The BPMN, the forms sent with it and the comment: XML as the body (the comment in the
    query string), or multipart with the comment as a field."""
    if request.mimetype == "multipart/form-data":
        xml, forms = _bpmn_with_forms()
        comment = request.form.get("comment")
    else:
        xml, forms = request.get_data(cache=False), {}
        comment = request.args.get("comment")
    if len(xml) > MAX_XML_BYTES:
        raise TooLarge("The BPMN file is larger than 5 MB")
    return xml, forms, comment


def _bpmn_with_forms() -> tuple[bytes, dict[str, bytes]]:
    """Multipart: one part `bpmn` (the BPMN file), a part `form` per form file, each under
    its file name (e.g. cca_approval.schema.json), and optionally a field `comment`."""
    unknown = "unknown part: send 'bpmn' and 'form' files, and a 'comment'"
    fields = {name: unknown for name in request.form if name != "comment"}
    fields |= {name: unknown for name in request.files if name not in ("bpmn", "form")}
    bpmn = request.files.getlist("bpmn")
    if len(bpmn) != 1:
        fields["bpmn"] = "send exactly one BPMN file"
    forms: dict[str, bytes] = {}
    for part in request.files.getlist("form"):
        name = part.filename or ""
        if not name:
            fields["form"] = "each form part needs its file name, e.g. cca_approval.schema.json"
        elif name in forms:
            fields[f"form {name}"] = "sent twice"
        else:
            forms[name] = part.read(MAX_FORM_BYTES + 1)
            if len(forms[name]) > MAX_FORM_BYTES:
                raise TooLarge(f"The form {name} is larger than {MAX_FORM_BYTES // 1024} KB")
    if fields:
        raise Invalid("The deploy is not complete", fields)
    return bpmn[0].read(MAX_XML_BYTES + 1), forms


@api.post("/process-definitions/instructions-preview")
@authenticated
def preview_instructions() -> Any:
    require_role("process_owner")
    body = json_object(allowed={"template", "data", "process", "scenario"}, required={"template"})
    text, data = instructions_preview(
        session(), caller(), body["template"], body.get("data"), body.get("process"), body.get("scenario")
    )
    return jsonify({"text": text, "data": data})


@api.get("/process-definitions/<key>/versions")
@authenticated
def versions(key: str) -> Any:
    require_role(*READERS)
    return jsonify([version_json(row) for row in list_versions(session(), caller(), key)])


@api.post("/process-definitions/<key>/versions/<int:version>/rollback")
@authenticated
def rollback(key: str, version: int) -> Any:
    require_role("process_owner")
    body = json_object(allowed={"reason"}, required={"reason"})
    result, _restored = roll_back(session(), caller(), key, version, body["reason"], settings().forms_dir)
    commit()
    return jsonify(deploy_json(result)), 201


@api.get("/process-definitions/<key>/versions/<int:version>")
@authenticated
def definition_xml(key: str, version: int) -> Any:
    require_role(*READERS)
    row = get_definition(session(), key, version)
    return Response(row.xml, mimetype="application/xml")


@api.get("/process-definitions/<key>/scenarios")
@authenticated
def scenarios(key: str) -> Any:
    require_role(*READERS)
    page = requested_page()
    rows = list_scenarios(session(), key)
    return paged([scenario_json(row) for row in page.of(rows)], len(rows), page)


@api.get("/process-definitions/<key>/scenarios/<name>")
@authenticated
def scenario(key: str, name: str) -> Any:
    require_role(*READERS)
    return Response(get_scenario(session(), key, name).document, mimetype="application/json")


@api.put("/process-definitions/<key>/scenarios/<name>")
@authenticated
def store_scenario(key: str, name: str) -> Any:
    require_role("process_owner")
    if (request.content_length or 0) > MAX_SCENARIO_BYTES or len(request.get_data()) > MAX_SCENARIO_BYTES:
        raise TooLarge(f"The scenario is larger than {MAX_SCENARIO_BYTES // 1024} KB")
    created, result = put_scenario(session(), key, name, json_object(), caller().username, settings().forms_dir, now())
    commit()
    return jsonify(scenario_result_json(result)), 201 if created else 200


@api.delete("/process-definitions/<key>/scenarios/<name>")
@authenticated
def remove_scenario(key: str, name: str) -> Any:
    require_role("process_owner")
    delete_scenario(session(), key, name)
    commit()
    return "", 204
