"""Engine texts carried to the web layer: Message values and the names taken from BPMN files."""

from __future__ import annotations

import json

from babel.messages.pofile import read_po

from engine.bpmn_texts import extract
from engine.config import PROJECT_ROOT
from engine.form_texts import schema_texts
from engine.forms import validate_form
from engine.i18n import Message, Text
from engine.rules import SERVICE_NAMES_HI, SERVICES, check_service
from engine.statuses import ALL_STATUSES, STATUS_LABELS, status_label

HINDI = {
    "Joined %(year)s: eligible from runs starting %(date)s": (
        "%(year)s में सेवा में आए: %(date)s से आरंभ होने वाले सत्रों के लिए पात्र"
    ),
    "Lapsed": "व्यपगत",
    "Now %(status)s": "अब %(status)s",
}


def hindi(text: str) -> str:
    return HINDI.get(text, text)


def test_a_message_survives_json_and_renders_in_the_readers_language() -> None:
    message = Message("Joined %(year)s: eligible from runs starting %(date)s", {"year": 2017, "date": "31-12-2019"})

    stored = json.loads(json.dumps(message.to_json()))

    assert Message.from_json(stored).render(hindi) == "2017 में सेवा में आए: 31-12-2019 से आरंभ होने वाले सत्रों के लिए पात्र"
    assert Message.from_json(stored).english() == "Joined 2017: eligible from runs starting 31-12-2019"


def test_a_message_inside_a_message_is_translated_too() -> None:
    message = Message("Now %(status)s", {"status": status_label("lapsed")})

    assert Message.from_json(message.to_json()).render(hindi) == "अब व्यपगत"


def test_a_translation_whose_placeholders_do_not_fit_falls_back_to_english() -> None:
    message = Message("Now %(status)s", {"status": "open"})

    assert message.render(lambda _text: "अब %(state)s") == "Now open"


def test_every_status_has_words() -> None:
    assert set(STATUS_LABELS) == set(ALL_STATUSES)


def test_user_task_and_lane_names_of_a_diagram_are_extracted() -> None:
    with (PROJECT_ROOT / "processes" / "cadre_approval.bpmn").open("rb") as bpmn:
        names = {message for _line, _function, message, _comments in extract(bpmn, {}, [], {})}

    assert {"Approve nomination", "Respond to clarification", "CCA", "Officer"} <= names


def test_every_named_flow_element_of_a_diagram_is_extracted_not_its_flows() -> None:
    with (PROJECT_ROOT / "processes" / "enrollment.bpmn").open("rb") as bpmn:
        names = {message for _line, _function, message, _comments in extract(bpmn, {}, [], {})}

    assert {"Report course result", "Course run ends", "90 days without a result", "Certificate earned?"} <= names
    assert "Yes" not in names  # the name of a sequence flow is not shown on pages


def test_a_forms_titles_descriptions_and_choice_labels_are_extracted() -> None:
    schema = json.loads((PROJECT_ROOT / "forms" / "cca_approval.schema.json").read_text(encoding="utf-8"))

    texts = schema_texts(schema)

    assert texts[0] == schema["title"]
    assert {"Your decision", "Remarks", "Approve", "Reject", "Return to the officer for clarification"} <= set(texts)
    assert "approve" not in texts  # the values stay codes


def test_a_text_is_english_to_everyone_and_keeps_its_message_for_the_web_layer() -> None:
    limit = Message("Enter a number between %(low)s and %(high)s", {"low": "0", "high": "100"}).text()

    assert limit == "Enter a number between 0 and 100"
    assert json.dumps({"final_grade": limit}) == '{"final_grade": "Enter a number between 0 and 100"}'
    assert limit.message.render(lambda _text: "%(low)s और %(high)s के बीच की संख्या दर्ज करें") == (
        "0 और 100 के बीच की संख्या दर्ज करें"
    )


def test_a_form_error_with_numbers_keeps_its_message() -> None:
    schema = json.loads((PROJECT_ROOT / "forms" / "report_result.schema.json").read_text(encoding="utf-8"))

    _cleaned, errors = validate_form(schema, {"final_grade": 150, "proctored_exam": "passed"})

    assert isinstance(errors["final_grade"], Text)
    assert errors["final_grade"].message.msgid == "Enter a number between %(low)s and %(high)s"


def test_a_rule_reason_is_stored_with_its_message_and_nested_service_names() -> None:
    check = check_service("OTHER").as_dict()

    assert check["reason"].startswith("Other service is not an eligible service; the programme is open to: ")
    rendered = Message.from_json(check["reason_message"]).render(
        lambda text: {"Other service": "अन्य सेवा", "%(service)s is not an eligible service": "%(service)s पात्र नहीं"}.get(
            text, text
        )
    )
    assert rendered.startswith("अन्य सेवा पात्र नहीं; the programme is open to: Indian Administrative Service; ")


def test_the_hindi_service_names_of_processes_are_the_catalogues() -> None:
    with (PROJECT_ROOT / "webapp" / "translations" / "hi" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po)

    assert {code: catalogue.get(name).string for code, name in SERVICES.items()} == dict(SERVICE_NAMES_HI)
