"""The UI's parent blueprint: every page blueprint is nested in it."""

from __future__ import annotations

from flask import Blueprint

from webapp.ui.accounts.blueprint import accounts
from webapp.ui.admin.blueprint import admin
from webapp.ui.applications.blueprint import applications
from webapp.ui.coupons.blueprint import coupons
from webapp.ui.form_schemas.blueprint import form_schemas
from webapp.ui.inbox.blueprint import inbox
from webapp.ui.monitor.blueprint import monitor
from webapp.ui.notifications.blueprint import notifications
from webapp.ui.payments.blueprint import payments
from webapp.ui.portal.blueprint import portal
from webapp.ui.processes.blueprint import processes
from webapp.ui.profile.blueprint import profile
from webapp.ui.reports.blueprint import reports
from webapp.ui.runs.blueprint import runs

ui = Blueprint("ui", __name__)
for child in (
    accounts,
    portal,
    applications,
    inbox,
    notifications,
    processes,
    admin,
    profile,
    coupons,
    payments,
    form_schemas,
    monitor,
    reports,
    runs,
):
    ui.register_blueprint(child)
