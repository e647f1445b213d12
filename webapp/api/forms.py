"""The forms deployed with the processes: list, read, deploy a changed one."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from engine.errors import TooLarge
from engine.form_versions import MAX_FORM_BYTES
from engine.services.process_forms import deploy_form, deployed_form, deployed_forms
from webapp.api.blueprint import api
from webapp.api.identity import authenticated, caller, require_role
from webapp.api.paging import paged
from webapp.api.presenters import form_json, scenario_result_json
from webapp.core.database import commit, session, settings
from webapp.core.paging import requested_page


@api.get("/forms")
@authenticated
def forms() -> Any:
    require_role("process_owner", "dopt")
    page = requested_page()
    found = deployed_forms(session())
    return paged([form_json(form) for form in page.of(found)], len(found), page)


@api.get("/forms/<filename>")
@authenticated
def form(filename: str) -> Any:
    require_role("process_owner", "dopt")
    found, content = deployed_form(session(), filename)
    response = Response(content, mimetype="application/json")
    response.headers["X-Form-Sha256"] = found.sha256
    return response


@api.put("/forms/<filename>")
@authenticated
def put_form(filename: str) -> Any:
    require_role("process_owner")
    content = request.get_data(cache=False)
    if len(content) > MAX_FORM_BYTES:
        raise TooLarge(f"The form is larger than {MAX_FORM_BYTES // 1024} KB")
    comment = request.args.get("comment")
    results = deploy_form(session(), filename, content, caller().username, settings().forms_dir, comment)
    commit()
    rehearsed = {(r.process, r.name): r for result in results for r in result.scenarios}
    body = {
        "filename": filename,
        "processes": [{"key": result.key, "version": result.version} for result in results],
        "scenarios": [scenario_result_json(result) for result in rehearsed.values()],
    }
    return jsonify(body), 201 if any(result.created for result in results) else 200
