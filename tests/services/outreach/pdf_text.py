"""Read the text back out of a PDF fpdf2 wrote with embedded TrueType fonts (no PDF library
in the test dependencies): each font's ToUnicode map turns the 2-byte glyph codes of the
page streams back into characters."""

from __future__ import annotations

import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_FONT_NAME = re.compile(rb"/(F\d+) (\d+) 0 R")
_TOUNICODE = re.compile(rb"/ToUnicode (\d+) 0 R")
_DESCENDANT = re.compile(rb"/DescendantFonts \[(\d+) 0 R\]")
_BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)> <([0-9A-Fa-f]+)>")
_TEXT = re.compile(
    rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) ?Tj|\[((?:\((?:\\.|[^\\)])*\)|[^\]\(])*)\] ?TJ", re.S
)
_STRING = re.compile(rb"\(((?:\\.|[^\\)])*)\)", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _stream(body: bytes) -> bytes:
    match = _STREAM.search(body)
    if not match:
        return b""
    raw = match.group(1)
    try:
        return zlib.decompress(raw)
    except zlib.error:
        return raw


def _unescape(raw: bytes) -> bytes:
    out = bytearray()
    index = 0
    while index < len(raw):
        byte = raw[index : index + 1]
        if byte != b"\\":
            out += byte
            index += 1
            continue
        following = raw[index + 1 : index + 2]
        octal = re.match(rb"[0-7]{1,3}", raw[index + 1 : index + 4])
        if octal:
            out.append(int(octal.group(0), 8))
            index += 1 + len(octal.group(0))
        else:
            out += _ESCAPES.get(following, following)
            index += 2
    return bytes(out)


def pdf_text(document: bytes) -> str:
    """The text drawn on the pages, one line per text-showing operator, in drawing order."""
    objects = {int(number): body for number, body in _OBJECT.findall(document)}
    maps: dict[bytes, dict[int, str]] = {}
    for body in objects.values():
        for name, ref in _FONT_NAME.findall(body):
            font_object = objects.get(int(ref), b"")
            to_unicode = _TOUNICODE.search(font_object)
            if not to_unicode:
                continue
            cmap = _stream(objects[int(to_unicode.group(1))])
            mapping: dict[int, str] = {}
            for code, text in _BFCHAR.findall(cmap):
                mapping[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
            maps[name] = mapping
    lines = []
    for body in objects.values():
        if b"/Length" not in body or b"stream" not in body:
            continue
        content = _stream(body)
        if b"Tj" not in content:
            continue
        font: dict[int, str] = {}
        for name, string, array in _TEXT.findall(content):
            if name:
                font = maps.get(name, {})
                continue
            raw = _unescape(string) if string else b"".join(_unescape(s) for s in _STRING.findall(array))
            lines.append(
                "".join(
                    font.get(int.from_bytes(raw[i : i + 2], "big"), "\ufffd") for i in range(0, len(raw), 2)
                )
            )
    return "\n".join(lines)
