"""The workbench and the console over HTTP: what only the API shows (codes, headers, shapes)."""

from __future__ import annotations

import io

from flask.testing import FlaskClient

from engine.config import Settings
from tests.api.conftest import Api, open_run, register
from tests.engine.deletions import without

THREE_DAYS = ('"P7D"', '"P3D"')


def _xml(settings: Settings, key: str = "cadre_approval") -> bytes:
    return (settings.processes_dir / f"{key}.bpmn").read_bytes()


def test_validate_answers_problems_at_their_elements_and_deploys_nothing(
    staff: dict[str, Api], settings: Settings
) -> None:
    owner = staff["owner"]
    broken = owner.send(
        "POST", "/process-definitions/validate", without("cadre_approval", "request_cca_approval"), "application/xml"
    )
    fine = owner.send(
        "POST",
        "/process-definitions/validate",
        _xml(settings).replace(*(t.encode() for t in THREE_DAYS)),
        "application/xml",
    )

    assert broken.status_code == 200 and broken.json["valid"] is False
    assert "cca_approval" in [p["element"] for p in broken.json["problems"]]
    assert (fine.json["valid"], fine.json["changed"], fine.json["problems"]) == (True, True, [])
    assert all(s["passed"] and s["message"] is None for s in fine.json["scenarios"])
    assert [v["version"] for v in owner.get("/process-definitions/cadre_approval/versions").json] == [1]


def test_a_deploy_takes_a_comment_in_the_query_or_the_multipart_body(staff: dict[str, Api], settings: Settings) -> None:
    owner = staff["owner"]
    changed = _xml(settings).replace(b'"P7D"', b'"P3D"')
    by_query = owner.send("POST", "/process-definitions?comment=Remind%20sooner", changed, "application/xml")
    multipart = owner.client.post(
        "/api/v1/process-definitions",
        data={"bpmn": (io.BytesIO(changed.replace(b'"P3D"', b'"P4D"')), "cadre_approval.bpmn"), "comment": "Four days"},
        headers={"Authorization": f"Bearer {owner.token}"},
    )
    too_long = owner.send("POST", "/process-definitions?comment=" + "x" * 501, _xml(settings), "application/xml")

    assert (by_query.status_code, multipart.status_code) == (201, 201)
    assert (too_long.status_code, list(too_long.json["error"]["fields"])) == (422, ["comment"])
    versions = owner.get("/process-definitions/cadre_approval/versions").json
    assert [(v["version"], v["comment"], v["applications"]) for v in versions] == [
        (3, "Four days", 0),
        (2, "Remind sooner", 0),
        (1, None, 0),
    ]


def test_rollback_deploys_the_old_version_as_the_newest(staff: dict[str, Api], settings: Settings) -> None:
    owner = staff["owner"]
    owner.send("POST", "/process-definitions", _xml(settings).replace(b'"P7D"', b'"P3D"'), "application/xml")

    rolled = owner.post("/process-definitions/cadre_approval/versions/1/rollback", {"reason": "Back to a week"})
    again = owner.post("/process-definitions/cadre_approval/versions/1/rollback", {"reason": "Again"})
    no_reason = owner.post("/process-definitions/cadre_approval/versions/2/rollback", {})

    assert (rolled.status_code, rolled.json["version"]) == (201, 3)
    assert again.status_code == 409
    assert (no_reason.status_code, list(no_reason.json["error"]["fields"])) == (422, ["reason"])
    newest = owner.get("/process-definitions/cadre_approval/versions").json[0]
    assert (newest["comment"], newest["restores_version"]) == ("Back to a week", 1)
    assert owner.get("/process-definitions/cadre_approval/versions/3").data == _xml(settings)


def test_the_monitor_is_paged_and_its_filters_checked(client: FlaskClient, staff: dict[str, Api]) -> None:
    run = open_run(staff["dopt"])
    ids = [
        register(client).post("/applications", {"course_run_id": run["id"], "declaration": True}).json["id"]
        for _ in range(3)
    ]

    first = staff["dopt"].get("/monitor/applications?per_page=2&process=enrollment&version=1")
    bad = staff["dopt"].get("/monitor/applications?incident=maybe&version=x")

    assert first.status_code == 200 and first.headers["X-Total-Count"] == "3"
    assert 'rel="next"' in first.headers["Link"] and len(first.json) == 2
    row = first.json[0]
    assert row["application_id"] in ids and row["status"] == "awaiting_cadre_approval"
    assert row["process"]["key"] == "enrollment" and row["open_tasks"] == ["cca_approval"] and row["incident"] is None
    assert (bad.status_code, set(bad.json["error"]["fields"])) == (422, {"incident", "version"})
    instance = staff["owner"].get(f"/monitor/applications/{ids[0]}").json
    assert instance["processes"][0]["elements"]["cadre_approval_call"] == {"state": "active", "runs": 0}
    assert instance["data"]["application_id"] == ids[0] and instance["versions"]["enrollment"] == [1]


def test_a_migration_is_previewed_then_done(client: FlaskClient, staff: dict[str, Api], settings: Settings) -> None:
    officer = register(client)
    application_id = officer.post(
        "/applications", {"course_run_id": open_run(staff["dopt"])["id"], "declaration": True}
    ).json["id"]
    staff["owner"].send("POST", "/process-definitions", _xml(settings).replace(b'"P7D"', b'"P3D"'), "application/xml")

    preview = staff["owner"].post(
        f"/applications/{application_id}/migrate/preview", {"process": "cadre_approval", "version": 2}
    )
    unknown = staff["owner"].post(f"/applications/{application_id}/migrate/preview", {"version": 7})

    assert preview.status_code == 200
    assert preview.json["changed"] == ["approval_reminder"] and preview.json["to"]["cadre_approval"] == 2
    assert unknown.status_code == 422
    assert officer.get(f"/applications/{application_id}").json["process"]["versions"]["cadre_approval"] == 1


def test_cancelling_answers_the_cancelled_application(client: FlaskClient, staff: dict[str, Api]) -> None:
    officer = register(client)
    application_id = officer.post(
        "/applications", {"course_run_id": open_run(staff["dopt"])["id"], "declaration": True}
    ).json["id"]

    cancelled = staff["dopt"].post(f"/applications/{application_id}/cancel", {"reason": "Duplicate registration"})

    assert cancelled.status_code == 200
    application = cancelled.json["application"]
    assert (application["status"], application["open_tasks"]) == ("cancelled", [])
    assert application["history"][-1]["action"] == "cancelled"
    assert application["history"][-1]["reason"] == "Duplicate registration"
    assert officer.get(f"/applications/{application_id}").json["status"] == "cancelled"
