"""URL rules of the inbox; importing the views registers them."""

from __future__ import annotations

from flask import Blueprint

inbox = Blueprint("inbox", __name__)

from webapp.ui.inbox import views  # noqa: E402, F401 - registers the routes
