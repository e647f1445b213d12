"""URL rules of the form pages; importing the views registers them."""

from __future__ import annotations

from flask import Blueprint

form_schemas = Blueprint("form_schemas", __name__)

from webapp.ui.form_schemas import views  # noqa: E402, F401 - registers the routes
