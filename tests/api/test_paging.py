"""Every list of the API is paged as API.md says: page from 1, per_page default 50 at most 500,
X-Total-Count, Link with next and prev, 422 for a page that cannot be given, nothing cut."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from engine.bootstrap import Database
from tests.api.conftest import Api, open_run, register
from tests.bulk import build_programme
from tests.factories import NOW

# Each list and a role that may read it.
LISTS = [
    ("/applications", "dopt"),
    ("/tasks", "dopt"),
    ("/notifications", "dopt"),
    ("/process-definitions", "owner"),
    ("/process-definitions/enrollment/scenarios", "owner"),
    ("/forms", "owner"),
    ("/course-runs", "dopt"),
    ("/courses", "dopt"),
    ("/ccas", "dopt"),
    ("/incidents", "dopt"),
    ("/reports/coupons", "course_team"),
    ("/reports/dfft", "dopt"),
]


def _links(response) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers.get("Link", ""))}


def test_a_page_that_cannot_be_given_is_422_naming_it_on_every_list(staff: dict[str, Api]) -> None:
    wrong = []
    for path, role in LISTS:
        for query in ("page=0", "page=x", "per_page=0", "per_page=501", "page=-1", "per_page=1.5"):
            response = staff[role].get(f"{path}?{query}")
            if response.status_code != 422 or set(response.json["error"]["fields"]) != {query.split("=")[0]}:
                wrong.append(f"{path}?{query}: {response.status_code}")

    assert wrong == []


def test_every_list_walked_page_by_page_gives_each_item_once_and_the_count(
    client: FlaskClient, staff: dict[str, Api]
) -> None:
    officer = register(client)
    for course in ("CGP", "DRRE", "DASS"):
        run = open_run(staff["dopt"], course)
        officer.post("/applications", {"course_run_id": run["id"], "declaration": True})
    for path, role in LISTS:
        api = officer if path in ("/notifications",) else staff[role]
        whole = api.get(f"{path}?per_page=500")
        assert whole.status_code == 200, (path, whole.json)
        total = int(whole.headers["X-Total-Count"])
        assert len(whole.json) == total, path
        walked, url, pages = [], f"/api/v1{path}?per_page=2", 0
        while url:
            response = client.get(url, headers={"Authorization": f"Bearer {api.token}"})
            assert response.headers["X-Total-Count"] == str(total), path
            walked.extend(response.json)
            links = _links(response)
            pages += 1
            assert ("prev" in links) == (pages > 1), (path, pages)
            url = links.get("next", "").removeprefix("http://localhost")
        assert walked == whole.json, path
        assert pages == max((total + 1) // 2, 1), path


def test_applications_and_tasks_are_no_longer_cut_at_500(db: Database, staff: dict[str, Api]) -> None:
    with db.sessions() as session:
        programme = build_programme(session, 620, NOW)
        session.commit()
    open_tasks = len(programme.tasks)

    first = staff["dopt"].get("/applications?per_page=500")
    second = staff["dopt"].get(_links(first)["next"].split("/api/v1")[1])
    default = staff["dopt"].get("/applications")

    assert first.headers["X-Total-Count"] == "620" and len(first.json) == 500
    assert len(second.json) == 120 and "next" not in _links(second)
    assert {a["id"] for a in first.json} | {a["id"] for a in second.json} == {a["id"] for a in programme.applications}
    assert len(default.json) == 50 and default.headers["X-Total-Count"] == "620"
    dopt_tasks = sum(1 for task in programme.tasks if task["role"] == "dopt")
    tasks = staff["dopt"].get("/tasks?per_page=500")
    assert tasks.headers["X-Total-Count"] == str(dopt_tasks) and len(tasks.json) == min(dopt_tasks, 500)
    assert open_tasks > dopt_tasks


def test_links_keep_the_filters_of_the_query(client: FlaskClient, staff: dict[str, Api]) -> None:
    officer = register(client)
    for course in ("CGP", "DRRE", "DASS"):
        run = open_run(staff["dopt"], course)
        officer.post("/applications", {"course_run_id": run["id"], "declaration": True})

    response = staff["dopt"].get("/applications?status=awaiting_cadre_approval&per_page=1&page=2")

    links = _links(response)
    assert "status=awaiting_cadre_approval" in links["next"] and "page=3" in links["next"]
    assert "status=awaiting_cadre_approval" in links["prev"] and "page=1" in links["prev"]
