"""URL rules of the portal; importing the views registers them."""

from __future__ import annotations

from flask import Blueprint

portal = Blueprint("portal", __name__)

from webapp.ui.portal import views  # noqa: E402, F401 - registers the routes
