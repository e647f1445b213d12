"""URL rules of the payment pages; importing the views registers them."""

from __future__ import annotations

from flask import Blueprint

payments = Blueprint("payments", __name__)

from webapp.ui.payments import views  # noqa: E402, F401 - registers the routes
