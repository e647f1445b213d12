"""URL rules of the coupon pool pages; importing the views registers them."""

from __future__ import annotations

from flask import Blueprint

coupons = Blueprint("coupons", __name__)

from webapp.ui.coupons import views  # noqa: E402, F401 - registers the routes
