"""The server-rendered web UI: sign in, the officer portal, the staff inbox, notifications.

Every page reaches the database through the engine's services, which enforce the one
authorisation policy in engine/access.py, so the UI obeys exactly the rules of the API.
Each domain is a sub-package of the same shape: `blueprint.py` (routes), `views.py`
(thin handlers: parse, call one service, commit, render) and, where it takes input,
`forms.py` (turning posted strings into what the service expects).
"""

from __future__ import annotations

from flask import Blueprint, Flask

from engine import access
from webapp.ui import formatting, i18n, identity, security
from webapp.ui.blueprint import ui
from webapp.ui.notifications.texts import notification_texts, unread_notifications


def register_ui(app: Flask, api: Blueprint) -> None:
    """Mount the UI's blueprints, its session cookie, CSRF protection (`api` exempt), languages
    and template helpers."""
    i18n.init_app(app)
    formatting.init_app(app)
    app.jinja_env.globals.update(
        current_user=identity.current_user,
        is_staff=identity.is_staff,
        note_texts=notification_texts,
        unread_notifications=unread_notifications,
        may_view_coupons=access.may_view_coupons,
        may_view_payments=access.may_view_payments,
        can_list_applications=access.can_list_applications,
        readable_reports=access.readable_reports,
    )
    app.register_blueprint(ui)
    security.init_app(app, api)
