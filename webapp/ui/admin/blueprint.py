"""URL rules of the administration pages; importing the views registers them."""

from __future__ import annotations

from flask import Blueprint

admin = Blueprint("admin", __name__, url_prefix="/admin")

from webapp.ui.admin import views  # noqa: E402, F401 - registers the routes
