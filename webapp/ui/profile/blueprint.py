"""URL rules of the account pages; importing the views registers them."""

from __future__ import annotations

from flask import Blueprint

profile = Blueprint("profile", __name__, url_prefix="/profile")

from webapp.ui.profile import views  # noqa: E402, F401 - registers the routes
