"""GET /api/v1/applications: search, filters, sort and the export hold exactly the matching
applications (checked against the rows of a bulk-built programme)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from engine.bootstrap import Database
from engine.models import Officer
from tests.api.conftest import Api
from tests.bulk import Programme, build_programme
from tests.factories import NOW

INDIA = timedelta(hours=5, minutes=30)


@pytest.fixture
def programme(db: Database) -> Programme:
    with db.sessions() as session:
        built = build_programme(session, 300, NOW, seed=5)
        session.commit()
    return built


def _ids(api: Api, query: str) -> list[int]:
    response = api.get(f"/applications?per_page=500&{query}")
    assert response.status_code == 200, response.json
    assert int(response.headers["X-Total-Count"]) == len(response.json)
    return [row["id"] for row in response.json]


def _day(application: dict) -> date:
    return (application["created_at"] + INDIA).date()


def test_each_filter_keeps_exactly_the_matching_applications(
    staff: dict[str, Api], programme: Programme, db: Database
) -> None:
    apps = programme.applications
    run_id = apps[0]["course_run_id"]
    first, last = date(2026, 6, 1), date(2026, 9, 30)
    cases = {
        "course=DASS": {a["id"] for a in apps if a["course_code"] == "DASS"},
        f"course_run_id={run_id}": {a["id"] for a in apps if a["course_run_id"] == run_id},
        "cca=KA-DPAR": {a["id"] for a in apps if a["cca_code"] == "KA-DPAR"},
        "status=reimbursed,lapsed": {a["id"] for a in apps if a["status"] in ("reimbursed", "lapsed")},
        "has_incident=1": programme.incidents,
        "has_incident=0": {a["id"] for a in apps} - programme.incidents,
        f"submitted_from={first}&submitted_to={last}": {a["id"] for a in apps if first <= _day(a) <= last},
        f"course=CGP&status=enrolled&submitted_from={first}": {
            a["id"] for a in apps if a["course_code"] == "CGP" and a["status"] == "enrolled" and _day(a) >= first
        },
    }
    for query, expected in cases.items():
        assert set(_ids(staff["dopt"], query)) == expected, query
        assert expected or query.startswith("course=CGP"), query


def test_search_finds_by_officer_name_id_username_and_edx_username(
    staff: dict[str, Api], programme: Programme, db: Database
) -> None:
    target = programme.applications[17]
    username = programme.officers[target["officer_id"]]["username"]
    with db.sessions() as session:
        name = session.scalars(select(Officer.full_name).where(Officer.user_id == target["officer_id"])).one()
    own = {a["id"] for a in programme.applications if a["officer_id"] == target["officer_id"]}

    assert target["id"] in _ids(staff["dopt"], f"q={target['id']}")
    assert set(_ids(staff["dopt"], f"q={name.lower()}")) == own
    assert set(_ids(staff["dopt"], f"q={username}_EDX")) == own
    assert _ids(staff["dopt"], "q=%25") == []  # a % is searched for, not a wildcard


def test_sorts_by_submitted_updated_status_and_officer_name_both_ways(
    staff: dict[str, Api], programme: Programme
) -> None:
    def listed(query: str) -> list[dict]:
        return staff["dopt"].get(f"/applications?per_page=500&{query}").json

    submitted = [row["created_at"] for row in listed("sort=submitted&order=asc")]
    updated = [row["updated_at"] for row in listed("sort=updated")]
    statuses = [row["status"] for row in listed("sort=status&order=asc")]
    names = [row["officer"]["full_name"].lower() for row in listed("sort=officer&order=desc")]

    assert submitted == sorted(submitted) and len(submitted) == 300
    assert updated == sorted(updated, reverse=True)
    assert statuses == sorted(statuses)
    assert names == sorted(names, reverse=True)


def test_a_cca_approver_lists_only_their_cca_and_an_officer_only_their_own(
    staff: dict[str, Api], programme: Programme
) -> None:
    ias = {a["id"] for a in programme.applications if a["cca_code"] == "DOPT-IAS"}

    assert set(_ids(staff["cca"], "")) == ias
    assert set(_ids(staff["cca"], "cca=KA-DPAR")) == set()
    assert _ids(staff["admin"], "") == []


def test_unusable_filters_are_422_naming_each(staff: dict[str, Api], programme: Programme) -> None:
    query = "status=flying&has_incident=maybe&submitted_from=01-06-2026&course_run_id=x&sort=age&order=up"

    response = staff["dopt"].get(f"/applications?{query}")

    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {
        "status",
        "has_incident",
        "submitted_from",
        "course_run_id",
        "sort",
        "order",
    }


def test_the_export_holds_exactly_the_filtered_list_as_csv_and_as_xlsx(
    staff: dict[str, Api], programme: Programme
) -> None:
    query = "status=awaiting_cadre_approval,enrolled,reimbursed&sort=officer&order=asc"
    listed = _ids(staff["dopt"], query)

    csv_file = staff["dopt"].get(f"/applications/export?format=csv&{query}")
    xlsx_file = staff["dopt"].get(f"/applications/export?format=xlsx&{query}")

    assert csv_file.headers["Content-Disposition"] == 'attachment; filename="applications.csv"'
    rows = list(csv.reader(io.StringIO(csv_file.data.decode("utf-8-sig"))))
    assert rows[0][0] == "id" and [int(row[0]) for row in rows[1:]] == listed
    sheet = load_workbook(io.BytesIO(xlsx_file.data), read_only=True).active
    cells = list(sheet.iter_rows(values_only=True))
    assert [row[0] for row in cells[1:]] == listed
    assert {row[11] for row in cells[1:]} == {"awaiting_cadre_approval", "enrolled", "reimbursed"}
    assert staff["dopt"].get("/applications/export?format=pdf").status_code == 422
