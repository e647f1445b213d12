"""BPMN files in any honest encoding become UTF-8; dishonest or unknown encodings are refused."""

from __future__ import annotations

import codecs

import pytest

from engine.xml_encoding import utf8_xml

NAME = "Prüfung durch Behörde"


def _document(encoding: str, name: str = NAME) -> str:
    return f'<?xml version="1.0" encoding="{encoding}"?>\n<definitions name="{name}"/>\n'


@pytest.mark.parametrize(
    ("declared", "codec"),
    [("ISO-8859-1", "latin-1"), ("windows-1252", "cp1252"), ("UTF-16", "utf-16"), ("UTF-8", "utf-8-sig")],
)
def test_declared_encoding_is_read_and_stored_as_utf8(declared: str, codec: str) -> None:
    stored = utf8_xml(_document(declared).encode(codec))
    assert stored == _document("UTF-8").encode("utf-8")


def test_windows_1252_quotes_and_euro_sign_survive() -> None:
    name = "“Prüfung” – 100 €"
    assert name in utf8_xml(_document("windows-1252", name).encode("cp1252")).decode("utf-8")


def test_big_endian_utf16_with_byte_order_mark() -> None:
    data = codecs.BOM_UTF16_BE + _document("UTF-16").encode("utf-16-be")
    assert NAME in utf8_xml(data).decode("utf-8")


def test_file_without_declaration_is_utf8() -> None:
    assert utf8_xml(f'<definitions name="{NAME}"/>'.encode()) == f'<definitions name="{NAME}"/>'.encode()


def test_charset_of_the_request_wins_over_the_declaration() -> None:
    data = _document("UTF-8").encode("latin-1")
    assert NAME in utf8_xml(data, charset="ISO-8859-1").decode("utf-8")


def test_undeclared_latin1_is_refused_with_the_byte_and_line() -> None:
    with pytest.raises(ValueError, match=r"not UTF-8 and does not say.*0xFC on line 1.*encoding=") as refused:
        utf8_xml(f'<definitions name="{NAME}"/>'.encode("latin-1"))
    assert "save it as UTF-8" in str(refused.value)


def test_latin1_bytes_in_a_file_that_says_utf8_are_refused() -> None:
    with pytest.raises(ValueError, match=r"says \(UTF-8\): byte 0xFC on line 2"):
        utf8_xml(_document("UTF-8").encode("latin-1"))


def test_unknown_encoding_is_refused() -> None:
    with pytest.raises(ValueError, match=r"'klingon-8' .* not an encoding we can read"):
        utf8_xml(_document("klingon-8").encode("ascii", errors="replace"))


def test_utf16_declared_but_saved_as_8_bit_is_refused() -> None:
    with pytest.raises(ValueError, match='encoding="UTF-16" but the file is not UTF-16'):
        utf8_xml(_document("UTF-16").encode("utf-8"))


def test_windows_1252_quotes_in_a_file_that_says_iso_8859_1_are_refused_with_a_hint() -> None:
    data = _document("ISO-8859-1", "“Prüfung”").encode("cp1252")
    with pytest.raises(ValueError, match=r'U\+0093 on line 2.*declare encoding="windows-1252"'):
        utf8_xml(data)


def test_undefined_windows_1252_byte_is_refused() -> None:
    with pytest.raises(ValueError, match="0x81 on line 2 is not windows-1252"):
        utf8_xml(_document("windows-1252").encode("cp1252").replace("ü".encode("cp1252"), b"\x81"))
