"""The messages sent to the signed-in user, newest first."""

from __future__ import annotations

from typing import Any

from flask import render_template

from engine.services.queries import applications_by_id, notifications_for
from webapp.core.database import session
from webapp.ui.identity import signed_in, viewer
from webapp.ui.notifications.blueprint import notifications


@notifications.get("/notifications")
@signed_in
def messages() -> Any:
    messages = notifications_for(session(), viewer())
    applications = applications_by_id(session(), viewer(), [note.application_id for note in messages])
    return render_template("notifications/list.html", messages=messages, applications=applications)
