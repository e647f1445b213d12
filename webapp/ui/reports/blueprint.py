"""URL rules of the reports; importing the views registers them."""

from __future__ import annotations

from flask import Blueprint

reports = Blueprint("reports", __name__)

from webapp.ui.reports import views  # noqa: E402, F401 - registers the routes
