"""The course team's coupon pool: uploads checked line by line, voiding, the low-pool alert."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.bootstrap import Database
from engine.config import Settings
from engine.errors import Conflict, Forbidden, Invalid
from engine.models import Coupon, User
from engine.services.coupons import (
    CodeLine,
    add_coupons,
    coupon_summary,
    read_csv_codes,
    read_pasted_codes,
    upload_codes,
    void_coupon,
)
from tests.engine.flow import Flow, approve_and_confirm
from tests.factories import NOW, make_run

FIFTY = [f"CGP27-{number:04d}" for number in range(1, 51)]


@pytest.fixture
def flow(db: Database, settings: Settings) -> Flow:
    return Flow(db, settings)


def _fifty_with_two_duplicates_and_one_malformed(flow: Flow) -> list[str]:
    """50 lines: line 10 repeats line 4, line 20 is already in another run's pool, line 30 is no code."""
    with flow.db.sessions() as session, session.begin():
        other_run = make_run(session, course="DASS").id
        session.add(Coupon(code="KNOWN-0001", course_run_id=other_run, added_by="courseteam"))
    lines = list(FIFTY)
    lines[9] = lines[3]
    lines[19] = "KNOWN-0001"
    lines[29] = "NOT_A_CODE#1"
    return lines


def _user(session: object, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()  # type: ignore[attr-defined]


def _codes_of_run(flow: Flow) -> int:
    with flow.db.sessions() as session:
        return int(session.scalar(select(func.count(Coupon.id)).where(Coupon.course_run_id == flow.run_id)) or 0)


def test_upload_of_fifty_codes_reports_each_problem_by_line_and_adds_nothing(flow: Flow) -> None:
    lines = _fifty_with_two_duplicates_and_one_malformed(flow)

    with flow.db.sessions() as session, session.begin():
        user = _user(session, flow.course_team)
        outcome = upload_codes(session, user, flow.run_id, read_pasted_codes("\n".join(lines)), False, NOW)

    assert outcome.added == 0
    assert [(p.line, p.code, p.kind) for p in outcome.check.problems] == [
        (10, "CGP27-0004", "repeated"),
        (20, "KNOWN-0001", "known"),
        (30, "NOT_A_CODE#1", "malformed"),
    ]
    assert outcome.check.problems[0].reason.english() == "repeats line 4 of this upload"
    assert outcome.check.problems[1].reason.english().startswith("already in the pool of Data Analysis")
    assert len(outcome.check.valid) == 47
    assert _codes_of_run(flow) == 0


def test_confirming_adds_the_valid_codes_of_the_report_and_only_those(flow: Flow) -> None:
    lines = _fifty_with_two_duplicates_and_one_malformed(flow)

    with flow.db.sessions() as session, session.begin():
        user = _user(session, flow.course_team)
        outcome = upload_codes(session, user, flow.run_id, read_pasted_codes("\n".join(lines)), True, NOW)

    assert outcome.added == 47
    assert _codes_of_run(flow) == 47


def test_a_clean_upload_is_added_at_once(flow: Flow) -> None:
    with flow.db.sessions() as session, session.begin():
        user = _user(session, flow.course_team)
        outcome = upload_codes(session, user, flow.run_id, read_pasted_codes(", ".join(FIFTY)), False, NOW)

    assert (outcome.added, outcome.check.problems) == (50, [])
    assert _codes_of_run(flow) == 50


def test_only_the_course_team_uploads(flow: Flow) -> None:
    with flow.db.sessions() as session, session.begin(), pytest.raises(Forbidden):
        upload_codes(session, _user(session, flow.dopt), flow.run_id, [CodeLine(1, "CODE-0001")], True, NOW)


def test_api_upload_with_a_malformed_code_names_it_and_adds_nothing(flow: Flow) -> None:
    with flow.db.sessions() as session, session.begin(), pytest.raises(Invalid) as refused:
        add_coupons(session, _user(session, flow.course_team), flow.run_id, ["GOOD-0001", "no good", 7], NOW)

    assert set(refused.value.fields) == {"codes[1]", "codes[2]"}
    assert _codes_of_run(flow) == 0


def test_pasted_codes_are_split_on_commas_semicolons_and_spaces_keeping_line_numbers() -> None:
    text = "AAAA-1, AAAA-2;AAAA-3\n\n  AAAA-4   AAAA-5\n"

    assert read_pasted_codes(text) == [
        CodeLine(1, "AAAA-1"),
        CodeLine(1, "AAAA-2"),
        CodeLine(1, "AAAA-3"),
        CodeLine(3, "AAAA-4"),
        CodeLine(3, "AAAA-5"),
    ]


def test_csv_file_skips_its_header_and_reads_the_code_column_with_file_line_numbers() -> None:
    content = "\ufeffRun,Coupon code\r\nCGP,AAAA-1\r\n\r\nCGP,AAAA-2\r\n".encode()

    assert read_csv_codes(content) == [CodeLine(2, "AAAA-1"), CodeLine(4, "AAAA-2")]


def test_csv_file_without_header_is_one_column_of_codes() -> None:
    assert read_csv_codes(b"AAAA-1\nAAAA-2\n") == [CodeLine(1, "AAAA-1"), CodeLine(2, "AAAA-2")]


def test_csv_file_that_is_not_text_is_refused_with_a_reason() -> None:
    with pytest.raises(Invalid) as refused:
        read_csv_codes(b"\xff\xfe\x00A\x00B")

    assert "UTF-8" in refused.value.fields["file"]


def test_voided_code_is_never_assigned(flow: Flow) -> None:
    flow.add_coupons("VOID-0001", "KEEP-0001")
    with flow.db.sessions() as session, session.begin():
        void_coupon(session, _user(session, flow.course_team), "VOID-0001", "Reported as leaked.", NOW)

    application_id = approve_and_confirm(flow, flow.officer())

    assert flow.application(application_id).coupon_code == "KEEP-0001"
    with flow.db.sessions() as session:
        voided = session.scalars(select(Coupon).where(Coupon.code == "VOID-0001")).one()
        assert (voided.application_id, voided.voided_by, voided.void_reason) == (
            None,
            flow.course_team,
            "Reported as leaked.",
        )
        summary = coupon_summary(session, _user(session, flow.dopt), flow.run_id)
    assert summary == {
        "total": 2,
        "assigned": 1,
        "available": 0,
        "voided": 1,
        "waiting": 0,
        "low": False,
    }


def test_a_used_code_cannot_be_voided(flow: Flow) -> None:
    flow.add_coupons("USED-0001")
    approve_and_confirm(flow, flow.officer())

    with flow.db.sessions() as session, session.begin(), pytest.raises(Conflict) as refused:
        void_coupon(session, _user(session, flow.course_team), "USED-0001", "Mistake.", NOW)

    assert "cannot be voided" in refused.value.message


def test_voiding_twice_or_without_a_reason_is_refused(flow: Flow) -> None:
    flow.add_coupons("VOID-0002")
    with flow.db.sessions() as session, session.begin(), pytest.raises(Invalid):
        void_coupon(session, _user(session, flow.course_team), "VOID-0002", "   ", NOW)
    with flow.db.sessions() as session, session.begin():
        void_coupon(session, _user(session, flow.course_team), "VOID-0002", "Leaked.", NOW)
    with flow.db.sessions() as session, session.begin(), pytest.raises(Conflict):
        void_coupon(session, _user(session, flow.course_team), "VOID-0002", "Leaked again.", NOW)


def test_course_team_is_told_once_each_time_a_pool_falls_below_the_waiting_applications(
    db: Database, settings: Settings
) -> None:
    # DoPT-CSS needs no cadre approval: each application waits for DoPT's confirmation at once.
    flow = Flow(db, settings, cca="DOPT-CSS")
    flow.add_coupons("LOW-0001")

    def apply() -> int:
        return flow.apply(flow.officer(service="CSS_A", cca="DOPT-CSS"))

    def alerts() -> int:
        return sum("Coupon pool low" in subject for subject in flow.notifications(flow.course_team))

    first = apply()
    assert alerts() == 0  # one code for one application
    apply()
    assert alerts() == 1  # one code for two
    assert "has 1 unused coupon codes for 2 applications" in flow.notification_bodies(flow.course_team)
    apply()
    assert alerts() == 1  # still low: not told again
    with db.sessions() as session, session.begin():
        user = _user(session, flow.course_team)
        upload_codes(session, user, flow.run_id, read_pasted_codes("LOW-0002 LOW-0003 LOW-0004"), False, NOW)
    flow.complete(flow.dopt, first, "dopt_confirmation", {"decision": "confirm"}, NOW + timedelta(hours=1))
    assert alerts() == 1  # three codes for two applications
    apply()
    assert alerts() == 1  # three codes for three
    apply()
    assert alerts() == 2  # fell again: told again
    assert "has 3 unused coupon codes for 4 applications" in flow.notification_bodies(flow.course_team)


def test_a_code_added_by_another_upload_after_the_check_refuses_the_whole_upload(
    flow: Flow, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow.add_coupons("RACE-0001")
    # As when two uploads check at the same moment: this one does not see the other's code.
    monkeypatch.setattr("engine.services.coupons._known_codes", lambda _session, _codes: {})

    with flow.db.sessions() as session, session.begin(), pytest.raises(Conflict):
        lines = read_pasted_codes("RACE-0002 RACE-0001")
        upload_codes(session, _user(session, flow.course_team), flow.run_id, lines, False, NOW)

    assert _codes_of_run(flow) == 1
