"""URL rules of the catalogue and runs; importing the views registers them."""

from __future__ import annotations

from flask import Blueprint

runs = Blueprint("runs", __name__)

from webapp.ui.runs import views  # noqa: E402, F401 - registers the routes
