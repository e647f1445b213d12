"""URL rules of the notifications page; importing the views registers them."""

from __future__ import annotations

from flask import Blueprint

notifications = Blueprint("notifications", __name__)

from webapp.ui.notifications import views  # noqa: E402, F401 - registers the routes
