"""The UI's parent blueprint: every page blueprint is nested in it, so the CSRF check and
the sign-in lookup registered here cover all of them and none of the API."""

from __future__ import annotations

from flask import Blueprint

from webapp.ui.accounts.blueprint import accounts
from webapp.ui.inbox.blueprint import inbox
from webapp.ui.notifications.blueprint import notifications
from webapp.ui.portal.blueprint import portal
from webapp.ui.processes.blueprint import processes
from webapp.ui.security import check_csrf

ui = Blueprint("ui", __name__)
ui.before_request(check_csrf)
for child in (accounts, portal, inbox, notifications, processes):
    ui.register_blueprint(child)
