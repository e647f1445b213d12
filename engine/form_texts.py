"""Extraction of the texts people read from the JSON-Schema forms (forms/), for the catalogue.

A form's title and description, each field's title and description, and the labels of its
choices (`enumNames`) are shown on task pages. pybabel runs `extract` on every form named
in babel.cfg, so they are in the gettext catalogue beside the code's texts and the web
layer shows them in the reader's language (webapp.ui.schema_forms). The schema stays
English, the source language, as the catalogue's msgids are; a form that a process owner
writes later and the catalogue lacks is shown as written until the catalogue is updated
(`make i18n`).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

SHOWN_KEYWORDS = ("title", "description")


def extract(
    fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str], options: Mapping[str, Any]
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel's extractor interface: (line, function name, message, comments) for each text
    of a form shown to people. Line numbers are 0 (JSON keeps none). Raises
    json.JSONDecodeError for a file that is not JSON."""
    schema = json.loads(fileobj.read().decode("utf-8"))
    yield from _texts(schema, "form")


def schema_texts(schema: Mapping[str, Any]) -> list[str]:
    """Every text of `schema` that `extract` finds, in order (for tests and checks)."""
    return [text for _line, _function, text, _comments in _texts(schema, "form")]


def _texts(node: Any, where: str) -> Iterator[tuple[int, str, str, list[str]]]:
    if not isinstance(node, Mapping):
        return
    for keyword in SHOWN_KEYWORDS:
        value = node.get(keyword)
        if isinstance(value, str) and value.strip():
            yield 0, "", value, [f"{where} {keyword}"]
    for label in node.get("enumNames") or []:
        if isinstance(label, str) and label.strip():
            yield 0, "", label, [f"{where} choice"]
    for name, prop in (node.get("properties") or {}).items():
        yield from _texts(prop, f"field {name}")
