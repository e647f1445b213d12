"""Engine texts carried to the web layer: Message values and the names taken from BPMN files."""

from __future__ import annotations

import json

from engine.bpmn_texts import extract
from engine.config import PROJECT_ROOT
from engine.i18n import Message
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
