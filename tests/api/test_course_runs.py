"""DoPT's course runs and courses over the API: created, changed and closed, each checked
by the same rules, with every bad field named."""

from __future__ import annotations

from decimal import Decimal

from flask.testing import FlaskClient
from sqlalchemy import select

from engine.bootstrap import Database
from engine.models import Application
from engine.services.tasks import claim_cap_usd
from tests.api.conftest import Api, open_run, register

RUN = {
    "course": "DASS",
    "starts_on": "2027-06-01",
    "registration_closes_on": "2027-05-20",
    "ends_on": "2027-09-01",
}


def test_a_run_is_created_with_its_exam_window_fee_and_cap(staff: dict[str, Api]) -> None:
    body = RUN | {
        "exam_starts_on": "2027-09-10",
        "exam_ends_on": "2027-09-20",
        "fee_usd": 175,
        "reimbursement_cap_usd": 100,
    }

    created = staff["dopt"].post("/course-runs", body)

    assert created.status_code == 201, created.json
    assert created.json | {"id": 0} == {
        "id": 0,
        "course": "DASS",
        "starts_on": "2027-06-01",
        "registration_closes_on": "2027-05-20",
        "ends_on": "2027-09-01",
        "exam_starts_on": "2027-09-10",
        "exam_ends_on": "2027-09-20",
        "fee_usd": 175.0,
        "reimbursement_cap_usd": 100.0,
        "closed": False,
    }
    defaults = staff["dopt"].post("/course-runs", RUN).json
    assert (defaults["fee_usd"], defaults["reimbursement_cap_usd"], defaults["exam_starts_on"]) == (100.0, 100.0, None)


def test_each_broken_rule_of_a_run_is_named(staff: dict[str, Api]) -> None:
    cases = {
        "registration_closes_on": {"registration_closes_on": "2027-06-02"},
        "ends_on": {"ends_on": "2027-06-01"},
        "exam_ends_on": {"exam_starts_on": "2027-09-10"},
        "exam_starts_on": {"exam_starts_on": "2027-05-01", "exam_ends_on": "2027-09-20"},
        "fee_usd": {"fee_usd": 0},
        "reimbursement_cap_usd": {"reimbursement_cap_usd": "a lot"},
        "course": {"course": "NOPE"},
        "starts_on": {"starts_on": "01-06-2027"},
        "colour": {"colour": "blue"},
    }
    for field, change in cases.items():
        response = staff["dopt"].post("/course-runs", RUN | change)
        assert response.status_code == 422, field
        assert field in response.json["error"]["fields"], (field, response.json)
    late_exam = RUN | {"exam_starts_on": "2027-09-20", "exam_ends_on": "2027-09-10"}
    assert "exam_ends_on" in staff["dopt"].post("/course-runs", late_exam).json["error"]["fields"]
    assert "fee_usd" in staff["dopt"].post("/course-runs", RUN | {"fee_usd": "99.999"}).json["error"]["fields"]


def test_dates_outside_the_years_2000_to_2100_and_amounts_not_in_plain_digits_are_refused(
    staff: dict[str, Api],
) -> None:
    far = {"starts_on": "9999-03-01", "registration_closes_on": "9999-01-01", "ends_on": "9999-12-31"}
    early = {"starts_on": "1900-03-01", "registration_closes_on": "1900-01-01", "ends_on": "1900-12-31"}
    for dates in (far, early):
        response = staff["dopt"].post("/course-runs", RUN | dates)
        assert response.status_code == 422
        assert set(response.json["error"]["fields"]) == set(dates)
        assert "2000 to 2100" in response.json["error"]["fields"]["ends_on"]
    run = staff["dopt"].post("/course-runs", RUN).json
    moved = staff["dopt"].patch(f"/course-runs/{run['id']}", {"ends_on": "9999-12-31"})
    assert moved.status_code == 422 and "ends_on" in moved.json["error"]["fields"]


def test_an_amount_typed_other_than_as_plain_decimals_is_refused(db: Database) -> None:
    from engine.services.reference import course_run_problems

    with db.sessions() as session:
        for typed in ("1e3", "1,000", "-5", "12.345", "0x10", "Infinity"):
            assert "fee_usd" in course_run_problems(session, RUN | {"fee_usd": typed}), typed
        assert course_run_problems(session, RUN | {"fee_usd": " 99.50 ", "reimbursement_cap_usd": "100"}) == {}


def test_an_application_to_a_run_ending_on_the_last_day_a_date_holds_is_made(
    client: FlaskClient, staff: dict[str, Api], db: Database
) -> None:
    from datetime import date

    from engine.models import CourseRun

    run = open_run(staff["dopt"])
    with db.sessions() as session:
        session.get(CourseRun, run["id"]).ends_on = date.max
        session.commit()
    applied = register(client).post("/applications", {"course_run_id": run["id"], "declaration": True})
    assert applied.status_code == 201, applied.json


def test_a_run_is_changed_by_the_same_rules_and_its_course_stays(staff: dict[str, Api]) -> None:
    run = staff["dopt"].post("/course-runs", RUN).json

    changed = staff["dopt"].patch(f"/course-runs/{run['id']}", {"reimbursement_cap_usd": 80, "ends_on": "2027-09-15"})
    out_of_order = staff["dopt"].patch(f"/course-runs/{run['id']}", {"registration_closes_on": "2027-07-01"})
    other_course = staff["dopt"].patch(f"/course-runs/{run['id']}", {"course": "CGP"})

    assert changed.status_code == 200
    assert (changed.json["reimbursement_cap_usd"], changed.json["ends_on"], changed.json["course"]) == (
        80.0,
        "2027-09-15",
        "DASS",
    )
    assert out_of_order.status_code == 422
    assert set(out_of_order.json["error"]["fields"]) == {"registration_closes_on"}
    assert other_course.status_code == 422 and "course" in other_course.json["error"]["fields"]
    assert staff["dopt"].patch("/course-runs/999999", {"fee_usd": 1}).status_code == 404
    assert staff["dopt"].get("/course-runs?course=DASS").json[0]["reimbursement_cap_usd"] == 80.0


def test_an_application_keeps_the_cap_of_its_day_when_the_run_changes(
    client: FlaskClient, staff: dict[str, Api], db: Database
) -> None:
    run = open_run(staff["dopt"], reimbursement_cap_usd=100)
    officer = register(client)
    application_id = officer.post("/applications", {"course_run_id": run["id"], "declaration": True}).json["id"]

    staff["dopt"].patch(f"/course-runs/{run['id']}", {"reimbursement_cap_usd": 60})
    later = register(client)
    later_id = later.post("/applications", {"course_run_id": run["id"], "declaration": True}).json["id"]

    with db.sessions() as session:
        applications = {a.id: a for a in session.scalars(select(Application))}
        assert claim_cap_usd(applications[application_id]) == Decimal("100.00")
        assert claim_cap_usd(applications[later_id]) == Decimal("60.00")


def test_a_closed_run_takes_no_application_and_no_change(client: FlaskClient, staff: dict[str, Api]) -> None:
    run = open_run(staff["dopt"])
    officer = register(client)
    earlier = officer.post("/applications", {"course_run_id": run["id"], "declaration": True}).json

    closed = staff["dopt"].post(f"/course-runs/{run['id']}/close")
    again = staff["dopt"].post(f"/course-runs/{run['id']}/close")
    applying = register(client).post("/applications", {"course_run_id": run["id"], "declaration": True})
    changing = staff["dopt"].patch(f"/course-runs/{run['id']}", {"fee_usd": 120})

    assert closed.status_code == 200 and closed.json["closed"] is True
    assert again.status_code == 409
    assert applying.status_code == 422 and "course_run_id" in applying.json["error"]["fields"]
    assert changing.status_code == 409
    assert officer.get(f"/applications/{earlier['id']}").json["status"] == earlier["status"]
    assert staff["dopt"].post("/course-runs/999999/close").status_code == 404


def test_a_course_title_has_at_most_200_characters(staff: dict[str, Api]) -> None:
    added = staff["dopt"].post("/courses", {"code": "LONG", "title": "T" * 3000})
    changed = staff["dopt"].patch("/courses/CGP", {"title": "T" * 201})

    for refused in (added, changed):
        assert refused.status_code == 422 and "title" in refused.json["error"]["fields"]


def test_runs_are_listed_by_period_with_their_applications(client: FlaskClient, staff: dict[str, Api]) -> None:
    upcoming = open_run(staff["dopt"], "FDP")
    past = (
        staff["dopt"]
        .post(
            "/course-runs",
            {
                "course": "FDP",
                "starts_on": "2020-03-01",
                "registration_closes_on": "2020-02-20",
                "ends_on": "2020-06-01",
            },
        )
        .json
    )
    register(client).post("/applications", {"course_run_id": upcoming["id"], "declaration": True})

    future = staff["dopt"].get("/course-runs?course=FDP&period=upcoming").json
    ended = staff["dopt"].get("/course-runs?course=FDP&period=past").json

    assert [(r["id"], r["applications"]) for r in future] == [(upcoming["id"], 1)]
    assert [(r["id"], r["applications"]) for r in ended] == [(past["id"], 0)]
    assert "period" in staff["dopt"].get("/course-runs?period=someday").json["error"]["fields"]


def test_a_course_is_added_and_changed(staff: dict[str, Api]) -> None:
    added = staff["dopt"].post("/courses", {"code": "PEED", "title": "Political Economy", "prerequisites": ""})
    changed = staff["dopt"].patch("/courses/PEED", {"title": "Political Economy and Economic Development"})
    renamed = staff["dopt"].patch("/courses/PEED", {"code": "PE"})
    empty = staff["dopt"].patch("/courses/PEED", {"title": " "})

    assert added.status_code == 201
    assert changed.json == {
        "code": "PEED",
        "title": "Political Economy and Economic Development",
        "prerequisites": "",
        "title_hi": "",
        "prerequisites_hi": "",
    }
    assert renamed.status_code == 422 and "code" in renamed.json["error"]["fields"]
    assert empty.status_code == 422 and "title" in empty.json["error"]["fields"]
    assert staff["dopt"].patch("/courses/NONE", {"title": "x"}).status_code == 404
    assert "code" in staff["dopt"].post("/courses", {"code": "peed x", "title": "t"}).json["error"]["fields"]


def test_a_course_takes_a_hindi_title_and_prerequisites(staff: dict[str, Api]) -> None:
    staff["dopt"].post("/courses", {"code": "PEED", "title": "Political Economy"})

    changed = staff["dopt"].patch("/courses/PEED", {"title_hi": " राजनीतिक अर्थव्यवस्था ", "prerequisites_hi": "कोई नहीं"})
    too_long = staff["dopt"].patch("/courses/PEED", {"title_hi": "अ" * 201})

    assert changed.status_code == 200
    assert (changed.json["title_hi"], changed.json["prerequisites_hi"]) == ("राजनीतिक अर्थव्यवस्था", "कोई नहीं")
    assert changed.json["title"] == "Political Economy"
    assert too_long.status_code == 422 and "title_hi" in too_long.json["error"]["fields"]
