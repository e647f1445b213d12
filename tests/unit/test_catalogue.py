"""The Hindi catalogue: complete, nothing fuzzy, every marked text of the sources in it."""

from __future__ import annotations

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from engine.config import PROJECT_ROOT

HINDI = PROJECT_ROOT / "webapp" / "translations" / "hi" / "LC_MESSAGES" / "messages.po"
# The same keywords as `make i18n`: N_ and gettext are among Babel's defaults.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}


def hindi() -> Catalog:
    with HINDI.open("rb") as po:
        return read_po(po)


def source_msgids() -> set[str]:
    """What `make i18n` would extract now, as the .pot it writes would hold it."""
    with (PROJECT_ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = extract_from_dir(str(PROJECT_ROOT), method_map, options_map, keywords=KEYWORDS)
    return {message if isinstance(message, str) else message[0] for _file, _line, message, _c, _ctx in found}


def test_every_hindi_entry_is_translated_and_none_is_fuzzy() -> None:
    catalogue = hindi()
    forms = {m.id: m.string if isinstance(m.string, tuple) else (m.string,) for m in catalogue if m.id}
    untranslated = [msgid for msgid, strings in forms.items() if not all(strings)]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]

    assert untranslated == []
    assert fuzzy == []


def test_every_translation_keeps_the_placeholders_of_its_english() -> None:
    problems = [(message.id, [str(error) for error in errors]) for message, errors in hindi().check()]

    assert problems == []


def test_the_catalogue_has_every_text_marked_in_the_sources() -> None:
    catalogue = hindi()
    in_catalogue = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.id}

    assert sorted(source_msgids() - in_catalogue) == []
