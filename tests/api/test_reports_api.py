"""The reports over the API: the two contracts of API.md (summary, dfft), a CCA approver's
figures are their CCA's, and each report answers only the roles it is for."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from flask.testing import FlaskClient

from engine.bootstrap import Database
from tests.api.conftest import Api, open_run, register
from tests.bulk import build_programme
from tests.factories import NOW


def test_summary_counts_by_status_course_and_cca_and_a_cca_sees_its_own(
    client: FlaskClient, staff: dict[str, Api]
) -> None:
    runs = [open_run(staff["dopt"], course) for course in ("CGP", "DRRE")]
    applied = []
    for cca, run in (("DOPT-IAS", runs[0]), ("DOPT-IAS", runs[1]), ("KA-DPAR", runs[0])):
        officer = register(client, cca=cca, service="IAS" if cca == "DOPT-IAS" else "SCS")
        applied.append(officer.post("/applications", {"course_run_id": run["id"], "declaration": True}).json)

    everything = staff["dopt"].get("/reports/summary").json
    own = staff["cca"].get("/reports/summary").json

    assert everything["by_status"] == dict(Counter(a["status"] for a in applied))
    assert everything["by_course"] == {"CGP": 2, "DRRE": 1, "DASS": 0, "MICRO": 0, "FDP": 0}
    assert everything["by_cca"] == {"DOPT-IAS": 2, "KA-DPAR": 1}
    assert everything["total"] == 3
    assert own["by_cca"] == {"DOPT-IAS": 2} and own["total"] == 2
    assert own["by_course"] == {"CGP": 1, "DRRE": 1, "DASS": 0, "MICRO": 0, "FDP": 0}
    assert staff["other_cca"].get("/reports/summary").json["by_cca"] == {"KA-DPAR": 1}


def test_dfft_lists_officers_certified_in_every_course_as_the_contract_says(
    db: Database, staff: dict[str, Api]
) -> None:
    with db.sessions() as session:
        programme = build_programme(session, 60, NOW)
        session.commit()

    listed = staff["dopt"].get("/reports/dfft").json

    assert programme.dfft <= {row["username"] for row in listed}
    for row in listed:
        assert {"username", "full_name", "service", "cca", "courses"} <= set(row)
        assert row["courses"] == ["CGP", "DASS", "DRRE", "FDP", "MICRO"]
    own = staff["cca"].get("/reports/dfft").json
    assert {row["cca"] for row in own} <= {"DOPT-IAS"}
    assert {row["username"] for row in own} == {row["username"] for row in listed if row["cca"] == "DOPT-IAS"}


def test_pending_money_and_coupons_answer_in_their_shape(db: Database, staff: dict[str, Api]) -> None:
    with db.sessions() as session:
        programme = build_programme(session, 200, datetime.now(UTC))
        session.commit()

    pending = staff["dopt"].get("/reports/pending").json
    money = staff["finance"].get("/reports/money").json
    coupons = staff["course_team"].get("/reports/coupons").json

    assert pending["age_buckets"] == ["0-7", "8-14", "15-30", "over 30"]
    assert sum(task["total"] for task in pending["tasks"]) == len(programme.tasks)
    assert all(sum(task["by_age"].values()) == task["total"] for task in pending["tasks"])
    paid = [a for a in programme.applications if a["status"] == "reimbursed"]
    assert money["total"]["paid"] == len(paid)
    assert round(money["total"]["paid_inr"], 2) == float(sum(programme.payments.values()))
    assert sum(row["total"] for row in coupons) == len(programme.coupons)
