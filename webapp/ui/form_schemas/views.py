"""The deployed forms, and the form editor: change a form, see it as an officer would, deploy it."""

from __future__ import annotations

import json
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import DeployRefused, Invalid
from engine.services.process_forms import deploy_form, deployed_form, deployed_forms
from webapp.core.database import commit, session, settings
from webapp.ui.fields import Field
from webapp.ui.form_schemas.blueprint import form_schemas
from webapp.ui.form_schemas.forms import SchemaEdit, edit_of, edited_schema, read_edit
from webapp.ui.i18n import data_text
from webapp.ui.identity import require_any_role, signed_in, viewer
from webapp.ui.schema_forms import schema_fields

READERS = ("process_owner", "dopt")
EDITORS = ("process_owner",)


@form_schemas.get("/forms")
@signed_in
def forms() -> Any:
    require_any_role(*READERS)
    return render_template("form_schemas/list.html", forms=deployed_forms(session()), can_edit=_can_edit())


@form_schemas.get("/forms/<filename>")
@signed_in
def form(filename: str) -> Any:
    require_any_role(*READERS)
    found, content = deployed_form(session(), filename)
    schema = json.loads(content)
    return _page(filename, found.processes, schema, edit_of(schema), [])


@form_schemas.post("/forms/<filename>")
@signed_in
def change(filename: str) -> Any:
    require_any_role(*EDITORS)
    found, content = deployed_form(session(), filename)
    deployed = json.loads(content)
    edit = read_edit(deployed, request.form)
    if edit.errors or any(prop.errors for prop in edit.properties):
        return _page(filename, found.processes, deployed, edit, []), 422
    schema = edited_schema(deployed, edit)
    if request.form.get("action") != "deploy":
        return _page(filename, found.processes, schema, edit, [])
    if request.form.get("confirm") != "yes":
        edit.errors["confirm"] = _("Tick the box to confirm the deploy.")
        return _page(filename, found.processes, schema, edit, []), 422
    if schema == deployed:
        flash(_("No changes: the form is as deployed."), "info")
        return redirect(url_for("ui.form_schemas.form", filename=filename))
    text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    try:
        results = deploy_form(
            session(), filename, text.encode("utf-8"), viewer().username, settings().forms_dir, edit.comment or None
        )
    except (DeployRefused, Invalid) as refused:
        session().rollback()
        problems = list(getattr(refused, "details", [])) or [refused.message]
        return _page(filename, found.processes, schema, edit, problems), 422
    commit()
    made = ", ".join(
        _("%(key)s version %(version)d", key=result.key, version=result.version) for result in results if result.created
    )
    flash(_("Deployed the form %(form)s with %(versions)s.", form=filename, versions=made), "success")
    return redirect(url_for("ui.form_schemas.form", filename=filename))


def _page(
    filename: str, processes: tuple[str, ...], schema: dict[str, Any], edit: SchemaEdit, problems: list[str]
) -> str:
    preview: list[Field] = schema_fields(schema)
    return render_template(
        "form_schemas/form.html",
        filename=filename,
        processes=processes,
        edit=edit,
        preview=preview,
        preview_title=data_text(schema.get("title")) or filename,
        preview_description=data_text(schema.get("description")),
        problems=problems,
        can_edit=_can_edit(),
    )


def _can_edit() -> bool:
    return any(viewer().has_role(role) for role in EDITORS)
