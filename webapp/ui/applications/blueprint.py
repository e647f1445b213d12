"""URL rules of the applications list; importing the views registers them."""

from __future__ import annotations

from flask import Blueprint

applications = Blueprint("applications", __name__)

from webapp.ui.applications import views  # noqa: E402, F401 - registers the routes
