"""A csv file's bytes as utf-8 text, and what had to be mended on the way.

* utf-16 with a byte-order mark, or without one (the NUL half of each character gives it away:
  SQL Server and Windows tools write such files);
* utf-8, with or without a byte-order mark; a file that is not valid utf-8 is a cp1252 file when
  no line of it holds valid utf-8 beyond ASCII, and otherwise a utf-8 file with a few lines in
  another encoding: only those lines are decoded as cp1252 (latin-1 for the bytes cp1252 leaves
  undefined), and they are reported (``encoded_lines``);
* control characters (C0 except tab and line breaks, and DEL) are replaced by markers, one
  Unicode noncharacter per control character (U+FDD0 + code, U+FFFE for DEL), which the csv
  reader finds in the parsed cells, reports and removes (:func:`unmark`);
* a byte-order mark inside the file (files appended together) is removed, wherever it is.

The fast path stays fast: a valid utf-8 file without control bytes or inner byte-order marks is
checked with three scans in C (decode, translate, find) and returned as it is.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from tracecheck.errors import InputError
from tracecheck.read.sniff import CONTROL_BYTES, utf16_order

_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)?")
_MARKS = {code: 0xFDD0 + code for code in range(0x20) if code not in (0x09, 0x0A, 0x0D)} | {0x7F: 0xFFFE}
_MARKED = re.compile("[\ufdd0-\ufdef\ufffe]")
_PICTURES = {chr(mark): chr(0x2400 + code) if code < 0x20 else "\u2421" for code, mark in _MARKS.items()}


@dataclass(frozen=True)
class Decoded:
    utf8: bytes  # the text, BOM-less utf-8, control characters marked
    encoding: str  # what the file was read as (utf-8, utf-8-sig, utf-16, utf-16-le, cp1252, ...)
    encoded_lines: tuple[int, ...] = ()  # physical lines (1-based) of a utf-8 file decoded as cp1252
    marked: bool = False  # control characters were replaced by markers


def decode(data: bytes, shown: str) -> Decoded:
    """See the module docstring; InputError for utf-16 that does not decode."""
    utf8, encoding, lines = _to_utf8(data, shown)
    if b"\xef" in utf8 and b"\xef\xbb\xbf" in utf8:  # U+FEFF carries no text: the BOM of files appended together
        utf8 = utf8.replace(b"\xef\xbb\xbf", b"")
    marked = len(utf8.translate(None, CONTROL_BYTES)) != len(utf8)
    if marked:
        utf8 = utf8.decode("utf-8").translate(_MARKS).encode("utf-8")
    return Decoded(utf8, encoding, lines, marked)


def _to_utf8(data: bytes, shown: str) -> tuple[bytes, str, tuple[int, ...]]:
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return _utf16(data, "utf-16", name, shown), name, ()
    order = utf16_order(data)
    if order:
        return _utf16(data[:len(data) // 2 * 2], order, order, shown), order, ()
    if data.startswith(codecs.BOM_UTF8):
        data, name = data[len(codecs.BOM_UTF8):], "utf-8-sig"
    else:
        name = "utf-8"
    try:
        data.decode("utf-8")
        return data, name, ()
    except UnicodeDecodeError:
        pass
    lines = _LINE.findall(data)
    if not any(_has_utf8_beyond_ascii(line) for line in lines):  # a cp1252 file through and through
        return _cp1252(data).encode("utf-8"), "cp1252", ()
    out, bad = [], []
    for number, line in enumerate(lines, start=1):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(_cp1252(line))
            bad.append(number)
    return "".join(out).encode("utf-8"), name, tuple(bad)


def _utf16(data: bytes, codec: str, name: str, shown: str) -> bytes:
    try:
        return data.decode(codec).encode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"cannot decode {name} text", path=shown) from None


def _has_utf8_beyond_ascii(line: bytes) -> bool:
    if line.isascii():
        return False
    try:
        line.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _cp1252(data: bytes) -> str:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:  # bytes undefined in cp1252 (0x81, 0x8D, ...)
        return data.decode("latin-1")


def record_numbers(utf8: bytes, lines: tuple[int, ...]) -> dict[int, int]:
    """Physical line -> record (the row number the csv reader gives it), for the ``lines`` asked
    about: a record goes on while a double quote is open (quotes doubled inside count twice)."""
    wanted, out = set(lines), {}
    record, open_quote = 1, False
    for number, line in enumerate(_LINE.findall(utf8), start=1):
        if number in wanted:
            out[number] = record
        if line.count(b'"') % 2:
            open_quote = not open_quote
        if not open_quote:
            record += 1
    return out


def has_marks(text: str) -> bool:
    return _MARKED.search(text) is not None


def unmark(text: str) -> tuple[str, str]:
    """(the text without its marked control characters, the text showing each as its control
    picture, e.g. ``HKR␀4521``)."""
    return _MARKED.sub("", text), _MARKED.sub(lambda m: _PICTURES[m.group()], text)
