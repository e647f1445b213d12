"""Process owners and DoPT read the scenarios of a process over the API; process owners add and change them."""

from __future__ import annotations

import json

from engine.config import Settings
from tests.api.conftest import Api
from tests.factories import reminder_words_scenario

BASE = "/process-definitions/cadre_approval/scenarios"


def test_owner_and_dopt_list_and_read_the_scenarios_of_a_process(staff: dict[str, Api], settings: Settings) -> None:
    files = sorted(path.stem for path in (settings.processes_dir / "scenarios" / "cadre_approval").glob("*.json"))
    for reader in (staff["owner"], staff["dopt"]):
        assert [row["name"] for row in reader.get(BASE).json] == files
    response = staff["dopt"].get(f"{BASE}/approved")
    assert response.status_code == 200
    shipped = settings.processes_dir / "scenarios" / "cadre_approval" / "approved.json"
    assert response.json == json.loads(shipped.read_text(encoding="utf-8"))
    assert staff["owner"].get(f"{BASE}/nothing_like_it").status_code == 404
    assert staff["owner"].get("/process-definitions/no_such_process/scenarios").status_code == 404
    assert (
        staff["owner"].put("/process-definitions/no_such_process/scenarios/x", reminder_words_scenario()).status_code
        == 404
    )


def test_owner_adds_a_scenario_that_passes_and_can_change_it(staff: dict[str, Api]) -> None:
    owner = staff["owner"]
    added = owner.put(f"{BASE}/reminder_words", reminder_words_scenario())
    assert (added.status_code, added.json) == (
        201,
        {"name": "reminder_words", "process": "cadre_approval", "passed": True},
    )
    assert owner.get(f"{BASE}/reminder_words").json == reminder_words_scenario()
    changed = reminder_words_scenario() | {"description": "The reminder's words."}
    assert owner.put(f"{BASE}/reminder_words", changed).status_code == 200
    assert owner.get(f"{BASE}/reminder_words").json["description"] == "The reminder's words."


def test_a_scenario_over_256_kb_is_refused_with_413(staff: dict[str, Api]) -> None:
    large = reminder_words_scenario() | {"description": "x" * (256 * 1024)}
    response = staff["owner"].put(f"{BASE}/large", large)
    assert (response.status_code, response.json["error"]["code"]) == (413, "too_large")
    assert "larger than 256 KB" in response.json["error"]["message"]
    assert staff["owner"].get(f"{BASE}/large").status_code == 404


def test_owner_deletes_a_scenario(staff: dict[str, Api]) -> None:
    owner = staff["owner"]
    assert owner.put(f"{BASE}/reminder_words", reminder_words_scenario()).status_code == 201
    assert (
        staff["dopt"].client.delete(f"/api/v1{BASE}/reminder_words", headers=staff["dopt"]._headers()).status_code
        == 403
    )
    deleted = owner.client.delete(f"/api/v1{BASE}/reminder_words", headers=owner._headers())
    assert deleted.status_code == 204
    assert owner.get(f"{BASE}/reminder_words").status_code == 404
    assert "reminder_words" not in [row["name"] for row in owner.get(BASE).json]
    again = owner.client.delete(f"/api/v1{BASE}/reminder_words", headers=owner._headers())
    assert again.status_code == 404
