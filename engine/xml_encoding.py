"""Reading a BPMN file in whatever honest encoding it was saved in, and storing it as UTF-8.

Modelling tools save BPMN in UTF-8, UTF-16 (with a byte-order mark), ISO-8859-1 or
windows-1252, and say so in the XML declaration. We decode by the rules of XML 1.0
(appendix F) and RFC 7303 (a byte-order mark first, then the charset of the request,
then the XML declaration, else UTF-8), strictly: a byte that is not of the encoding the
file claims is refused with its line, never replaced. What is stored is the UTF-8 text
with its declaration saying UTF-8, so a file deploys to the same version whatever
encoding it came in.
"""

from __future__ import annotations

import codecs
import re

# UTF-32 before UTF-16: the UTF-32 little-endian mark starts with the UTF-16 one.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "UTF-32-LE"),
    (codecs.BOM_UTF32_BE, "UTF-32-BE"),
    (codecs.BOM_UTF8, "UTF-8"),
    (codecs.BOM_UTF16_LE, "UTF-16-LE"),
    (codecs.BOM_UTF16_BE, "UTF-16-BE"),
)
# A UTF-16 file without a byte-order mark still starts with "<?" (XML 1.0, appendix F).
_UNMARKED_UTF16 = ((b"<\x00?\x00", "UTF-16-LE"), (b"\x00<\x00?", "UTF-16-BE"))
_DECLARATION = re.compile(r"""\A<\?xml\s[^>]*?\bencoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]*)\1""")
_DECLARED_ENCODING = re.compile(r"""(\A<\?xml\s[^>]*?\bencoding\s*=\s*)(["'])[A-Za-z][A-Za-z0-9._-]*\2""")
# C1 control characters: never meant in a diagram; in a file that says ISO-8859-1 they are
# the curly quotes and dashes of windows-1252.
_CONTROL = re.compile("[\x80-\x9f]")


def utf8_xml(data: bytes, charset: str | None = None) -> bytes:
    """The XML document `data` as UTF-8 bytes, its XML declaration saying UTF-8.

    `charset` is the charset parameter of the request's Content-Type, if any (it is
    authoritative unless the file starts with a byte-order mark, RFC 7303 section 3).
    Raises ValueError with a reason a process owner can act on when the bytes are not of
    the encoding the file (or the request) names, or the encoding is unknown.
    """
    encoding, source = _encoding_of(data, charset)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise ValueError(_decode_problem(data, encoding, source, error)) from error
    text = text.removeprefix("\ufeff")
    control = _CONTROL.search(text)
    if control:
        raise ValueError(_control_problem(text, control.start(), encoding))
    return _DECLARED_ENCODING.sub(r"\1\2UTF-8\2", text, count=1).encode("utf-8")


def _encoding_of(data: bytes, charset: str | None) -> tuple[str, str]:
    """The encoding to decode with, and where it came from (for the messages)."""
    for mark, name in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return _checked_codec(name, "its byte-order mark", data, declared_elsewhere=True), "byte-order mark"
    if charset:
        return _checked_codec(charset.strip(), "the request's charset", data, declared_elsewhere=True), "charset"
    for start, name in _UNMARKED_UTF16:
        if data.startswith(start):
            return name, "content"
    declared = _DECLARATION.match(data[:256].decode("latin-1"))
    if declared:
        return _checked_codec(declared.group(2), "its XML declaration", data, declared_elsewhere=False), "declaration"
    return "UTF-8", "default"


def _checked_codec(name: str, where: str, data: bytes, declared_elsewhere: bool) -> str:
    try:
        codec = codecs.lookup(name)
    except LookupError:
        raise ValueError(
            f"the file is in encoding '{name}' by {where}, which is not an encoding we can read; save it as UTF-8"
        ) from None
    if not declared_elsewhere and "<?xml".encode(codec.name) != b"<?xml":
        # We read this declaration as ASCII, so the file cannot be in the 16- or 32-bit encoding it names.
        raise ValueError(
            f'the XML declaration says encoding="{name}" but the file is not {name} (it has no byte-order '
            "mark and its first bytes are 8-bit text): save it again as UTF-8, or as "
            f"{name} with a byte-order mark"
        )
    return name


def _line_of(data: bytes, position: int, encoding: str) -> int:
    return data[:position].decode(encoding, errors="replace").count("\n") + 1


def _decode_problem(data: bytes, encoding: str, source: str, error: UnicodeDecodeError) -> str:
    byte = data[error.start]
    line = _line_of(data, error.start, encoding)
    if source == "default":
        return (
            f"the file is not UTF-8 and does not say which encoding it is in (byte 0x{byte:02X} on line {line} "
            "is not UTF-8): save it as UTF-8, or name its encoding in the XML declaration, e.g. "
            '<?xml version="1.0" encoding="windows-1252"?>'
        )
    said = {
        "byte-order mark": "its byte-order mark says",
        "charset": "the request's charset says",
        "declaration": "its XML declaration says",
        "content": "it starts as",
    }[source]
    return (
        f"the file is not in the encoding {said} ({encoding}): byte 0x{byte:02X} on line {line} is not "
        f"{encoding}; save it again in {encoding}, or declare the encoding it is really in"
    )


def _control_problem(text: str, position: int, encoding: str) -> str:
    line = text.count("\n", 0, position) + 1
    character = f"U+{ord(text[position]):04X}"
    if codecs.lookup(encoding).name == "iso8859-1":
        return (
            f"the file holds the control character {character} on line {line}: it is probably in windows-1252 "
            f'(curly quotes, dashes, the euro sign), not {encoding}; declare encoding="windows-1252"'
        )
    return f"the file holds the control character {character} on line {line}, which a BPMN file cannot use"
