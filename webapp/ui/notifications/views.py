"""The messages sent to the signed-in user, newest first: mark them read, choose how mail comes."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from engine.errors import Invalid
from engine.services.notifications import (
    count_notifications,
    list_notifications,
    mark_all_read,
    mark_read,
    set_mail_delivery,
)
from engine.services.queries import applications_by_id
from webapp.core.database import commit, now, session
from webapp.core.paging import requested_page
from webapp.ui.identity import signed_in, viewer
from webapp.ui.notifications.blueprint import notifications
from webapp.ui.notifications.forms import DeliveryForm, MarkReadForm
from webapp.ui.paging import Pager


@notifications.get("/notifications")
@signed_in
def messages() -> Any:
    user = viewer()
    page = requested_page()
    total = count_notifications(session(), user)
    rows = list_notifications(session(), user, page.size, page.offset)
    delivery = DeliveryForm(data={"delivery": user.mail_delivery})
    return render_template(
        "notifications/list.html",
        messages=rows,
        applications=applications_by_id(session(), user, [note.application_id for note in rows]),
        pager=Pager(page, total),
        mark_form=MarkReadForm(),
        delivery_form=delivery,
    )


@notifications.post("/notifications/<int:notification_id>/read")
@signed_in
def read_one(notification_id: int) -> Any:
    if MarkReadForm().validate_on_submit():
        mark_read(session(), viewer(), notification_id, now())
        commit()
    return redirect(url_for("ui.notifications.messages", _anchor=f"message-{notification_id}"))


@notifications.post("/notifications/read-all")
@signed_in
def read_all() -> Any:
    if MarkReadForm().validate_on_submit():
        marked = mark_all_read(session(), viewer(), now())
        commit()
        flash(_("%(num)d messages marked as read.", num=marked), "success")
    return redirect(url_for("ui.notifications.messages"))


@notifications.post("/notifications/delivery")
@signed_in
def delivery() -> Any:
    form = DeliveryForm()
    if form.validate_on_submit():
        try:
            set_mail_delivery(session(), viewer(), form.delivery.data)
            commit()
            flash(_("Your choice is saved."), "success")
        except Invalid:
            flash(_("Choose one of the two ways."), "error")
    else:
        flash(_("Choose one of the two ways."), "error")
    return redirect(url_for("ui.notifications.messages", _anchor="delivery"))
