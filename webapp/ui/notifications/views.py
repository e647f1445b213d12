"""The messages sent to the signed-in user, newest first."""

from __future__ import annotations

from typing import Any

from flask import render_template

from engine.services.queries import notifications_for
from webapp.core.database import session
from webapp.core.paging import requested_page
from webapp.ui.identity import signed_in, viewer
from webapp.ui.notifications.blueprint import notifications
from webapp.ui.paging import Pager


@notifications.get("/notifications")
@signed_in
def messages() -> Any:
    page = requested_page()
    messages, total = notifications_for(session(), viewer(), page.size, page.offset)
    return render_template("notifications/list.html", messages=messages, pager=Pager(page, total))
