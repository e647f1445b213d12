"""Deploying a changed form: new versions of the processes using it, checked like any deploy."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from engine.bootstrap import Database
from engine.config import Settings
from engine.definitions import DeployResult
from engine.errors import DeployRefused, NotFound
from engine.models import ProcessDefinition
from engine.services.process_forms import deploy_form

FORM = "cca_approval.schema.json"


def _form(settings: Settings) -> dict[str, Any]:
    return dict(json.loads((settings.forms_dir / FORM).read_text(encoding="utf-8")))


def _deploy_form(db: Database, settings: Settings, content: bytes, filename: str = FORM) -> list[DeployResult]:
    with db.sessions() as session, session.begin():
        return deploy_form(session, filename, content, "owner", settings.forms_dir)


def _cadre_versions(db: Database) -> list[tuple[int, str, dict[str, str]]]:
    with db.sessions() as session:
        rows = session.scalars(
            select(ProcessDefinition)
            .where(ProcessDefinition.key == "cadre_approval")
            .order_by(ProcessDefinition.version)
        )
        return [(row.version, row.sha256, dict(row.forms)) for row in rows]


def test_changed_form_is_a_new_version_with_the_same_xml_and_the_same_form_again_is_unchanged(
    db: Database, settings: Settings
) -> None:
    form = _form(settings)
    form["title"] = "Decide on the nomination"
    changed = json.dumps(form).encode()
    first = _deploy_form(db, settings, changed)
    assert [(r.key, r.version, r.created) for r in first] == [("cadre_approval", 2, True)]
    again = _deploy_form(db, settings, changed)
    assert [(r.key, r.version, r.created, r.scenarios) for r in again] == [("cadre_approval", 2, False, ())]
    (v1, xml1, forms1), (v2, xml2, forms2) = _cadre_versions(db)
    assert (v1, v2, xml1 == xml2) == (1, 2, True)
    assert (
        forms1[FORM] != forms2[FORM]
        and forms1["respond_clarification.schema.json"] == forms2["respond_clarification.schema.json"]
    )


def test_the_same_form_in_another_key_order_and_spacing_is_no_change(db: Database, settings: Settings) -> None:
    form = _form(settings)
    reordered = dict(reversed(list(form.items())))
    again = _deploy_form(db, settings, json.dumps(reordered, indent=7, ensure_ascii=True).encode())
    assert [(r.key, r.version, r.created) for r in again] == [("cadre_approval", 1, False)]
    assert [version for version, _sha, _forms in _cadre_versions(db)] == [1]
    form["properties"]["decision"]["title"] = form["properties"]["decision"]["title"] + " "
    changed = _deploy_form(db, settings, json.dumps(form).encode())
    assert [(r.key, r.version, r.created) for r in changed] == [("cadre_approval", 2, True)]


def test_form_change_that_breaks_a_scenario_is_refused_and_nothing_is_deployed(
    db: Database, settings: Settings
) -> None:
    form = _form(settings)
    form["properties"]["decision"]["enum"] = ["approve", "reject", "send_back"]
    with pytest.raises(DeployRefused) as refused:
        _deploy_form(db, settings, json.dumps(form).encode())
    details = "\n".join(refused.value.details)
    assert "scenario cadre_approval/returned_then_approved fails at step 1 (cca_approval): the form" in details
    assert "decision: Choose one of: approve, reject, send_back" in details
    assert [version for version, _sha, _forms in _cadre_versions(db)] == [1]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{decision", "the form is not valid JSON"),
        (b'{"type": 7}', "the form is not a valid JSON Schema"),
        (b"\xff\xfe{}", "the form is not UTF-8 text"),
        (b"[]", "the form must be a JSON object"),
        (b'{"properties": {"remarks": {"x-tidy": ["lower-case"]}}}', "the field remarks: x-tidy is a list of"),
    ],
)
def test_form_that_is_no_json_schema_is_refused_with_the_reason(
    db: Database, settings: Settings, content: bytes, reason: str
) -> None:
    with pytest.raises(DeployRefused) as refused:
        _deploy_form(db, settings, content)
    assert len(refused.value.details) == 1
    assert refused.value.details[0].startswith(f"form '{FORM}': {reason}")


def test_form_no_deployed_process_uses_is_not_found(db: Database, settings: Settings) -> None:
    with pytest.raises(NotFound):
        _deploy_form(db, settings, b'{"type": "object"}', "nobody_uses.schema.json")


def _with_remarks(prop: dict[str, Any], **extra: Any) -> bytes:
    """The shipped form with its remarks field replaced by `prop` (and more keys at the top)."""
    return json.dumps(
        {"type": "object", "properties": {"decision": {"type": "string"}, "remarks": prop}, **extra}
    ).encode()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            _with_remarks({"type": "string", "pattern": "^(a)\\1$"}),
            "the pattern '^(a)\\\\1$' at #/properties/remarks cannot be used: invalid escape sequence",
        ),
        (
            _with_remarks({"type": "string", "pattern": "^(?=a)a$"}),
            "at #/properties/remarks cannot be used: invalid perl operator: (?=",
        ),
        (_with_remarks({"type": "string"}, patternProperties={"^x": {}}), "patternProperties at #: name each field"),
        (_with_remarks({"$ref": "#"}), "$ref at #/properties/remarks refers back to itself"),
        (_with_remarks({"$ref": "#/properties/remarks"}), "$ref at #/properties/remarks refers back to itself"),
        (
            _with_remarks({"$ref": "#/$defs/a"}, **{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}}),
            "refers back to itself",
        ),
        (
            _with_remarks({"type": "string", "$ref": "https://example.org/remarks.json"}),
            "$ref 'https://example.org/remarks.json' at #/properties/remarks: a $ref must point into the form",
        ),
        (_with_remarks({"$ref": "#/$defs/missing"}), "a $ref must point into the form"),
        (_with_remarks({"$dynamicRef": "#meta"}), "$dynamicRef at #/properties/remarks: forms use $ref"),
        (b"[" * 5000 + b"]" * 5000, "the form is nested too deeply"),
    ],
)
def test_form_whose_check_could_hang_or_recurse_is_refused_naming_where(
    db: Database, settings: Settings, content: bytes, reason: str
) -> None:
    with pytest.raises(DeployRefused) as refused:
        _deploy_form(db, settings, content)
    assert reason in refused.value.details[0], refused.value.details
    assert [version for version, _sha, _forms in _cadre_versions(db)] == [1]


def test_form_with_a_bounded_pattern_and_a_shared_definition_still_deploys(db: Database, settings: Settings) -> None:
    form = _form(settings)
    form["$defs"] = {"words": {"type": "string", "maxLength": 2000}}
    form["properties"]["remarks"] = {"$ref": "#/$defs/words", "pattern": "^(a+)+$|^[^!]*$"}
    results = _deploy_form(db, settings, json.dumps(form).encode())
    assert [(r.key, r.version, r.created) for r in results] == [("cadre_approval", 2, True)]
