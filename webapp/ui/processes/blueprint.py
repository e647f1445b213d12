"""URL rules of the process pages; importing the views registers them."""

from __future__ import annotations

from flask import Blueprint

processes = Blueprint("processes", __name__)

from webapp.ui.processes import versions, views  # noqa: E402, F401 - registers the routes
