"""The caller's notifications: the paged list, marking them read, and how they come by mail."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from engine.services.notifications import (
    count_notifications,
    list_notifications,
    mark_all_read,
    mark_read,
    set_mail_delivery,
    unread_count,
)
from webapp.api.blueprint import api
from webapp.api.identity import authenticated, caller
from webapp.api.paging import paged
from webapp.api.presenters import notification_json
from webapp.api.request_data import json_object
from webapp.core.database import commit, now, session
from webapp.core.paging import requested_page


@api.get("/notifications")
@authenticated
def notifications() -> Any:
    page = requested_page()
    user = caller()
    rows = list_notifications(session(), user, page.size, page.offset)
    response = paged([notification_json(row) for row in rows], count_notifications(session(), user), page)
    response.headers["X-Unread-Count"] = str(unread_count(session(), user.id))
    return response


@api.post("/notifications/<int:notification_id>/read")
@authenticated
def read_one(notification_id: int) -> Any:
    notification = mark_read(session(), caller(), notification_id, now())
    commit()
    return jsonify(notification_json(notification))


@api.post("/notifications/read-all")
@authenticated
def read_all() -> Any:
    marked = mark_all_read(session(), caller(), now())
    commit()
    return jsonify({"marked": marked, "unread": 0})


@api.patch("/me/notifications")
@authenticated
def mail_delivery() -> Any:
    body = json_object(allowed={"delivery"}, required={"delivery"})
    user = caller()
    set_mail_delivery(session(), user, body["delivery"])
    commit()
    return jsonify({"delivery": user.mail_delivery})
