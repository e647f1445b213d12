"""The deployed processes, one version's diagram (bpmn-js viewer), and the BPMN editor (bpmn-js
modeler with a properties panel) with which process owners check and deploy a new version."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.definitions import deploy as deploy_definition
from engine.definitions import get_definition, latest_definitions
from engine.errors import DeployRefused, Invalid
from engine.models import ProcessDefinition
from engine.services.process_forms import deployed_forms
from engine.services.process_versions import (
    ValidationReport,
    instructions_preview,
    list_processes,
    scenario_names,
    validate_diagram,
)
from engine.statuses import ALL_STATUSES
from engine.validation import MAX_XML_BYTES
from webapp.api.presenters import validation_json
from webapp.api.request_data import json_object
from webapp.core.database import commit, session, settings
from webapp.core.paging import requested_page
from webapp.ui.identity import require_any_role, signed_in, viewer
from webapp.ui.labels import status_label
from webapp.ui.paging import Pager
from webapp.ui.processes.blueprint import processes
from webapp.ui.processes.forms import DeployForm
from webapp.ui.script_texts import EDITOR, script_texts

READERS = ("process_owner", "dopt")
EDITORS = ("process_owner",)
# The deploy form carries a whole BPMN file; room for the largest allowed and the other fields.
DEPLOY_FORM_BYTES = MAX_XML_BYTES + 64 * 1024
_LARGE_FORMS = ("ui.processes.deploy", "ui.processes.check")


@processes.before_app_request
def _room_for_bpmn() -> None:
    """Flask parses at most 500 kB of form fields; the deploy form may carry up to 5 MB of XML.

    An app-wide hook, registered before Flask-WTF's CSRF check (which reads the form).
    """
    if request.endpoint in _LARGE_FORMS:
        request.max_form_memory_size = DEPLOY_FORM_BYTES


@processes.get("/processes")
@signed_in
def definitions() -> Any:
    require_any_role(*READERS)
    page = requested_page()
    rows = list_processes(session(), viewer())
    return render_template(
        "processes/list.html", rows=page.of(rows), pager=Pager(page, len(rows)), can_edit=_can_edit()
    )


@processes.get("/processes/<key>/<int:version>")
@signed_in
def diagram(key: str, version: int) -> Any:
    require_any_role(*READERS)
    return render_template("processes/diagram.html", definition=_definition(key, version), can_edit=_can_edit())


@processes.get("/processes/<key>/<int:version>.bpmn")
@signed_in
def diagram_xml(key: str, version: int) -> Any:
    require_any_role(*READERS)
    return Response(_definition(key, version).xml, mimetype="application/xml")


@processes.get("/processes/<key>/<int:version>/edit")
@signed_in
def edit(key: str, version: int) -> Any:
    require_any_role(*EDITORS)
    definition = _definition(key, version)
    form = DeployForm(data={"key": definition.key, "version": definition.version, "xml": definition.xml})
    return _editor(form, submitted=False)


@processes.post("/processes/deploy")
@signed_in
def deploy() -> Any:
    require_any_role(*EDITORS)
    form = DeployForm()
    if not form.check():
        return _editor(form, submitted=True), 413 if form.too_large else 422
    try:
        # The editor's text is Unicode, sent as UTF-8 whatever its XML declaration still says.
        result = deploy_definition(
            session(),
            form.xml_bytes,
            viewer().username,
            settings().forms_dir,
            charset="utf-8",
            comment=form.comment_text,
        )
    except DeployRefused as refused:
        session().rollback()
        form.problems = list(refused.details) or [refused.message]
        return _editor(form, submitted=True), 422
    commit()
    if result.created:
        if result.scenarios:
            message = _(
                "Deployed %(key)s version %(version)d; %(count)d scenarios rehearsed, all passed",
                key=result.key,
                version=result.version,
                count=len(result.scenarios),
            )
        else:
            message = _("Deployed %(key)s version %(version)d", key=result.key, version=result.version)
        flash(message, "success")
    else:
        flash(_("No changes: %(key)s version %(version)d is unchanged", key=result.key, version=result.version), "info")
    return redirect(url_for("ui.processes.diagram", key=result.key, version=result.version))


@processes.post("/processes/check")
@signed_in
def check() -> Any:
    """Deploy's whole check without deploying: JSON for the editor's script, the editor page without it."""
    require_any_role(*EDITORS)
    form = DeployForm()
    if not form.check(confirming=False):
        if _wants_json():
            raise Invalid(form.problems[0], {"xml": form.problems[0]})
        return _editor(form, submitted=True), 413 if form.too_large else 422
    report = validate_diagram(session(), viewer(), form.xml_bytes, settings().forms_dir, charset="utf-8")
    if _wants_json():
        return jsonify(validation_json(report))
    return _editor(form, submitted=True, report=report)


@processes.post("/processes/instructions-preview")
@signed_in
def preview_instructions() -> Any:
    """A user task's instructions rendered with sample data, for the editor's properties panel (JSON)."""
    require_any_role(*EDITORS)
    body = json_object(allowed={"template", "data", "process", "scenario"}, required={"template"})
    text, _data = instructions_preview(
        session(), viewer(), body["template"], body.get("data"), body.get("process"), body.get("scenario")
    )
    return jsonify({"text": text})


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _editor(form: DeployForm, submitted: bool, report: ValidationReport | None = None) -> str:
    latest = latest_definitions(session())
    newest = latest.get(form.key.data)
    return render_template(
        "processes/editor.html",
        form=form,
        submitted=submitted,
        report=report,
        newest_version=newest.version if newest else None,
        page_data=_editor_data(sorted(latest)),
    )


def _editor_data(process_keys: list[str]) -> dict[str, Any]:
    """What the editor's script needs: the choices of the properties panel, its addresses, its texts."""
    return {
        "choices": {
            "forms": [form.filename for form in deployed_forms(session())],
            "statuses": [{"value": status, "label": status_label(status)} for status in ALL_STATUSES],
            "processes": process_keys,
            "scenarios": [{"process": key, "name": name} for key, name in scenario_names(session())],
            "previewUrl": url_for("ui.processes.preview_instructions"),
        },
        "validateUrl": url_for("ui.processes.check"),
        "labels": script_texts(EDITOR),
    }


def _can_edit() -> bool:
    return any(viewer().has_role(role) for role in EDITORS)


def _definition(key: str, version: int) -> ProcessDefinition:
    return get_definition(session(), key, version)
