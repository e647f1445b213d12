"""Every deployed version of every process, one version's diagram (bpmn-js viewer), and the
BPMN editor (bpmn-js modeler) with which process owners deploy a new version."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from engine.definitions import deploy as deploy_definition
from engine.definitions import get_definition, latest_definitions
from engine.errors import DeployRefused
from engine.models import ProcessDefinition
from engine.validation import MAX_XML_BYTES
from webapp.core.database import commit, session, settings
from webapp.ui.identity import require_any_role, signed_in, viewer
from webapp.ui.processes.blueprint import processes
from webapp.ui.processes.forms import CONFIRM_FIELD, CONFIRM_LABEL, XML_LABEL, DeployForm, deploy_form

READERS = ("process_owner", "dopt")
EDITORS = ("process_owner",)
# The deploy form carries a whole BPMN file; room for the largest allowed and the other fields.
DEPLOY_FORM_BYTES = MAX_XML_BYTES + 64 * 1024


@processes.before_app_request
def _room_for_bpmn() -> None:
    """Flask parses at most 500 kB of form fields; the deploy form may carry up to 5 MB of XML.

    An app-wide hook because the UI's CSRF check reads the form before this blueprint's
    own hooks run.
    """
    if request.endpoint == "ui.processes.deploy":
        request.max_form_memory_size = DEPLOY_FORM_BYTES


@processes.get("/processes")
@signed_in
def definitions() -> Any:
    require_any_role(*READERS)
    query = select(ProcessDefinition).order_by(ProcessDefinition.key, ProcessDefinition.version.desc())
    return render_template("processes/list.html", definitions=session().scalars(query).all(), can_edit=_can_edit())


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
    form = DeployForm(key=definition.key, version=definition.version, xml=definition.xml, confirmed=False)
    return _editor(form, submitted=False)


@processes.post("/processes/deploy")
@signed_in
def deploy() -> Any:
    require_any_role(*EDITORS)
    form = deploy_form(request.form)
    if form.problems:
        return _editor(form, submitted=True), 413 if form.too_large else 422
    try:
        result = deploy_definition(session(), form.xml_bytes, viewer().username, settings().forms_dir)
    except DeployRefused as refused:
        session().rollback()
        form.problems = list(refused.details) or [refused.message]
        return _editor(form, submitted=True), 422
    commit()
    if result.created:
        rehearsed = f"; {len(result.scenarios)} scenarios rehearsed, all passed" if result.scenarios else ""
        flash(f"Deployed {result.key} version {result.version}{rehearsed}", "success")
    else:
        flash(f"No changes: {result.key} version {result.version} is unchanged", "info")
    return redirect(url_for("ui.processes.diagram", key=result.key, version=result.version))


def _editor(form: DeployForm, submitted: bool) -> str:
    latest = latest_definitions(session()).get(form.key)
    return render_template(
        "processes/editor.html",
        form=form,
        submitted=submitted,
        newest_version=latest.version if latest else None,
        confirm_field=CONFIRM_FIELD,
        confirm_label=CONFIRM_LABEL,
        xml_label=XML_LABEL,
    )


def _can_edit() -> bool:
    return any(viewer().has_role(role) for role in EDITORS)


def _definition(key: str, version: int) -> ProcessDefinition:
    return get_definition(session(), key, version)
