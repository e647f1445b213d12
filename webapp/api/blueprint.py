"""The API blueprint; importing the view modules registers their routes on it."""

from __future__ import annotations

from flask import Blueprint

api = Blueprint("api", __name__, url_prefix="/api/v1")

from webapp.api import (  # noqa: E402, F401 - route modules register themselves
    admin,
    applications,
    auth,
    coupons,
    forms,
    incidents,
    monitor,
    notifications,
    openapi,
    payments,
    processes,
    reference,
    repair,
    reports,
    tasks,
    uploads,
)
