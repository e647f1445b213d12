"""Coupon pools of course runs: the overview, a run's codes, uploading and voiding codes."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from engine.access import may_manage_coupons, may_view_coupons, require
from engine.models import Coupon
from engine.services.applications import INDIA
from engine.services.coupons import (
    PoolRow,
    add_coupons,
    coupon_pools,
    coupon_state,
    coupon_summary,
    run_codes,
    summary_json,
    void_coupon,
)
from webapp.api.blueprint import api
from webapp.api.identity import authenticated, caller
from webapp.api.paging import paged
from webapp.api.presenters import timestamp
from webapp.api.request_data import json_object
from webapp.core.database import commit, now, session
from webapp.core.paging import requested_page

MANAGERS_ONLY = "Your role may not do this: needs course_team"
READERS_ONLY = "Your role may not do this: needs course_team or dopt"


@api.get("/coupons")
@authenticated
def pools() -> Any:
    require(may_view_coupons(caller()), READERS_ONLY)
    page = requested_page()
    rows, total = coupon_pools(session(), caller(), now().astimezone(INDIA).date(), page.size, page.offset)
    return paged([_pool_json(row) for row in rows], total, page)


@api.post("/course-runs/<int:run_id>/coupons")
@authenticated
def upload_coupons(run_id: int) -> Any:
    require(may_manage_coupons(caller()), MANAGERS_ONLY)
    body = json_object(allowed={"codes"}, required={"codes"})
    result = add_coupons(session(), caller(), run_id, body["codes"], now())
    commit()
    return jsonify(result)


@api.get("/course-runs/<int:run_id>/coupons")
@authenticated
def codes(run_id: int) -> Any:
    require(may_view_coupons(caller()), READERS_ONLY)
    page = requested_page()
    found, total = run_codes(session(), caller(), run_id, request.args.get("state") or None, page.size, page.offset)
    return paged([_coupon_json(coupon) for coupon in found], total, page)


@api.get("/course-runs/<int:run_id>/coupons/summary")
@authenticated
def summary(run_id: int) -> Any:
    require(may_view_coupons(caller()), READERS_ONLY)
    return jsonify(coupon_summary(session(), caller(), run_id))


@api.post("/coupons/<code>/void")
@authenticated
def void(code: str) -> Any:
    require(may_manage_coupons(caller()), MANAGERS_ONLY)
    body = json_object(allowed={"reason"}, required={"reason"})
    voided = void_coupon(session(), caller(), code, body["reason"], now())
    commit()
    return jsonify(_coupon_json(voided))


def _pool_json(row: PoolRow) -> dict[str, Any]:
    run = row.run
    return {
        "course_run_id": run.id,
        "course": run.course_code,
        "starts_on": run.starts_on.isoformat(),
        "ends_on": run.ends_on.isoformat(),
        **summary_json(row.counts),
    }


def _coupon_json(coupon: Coupon) -> dict[str, Any]:
    return {
        "code": coupon.code,
        "course_run_id": coupon.course_run_id,
        "state": coupon_state(coupon),
        "added_by": coupon.added_by,
        "added_at": timestamp(coupon.added_at),
        "application_id": coupon.application_id,
        "assigned_at": timestamp(coupon.assigned_at),
        "voided_at": timestamp(coupon.voided_at),
        "voided_by": coupon.voided_by,
        "void_reason": coupon.void_reason,
    }
