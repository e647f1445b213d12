"""The course team's coupon pool per run: reading uploads, adding codes, voiding, the overview.

An upload is checked whole before anything is added: each code that is malformed, repeats an
earlier line of the same upload, or is already known (a code is unique across all runs) is
reported with its line number. The page adds nothing while a problem is reported unless the
person confirms adding the valid codes; the API keeps API.md's contract (valid codes added,
duplicates reported, malformed codes refused). Either way it is one transaction.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.access import may_manage_coupons, may_view_coupons
from engine.coupon_pool import PoolCounts, pool_counts, watch_pool
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.i18n import N_, Message
from engine.models import AuditEntry, Coupon, CourseRun, User

CODE_PATTERN = re.compile(r"^[A-Za-z0-9-]{4,64}$")
MAX_CODES_PER_UPLOAD = 10000
MAX_FILE_BYTES = 1024 * 1024
MAX_REASON_CHARACTERS = 500
COUPON_STATES = ("unused", "given", "voided")

_SEPARATORS = re.compile(r"[\s,;]+")
_HEADER_WORDS = ("code", "coupon", "voucher")

MALFORMED = N_("not a code: use 4 to 64 letters, digits or hyphens")
REPEATED = N_("repeats line %(line)d of this upload")
KNOWN_HERE = N_("already in this run's pool")
KNOWN_ELSEWHERE = N_("already in the pool of %(course)s, run starting %(starts)s")


@dataclass(frozen=True)
class CodeLine:
    """A code as read from an upload, with the line it was on (from 1)."""

    line: int
    code: str


@dataclass(frozen=True)
class CodeProblem:
    """Why one code of an upload cannot be added: `kind` is malformed, repeated or known."""

    line: int
    code: str
    kind: str
    reason: Message

    def as_json(self) -> dict[str, Any]:
        return {"line": self.line, "code": self.code, "kind": self.kind, "problem": self.reason.english()}


@dataclass(frozen=True)
class CodeCheck:
    """An upload checked against the pools: the codes that may be added, and every problem."""

    valid: list[CodeLine]
    problems: list[CodeProblem]


@dataclass(frozen=True)
class UploadOutcome:
    """What an upload did: how many codes were added (0 while problems wait for a confirmation)."""

    added: int
    check: CodeCheck


@dataclass(frozen=True)
class PoolRow:
    """A run with its pool's counts, for the overview."""

    run: CourseRun
    counts: PoolCounts


def read_pasted_codes(text: str) -> list[CodeLine]:
    """Codes typed or pasted: one per line, or several on a line separated by commas,
    semicolons or spaces. Blank lines are skipped but still counted."""
    found: list[CodeLine] = []
    for number, line in enumerate(text.splitlines(), start=1):
        found.extend(CodeLine(number, code) for code in _SEPARATORS.split(line.strip()) if code)
    return found


def read_csv_codes(content: bytes) -> list[CodeLine]:
    """Codes from a CSV file: one column of codes, or the column headed "code" (or "coupon
    code", "voucher") of a wider file. A first line naming the column is skipped; other
    columns are ignored. UTF-8 (with or without the byte-order mark Excel writes).

    Raises Invalid for a file that is too large or not UTF-8 text.
    """
    if len(content) > MAX_FILE_BYTES:
        raise Invalid("The file is too large", {"file": f"At most {MAX_FILE_BYTES // 1024} KB of codes per file"})
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Invalid("The file is not text", {"file": "Save the file as CSV (UTF-8) and upload it again"}) from error
    reader = csv.reader(io.StringIO(text, newline=""))
    column = 0
    found: list[CodeLine] = []
    first = True
    try:
        for row in reader:
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            if first:
                first = False
                header = [index for index, cell in enumerate(cells) if _is_header(cell)]
                if header:
                    column = header[0]
                    continue
            if column < len(cells) and cells[column]:
                found.append(CodeLine(reader.line_num, cells[column]))
    except csv.Error as error:
        raise Invalid("The file is not CSV", {"file": f"Line {reader.line_num}: {error}"}) from error
    return found


def _is_header(cell: str) -> bool:
    words = cell.lower()
    return not any(character.isdigit() for character in words) and any(word in words for word in _HEADER_WORDS)


def check_codes(session: Session, run_id: int, lines: list[CodeLine]) -> CodeCheck:
    """Check codes read from an upload: malformed, repeated within it, or already known anywhere."""
    if not lines:
        raise Invalid("No codes were found", {"codes": "Enter or upload at least one code"})
    if len(lines) > MAX_CODES_PER_UPLOAD:
        raise Invalid("Too many codes", {"codes": f"At most {MAX_CODES_PER_UPLOAD} codes per upload"})
    known = _known_codes(session, [line.code for line in lines if CODE_PATTERN.match(line.code)])
    first_seen: dict[str, int] = {}
    valid: list[CodeLine] = []
    problems: list[CodeProblem] = []
    for line in lines:
        if not CODE_PATTERN.match(line.code):
            problems.append(CodeProblem(line.line, line.code[:70], "malformed", Message(MALFORMED)))
        elif line.code in first_seen:
            reason = Message(REPEATED, {"line": first_seen[line.code]})
            problems.append(CodeProblem(line.line, line.code, "repeated", reason))
        elif line.code in known:
            problems.append(CodeProblem(line.line, line.code, "known", _known_reason(known[line.code], run_id)))
        else:
            valid.append(line)
        first_seen.setdefault(line.code, line.line)
    return CodeCheck(valid, problems)


def _known_codes(session: Session, codes: list[str]) -> dict[str, CourseRun]:
    """The codes already stored, with the run whose pool holds each (in chunks: IN lists stay short)."""
    known: dict[str, CourseRun] = {}
    unique = list(dict.fromkeys(codes))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        rows = session.execute(
            select(Coupon.code, CourseRun)
            .join(CourseRun, CourseRun.id == Coupon.course_run_id)
            .where(Coupon.code.in_(chunk))
        )
        known.update({code: run for code, run in rows})
    return known


def _known_reason(run: CourseRun, run_id: int) -> Message:
    if run.id == run_id:
        return Message(KNOWN_HERE)
    return Message(KNOWN_ELSEWHERE, {"course": run.course.title, "starts": run.starts_on.strftime("%d-%m-%Y")})


def upload_codes(
    session: Session, user: User, run_id: int, lines: list[CodeLine], confirmed: bool, now: datetime
) -> UploadOutcome:
    """The page's upload: nothing is added while any line has a problem, unless the person
    confirmed adding the valid codes (after seeing the report). Raises Forbidden, NotFound
    (no such run) or Invalid (nothing to add)."""
    _run_to_manage(session, user, run_id)
    check = check_codes(session, run_id, lines)
    if check.problems and not confirmed:
        return UploadOutcome(0, check)
    added = _add(session, user, run_id, [line.code for line in check.valid], now)
    return UploadOutcome(added, check)


def add_coupons(session: Session, user: User, run_id: int, codes: Any, now: datetime) -> dict[str, Any]:
    """The API's upload (API.md): `codes` a JSON list of strings; malformed codes refuse the
    whole upload (422, `fields` names each as `codes[i]`); codes already known or repeated are
    reported as `duplicates` and the rest added. `problems` gives each with its line (i + 1)."""
    _run_to_manage(session, user, run_id)
    if not isinstance(codes, list) or not codes or len(codes) > MAX_CODES_PER_UPLOAD:
        raise Invalid("Send a list of codes", {"codes": f"a list of 1 to {MAX_CODES_PER_UPLOAD} codes"})
    lines = [CodeLine(index + 1, code if isinstance(code, str) else repr(code)) for index, code in enumerate(codes)]
    check = check_codes(session, run_id, lines)
    malformed = [problem for problem in check.problems if problem.kind == "malformed"]
    if malformed:
        fields = {f"codes[{problem.line - 1}]": problem.reason.english() for problem in malformed}
        raise Invalid(f"{len(malformed)} code(s) are not 4 to 64 letters, digits or '-'; nothing was added", fields)
    added = _add(session, user, run_id, [line.code for line in check.valid], now)
    return {
        "added": added,
        "duplicates": [problem.code for problem in check.problems],
        "problems": [problem.as_json() for problem in check.problems],
    }


def _add(session: Session, user: User, run_id: int, codes: list[str], now: datetime) -> int:
    for code in codes:
        session.add(Coupon(code=code, course_run_id=run_id, added_by=user.username, added_at=now))
    if codes:
        session.add(
            AuditEntry(at=now, actor=user.username, action="coupons_added", detail={"run": run_id, "added": len(codes)})
        )
    try:
        session.flush()
    except IntegrityError as error:
        # Another upload added one of these codes after this one was checked (PostgreSQL lets
        # both check at once; the unique index decides). Nothing of this upload is kept.
        raise Conflict("some of these codes were added by someone else meanwhile; upload them again") from error
    watch_pool(session, run_id, now)
    return len(codes)


def void_coupon(session: Session, user: User, code: Any, reason: Any, now: datetime) -> Coupon:
    """Withdraw an unused code, with the reason; it is never assigned afterwards.

    Raises Forbidden (not the course team), NotFound, Invalid (no reason) and Conflict: a code
    given to an application cannot be voided, nor a code voided already.
    """
    if not may_manage_coupons(user):
        raise Forbidden("Only the course team may void coupon codes")
    if not isinstance(reason, str) or not reason.strip() or len(reason.strip()) > MAX_REASON_CHARACTERS:
        raise Invalid(
            "Give the reason for voiding the code",
            {"reason": f"Give the reason, in at most {MAX_REASON_CHARACTERS} characters"},
        )
    # Locked: a confirmation taking codes at the same time (SKIP LOCKED) passes this one by.
    coupon = session.scalars(select(Coupon).where(Coupon.code == str(code)).with_for_update()).one_or_none()
    if coupon is None:
        raise NotFound(f"coupon code {code} not found")
    if coupon.application_id is not None:
        raise Conflict(f"the code was given to application {coupon.application_id}; a used code cannot be voided")
    if coupon.voided_at is not None:
        raise Conflict("the code is voided already")
    coupon.voided_at, coupon.voided_by, coupon.void_reason = now, user.username, reason.strip()
    session.add(
        AuditEntry(
            at=now,
            actor=user.username,
            action="coupon_voided",
            detail={"code": coupon.code, "run": coupon.course_run_id, "reason": coupon.void_reason},
        )
    )
    session.flush()
    watch_pool(session, coupon.course_run_id, now)
    return coupon


def get_coupon(session: Session, user: User, code: str) -> Coupon:
    """A code, for those who may see the pools; NotFound when there is none."""
    _require_view(user)
    coupon = session.scalars(select(Coupon).where(Coupon.code == code)).one_or_none()
    if coupon is None:
        raise NotFound(f"coupon code {code} not found")
    return coupon


def coupon_summary(session: Session, user: User, run_id: int) -> dict[str, Any]:
    """A run's pool: total, assigned (given), available (unused), voided, the applications
    waiting for a code, and whether the pool is below them."""
    _require_view(user)
    if session.get(CourseRun, run_id) is None:
        raise NotFound(f"course run {run_id} not found")
    return summary_json(pool_counts(session, [run_id])[run_id])


def summary_json(counts: PoolCounts) -> dict[str, Any]:
    """The counts as the API shows them (API.md's total, assigned, available, and more)."""
    return {
        "total": counts.total,
        "assigned": counts.given,
        "available": counts.unused,
        "voided": counts.voided,
        "waiting": counts.waiting,
        "low": counts.low,
    }


def coupon_pools(session: Session, user: User, today: date, limit: int, offset: int) -> tuple[list[PoolRow], int]:
    """Runs with their pools, current and future runs first (soonest first), then past runs
    (latest first); `today` is the day in India. Returns a page and the number of runs."""
    _require_view(user)
    past = CourseRun.ends_on < today
    query = select(CourseRun).order_by(
        past,
        case((past, None), else_=CourseRun.starts_on),
        CourseRun.starts_on.desc(),
        CourseRun.course_code,
        CourseRun.id,
    )
    runs = list(session.scalars(query.limit(limit).offset(offset)))
    total = int(session.scalar(select(func.count(CourseRun.id))) or 0)
    counts = pool_counts(session, [run.id for run in runs])
    return [PoolRow(run, counts[run.id]) for run in runs], total


def pool_of_run(session: Session, user: User, run_id: int) -> PoolRow:
    """One run with its pool's counts."""
    _require_view(user)
    run = session.get(CourseRun, run_id)
    if run is None:
        raise NotFound(f"course run {run_id} not found")
    return PoolRow(run, pool_counts(session, [run_id])[run_id])


def run_codes(
    session: Session, user: User, run_id: int, state: str | None, limit: int, offset: int
) -> tuple[list[Coupon], int]:
    """A page of a run's codes in the order they were added, optionally only those unused,
    given or voided; and how many there are in all."""
    _require_view(user)
    if session.get(CourseRun, run_id) is None:
        raise NotFound(f"course run {run_id} not found")
    if state is not None and state not in COUPON_STATES:
        raise Invalid("Unknown state", {"state": "one of: " + ", ".join(COUPON_STATES)})
    conditions: list[Any] = [Coupon.course_run_id == run_id]
    if state == "unused":
        conditions += [Coupon.application_id.is_(None), Coupon.voided_at.is_(None)]
    elif state == "given":
        conditions.append(Coupon.application_id.is_not(None))
    elif state == "voided":
        conditions.append(Coupon.voided_at.is_not(None))
    query = select(Coupon).where(*conditions)
    total = int(session.scalar(select(func.count(Coupon.id)).where(*conditions)) or 0)
    return list(session.scalars(query.order_by(Coupon.id).limit(limit).offset(offset))), total


def coupon_state(coupon: Coupon) -> str:
    """unused, given or voided."""
    if coupon.application_id is not None:
        return "given"
    return "voided" if coupon.voided_at is not None else "unused"


def _require_view(user: User) -> None:
    if not may_view_coupons(user):
        raise Forbidden("Only the course team and DoPT may see the coupon pools")


def _run_to_manage(session: Session, user: User, run_id: int) -> CourseRun:
    if not may_manage_coupons(user):
        raise Forbidden("Only the course team may add coupon codes")
    run = session.get(CourseRun, run_id)
    if run is None:
        raise NotFound(f"course run {run_id} not found")
    return run
