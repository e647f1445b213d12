"""URL rules of the accounts pages; importing the views registers them."""

from __future__ import annotations

from flask import Blueprint

accounts = Blueprint("accounts", __name__)

from webapp.ui.accounts import views  # noqa: E402, F401 - registers the routes
