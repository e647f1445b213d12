"""Coupon pools of course runs."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from engine.services.coupons import add_coupons, coupon_summary
from webapp.api.blueprint import api
from webapp.api.identity import authenticated, caller, require_role
from webapp.api.request_data import json_object
from webapp.core.database import commit, now, session


@api.post("/course-runs/<int:run_id>/coupons")
@authenticated
def upload_coupons(run_id: int) -> Any:
    require_role("course_team")
    body = json_object(allowed={"codes"}, required={"codes"})
    result = add_coupons(session(), caller(), run_id, body["codes"], now())
    commit()
    return jsonify(result)


@api.get("/course-runs/<int:run_id>/coupons/summary")
@authenticated
def summary(run_id: int) -> Any:
    require_role("course_team", "dopt")
    return jsonify(coupon_summary(session(), run_id))
