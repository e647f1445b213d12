"""The UI's parent blueprint: every page blueprint is nested in it."""

from __future__ import annotations

from flask import Blueprint

from webapp.ui.accounts.blueprint import accounts
from webapp.ui.applications.blueprint import applications
from webapp.ui.inbox.blueprint import inbox
from webapp.ui.notifications.blueprint import notifications
from webapp.ui.portal.blueprint import portal
from webapp.ui.processes.blueprint import processes
from webapp.ui.reports.blueprint import reports
from webapp.ui.runs.blueprint import runs

ui = Blueprint("ui", __name__)
for child in (accounts, portal, applications, inbox, notifications, processes, reports, runs):
    ui.register_blueprint(child)
