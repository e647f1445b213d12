"""Forms deployed with their processes: a changed form is a new version; open tasks keep theirs."""

from __future__ import annotations

import io
import json
from typing import Any

from flask.testing import FlaskClient

from engine.config import Settings
from tests.api.conftest import Api, open_run, register

FORM = "cca_approval.schema.json"
JSON = "application/json"


def _form(settings: Settings) -> dict[str, Any]:
    return dict(json.loads((settings.forms_dir / FORM).read_text(encoding="utf-8")))


def _changed(settings: Settings, title: str = "Decision of the cadre authority") -> bytes:
    """The CCA's form with a new title for `decision`, and remarks of at most 100 characters."""
    form = _form(settings)
    form["properties"]["decision"]["title"] = title
    form["properties"]["remarks"]["maxLength"] = 100
    return json.dumps(form, indent=2).encode()


def _apply(client: FlaskClient, staff: dict[str, Api], run_id: int) -> int:
    officer = register(client)
    return int(officer.post("/applications", {"course_run_id": run_id, "declaration": True}).json["id"])


def _form_of(cca: Api, application_id: int) -> dict[str, Any]:
    return dict(cca.get(f"/tasks/{cca.task(application_id, 'cca_approval')}").json["form"])


def test_changed_form_shows_on_new_tasks_while_open_tasks_keep_and_check_their_own(
    client: FlaskClient, staff: dict[str, Api], settings: Settings
) -> None:
    owner, cca = staff["owner"], staff["cca"]
    run_id = open_run(staff["dopt"])["id"]
    before = _apply(client, staff, run_id)

    response = owner.send("PUT", f"/forms/{FORM}", _changed(settings), JSON)
    assert response.status_code == 201, response.json
    assert response.json["processes"] == [{"key": "cadre_approval", "version": 2}]
    assert response.json["scenarios"] and all(s["passed"] for s in response.json["scenarios"])
    after = _apply(client, staff, run_id)

    assert _form_of(cca, before)["properties"]["decision"]["title"] == "Your decision"
    assert _form_of(cca, after)["properties"]["decision"]["title"] == "Decision of the cadre authority"
    long_remarks = {"decision": "reject", "remarks": "r" * 150}
    refused = cca.complete(after, "cca_approval", long_remarks)
    assert refused.status_code == 422 and "remarks" in refused.json["error"]["fields"]
    assert cca.complete(before, "cca_approval", long_remarks).status_code == 200


def test_deployed_forms_can_be_listed_and_read(staff: dict[str, Api], settings: Settings) -> None:
    listed = {form["filename"]: form for form in staff["dopt"].get("/forms").json}
    assert listed[FORM]["processes"] == ["cadre_approval"]
    assert len(listed) == len(list(settings.forms_dir.glob("*.schema.json")))
    read = staff["owner"].get(f"/forms/{FORM}")
    assert read.status_code == 200 and read.data == (settings.forms_dir / FORM).read_bytes()
    assert read.headers["X-Form-Sha256"] == listed[FORM]["sha256"]


def _multipart(owner: Api, parts: dict[str, Any]) -> Any:
    return owner.client.post(
        "/api/v1/process-definitions",
        data=parts,
        headers={"Authorization": f"Bearer {owner.token}"},
        content_type="multipart/form-data",
    )


def test_bpmn_deployed_with_its_changed_form_is_a_new_version_listing_its_scenarios(
    staff: dict[str, Api], settings: Settings
) -> None:
    bpmn = (settings.processes_dir / "cadre_approval.bpmn").read_bytes()
    parts = {"bpmn": (io.BytesIO(bpmn), "cadre_approval.bpmn"), "form": (io.BytesIO(_changed(settings)), FORM)}
    response = _multipart(staff["owner"], parts)
    assert response.status_code == 201, response.json
    assert (response.json["key"], response.json["version"]) == ("cadre_approval", 2)
    names = {(s["process"], s["name"]) for s in response.json["scenarios"]}
    assert ("cadre_approval", "approved") in names and ("enrollment", "reimbursed") in names


def test_multipart_deploy_names_what_is_wrong(staff: dict[str, Api], settings: Settings) -> None:
    bpmn = (settings.processes_dir / "cadre_approval.bpmn").read_bytes()
    unused = _multipart(
        staff["owner"],
        {"bpmn": (io.BytesIO(bpmn), "c.bpmn"), "form": (io.BytesIO(b'{"type": "object"}'), "spare.schema.json")},
    )
    assert unused.status_code == 422
    assert unused.json["error"]["details"] == [
        "form 'spare.schema.json' is not used by any user task of the processes deployed with it"
    ]
    missing = _multipart(staff["owner"], {"form": (io.BytesIO(_changed(settings)), FORM), "note": "hello"})
    assert missing.status_code == 422
    assert missing.json["error"]["fields"].keys() == {"bpmn", "note"}
