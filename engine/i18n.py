"""Texts people read, marked in the engine for translation by the web layer.

The engine knows no Flask and no reader, so it cannot translate. It marks each text with
`N_` (which returns it unchanged; pybabel extracts it into the catalogue), and where a
text has parts that vary, it carries a `Message`: the English text as msgid plus named
parameters, JSON-friendly so it can be stored in task data, audit details or eligibility
results. The web layer renders a Message with gettext in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


def N_(text: str) -> str:
    """Mark `text` for extraction into the catalogue; returns it unchanged (English)."""
    return text


@dataclass(frozen=True)
class Message:
    """A text to show a person: `msgid` (English, marked with N_ where it is written) and named
    parameters for its `%(name)s` placeholders. A parameter may itself be a Message (a status
    inside a sentence), which is translated too.

    Store it with `to_json()` and read it back with `from_json()`; the web layer renders it
    in the reader's language, anything else with `english()`.
    """

    msgid: str
    params: Mapping[str, str | int | float | Message] = field(default_factory=dict)

    def render(self, translate: Callable[[str], str]) -> str:
        """The text through `translate` (a gettext), parameters filled in; a translation whose
        placeholders do not fit its parameters falls back to the English text."""
        values = {
            name: value.render(translate) if isinstance(value, Message) else value
            for name, value in self.params.items()
        }
        try:
            return translate(self.msgid) % values if values else translate(self.msgid)
        except (KeyError, ValueError, TypeError):
            return self.msgid % values if values else self.msgid

    def english(self) -> str:
        """The text in English (the API's language)."""
        return self.render(lambda text: text)

    def to_json(self) -> dict[str, Any]:
        """`{"msgid": ..., "params": {...}}`, nested Messages as the same kind of object."""
        params = {name: value.to_json() if isinstance(value, Message) else value for name, value in self.params.items()}
        return {"msgid": self.msgid, "params": params}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Message:
        """The Message `to_json` wrote. Raises KeyError or TypeError when `value` is not one."""
        params = {
            name: cls.from_json(item) if isinstance(item, Mapping) else item
            for name, item in (value.get("params") or {}).items()
        }
        return cls(str(value["msgid"]), params)

    def text(self) -> Text:
        """The English text as a `str` that keeps this Message (see `Text`)."""
        return Text(self)


class Text(str):
    """An English text (a plain `str` to every caller: the API, logs, stored data) that
    keeps the Message it came from, so the web layer can show it in the reader's language.
    Any `str` operation (joining, slicing) gives a plain `str` and drops the Message."""

    message: Message

    def __new__(cls, message: Message) -> Text:
        value = super().__new__(cls, message.english())
        value.message = message
        return value


SEPARATOR = N_("%(first)s; %(rest)s")
"""Two texts one after the other, separated by a semicolon (joined())."""
AND = N_("%(first)s and %(rest)s")
"""Two texts joined by "and" (joined(..., AND))."""


def joined(parts: list[Message], pattern: str = SEPARATOR) -> Message:
    """One Message of `parts` in order, each pair put together with `pattern` (a msgid with
    `%(first)s` and `%(rest)s`). Raises ValueError for no parts."""
    if not parts:
        raise ValueError("nothing to join")
    if len(parts) == 1:
        return parts[0]
    return Message(pattern, {"first": parts[0], "rest": joined(parts[1:], pattern)})
