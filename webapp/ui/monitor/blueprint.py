"""URL rules of the monitor pages; importing the views registers them."""

from __future__ import annotations

from flask import Blueprint

monitor = Blueprint("monitor", __name__)

from webapp.ui.monitor import views  # noqa: E402, F401 - registers the routes
