"""Every deployed version of every process, one version's diagram (bpmn-js viewer), and the
BPMN editor (bpmn-js modeler) with which process owners deploy a new version."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.definitions import deploy as deploy_definition
from engine.definitions import get_definition, latest_definitions, list_definitions
from engine.errors import DeployRefused
from engine.models import ProcessDefinition
from engine.validation import MAX_XML_BYTES
from webapp.core.database import commit, session, settings
from webapp.core.paging import requested_page
from webapp.ui.identity import require_any_role, signed_in, viewer
from webapp.ui.paging import Pager
from webapp.ui.processes.blueprint import processes
from webapp.ui.processes.forms import DeployForm

READERS = ("process_owner", "dopt")
EDITORS = ("process_owner",)
# The deploy form carries a whole BPMN file; room for the largest allowed and the other fields.
DEPLOY_FORM_BYTES = MAX_XML_BYTES + 64 * 1024


@processes.before_app_request
def _room_for_bpmn() -> None:
    """Flask parses at most 500 kB of form fields; the deploy form may carry up to 5 MB of XML.

    An app-wide hook, registered before Flask-WTF's CSRF check (which reads the form).
    """
    if request.endpoint == "ui.processes.deploy":
        request.max_form_memory_size = DEPLOY_FORM_BYTES


@processes.get("/processes")
@signed_in
def definitions() -> Any:
    require_any_role(*READERS)
    page = requested_page()
    rows, total = list_definitions(session(), page.size, page.offset, newest_first=True)
    return render_template("processes/list.html", definitions=rows, pager=Pager(page, total), can_edit=_can_edit())


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
        result = deploy_definition(session(), form.xml_bytes, viewer().username, settings().forms_dir, charset="utf-8")
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


def _editor(form: DeployForm, submitted: bool) -> str:
    latest = latest_definitions(session()).get(form.key.data)
    return render_template(
        "processes/editor.html",
        form=form,
        submitted=submitted,
        newest_version=latest.version if latest else None,
    )


def _can_edit() -> bool:
    return any(viewer().has_role(role) for role in EDITORS)


def _definition(key: str, version: int) -> ProcessDefinition:
    return get_definition(session(), key, version)
