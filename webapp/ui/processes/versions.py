"""Every version of a process (who, when, why, how many applications run on it), two versions
compared on their diagrams, and rolling back to an older version."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.definitions import get_definition
from engine.errors import Conflict, DeployRefused, NotFound
from engine.services.process_versions import list_versions, roll_back
from engine.services.scenarios import delete_scenario, get_scenario, list_scenarios
from webapp.core.database import commit, session, settings
from webapp.ui.fields import form_fields
from webapp.ui.forms import ConfirmedReasonForm, ConfirmForm
from webapp.ui.identity import require_any_role, signed_in, viewer
from webapp.ui.processes.blueprint import processes
from webapp.ui.processes.views import EDITORS, READERS
from webapp.ui.script_texts import COMPARE, script_texts


@processes.get("/processes/<key>")
@signed_in
def versions(key: str) -> Any:
    require_any_role(*READERS)
    rows = list_versions(session(), viewer(), key)
    return render_template(
        "processes/versions.html",
        key=key,
        rows=rows,
        scenarios=list_scenarios(session(), key),
        can_edit=any(viewer().has_role(role) for role in EDITORS),
    )


@processes.get("/processes/<key>/compare")
@signed_in
def compare(key: str) -> Any:
    require_any_role(*READERS)
    rows = list_versions(session(), viewer(), key)
    known = [row.definition.version for row in rows]
    older = _version_arg("from", known, known[1] if len(known) > 1 else known[0])
    newer = _version_arg("to", known, known[0])
    page_data = {
        "fromUrl": url_for("ui.processes.diagram_xml", key=key, version=older),
        "toUrl": url_for("ui.processes.diagram_xml", key=key, version=newer),
        "fromVersion": older,
        "toVersion": newer,
        "labels": script_texts(COMPARE),
    }
    return render_template(
        "processes/compare.html", key=key, known=known, older=older, newer=newer, page_data=page_data
    )


def _version_arg(name: str, known: list[int], default: int) -> int:
    text = request.args.get(name, "")
    if not text:
        return default
    if not text.isascii() or not text.isdigit() or int(text) not in known:
        raise NotFound(_("This process has no such version."))
    return int(text)


@processes.route("/processes/<key>/<int:version>/rollback", methods=["GET", "POST"])
@signed_in
def rollback(key: str, version: int) -> Any:
    require_any_role(*EDITORS)
    restored = get_definition(session(), key, version)
    form = ConfirmedReasonForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            result, _restored = roll_back(session(), viewer(), key, version, form.reason.data, settings().forms_dir)
        except (DeployRefused, Conflict) as refused:
            session().rollback()
            problems = list(getattr(refused, "details", [])) or [refused.message]
        else:
            commit()
            flash(
                _(
                    "Rolled back: version %(new)d of %(key)s is version %(old)d again.",
                    new=result.version,
                    key=key,
                    old=version,
                ),
                "success",
            )
            return redirect(url_for("ui.processes.versions", key=key))
    status = 422 if request.method == "POST" else 200
    page = render_template(
        "processes/rollback.html", definition=restored, form=form, fields=form_fields(form), problems=problems
    )
    return page, status


@processes.route("/processes/<key>/scenarios/<name>/delete", methods=["GET", "POST"])
@signed_in
def delete_scenario_page(key: str, name: str) -> Any:
    """Ask, then delete one scenario of a process (process owners)."""
    require_any_role(*EDITORS)
    scenario = get_scenario(session(), key, name)
    form = ConfirmForm()
    if form.validate_on_submit():
        delete_scenario(session(), key, name)
        commit()
        flash(_("The scenario %(name)s of %(key)s was deleted.", name=name, key=key), "success")
        return redirect(url_for("ui.processes.versions", key=key))
    status = 422 if request.method == "POST" else 200
    page = render_template("processes/delete_scenario.html", scenario=scenario, form=form, fields=form_fields(form))
    return page, status
