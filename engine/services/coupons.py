"""The course team's coupon pool per run."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import Invalid, NotFound
from engine.models import Coupon, CourseRun, User

CODE_PATTERN = re.compile(r"^[A-Za-z0-9-]{4,64}$")
MAX_CODES_PER_UPLOAD = 10000


def add_coupons(session: Session, user: User, run_id: int, codes: Any, now: datetime) -> dict[str, Any]:
    """Add codes to a run's pool; a code already known anywhere is reported, not added."""
    if session.get(CourseRun, run_id) is None:
        raise NotFound(f"course run {run_id} not found")
    if not isinstance(codes, list) or not codes or len(codes) > MAX_CODES_PER_UPLOAD:
        raise Invalid("Send a list of codes", {"codes": f"a list of 1 to {MAX_CODES_PER_UPLOAD} codes"})
    bad = [code for code in codes if not isinstance(code, str) or not CODE_PATTERN.match(code)]
    if bad:
        raise Invalid(
            "Some codes are not valid",
            {"codes": f"{len(bad)} code(s) are not 4 to 64 letters, digits or '-', e.g. {str(bad[0])[:70]!r}"},
        )
    wanted = list(dict.fromkeys(codes))
    known = set(session.scalars(select(Coupon.code).where(Coupon.code.in_(wanted))))
    duplicates = [code for code in codes if code in known] + _repeats(codes)
    added = 0
    for code in wanted:
        if code in known:
            continue
        session.add(Coupon(code=code, course_run_id=run_id, added_by=user.username, added_at=now))
        added += 1
    session.flush()
    return {"added": added, "duplicates": duplicates}


def _repeats(codes: list[str]) -> list[str]:
    seen: set[str] = set()
    repeats = []
    for code in codes:
        if code in seen:
            repeats.append(code)
        seen.add(code)
    return repeats


def coupon_summary(session: Session, run_id: int) -> dict[str, int]:
    """How many codes a run has, how many are given, how many are left."""
    if session.get(CourseRun, run_id) is None:
        raise NotFound(f"course run {run_id} not found")
    total = session.scalar(select(func.count(Coupon.id)).where(Coupon.course_run_id == run_id)) or 0
    assigned = (
        session.scalar(
            select(func.count(Coupon.id)).where(Coupon.course_run_id == run_id, Coupon.application_id.is_not(None))
        )
        or 0
    )
    return {"total": int(total), "assigned": int(assigned), "available": int(total) - int(assigned)}
